-- converge-service's own state: the newest facts of the earlier stages per host, each host's access phase, and the
-- pinned SSH host keys. No key material and no secret value is ever stored here.
CREATE TABLE host_facts (
    host        TEXT        NOT NULL,
    kind        TEXT        NOT NULL CHECK (kind IN ('cloud', 'secret')),
    event_id    TEXT        NOT NULL,
    event_time  TIMESTAMPTZ NOT NULL,
    payload     JSONB       NOT NULL,
    PRIMARY KEY (host, kind)
);

CREATE TABLE host_access (
    host            TEXT        PRIMARY KEY,
    steady_reached  BOOLEAN     NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE host_keys (
    host         TEXT        PRIMARY KEY,
    key_type     TEXT        NOT NULL,
    public_key   TEXT        NOT NULL,
    fingerprint  TEXT        NOT NULL,
    pinned_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

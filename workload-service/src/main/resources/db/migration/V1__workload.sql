-- workload-service's own state: the pinned SSH host keys of the hosts it reads, and the RustDesk server key
-- fingerprint of each host and data dir as last verified. Public keys and fingerprints only: no key material, no
-- kubeconfig, no token is ever stored here.
CREATE TABLE host_keys (
    host         TEXT        PRIMARY KEY,
    key_type     TEXT        NOT NULL,
    public_key   TEXT        NOT NULL,
    fingerprint  TEXT        NOT NULL,
    pinned_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE rustdesk_keys (
    host         TEXT        NOT NULL,
    data_dir     TEXT        NOT NULL,
    fingerprint  TEXT        NOT NULL,
    rotation     TEXT,
    first_seen   TIMESTAMPTZ NOT NULL DEFAULT now(),
    verified_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (host, data_dir)
);

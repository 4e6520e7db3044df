-- backup-service's own database. Flyway owns the schema.

-- When restic check last passed for a host's contract: the check (--read-data-subset) runs again only when the last
-- pass is older than the contract's checkEvery. A failed check is not kept, so the next run checks again.
CREATE TABLE restic_checks (
    host         TEXT        NOT NULL,
    contract     TEXT        NOT NULL,
    passed_at    TIMESTAMPTZ NOT NULL,
    subset       TEXT        NOT NULL,
    PRIMARY KEY (host, contract)
);

-- The SSH host key pinned per host on first contact (the rehearsal compares restored files with the live host).
CREATE TABLE host_keys (
    host         TEXT        PRIMARY KEY,
    key_type     TEXT        NOT NULL,
    public_key   TEXT        NOT NULL,
    fingerprint  TEXT        NOT NULL,
    pinned_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

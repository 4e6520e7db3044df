-- The hosts the scheduled check watches: each host whose workloads a run verified (its newest run completed), and the
-- drift the check last reported for it (a fingerprint of its findings: object and finding code, never key material),
-- so a drift is published once, not at every round, also across restarts. A completed run resets the drift; a failed
-- run removes the host until a run completes again.
CREATE TABLE watched_hosts (
    host              TEXT        PRIMARY KEY,
    deployment_id     TEXT        NOT NULL,
    verified_at       TIMESTAMPTZ NOT NULL,
    drift_reported    TEXT,
    drift_reported_at TIMESTAMPTZ
);

-- What Handoff last converged on each host (its newest convergence.completed, written when converge-service published
-- it) and the drift its watch last reported for the host: a convergence.drifted is published once per distinct
-- difference (drift_fingerprint) until the host matches again or a newer convergence replaces the row.
CREATE TABLE host_converged (
    host               TEXT        PRIMARY KEY,
    deployment_id      TEXT        NOT NULL,
    event_id           TEXT        NOT NULL,
    event_time         TIMESTAMPTZ NOT NULL,
    payload            JSONB       NOT NULL,
    drift_fingerprint  TEXT,
    drift_event_id     TEXT,
    drift_reported_at  TIMESTAMPTZ
);

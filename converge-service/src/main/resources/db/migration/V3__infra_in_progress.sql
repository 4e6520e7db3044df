-- The infra deployments running per host (a cloud-facts.started without its completed/failed/superseded yet): a
-- runtime push for a host whose first cloud facts are on their way waits for them instead of failing.
CREATE TABLE infra_running (
    host           TEXT        PRIMARY KEY,
    deployment_id  TEXT        NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL
);

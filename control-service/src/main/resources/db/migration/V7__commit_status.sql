-- Commit statuses posted to Forgejo (issue 17): per deployment and stage, the newest stage status posted, so that a
-- restart posts only what changed since, and never a status twice.
create table commit_status_posted (
    deployment_id text        not null,
    stage         text        not null,
    state         text        not null,  -- the Forgejo state posted: pending, success, failure, warning
    status_time   timestamptz not null,  -- deployment_stage.status_time of the status posted
    posted_at     timestamptz not null,
    error         text,                  -- why Forgejo refused it for good (then it is not retried)
    primary key (deployment_id, stage)
);

-- The poster looks for stage statuses newer than what it posted, within a recent window.
create index deployment_stage_by_status_time on deployment_stage (status_time);

-- The deployment ledger: every event of every handoff topic once, plus a projection per deployment.

create table webhook_delivery (
    delivery_id    text        primary key,
    received_at    timestamptz not null default now(),
    repository     text        not null,
    commit_sha     text        not null,
    deployment_ids text[]      not null
);

create table event (
    id            text        primary key,
    type          text        not null,
    source        text        not null,
    subject       text        not null,
    time          timestamptz not null,
    dataschema    text        not null,
    deployment_id text,
    causation_id  text,
    replay_of     text,
    topic         text        not null,
    kafka_partition integer   not null,
    kafka_offset  bigint      not null,
    data          jsonb       not null,
    stored_at     timestamptz not null default clock_timestamp()
);
create index event_by_deployment on event (deployment_id, time, id);
create index event_by_position on event (topic, kafka_partition, kafka_offset);
create index event_by_type on event (type, time);

create table deployment (
    id             text        primary key,
    host           text        not null,
    repository     text,
    commit_sha     text,
    first_stage    text,
    status         text        not null,
    result         text,
    started_at     timestamptz not null,
    updated_at     timestamptz not null,
    finished_at    timestamptz,
    status_time    timestamptz not null
);
create index deployment_by_time on deployment (started_at desc, id desc);
create index deployment_by_host on deployment (host, started_at desc, id desc);
create index deployment_by_repository on deployment (repository, started_at desc, id desc);
create index deployment_by_status on deployment (status, started_at desc, id desc);

create table deployment_stage (
    deployment_id text        not null references deployment (id),
    stage         text        not null,
    status        text        not null,
    started_at    timestamptz,
    finished_at   timestamptz,
    status_time   timestamptz not null,
    reason        text,
    primary key (deployment_id, stage)
);

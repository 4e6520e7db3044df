-- Replays: who asked to run which stage again from which records, and which deployments that made.
-- Both tables are written by the ledger from the topics (handoff.replays and handoff.replay.<stage>), so a ledger
-- rebuilt from Kafka has them too.

create table replay (
    id              text        primary key,  -- the replay id = the id of its handoff.replay.requested event
    stage           text        not null,
    topic           text        not null,
    kafka_partition integer     not null,
    from_offset     bigint      not null,
    to_offset       bigint      not null,
    host            text,
    requested_by    text        not null,
    requested_at    timestamptz not null,
    record_count    integer     not null
);
create index replay_by_time on replay (requested_at desc, id desc);

-- One row per re-published copy: the copy, the original it repeats and the deployments of both.
create table replay_record (
    event_id               text primary key,  -- the copy on handoff.replay.<stage>
    replay_id              text not null,     -- the copy's causation id
    stage                  text not null,
    deployment_id          text not null,     -- the new deployment
    original_event_id      text not null,     -- the copy's replay_of
    original_deployment_id text               -- filled from the original's event row once the ledger has it
);
create index replay_record_by_replay on replay_record (replay_id);
create index replay_record_by_deployment on replay_record (deployment_id);
create index replay_record_by_original_deployment on replay_record (original_deployment_id);
create index replay_record_unlinked on replay_record (original_event_id) where original_deployment_id is null;

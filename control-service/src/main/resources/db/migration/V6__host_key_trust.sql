-- The ledger of SSH host key decisions: every handoff.host-key.trusted record of the compacted topic handoff.host-keys
-- (a first-bootstrap pin by converge-service, an operator's handoffctl hosts trust), once, in topic order per host.
-- The topic is compacted, so this table is the full history; fingerprints and public keys only, never key material.
create table host_key_decision (
    event_id        text        primary key,
    host            text        not null,
    key_type        text,
    fingerprint     text        not null,
    public_key      text,
    source          text        not null,
    decided_by      text,
    reason          text,
    decided_at      timestamptz not null,
    kafka_partition int         not null,
    kafka_offset    bigint      not null
);

create index host_key_decision_by_host on host_key_decision (host, kafka_partition, kafka_offset);

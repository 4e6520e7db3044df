-- The fleet view (GET /api/hosts) reads, per host, its drift reports and the newest verified backup of each contract.
-- A partial index: only those few events pay for it at ingest.
create index event_fleet_by_subject on event (subject, type, time desc)
    where data->>'reason' = 'drift' or type = 'handoff.backup.completed';

-- Run by the postgres image on its first start only (an empty data volume); docker-compose.yml mounts this folder at
-- /docker-entrypoint-initdb.d. One database per service that keeps one: control-service's ledger is "handoff" (made by
-- POSTGRES_DB); secrets-service's holds only its per-host advisory locks; converge-service's its host facts, access
-- phases; workload-service's its RustDesk key fingerprints; backup-service's its restic check times (host key pins live
-- in the Kafka topic handoff.host-keys, docs/host-keys.md). On an existing volume, run the
-- statements not yet run once (an existing database only makes its statement fail): docker-compose exec postgres psql -U handoff -d handoff -f /docker-entrypoint-initdb.d/init-databases.sql
CREATE DATABASE handoff_secrets OWNER handoff;
CREATE DATABASE handoff_converge OWNER handoff;
CREATE DATABASE handoff_workload OWNER handoff;
CREATE DATABASE handoff_backup OWNER handoff;

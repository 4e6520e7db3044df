-- Run by the postgres image on its first start only (an empty data volume); docker-compose.yml mounts this folder at
-- /docker-entrypoint-initdb.d. One database per service that keeps one: control-service's ledger is "handoff" (made by
-- POSTGRES_DB); secrets-service's holds only its per-host advisory locks; converge-service's its host facts, access
-- phases and pinned host keys; workload-service's its pinned host keys and RustDesk
-- key fingerprints; backup-service's its pinned host keys and restic check times. On an existing volume, run the
-- statements not yet run once (an existing database only makes its statement fail): docker-compose exec postgres psql -U handoff -d handoff -f /docker-entrypoint-initdb.d/init-databases.sql
CREATE DATABASE handoff_secrets OWNER handoff;
CREATE DATABASE handoff_converge OWNER handoff;
CREATE DATABASE handoff_workload OWNER handoff;
CREATE DATABASE handoff_backup OWNER handoff;

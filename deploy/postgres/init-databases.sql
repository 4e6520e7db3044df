-- Run by the postgres image on its first start only (an empty data volume); docker-compose.yml mounts this folder at
-- /docker-entrypoint-initdb.d. One database per service that keeps one: control-service's ledger is "handoff" (made by
-- POSTGRES_DB); secrets-service's holds only its per-host advisory locks. On an existing volume, run the same
-- statements once: docker-compose exec postgres psql -U handoff -d handoff -f /docker-entrypoint-initdb.d/init-databases.sql
CREATE DATABASE handoff_secrets OWNER handoff;

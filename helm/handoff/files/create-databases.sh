#!/bin/sh
# Creates the databases of the Handoff services that keep one, idempotently (the Helm chart's pre-install and
# pre-upgrade Job; compose's PostgreSQL runs deploy/postgres/init-databases.sql instead). Connects with libpq's
# variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE) as a user that may create databases, and
# creates each database of HANDOFF_DATABASES (comma-separated) that does not exist yet, owned by
# HANDOFF_DATABASE_OWNER (the services' user). Existing databases are left as they are.
set -eu

: "${HANDOFF_DATABASES:?HANDOFF_DATABASES names the databases to create, comma-separated}"
owner=${HANDOFF_DATABASE_OWNER:-${PGUSER:-}}

answered=false
for _ in $(seq 1 30); do
  if pg_isready -q; then
    answered=true
    break
  fi
  sleep 2
done
if [ "$answered" != true ]; then
  echo "PostgreSQL at ${PGHOST:-localhost}:${PGPORT:-5432} did not answer within 60 s; check postgresql.host and port" >&2
  exit 1
fi

psql -X -q -v ON_ERROR_STOP=1 -v databases="$HANDOFF_DATABASES" -v owner="$owner" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', name, :'owner')
FROM unnest(string_to_array(:'databases', ',')) AS name
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name)
\gexec
SELECT 'database ' || datname || ' present, owner ' || pg_get_userbyid(datdba) AS present
FROM pg_database WHERE datname = ANY (string_to_array(:'databases', ','))
ORDER BY datname;
SQL

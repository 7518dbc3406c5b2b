#!/usr/bin/env bash
# Creates one database and one login role per Continuum service, each role owning its database.
#
# The official postgres image runs this once, as the superuser, from /docker-entrypoint-initdb.d/
# when the data directory is empty. Services never share a database: PUBLIC loses CONNECT, so one
# service's role cannot even open another service's database.
#
#   CONTINUUM_SERVICES              space-separated service names (default: all five)
#   CONTINUUM_DB_PASSWORD_<NAME>    a role's password (default: the service name; local use only)
set -euo pipefail

services="${CONTINUUM_SERVICES:-referral assessment plan stepdown insight}"

for name in $services; do
  password_var="CONTINUUM_DB_PASSWORD_${name^^}"
  password="${!password_var:-$name}"
  echo "init-databases: role and database '$name'"
  # psql variables (:"name" quotes an identifier, :'password' a literal) keep the values out of
  # the SQL text; \gexec runs each generated statement, so CREATE DATABASE happens outside a
  # transaction block and only when the database is missing.
  psql --set ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
       --set name="$name" --set password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name')
\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name')
\gexec
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"name" TO :"name";
SQL
done

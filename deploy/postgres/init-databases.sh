#!/usr/bin/env bash
# Creates one database and two login roles per Continuum service:
#
#   <name>_owner  owns the database and every table in it; the migrations run as it
#                 (compose's <name>-migrate, the Kubernetes init container)
#   <name>        the role the service runs as: it owns nothing, may only CONNECT here, and gets
#                 its table privileges from the migrations (continuum.migration_ops.grant_runtime_role:
#                 read and write on the service's tables, only INSERT and SELECT on audit_log), so
#                 it cannot alter, truncate, disable the trigger of, update or delete the audit log
#
# The official postgres image runs this once, as the superuser, from /docker-entrypoint-initdb.d/
# when the data directory is empty. Services never share a database: PUBLIC loses CONNECT, so one
# service's roles cannot even open another service's database, and nobody but the owner may create
# objects in its public schema.
#
#   CONTINUUM_SERVICES                  space-separated service names (default: all five)
#   CONTINUUM_DB_PASSWORD_<NAME>        the runtime role's password (default: the service name; local use only)
#   CONTINUUM_DB_OWNER_PASSWORD_<NAME>  the owner role's password (default: <name>_owner; local use only)
set -euo pipefail

services="${CONTINUUM_SERVICES:-referral assessment plan stepdown insight partners}"

for name in $services; do
  owner="${name}_owner"
  password_var="CONTINUUM_DB_PASSWORD_${name^^}"
  password="${!password_var:-$name}"
  owner_password_var="CONTINUUM_DB_OWNER_PASSWORD_${name^^}"
  owner_password="${!owner_password_var:-$owner}"
  echo "init-databases: database '$name', owner role '$owner', runtime role '$name'"
  # psql variables (:"name" quotes an identifier, :'password' a literal) keep the values out of
  # the SQL text; \gexec runs each generated statement, so CREATE DATABASE happens outside a
  # transaction block and only when the database is missing.
  psql --set ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
       --set name="$name" --set password="$password" \
       --set owner="$owner" --set owner_password="$owner_password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'owner', :'owner_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner')
\gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'name', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name')
\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name')
\gexec
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"name" TO :"name";
\connect :"name"
-- PostgreSQL 15 and later already keep CREATE on public from PUBLIC; older versions do not.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"owner";
SQL
done

#!/bin/sh
# Writes PgBouncer's configuration from the template and the environment, the
# user list from POSTGRES_USER / POSTGRES_PASSWORD, then runs PgBouncer in the
# foreground (SIGTERM: immediate shutdown; SIGINT: once clients are done).
set -eu
run=/etc/pgbouncer/run
: "${POSTGRES_HOST:?}" "${POSTGRES_USER:?}" "${POSTGRES_PASSWORD:?}"
export POSTGRES_PORT="${POSTGRES_PORT:-5432}" POSTGRES_STATEMENT_TIMEOUT_MS="${POSTGRES_STATEMENT_TIMEOUT_MS:-10000}" \
  PGBOUNCER_LISTEN_ADDR="${PGBOUNCER_LISTEN_ADDR:-0.0.0.0}" PGBOUNCER_PORT="${PGBOUNCER_PORT:-6432}" \
  PGBOUNCER_AUTH_FILE="$run/users.txt" PGBOUNCER_POOL_SIZE="${PGBOUNCER_POOL_SIZE:-20}" \
  PGBOUNCER_MAX_CLIENT_CONN="${PGBOUNCER_MAX_CLIENT_CONN:-1000}"
umask 077
printf '"%s" "%s"\n' "$POSTGRES_USER" "$POSTGRES_PASSWORD" >"$PGBOUNCER_AUTH_FILE"
# Every ${NAME} of the template from the environment; one left unset stops the start.
awk '{
  while (match($0, /\$\{[A-Z_]+\}/)) {
    name = substr($0, RSTART + 2, RLENGTH - 3)
    if (!(name in ENVIRON)) { print "pgbouncer: the template names ${" name "}, which is not set" > "/dev/stderr"; exit 1 }
    $0 = substr($0, 1, RSTART - 1) ENVIRON[name] substr($0, RSTART + RLENGTH)
  }
  print
}' /etc/pgbouncer/pgbouncer.ini.template >"$run/pgbouncer.ini"
exec pgbouncer "$run/pgbouncer.ini"

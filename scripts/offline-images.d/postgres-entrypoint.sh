#!/bin/sh
# The stand-in postgres image's entrypoint: what the official image's
# docker-entrypoint.sh does that a compose stack relies on. As root it prepares
# PGDATA and re-runs itself as the postgres user; on an empty PGDATA it runs
# initdb with POSTGRES_USER / POSTGRES_PASSWORD (scram-sha-256 over TCP, trust on
# the local socket), creates POSTGRES_DB, runs /docker-entrypoint-initdb.d; then
# it execs the command (`postgres -c …`), listening on every address.
set -eu

# `docker run postgres:18 -c log_statement=all`: flags go to postgres.
if [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  database=${POSTGRES_DB:-$user}
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo "postgres: POSTGRES_PASSWORD must be set (or POSTGRES_HOST_AUTH_METHOD=trust), as in the official image" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of flags, as in the official image
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host="$auth" \
    --encoding=UTF8 ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
  rm -f "$pwfile"
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\nunix_socket_directories = '/var/run/postgresql'\n" >>"$PGDATA/postgresql.conf"

  # A private socket and no TCP while setting up: a healthcheck (pg_isready on
  # the usual socket) must not report ready before the database exists.
  setup_socket=$(mktemp -d)
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses= -c unix_socket_directories=$setup_socket" start >/dev/null
  export PGHOST="$setup_socket" PGUSER="$user"
  if [ "$database" != postgres ]; then
    psql -v ON_ERROR_STOP=1 -d postgres -q -c "create database \"$database\""
  fi
  for file in /docker-entrypoint-initdb.d/*; do
    case "$file" in
      *.sql) echo "running $file"; psql -v ON_ERROR_STOP=1 -d "$database" -q -f "$file" ;;
      *.sh) echo "running $file"; . "$file" ;;
      *) ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  unset PGHOST PGUSER
  rmdir "$setup_socket"
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"

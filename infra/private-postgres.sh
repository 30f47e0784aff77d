#!/usr/bin/env bash
# A throw-away PostgreSQL cluster of its own, for the fault tests that stop and restart the
# database mid-run (the shared one at 5432 is never touched). Loopback only, trust auth for the
# superuser "batchxai" (nothing but this machine can reach it, and it lives for one test class).
#   bash infra/private-postgres.sh init  DIR PORT   create the cluster in DIR (must not exist)
#   bash infra/private-postgres.sh start DIR PORT   start it and wait until it answers
#   bash infra/private-postgres.sh stop  DIR        stop it (fast shutdown: connections are cut)
#   bash infra/private-postgres.sh destroy DIR      stop it if running and delete DIR
# Uses the PostgreSQL binaries infra/services.sh installs; as root, runs them as user postgres
# (initdb and postgres refuse to run as root).
set -euo pipefail
cmd="${1:?usage: $0 init|start|stop|destroy DIR [PORT]}"; dir="${2:?DIR}"; port="${3:-}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$bin/pg_ctl" ] || { echo "private-postgres: no PostgreSQL binaries under /usr/lib/postgresql (run infra/services.sh)" >&2; exit 1; }
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
  init)
    [ -n "$port" ] || { echo "private-postgres: init needs a PORT" >&2; exit 2; }
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    run "$bin/initdb" -D "$dir" -U batchxai --auth=trust -E UTF8 --no-sync >/dev/null
    # Its own socket folder and port; loopback TCP only.
    printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\n" "$port" "$dir" >> "$dir/postgresql.conf"
    ;;
  start)
    run "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
    ;;
  stop)
    run "$bin/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null
    ;;
  destroy)
    if [ -f "$dir/postmaster.pid" ]; then run "$bin/pg_ctl" -D "$dir" -m immediate -w -t 30 stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 init|start|stop|destroy DIR [PORT]" >&2; exit 2 ;;
esac

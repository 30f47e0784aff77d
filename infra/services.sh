#!/usr/bin/env bash
# Starts the services of BatchXai's distributed mode natively (no Docker), on loopback only:
#  - PostgreSQL 15 (Debian package; role + database "batchxai" for the pipeline and the tests)
#  - RabbitMQ (Debian package; user "batchxai" on vhost "/")
#  - S3: s3rver (npm, installed into tools/s3rver), data under .work/s3rver
# Idempotent: installs what is missing, starts what is down, and waits until each answers.
#   bash infra/services.sh          install if needed, start, print the connection settings
#   bash infra/services.sh stop     stop all three
# Credentials come only from the environment (dev defaults below) and are never printed:
#   BATCHXAI_PG_PASSWORD (batchxai-dev), BATCHXAI_RABBITMQ_PASSWORD (batchxai-dev),
#   BATCHXAI_S3_ACCESS_KEY / BATCHXAI_S3_SECRET_KEY (s3rver accepts only S3RVER / S3RVER).
# Ports: BATCHXAI_S3_PORT (4569); PostgreSQL and RabbitMQ keep their packages' ports (5432, 5672).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
S3RVER_VERSION=3.7.1
S3_PORT="${BATCHXAI_S3_PORT:-4569}"
S3_BUCKET="${BATCHXAI_S3_BUCKET:-batchxai}"
S3_DIR="$here/.work/s3rver"
S3_TOOL="$here/tools/s3rver"
PG_VERSION=15
export BATCHXAI_PG_PASSWORD="${BATCHXAI_PG_PASSWORD:-batchxai-dev}"
export BATCHXAI_RABBITMQ_PASSWORD="${BATCHXAI_RABBITMQ_PASSWORD:-batchxai-dev}"
# Keep Erlang's port mapper, the broker and its inter-node port off the network.
export ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"

log() { echo "services: $*"; }
die() { echo "services: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -E "$@"; fi; }
as_postgres() { as_root runuser -u postgres -- "$@"; }

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && die "$what did not become ready within ${seconds}s"
    sleep 0.5
  done
}

apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  [ "${#missing[@]}" = 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  # One apt-get update per machine boot (the marker lives in /tmp), shared with infra/setup.sh.
  if [ ! -f /tmp/.batchxai-apt-updated ]; then as_root apt-get update -qq && touch /tmp/.batchxai-apt-updated; fi
  # policy-rc.d exit 101: the packages must not start their services on install (there may be
  # no init system); this script starts them itself, bound to loopback.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null; as_root chmod +x "$policy"; created_policy=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created_policy" = 1 ] && as_root rm -f "$policy"
  return 0
}

# ---------------------------------------------------------------- PostgreSQL
pg_port() { pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" { print $3 }'; }

start_postgres() {
  apt_install postgresql postgresql-client
  if [ -z "$(pg_port)" ]; then log "creating PostgreSQL $PG_VERSION cluster"; as_root pg_createcluster "$PG_VERSION" main >/dev/null; fi
  local port; port="$(pg_port)"
  if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
    as_root pg_ctlcluster "$PG_VERSION" main start -o "-c listen_addresses=localhost" 2>/dev/null || true
    wait_for 60 "PostgreSQL on 127.0.0.1:$port" pg_isready -q -h 127.0.0.1 -p "$port"
  fi
  # \getenv reads the password from this process's environment: it never appears on a command line.
  as_postgres psql -q -X -v ON_ERROR_STOP=1 -p "$port" -d postgres >/dev/null <<'SQL'
\getenv pw BATCHXAI_PG_PASSWORD
SELECT 'CREATE ROLE batchxai LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'batchxai') \gexec
-- CREATEDB: the tests make a fresh database per test class and drop it afterwards.
ALTER ROLE batchxai WITH LOGIN CREATEDB PASSWORD :'pw';
SELECT 'CREATE DATABASE batchxai OWNER batchxai' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'batchxai') \gexec
SQL
  PG_PORT="$port"
}

stop_postgres() {
  [ -n "$(pg_port)" ] && as_root pg_ctlcluster "$PG_VERSION" main stop 2>/dev/null || true
}

# ---------------------------------------------------------------- RabbitMQ
rabbit_up() { as_root rabbitmq-diagnostics -q ping; }

start_rabbitmq() {
  apt_install rabbitmq-server
  if ! rabbit_up >/dev/null 2>&1; then
    # The broker runs as the rabbitmq user; '-detached' daemonises without an init system.
    # (runuser keeps this script's environment, so the loopback settings above reach it.)
    as_root runuser -u rabbitmq -- env HOME=/var/lib/rabbitmq rabbitmq-server -detached >/dev/null 2>&1 || true
    wait_for 90 "RabbitMQ" rabbit_up
    as_root rabbitmqctl -q await_startup >/dev/null
  fi
  if ! as_root rabbitmqctl -q list_users 2>/dev/null | awk '{print $1}' | grep -qx batchxai; then
    # Password through stdin, never as an argument.
    printf '%s' "$BATCHXAI_RABBITMQ_PASSWORD" | as_root rabbitmqctl -q add_user batchxai >/dev/null
  else
    printf '%s' "$BATCHXAI_RABBITMQ_PASSWORD" | as_root rabbitmqctl -q change_password batchxai >/dev/null
  fi
  as_root rabbitmqctl -q set_permissions -p / batchxai '.*' '.*' '.*' >/dev/null
}

stop_rabbitmq() {
  command -v rabbitmqctl >/dev/null 2>&1 && rabbit_up >/dev/null 2>&1 && as_root rabbitmqctl -q shutdown >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------- S3 (s3rver)
s3_up() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$S3_PORT/")" != 000 ]; }

start_s3rver() {
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  command -v curl >/dev/null 2>&1 || apt_install curl
  if [ ! -x "$S3_TOOL/node_modules/.bin/s3rver" ]; then
    log "installing s3rver@$S3RVER_VERSION into tools/s3rver"
    npm install --silent --no-audit --no-fund --prefix "$S3_TOOL" "s3rver@$S3RVER_VERSION" >/dev/null 2>&1 \
      || die "npm could not install s3rver@$S3RVER_VERSION"
  fi
  if ! s3_up; then
    mkdir -p "$S3_DIR/data"
    # setsid: the server outlives this script and make; its pid file lets 'stop' end exactly it.
    # s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its
    # legacy provider: without it every truncated listing fails with InternalError.
    NODE_OPTIONS=--openssl-legacy-provider setsid "$S3_TOOL/node_modules/.bin/s3rver" --address 127.0.0.1 --port "$S3_PORT" --directory "$S3_DIR/data" \
      --configure-bucket "$S3_BUCKET" --silent >"$S3_DIR/s3rver.log" 2>&1 < /dev/null &
    echo $! > "$S3_DIR/s3rver.pid"
    wait_for 30 "s3rver on 127.0.0.1:$S3_PORT (log: $S3_DIR/s3rver.log)" s3_up
  fi
}

stop_s3rver() {
  local pidfile="$S3_DIR/s3rver.pid"
  [ -f "$pidfile" ] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then kill "$pid"; fi
  rm -f "$pidfile"
}

# ---------------------------------------------------------------- main
case "${1:-start}" in
  stop)
    stop_s3rver; stop_rabbitmq; stop_postgres
    log "stopped"
    ;;
  start)
    started=$SECONDS
    start_postgres
    start_rabbitmq
    start_s3rver
    log "ready in $((SECONDS - started))s"
    echo "  BATCHXAI_PG_HOST=127.0.0.1 BATCHXAI_PG_PORT=$PG_PORT BATCHXAI_PG_USER=batchxai BATCHXAI_PG_DATABASE=batchxai (password: \$BATCHXAI_PG_PASSWORD)"
    echo "  BATCHXAI_RABBITMQ_HOST=127.0.0.1 BATCHXAI_RABBITMQ_PORT=5672 BATCHXAI_RABBITMQ_USER=batchxai (password: \$BATCHXAI_RABBITMQ_PASSWORD)"
    echo "  BATCHXAI_S3_ENDPOINT=http://127.0.0.1:$S3_PORT bucket=$S3_BUCKET (keys: \$BATCHXAI_S3_ACCESS_KEY/\$BATCHXAI_S3_SECRET_KEY, s3rver: S3RVER/S3RVER)"
    ;;
  *) die "usage: $0 [start|stop]" ;;
esac

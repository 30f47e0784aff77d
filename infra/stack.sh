#!/usr/bin/env bash
# The distributed stack on this machine, without Docker: the services of infra/services.sh, then
# a coordinator, two workers and an aggregator as background processes.
#   bash infra/stack.sh up       start (idempotent); logs in out/stack/, pids in .work/stack/
#   bash infra/stack.sh down     stop the four BatchXai processes (the services keep running)
#   bash infra/stack.sh demo     upload the sample dataset to S3 and run it through the stack
# Settings: the BATCHXAI_* variables (README, "Distributed mode"); dev defaults below match
# infra/services.sh. Passwords and the API key come from the environment and are never printed.
# `down` sends SIGTERM: each service finishes or releases its work within BATCHXAI_SHUTDOWN_GRACE_SECONDS.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
config="${CONFIG:-Release}"
cli="$here/src/BatchXai.Cli/bin/$config/net10.0/batchxai"
logs="$here/out/stack"
pids="$here/.work/stack"

export BATCHXAI_PG_PASSWORD="${BATCHXAI_PG_PASSWORD:-batchxai-dev}"
export BATCHXAI_RABBITMQ_USER="${BATCHXAI_RABBITMQ_USER:-batchxai}"
export BATCHXAI_RABBITMQ_PASSWORD="${BATCHXAI_RABBITMQ_PASSWORD:-batchxai-dev}"
export BATCHXAI_S3_ENDPOINT="${BATCHXAI_S3_ENDPOINT:-http://127.0.0.1:${BATCHXAI_S3_PORT:-4569}}"
export BATCHXAI_S3_ACCESS_KEY="${BATCHXAI_S3_ACCESS_KEY:-S3RVER}"
export BATCHXAI_S3_SECRET_KEY="${BATCHXAI_S3_SECRET_KEY:-S3RVER}"
export BATCHXAI_RESULTS_URI="${BATCHXAI_RESULTS_URI:-s3://${BATCHXAI_S3_BUCKET:-batchxai}/results}"
export BATCHXAI_MODELS_DIR="${BATCHXAI_MODELS_DIR:-$here/models}"
COORDINATOR_PORT="${BATCHXAI_COORDINATOR_PORT:-8080}"
export BATCHXAI_COORDINATOR_URL="${BATCHXAI_COORDINATOR_URL:-http://127.0.0.1:$COORDINATOR_PORT}"

# The coordinator API's key: BATCHXAI_COORDINATOR_API_KEY if set, else one made at the first `up`
# and kept (mode 600) in .work/stack/coordinator.key, which `demo` and later calls read. Never printed.
key_file="$pids/coordinator.key"
if [ -z "${BATCHXAI_COORDINATOR_API_KEY:-}" ]; then
  if [ ! -s "$key_file" ]; then
    mkdir -p "$pids"
    (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$key_file")
  fi
  BATCHXAI_COORDINATOR_API_KEY="$(cat "$key_file")"
fi
export BATCHXAI_COORDINATOR_API_KEY

log() { echo "stack: $*"; }
die() { echo "stack: $*" >&2; exit 1; }

running() { [ -f "$pids/$1.pid" ] && kill -0 "$(cat "$pids/$1.pid")" 2>/dev/null; }

# start NAME PORT ARGS...: one service in the background, its own session so it outlives make.
start() {
  local name="$1" port="$2"; shift 2
  if running "$name"; then log "$name already running (pid $(cat "$pids/$name.pid"))"; return 0; fi
  setsid "$cli" "$@" --port "$port" >"$logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$pids/$name.pid"
}

healthy() {
  local name="$1" port="$2" deadline=$((SECONDS + 120))
  until curl -sf --max-time 2 "http://127.0.0.1:$port/health" >/dev/null; do
    running "$name" || die "$name exited; see $logs/$name.log"
    [ "$SECONDS" -ge "$deadline" ] && die "$name not healthy within 120s; see $logs/$name.log"
    sleep 0.5
  done
}

up() {
  [ -x "$cli" ] || die "$cli is missing: run make build"
  bash infra/services.sh start >/dev/null
  mkdir -p "$logs" "$pids"
  start coordinator "$COORDINATOR_PORT" coordinator
  start worker1 "${BATCHXAI_WORKER1_PORT:-8081}" worker
  start worker2 "${BATCHXAI_WORKER2_PORT:-8083}" worker
  start aggregator "${BATCHXAI_AGGREGATOR_PORT:-8082}" aggregator
  healthy coordinator "$COORDINATOR_PORT"
  healthy worker1 "${BATCHXAI_WORKER1_PORT:-8081}"
  healthy worker2 "${BATCHXAI_WORKER2_PORT:-8083}"
  healthy aggregator "${BATCHXAI_AGGREGATOR_PORT:-8082}"
  log "up: coordinator API $BATCHXAI_COORDINATOR_URL (key: \$BATCHXAI_COORDINATOR_API_KEY, else $key_file), 2 workers, aggregator; logs in out/stack/"
  grep -h "execution provider" "$logs"/worker*.log | sed 's/^/  /' || true
}

down() {
  local names="aggregator worker2 worker1 coordinator"
  for name in $names; do
    if running "$name"; then kill -TERM "$(cat "$pids/$name.pid")"; fi
  done
  # Each finishes or releases its in-flight work within its grace period, then exits 0.
  local deadline=$((SECONDS + ${BATCHXAI_SHUTDOWN_GRACE_SECONDS:-30} + 5))
  for name in $names; do
    while running "$name" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if running "$name"; then log "$name still running past its grace period (pid $(cat "$pids/$name.pid"))"; continue; fi
    [ -f "$pids/$name.pid" ] && log "stopped $name"
    rm -f "$pids/$name.pid"
  done
}

demo() {
  local data="${DEMO_DATA:-$here/.work/demo-data}" target="s3://${BATCHXAI_S3_BUCKET:-batchxai}/datasets/demo"
  running coordinator || die "the stack is not up: run make up"
  [ -f "$data/train.csv" ] || "$cli" sample-data --out "$data" --count "${DEMO_COUNT:-200}" --seed 7
  "$cli" upload --from "$data" --to "$target"
  "$cli" submit --dataset "$target" --model dr_grader --methods "${DEMO_METHODS:-crm,cam}" --wait
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  demo) demo ;;
  *) die "usage: $0 [up|down|demo]" ;;
esac

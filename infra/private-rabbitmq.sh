#!/usr/bin/env bash
# A throw-away RabbitMQ node of its own, for the fault tests that stop and restart the broker
# mid-run (the shared node at 5672 is never touched). Loopback only; user "batchxai" with the
# password in $BATCHXAI_PRIVATE_RABBITMQ_PASSWORD (default batchxai-faults), on vhost "/".
#   bash infra/private-rabbitmq.sh init    DIR AMQP_PORT DIST_PORT   write the node's settings into DIR (must not exist)
#   bash infra/private-rabbitmq.sh start   DIR    start the node (again, on the same data) and wait until AMQP answers
#   bash infra/private-rabbitmq.sh stop    DIR    stop the node (SIGTERM, a clean shutdown: clients are cut, durable queues stay)
#   bash infra/private-rabbitmq.sh destroy DIR    stop it if running (killing it if need be) and delete DIR
# Ports: pick both outside the ephemeral range (e.g. 20000-32000): an ephemeral port can be taken
# by some client's outgoing connection while the node is down, and the restarted node then
# cannot bind it. The dist port is fixed so a restart does not depend on epmd handing out a new one.
# Uses the rabbitmq-server package infra/services.sh installs; as root, runs the node as user
# rabbitmq (with its Erlang cookie), as infra/services.sh does.
set -euo pipefail
cmd="${1:?usage: $0 init|start|stop|destroy DIR [AMQP_PORT DIST_PORT]}"; dir="${2:?DIR}"
bin=/usr/lib/rabbitmq/bin
[ -x "$bin/rabbitmq-server" ] || { echo "private-rabbitmq: no RabbitMQ under $bin (run infra/services.sh)" >&2; exit 1; }

# Everything the node and rabbitmqctl need to find it, read from DIR/env (written by init).
load_env() {
  [ -f "$dir/env" ] || { echo "private-rabbitmq: $dir/env missing (run init first)" >&2; exit 1; }
  set -a; . "$dir/env"; set +a
}
run() {
  if [ "$(id -u)" = 0 ]; then runuser -u rabbitmq -- env HOME=/var/lib/rabbitmq "$@"; else "$@"; fi
}
amqp_up() { (exec 3<>"/dev/tcp/127.0.0.1/$RABBITMQ_NODE_PORT") 2>/dev/null; }
running() { [ -f "$RABBITMQ_PID_FILE" ] && kill -0 "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null; }

case "$cmd" in
  init)
    amqp="${3:?init needs AMQP_PORT}"; dist="${4:?init needs DIST_PORT}"
    [ -e "$dir" ] && { echo "private-rabbitmq: $dir exists" >&2; exit 2; }
    mkdir -p "$dir/mnesia" "$dir/log"
    password="${BATCHXAI_PRIVATE_RABBITMQ_PASSWORD:-batchxai-faults}"
    cat > "$dir/env" <<EOF
RABBITMQ_NODENAME=batchxai-$amqp@localhost
RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
RABBITMQ_NODE_PORT=$amqp
RABBITMQ_DIST_PORT=$dist
RABBITMQ_MNESIA_BASE=$dir/mnesia
RABBITMQ_LOG_BASE=$dir/log
RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf
RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
RABBITMQ_PID_FILE=$dir/node.pid
ERL_EPMD_ADDRESS=127.0.0.1
RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
EOF
    # No plugins (the management plugin would want the shared node's port 15672).
    echo '[].' > "$dir/enabled_plugins"
    printf 'listeners.tcp.default = 127.0.0.1:%s\ndefault_user = batchxai\ndefault_pass = %s\ndefault_permissions.configure = .*\ndefault_permissions.read = .*\ndefault_permissions.write = .*\nloopback_users = none\n' \
      "$amqp" "$password" > "$dir/rabbitmq.conf"
    chmod 600 "$dir/rabbitmq.conf"
    [ "$(id -u)" = 0 ] && chown -R rabbitmq:rabbitmq "$dir"
    exit 0
    ;;
esac

# SIGTERM to a running node; waits up to $1 seconds for its process to end and its name to leave epmd.
stop_node() {
  running || return 0
  local pid deadline=$((SECONDS + $1)); pid="$(cat "$RABBITMQ_PID_FILE")"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null || epmd -names 2>/dev/null | grep -q "^name ${RABBITMQ_NODENAME%@*} "; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

load_env
case "$cmd" in
  start)
    running && { echo "private-rabbitmq: $RABBITMQ_NODENAME already runs" >&2; exit 1; }
    # setsid: the node outlives this script; its output goes to DIR/log.
    run setsid "$bin/rabbitmq-server" >>"$dir/log/console.log" 2>&1 </dev/null &
    deadline=$((SECONDS + 120))
    # The AMQP listener is the last thing a booting node opens, so it answering means the node is
    # up (no rabbitmqctl await_startup: each CLI call boots an Erlang VM, many seconds on a busy machine).
    until amqp_up; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "private-rabbitmq: $RABBITMQ_NODENAME did not answer on 127.0.0.1:$RABBITMQ_NODE_PORT within 120 s; epmd: $(epmd -names 2>&1 | tr '\n' ' ')" >&2
        tail -n 30 "$dir/log/console.log" >&2 || true
        exit 1
      fi
      sleep 0.5
    done
    ;;
  stop)
    # SIGTERM: the node shuts down as rabbitmqctl stop would (clients cut, queues flushed to disk),
    # without booting a CLI VM. Waits until its process is gone and its name has left epmd.
    stop_node 60 || { echo "private-rabbitmq: $RABBITMQ_NODENAME still running 60 s after SIGTERM" >&2; exit 1; }
    ;;
  destroy)
    stop_node 10 || kill -9 "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 init|start|stop|destroy DIR [AMQP_PORT DIST_PORT]" >&2; exit 2 ;;
esac

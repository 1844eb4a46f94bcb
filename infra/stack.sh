#!/usr/bin/env bash
# The native local stack: Kafka (KRaft), Apicurio Registry (Confluent API), ClickHouse, Redis.
#   infra/stack.sh up [--brokers 1|3]   start what is not running, wait until healthy
#   infra/stack.sh down [--wipe]        stop what we started (by pid); --wipe deletes data
#   infra/stack.sh status               each part, its address and state (exit 1 if any is down)
#   infra/stack.sh logs [part] [-n N]   tail the logs
# Idempotent: a second `up` finds everything healthy and does nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BROKERS_FILE="$IES_RUN_DIR/kafka.brokers"

kafka_brokers_running() { [ -f "$BROKERS_FILE" ] && cat "$BROKERS_FILE" || echo 0; }
kafka_bootstrap() {
  local n=$1 i out=""
  for i in $(seq 1 "$n"); do out="$out,127.0.0.1:$((KAFKA_BASE_PORT + 2 * (i - 1)))"; done
  echo "${out#,}"
}

# --- Kafka -----------------------------------------------------------------------------
kafka_up() {
  local n=$1 libs="$IES_CACHE_DIR/kafka/$KAFKA_VERSION/libs"
  bash "$IES_ROOT/infra/kafka/fetch.sh" || return 1
  local running; running=$(kafka_brokers_running)
  if [ "$running" != 0 ] && [ "$running" != "$n" ]; then
    local any=0 i
    for i in $(seq 1 "$running"); do pid_alive "kafka-$i" && any=1; done
    [ $any = 0 ] || die "Kafka is running with $running broker(s); run 'npm run stack:down' before starting $n"
  fi
  echo "$n" > "$BROKERS_FILE"
  local data="$IES_DATA_DIR/kafka-${n}b" voters="" i
  for i in $(seq 1 "$n"); do voters="$voters,$i@127.0.0.1:$((KAFKA_BASE_PORT + 2 * (i - 1) + 1))"; done
  voters="${voters#,}"
  mkdir -p "$data"
  local java; java=$(java_bin) || return 1
  if [ ! -s "$data/cluster.id" ]; then
    "$java" -cp "$libs/*" kafka.tools.StorageTool random-uuid > "$data/cluster.id.tmp" && mv "$data/cluster.id.tmp" "$data/cluster.id" \
      || { say "stack: could not make a Kafka cluster id (java $java)"; return 1; }
  fi
  local rf=$(( n >= 3 ? 3 : 1 )) isr=$(( n >= 3 ? 2 : 1 )) heap
  heap=$([ "$n" -ge 3 ] && echo "-Xms256m -Xmx768m" || echo "-Xms512m -Xmx1536m")
  for i in $(seq 1 "$n"); do
    local name="kafka-$i" port=$((KAFKA_BASE_PORT + 2 * (i - 1)))
    pid_alive "$name" && continue
    port_free "$name" "$port" && port_free "$name" $((port + 1)) || return 1
    local dir="$data/node-$i" props="$data/node-$i.properties" logdir="$IES_LOG_DIR/$name"
    mkdir -p "$dir" "$logdir"
    cat > "$props" <<EOF
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.check.interval.ms=300000
EOF
    if [ ! -f "$dir/meta.properties" ]; then
      "$java" -cp "$libs/*" -Dlog4j2.configurationFile="$IES_ROOT/infra/kafka/log4j2.properties" -Dkafka.logs.dir="$logdir" \
        kafka.tools.StorageTool format -t "$(cat "$data/cluster.id")" -c "$props" >> "$logdir/format.log" 2>&1 \
        || die "formatting Kafka storage for $name failed; log: $logdir/format.log"
    fi
    say "  starting $name on 127.0.0.1:$port"
    # shellcheck disable=SC2086
    start_daemon "$name" "$logdir/stdout.log" "$java" $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$IES_ROOT/infra/kafka/log4j2.properties" -Dkafka.logs.dir="$logdir" \
      -cp "$libs/*" kafka.Kafka "$props"
  done
  for i in $(seq 1 "$n"); do
    wait_until "kafka-$i" "$IES_LOG_DIR/kafka-$i/server.log" 120 port_open $((KAFKA_BASE_PORT + 2 * (i - 1))) || return 1
  done
  wait_until "kafka-1" "$IES_LOG_DIR/kafka-1/server.log" 120 probe kafka "$(kafka_bootstrap "$n")" "$n" || return 1
}

kafka_down() {
  local n i names=(); n=$(kafka_brokers_running)
  for i in $(seq 1 "$n"); do names+=("kafka-$i"); done
  [ "$n" = 0 ] || stop_daemons "${names[@]}"
  rm -f "$BROKERS_FILE"
}

# --- Schema registry (Apicurio Registry, Confluent-compatible ccompat API) -------------
registry_up() {
  pid_alive registry && return 0
  local app="$IES_CACHE_DIR/apicurio/$APICURIO_VERSION/apicurio-registry-app-$APICURIO_VERSION-runner.jar"
  bash "$IES_ROOT/infra/registry/fetch.sh" || return 1
  mkdir -p "$IES_DATA_DIR/registry"
  local props; props=$(bash "$IES_ROOT/infra/registry/props.sh" "$IES_DATA_DIR/registry" "$REGISTRY_PORT") || return 1
  port_free registry "$REGISTRY_PORT" || return 1
  say "  starting registry on 127.0.0.1:$REGISTRY_PORT"
  # shellcheck disable=SC2086
  start_daemon registry "$IES_LOG_DIR/registry.log" "$(java_bin)" -Xms128m -Xmx512m -XX:+UseSerialGC $props -jar "$app"
  wait_until registry "$IES_LOG_DIR/registry.log" 180 probe registry "http://127.0.0.1:$REGISTRY_PORT"
}

# --- ClickHouse ------------------------------------------------------------------------
clickhouse_up() {
  pid_alive clickhouse && return 0
  command -v clickhouse-server >/dev/null || die "clickhouse-server is not installed; run 'bash infra/setup.sh'"
  local conf="$IES_STACK_DIR/conf/clickhouse" data="$IES_DATA_DIR/clickhouse" logs="$IES_LOG_DIR/clickhouse"
  mkdir -p "$conf" "$data/tmp" "$data/user_files" "$data/format_schemas" "$logs"
  cp "$IES_ROOT/infra/clickhouse/users.xml" "$conf/users.xml" || return 1
  sed -e "s#@LOG_DIR@#$logs#g; s#@DATA_DIR@#$data#g; s#@CONF_DIR@#$conf#g" \
      -e "s#@HTTP_PORT@#$CLICKHOUSE_HTTP_PORT#; s#@TCP_PORT@#$CLICKHOUSE_TCP_PORT#" \
      "$IES_ROOT/infra/clickhouse/config.xml.in" > "$conf/config.xml" || return 1
  port_free clickhouse "$CLICKHOUSE_HTTP_PORT" && port_free clickhouse "$CLICKHOUSE_TCP_PORT" || return 1
  say "  starting clickhouse on 127.0.0.1:$CLICKHOUSE_HTTP_PORT (native $CLICKHOUSE_TCP_PORT)"
  # Run from the data dir: 18.16 writes status and preprocessed config next to it.
  (cd "$data" && start_daemon clickhouse "$logs/stdout.log" clickhouse-server --config-file="$conf/config.xml")
  wait_until clickhouse "$logs/clickhouse-server.err.log" 90 probe clickhouse "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT"
}

# --- Redis -----------------------------------------------------------------------------
redis_up() {
  pid_alive redis && return 0
  command -v redis-server >/dev/null || die "redis-server is not installed; run 'bash infra/setup.sh'"
  mkdir -p "$IES_DATA_DIR/redis"
  port_free redis "$REDIS_PORT" || return 1
  say "  starting redis on 127.0.0.1:$REDIS_PORT"
  start_daemon redis "$IES_LOG_DIR/redis.log" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
    --dir "$IES_DATA_DIR/redis" --appendonly yes --appendfsync everysec --save "" \
    --daemonize no --protected-mode yes --maxmemory-policy noeviction
  wait_until redis "$IES_LOG_DIR/redis.log" 30 probe redis "redis://127.0.0.1:$REDIS_PORT"
}

status() {
  local n rc=0 i; n=$(kafka_brokers_running)
  line() { printf '%-12s %-34s %s\n' "$1" "$2" "$3"; }
  line PART ADDRESS STATE
  if [ "$n" = 0 ]; then line kafka "127.0.0.1:$KAFKA_BASE_PORT" "down"; rc=1
  else
    for i in $(seq 1 "$n"); do
      if pid_alive "kafka-$i"; then line "kafka-$i" "127.0.0.1:$((KAFKA_BASE_PORT + 2 * (i - 1)))" "up (pid $(cat "$IES_RUN_DIR/kafka-$i.pid"), KRaft $KAFKA_VERSION)"
      else line "kafka-$i" "127.0.0.1:$((KAFKA_BASE_PORT + 2 * (i - 1)))" down; rc=1; fi
    done
  fi
  local part addr
  for part in registry clickhouse redis; do
    case $part in
      registry) addr="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7" ;;
      clickhouse) addr="http://127.0.0.1:$CLICKHOUSE_HTTP_PORT" ;;
      redis) addr="redis://127.0.0.1:$REDIS_PORT" ;;
    esac
    if pid_alive "$part"; then line "$part" "$addr" "up (pid $(cat "$IES_RUN_DIR/$part.pid"))"
    else line "$part" "$addr" down; rc=1; fi
  done
  [ $rc = 0 ] && probe all "$(kafka_bootstrap "$n")" "$n" >&2 || true
  return $rc
}

logs() {
  local part=${1:-all} lines=50
  [ "${2:-}" = -n ] && lines=${3:-50}
  local files=()
  case $part in
    kafka) files=("$IES_LOG_DIR"/kafka-*/server.log) ;;
    registry) files=("$IES_LOG_DIR/registry.log") ;;
    clickhouse) files=("$IES_LOG_DIR/clickhouse/clickhouse-server.log" "$IES_LOG_DIR/clickhouse/clickhouse-server.err.log") ;;
    redis) files=("$IES_LOG_DIR/redis.log") ;;
    all|-n) [ "$part" = -n ] && lines=${2:-50}
        files=("$IES_LOG_DIR"/kafka-*/server.log "$IES_LOG_DIR/registry.log" "$IES_LOG_DIR/clickhouse/clickhouse-server.err.log" "$IES_LOG_DIR/redis.log") ;;
    *) die "unknown part '$part' (kafka, registry, clickhouse, redis)" ;;
  esac
  local f
  for f in "${files[@]}"; do [ -f "$f" ] && { echo "==> $f <=="; tail -n "$lines" "$f"; }; done
  return 0
}

main() {
local cmd=${1:-status}; shift || true
case $cmd in
  up)
    brokers=""
    while [ $# -gt 0 ]; do
      case $1 in --brokers) brokers=${2:-}; shift 2 ;; *) die "unknown option $1" ;; esac
    done
    # Without --brokers, keep whatever cluster is already running (1 by default).
    if [ -z "$brokers" ]; then brokers=$(kafka_brokers_running); [ "$brokers" != 0 ] || brokers=1; fi
    [ "$brokers" = 1 ] || [ "$brokers" = 3 ] || die "--brokers takes 1 or 3"
    t0=$SECONDS
    kafka_up "$brokers" && registry_up && clickhouse_up && redis_up || { say "stack: start-up failed; 'npm run stack:logs' shows the logs"; exit 1; }
    say "stack up in $((SECONDS - t0))s: kafka $(kafka_bootstrap "$brokers"), registry http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7, clickhouse http://127.0.0.1:$CLICKHOUSE_HTTP_PORT, redis redis://127.0.0.1:$REDIS_PORT"
    ;;
  down)
    stop_daemons redis clickhouse registry
    kafka_down
    if [ "${1:-}" = --wipe ]; then rm -rf "$IES_DATA_DIR"; say "stack: data wiped ($IES_DATA_DIR)"; fi
    say "stack down"
    ;;
  status) status ;;
  logs) logs "$@" ;;
  *) die "usage: stack.sh up [--brokers 1|3] | down [--wipe] | status | logs [part] [-n N]" ;;
esac
}

# Sourcing the file (tests) defines the functions without running anything.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main "$@"; fi

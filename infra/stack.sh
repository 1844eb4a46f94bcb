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

# running_accepts_credentials PART URL: a part that is already running must accept the
# stack's credentials (one started by an older stack.sh has none and must be restarted).
running_accepts_credentials() {
  probe "$1" "$2" >/dev/null 2>&1 && return 0
  say "stack: the running $1 does not accept the credentials in $IES_SECRETS_DIR (started by an older stack.sh?): run 'npm run stack:down', then up"
  return 1
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
  # A separate data folder from the PLAINTEXT stack of earlier versions: SCRAM users are
  # written into the cluster's metadata when its storage is formatted.
  local data="$IES_DATA_DIR/kafka-${n}b-sasl" voters="" i p
  for i in $(seq 1 "$n"); do voters="$voters,$i@127.0.0.1:$((KAFKA_BASE_PORT + 2 * (i - 1) + 1))"; done
  voters="${voters#,}"
  mkdir -p "$data"
  local java; java=$(java_bin) || return 1
  if [ ! -s "$data/cluster.id" ]; then
    "$java" -cp "$libs/*" kafka.tools.StorageTool random-uuid > "$data/cluster.id.tmp" && mv "$data/cluster.id.tmp" "$data/cluster.id" \
      || { say "stack: could not make a Kafka cluster id (java $java)"; return 1; }
  fi
  # Credentials: SCRAM-SHA-512 for clients and inter-broker traffic (users bootstrapped at
  # format time), SASL/PLAIN with a static JAAS user on the controller listener (SCRAM
  # credentials live in the metadata log, which the controllers must reach first).
  local scram=() broker_pw controller_pw pw
  for p in broker $KAFKA_PRINCIPALS; do
    pw=$(secret "$IES_SECRETS_DIR/kafka/$p.password") || return 1
    scram+=(--add-scram "SCRAM-SHA-512=[name=$p,password=$pw]")
  done
  broker_pw=$(secret "$IES_SECRETS_DIR/kafka/broker.password") || return 1
  controller_pw=$(secret "$IES_SECRETS_DIR/kafka/controller.password") || return 1
  local rf=$(( n >= 3 ? 3 : 1 )) isr=$(( n >= 3 ? 2 : 1 )) heap
  heap=$([ "$n" -ge 3 ] && echo "-Xms256m -Xmx768m" || echo "-Xms512m -Xmx1536m")
  for i in $(seq 1 "$n"); do
    local name="kafka-$i" port=$((KAFKA_BASE_PORT + 2 * (i - 1)))
    local dir="$data/node-$i" props="$data/node-$i.properties" logdir="$IES_LOG_DIR/$name"
    if pid_alive "$name"; then
      [ -f "$props" ] || die "$name is running without authentication (started by an older stack.sh): run 'npm run stack:down', then up"
      continue
    fi
    port_free "$name" "$port" && port_free "$name" $((port + 1)) || return 1
    mkdir -p "$dir" "$logdir"
    (umask 077 && cat > "$props") <<EOF
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=CLIENT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=CLIENT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
# A SASL session re-authenticates every 5 minutes (KIP-368): a deleted or changed SCRAM user
# (a revoked aggregator credential) cannot keep an open connection beyond that.
connections.max.reauth.ms=300000
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$broker_pw";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="$controller_pw" user_controller="$controller_pw";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:broker;User:controller
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
        kafka.tools.StorageTool format -t "$(cat "$data/cluster.id")" -c "$props" "${scram[@]}" >> "$logdir/format.log" 2>&1 \
        || die "formatting Kafka storage for $name failed; log: $logdir/format.log"
      echo "$KAFKA_PRINCIPALS" > "$data/scram-users"
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
  wait_until "kafka-1" "$IES_LOG_DIR/kafka-1/server.log" 120 probe kafka "$(kafka_bootstrap "$n")" "$n" \
    || { say "stack: (a Kafka started by an older stack.sh, without SASL, must be stopped first: 'npm run stack:down', then up)"; return 1; }
  kafka_add_scram_users "$n" "$data" || return 1
}

# kafka_add_scram_users N DATA: principals added to KAFKA_PRINCIPALS after the storage was
# formatted get their SCRAM user now, as admin, with Kafka's own ConfigCommand.
kafka_add_scram_users() {
  local n=$1 data=$2 libs="$IES_CACHE_DIR/kafka/$KAFKA_VERSION/libs" p pw cfg have
  have=" $(cat "$data/scram-users" 2>/dev/null) "
  for p in $KAFKA_PRINCIPALS; do
    case "$have" in *" $p "*) continue ;; esac
    cfg="$IES_SECRETS_DIR/kafka/.admin-client.properties"
    (umask 077 && printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="%s";\n' \
      "$(cat "$IES_SECRETS_DIR/kafka/admin.password")" > "$cfg") || return 1
    pw=$(secret "$IES_SECRETS_DIR/kafka/$p.password") || return 1
    say "  adding Kafka SCRAM user $p"
    "$(java_bin)" -cp "$libs/*" -Dlog4j2.configurationFile="$IES_ROOT/infra/kafka/log4j2.properties" -Dkafka.logs.dir="$IES_LOG_DIR/kafka-1" \
      kafka.admin.ConfigCommand --bootstrap-server "$(kafka_bootstrap "$n")" --command-config "$cfg" \
      --alter --add-config "SCRAM-SHA-512=[password=$pw]" --entity-type users --entity-name "$p" >> "$IES_LOG_DIR/kafka-1/scram.log" 2>&1 \
      || { say "stack: adding the Kafka user $p failed; log: $IES_LOG_DIR/kafka-1/scram.log"; return 1; }
    have="$have$p "
    echo "$have" > "$data/scram-users"
  done
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
  pid_alive clickhouse && { running_accepts_credentials clickhouse "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT"; return; }
  command -v clickhouse-server >/dev/null || die "clickhouse-server is not installed; run 'bash infra/setup.sh'"
  local conf="$IES_STACK_DIR/conf/clickhouse" data="$IES_DATA_DIR/clickhouse" logs="$IES_LOG_DIR/clickhouse" pw
  mkdir -p "$conf" "$data/tmp" "$data/user_files" "$data/format_schemas" "$logs"
  # The user's password is stored as its SHA-256 (18.16 knows password_sha256_hex).
  pw=$(secret "$IES_SECRETS_DIR/clickhouse.password") || return 1
  (umask 077 && sed -e "s#@PASSWORD_SHA256_HEX@#$(printf '%s' "$pw" | sha256sum | cut -c1-64)#" \
    "$IES_ROOT/infra/clickhouse/users.xml" > "$conf/users.xml") || return 1
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
  pid_alive redis && { running_accepts_credentials redis "redis://127.0.0.1:$REDIS_PORT"; return; }
  command -v redis-server >/dev/null || die "redis-server is not installed; run 'bash infra/setup.sh'"
  mkdir -p "$IES_DATA_DIR/redis" "$IES_STACK_DIR/conf"
  port_free redis "$REDIS_PORT" || return 1
  # The password goes in a config file (mode 0600), not on the command line where ps shows it.
  local pw; pw=$(secret "$IES_SECRETS_DIR/redis.password") || return 1
  (umask 077 && printf 'requirepass %s\n' "$pw" > "$IES_STACK_DIR/conf/redis.conf") || return 1
  say "  starting redis on 127.0.0.1:$REDIS_PORT"
  start_daemon redis "$IES_LOG_DIR/redis.log" redis-server "$IES_STACK_DIR/conf/redis.conf" --bind 127.0.0.1 --port "$REDIS_PORT" \
    --dir "$IES_DATA_DIR/redis" --appendonly yes --appendfsync everysec --save "" \
    --daemonize no --protected-mode yes --maxmemory-policy noeviction
  wait_until redis "$IES_LOG_DIR/redis.log" 30 probe redis "redis://127.0.0.1:$REDIS_PORT"
}

# provision_tenants N: the default tenants (IES_TENANTS, else the config default) get their
# topics and ACLs, as the Kafka admin, through the built CLI (skipped before the first build).
provision_tenants() {
  local cli="$IES_ROOT/services/cli/dist/src/bin.js" rf=$(( $1 >= 3 ? 3 : 1 ))
  [ -f "$cli" ] || { say "  not provisioning tenants yet (no build): run 'node $cli tenants provision' after 'npm run build'"; return 0; }
  IES_SECRETS_DIR="$IES_SECRETS_DIR" IES_KAFKA_BROKERS="$(kafka_bootstrap "$1")" IES_KAFKA_REPLICATION_FACTOR="${IES_KAFKA_REPLICATION_FACTOR:-$rf}" \
    node "$cli" tenants provision | sed 's/^/  tenant /' >&2
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
    kafka_up "$brokers" && registry_up && clickhouse_up && redis_up && provision_tenants "$brokers" \
      || { say "stack: start-up failed; 'npm run stack:logs' shows the logs"; exit 1; }
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

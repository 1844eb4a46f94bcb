# shellcheck shell=bash
# Shared helpers for the native local stack (sourced by infra/*.sh, never run).
# Everything lives under the repository: artifacts in .cache/, data, logs and pid
# files in .stack/. Every server binds 127.0.0.1 only.

IES_ROOT="${IES_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
IES_CACHE_DIR="${IES_CACHE_DIR:-$IES_ROOT/.cache}"
IES_STACK_DIR="${IES_STACK_DIR:-$IES_ROOT/.stack}"
IES_M2_REPO="${IES_M2_REPO:-$IES_CACHE_DIR/m2}"
IES_RUN_DIR="$IES_STACK_DIR/run"
IES_LOG_DIR="$IES_STACK_DIR/logs"
IES_DATA_DIR="$IES_STACK_DIR/data"
# Credentials of the stack (random, made on the first `up`, mode 0600, kept across restarts).
# Services find them here by default (IES_SECRETS_DIR in @ies/config).
IES_SECRETS_DIR="${IES_SECRETS_DIR:-$IES_STACK_DIR/secrets}"
# Kafka principals, one per service plus `admin` (provisioning only). The ACLs each one gets
# are defined in services/contracts/src/kafka-acls.ts; a unit test keeps this list equal to
# KAFKA_PRINCIPALS there. `broker` (inter-broker, SCRAM) and `controller` (KRaft controller
# listener, PLAIN) are the cluster's own.
KAFKA_PRINCIPALS="admin gateway fanout notary loader dr settlement webhooks"

KAFKA_VERSION="4.1.2"
APICURIO_VERSION="3.0.9"
KAFKA_BASE_PORT="${IES_KAFKA_PORT:-9092}"
REGISTRY_PORT="${IES_REGISTRY_PORT:-8081}"
CLICKHOUSE_HTTP_PORT="${IES_CLICKHOUSE_HTTP_PORT:-8123}"
CLICKHOUSE_TCP_PORT="${IES_CLICKHOUSE_TCP_PORT:-9000}"
REDIS_PORT="${IES_REDIS_PORT:-6379}"

mkdir -p "$IES_RUN_DIR" "$IES_LOG_DIR" "$IES_DATA_DIR"

# secret FILE: prints the secret in FILE, making it first (48 random hex digits, mode 0600)
# when it does not exist. Hex only: the value goes into JAAS and StorageTool arguments unquoted.
secret() {
  local f=$1
  if [ ! -s "$f" ]; then
    mkdir -p "$(dirname "$f")" && chmod 700 "$IES_SECRETS_DIR" "$(dirname "$f")"
    (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > "$f.tmp" && mv "$f.tmp" "$f") || die "cannot write $f"
  fi
  cat "$f"
}

say() { printf '%s\n' "$*" >&2; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

java_bin() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME/bin/java"
  elif [ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]; then echo /usr/lib/jvm/java-17-openjdk-amd64/bin/java
  else command -v java || die "java 17+ is required (apt-get install openjdk-17-jre-headless)"
  fi
}

# mvn_quiet ARGS...: Maven with the project's local repository; its output goes to a log,
# shown only when it fails.
mvn_quiet() {
  local log="$IES_LOG_DIR/maven.log"
  if ! mvn -B -ntp -Dmaven.repo.local="$IES_M2_REPO" "$@" >> "$log" 2>&1; then
    say "stack: Maven failed; last lines of $log:"; tail -n 30 "$log" >&2; return 1
  fi
}

# pid_alive NAME -> 0 when the pid file names a live process that we started. A recycled
# pid (after a reboot) belongs to some other program: ours all name the stack folder in
# their command line or run inside it (Redis rewrites its title, but its cwd is its data dir).
pid_alive() {
  local f="$IES_RUN_DIR/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  [ -r "/proc/$pid/cmdline" ] || return 0
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$IES_STACK_DIR" && return 0
  case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in "$IES_STACK_DIR"*) return 0 ;; esac
  return 1
}

# start_daemon NAME LOGFILE CMD... : detach CMD into its own session, record its pid.
start_daemon() {
  local name=$1 log=$2; shift 2
  setsid "$@" >>"$log" 2>&1 < /dev/null &
  echo $! > "$IES_RUN_DIR/$name.pid"
}

# stop_daemons NAME...: SIGTERM to all at once (a KRaft cluster keeps its quorum while its
# nodes shut down together), wait up to 30 s, then SIGKILL; only the pids we recorded.
stop_daemons() {
  local name pid pids=() names=() i
  for name in "$@"; do
    pid_alive "$name" || continue
    pid=$(cat "$IES_RUN_DIR/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid"); names+=("$name")
  done
  for i in $(seq 1 60); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 1 ] || break
    sleep 0.5
  done
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      say "  ${names[$i]} did not stop in 30 s; sending SIGKILL to ${pids[$i]}"
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    fi
  done
  for name in "$@"; do rm -f "$IES_RUN_DIR/$name.pid"; done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# port_free NAME PORT: refuse to start NAME when something else already listens on PORT,
# rather than report another program's server as ours.
port_free() { ! port_open "$2" || { say "stack: cannot start $1: 127.0.0.1:$2 is already in use by another process"; return 1; }; }

# wait_until NAME LOG SECONDS CMD...: poll CMD until it succeeds; on time-out, or when the
# process dies, name the part and the path of its log, and show the log's tail.
wait_until() {
  local name=$1 log=$2 secs=$3; shift 3
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ! pid_alive "$name"; then
      say "stack: $name exited during start-up; log: $log"; tail -n 30 "$log" >&2 || true; return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      say "stack: $name did not become healthy in ${secs}s; log: $log"; tail -n 30 "$log" >&2 || true; return 1
    fi
    sleep 0.5
  done
}

# fetch_begin OUT WHAT: for the fetch scripts (run, not sourced): exits 0 at once when OUT
# holds a complete earlier fetch (stamp file .complete), otherwise leaves OUT empty.
fetch_begin() {
  [ -f "$1/.complete" ] && exit 0
  command -v mvn >/dev/null || die "Maven is required to fetch $2 (apt-get install maven)"
  say "  fetching $2 from Maven Central into $1"
  rm -rf "$1" && mkdir -p "$1"
}

probe() { IES_SECRETS_DIR="$IES_SECRETS_DIR" node "$IES_ROOT/infra/probe.mjs" "$@"; }

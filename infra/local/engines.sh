#!/usr/bin/env bash
# Local REAL engines for tests: Kafka (KRaft, single node), PostgreSQL 15, Mosquitto, FerretDB (MongoDB wire),
# Janus (WebRTC gateway, with ffmpeg, for cameras), nginx-rtmp (camera push ingest), Jaeger (OpenTelemetry traces).
#
#   bash infra/local/engines.sh install|start|stop|restart|status|env [kafka|postgres|mosquitto|ferretdb ...]
#
# No engine names = all four (and, for `install`, the tools nginx and docker-compose too). `start` installs
# what is missing first, then waits until every engine answers a real request (Kafka Metadata via kafkajs,
# `select 1` over TCP with the aiot password, an MQTT QoS1 publish/subscribe round trip, a Mongo `ping` via
# the mongodb driver). `status` exits 3 when one of the named engines is not running. `env` prints `export …`
# lines for the tests (eval "$(… env)").
#
# Everything lives under ${AIOT_CACHE_DIR:-$HOME/.cache/aiot}: binaries/jars there, runtime state (data,
# pid files, logs: <engine>.log) under run/<engine>. Only 127.0.0.1 is used. Ports (env overrides):
#   Kafka     AIOT_TEST_KAFKA_PORT=19092 (controller AIOT_TEST_KAFKA_CONTROLLER_PORT=19093)
#   Postgres  AIOT_TEST_POSTGRES_PORT=15432    role/db/password aiot/aiot/aiot
#   Mosquitto AIOT_TEST_MQTT_PORT=11883
#   FerretDB  AIOT_TEST_MONGO_PORT=17017       (sqlite backend, debug HTTP listener off)
#   Janus     AIOT_TEST_JANUS_PORT=18088       (HTTP API; RTP/ICE UDP ports AIOT_TEST_JANUS_RTP_PORTS/_ICE_PORTS)
#   RTMP      AIOT_TEST_RTMP_PORT=11935        (nginx with libnginx-mod-rtmp: cameras publish, relays play)
#   Jaeger    AIOT_TEST_OTLP_PORT=14318 (OTLP/HTTP in), AIOT_TEST_JAEGER_QUERY_PORT=16687 (query API/UI),
#             AIOT_TEST_JAEGER_GRPC_PORT=16688 (query gRPC); in-memory storage. AIOT_JAEGER_UI_ASSETS: a built
#             jaeger-ui folder to serve (the Go module embeds only a placeholder page; the API works without it)
# AIOT_ENGINE_READY_TIMEOUT (s, default 120) bounds each readiness wait.
#
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` OS user. When that user cannot
# reach run/postgres (e.g. $HOME=/root is mode 700) its state goes to /var/tmp/aiot-pg-<hash of cache dir>
# (override: AIOT_PG_DIR) and run/postgres is a symlink to it.
#
# Engines come from the registries this machine reaches: Kafka jars from Maven Central (mvn), FerretDB built
# from the Go module proxy (go), PostgreSQL and Mosquitto from apt (installed only if missing; the package
# install is kept from starting the system services).
#
# Tools are programs the tests run themselves; nothing here starts them: nginx (the edge proxy test runs
# its own instance from infra/deploy/nginx on free ports) and docker-compose (the client alone, to
# validate compose.yaml: no container engine runs here). Both from apt, installed only if missing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${AIOT_CACHE_DIR:-$HOME/.cache/aiot}"
RUN="$CACHE/run"

KAFKA_VERSION=4.1.1
LOG4J_VERSION=2.24.3 # same as Kafka 4.1.1's log4j-core; Kafka uses slf4j 1.7 -> log4j-slf4j-impl
KAFKA_CLUSTER_ID=aiotLocalKafkaClusterA
FERRETDB_VERSION=v1.24.2
PG_MAJOR=15

KAFKA_PORT="${AIOT_TEST_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${AIOT_TEST_KAFKA_CONTROLLER_PORT:-19093}"
PG_PORT="${AIOT_TEST_POSTGRES_PORT:-15432}"
MQTT_PORT="${AIOT_TEST_MQTT_PORT:-11883}"
MONGO_PORT="${AIOT_TEST_MONGO_PORT:-17017}"
JANUS_PORT="${AIOT_TEST_JANUS_PORT:-18088}"
RTMP_PORT="${AIOT_TEST_RTMP_PORT:-11935}"
JAEGER_VERSION=v1.76.0
JAEGER_OTLP_PORT="${AIOT_TEST_OTLP_PORT:-14318}"
JAEGER_QUERY_PORT="${AIOT_TEST_JAEGER_QUERY_PORT:-16687}"
JAEGER_GRPC_PORT="${AIOT_TEST_JAEGER_GRPC_PORT:-16688}"
READY_TIMEOUT="${AIOT_ENGINE_READY_TIMEOUT:-120}"
STOP_TIMEOUT=30

ALL_ENGINES=(kafka postgres mosquitto ferretdb janus rtmp jaeger)
ALL_TOOLS=(nginx docker-compose)

# ---------------------------------------------------------------------------------------------- helpers

log() { printf '%s\n' "$*" >&2; }
die() {
  log "engines: error: $*"
  exit 1
}
now_ms() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

port_of() {
  case "$1" in
  kafka) echo "$KAFKA_PORT" ;;
  postgres) echo "$PG_PORT" ;;
  mosquitto) echo "$MQTT_PORT" ;;
  ferretdb) echo "$MONGO_PORT" ;;
  janus) echo "$JANUS_PORT" ;;
  rtmp) echo "$RTMP_PORT" ;;
  jaeger) echo "$JAEGER_QUERY_PORT" ;;
  esac
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_alive PIDFILE NEEDLE: the pid in PIDFILE is alive and its command line contains NEEDLE
# (guards against a stale pid file whose pid was reused by another process).
pid_alive() {
  local pidfile="$1" needle="$2" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(head -n1 "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$needle"
}

# stop_pid NAME PIDFILE NEEDLE: SIGTERM, wait up to STOP_TIMEOUT s, then SIGKILL (whole process group).
stop_pid() {
  local name="$1" pidfile="$2" needle="$3" pid i
  if ! pid_alive "$pidfile" "$needle"; then
    rm -f "$pidfile"
    log "$name: not running"
    return 0
  fi
  pid="$(head -n1 "$pidfile")"
  log "$name: stopping (pid $pid)…"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

show_log_tail() {
  local logfile="$1"
  if [[ -f "$logfile" ]]; then
    log "----- last 40 lines of $logfile -----"
    tail -n 40 "$logfile" >&2 || true
    log "-----"
  else
    log "(no log file at $logfile)"
  fi
}

# wait_ready NAME LOGFILE PIDFILE NEEDLE START_MS CHECK-CMD...: retry CHECK until it passes, the process
# dies, or READY_TIMEOUT passes. Prints the log tail on failure. QUIET_READY=1: no "ready" line.
wait_ready() {
  local name="$1" logfile="$2" pidfile="$3" needle="$4" start="$5" out
  shift 5
  while true; do
    if out="$("$@" 2>&1)"; then
      [[ "${QUIET_READY:-0}" == 1 ]] || log "$name: ready on 127.0.0.1:$(port_of "$name") ($(secs_since "$start") s)"
      return 0
    fi
    if [[ -n "$pidfile" ]] && ! pid_alive "$pidfile" "$needle"; then
      log "$name: process exited before becoming ready (last check: ${out##*$'\n'})"
      show_log_tail "$logfile"
      return 1
    fi
    if (($(now_ms) - start > READY_TIMEOUT * 1000)); then
      log "$name: not ready after ${READY_TIMEOUT}s on 127.0.0.1:$(port_of "$name") (last check: ${out##*$'\n'})"
      show_log_tail "$logfile"
      return 1
    fi
    sleep 0.5
  done
}

# A running engine keeps the port it was started with in PORTFILE: asking for another one is an error
# (instead of waiting on a port nobody listens on).
assert_same_port() {
  local name="$1" portfile="$2" want="$3" have
  have="$(cat "$portfile" 2>/dev/null || true)"
  if [[ -n "$have" && "$have" != "$want" ]]; then
    die "$name: already running on port $have, not $want (stop it first: engines.sh stop $name)"
  fi
}

# Refuse to start when something else already listens on our port.
assert_port_free() {
  local name="$1" port="$2"
  if port_open "$port"; then
    die "$name: 127.0.0.1:$port is already in use by another process (set AIOT_TEST_*_PORT to move it)"
  fi
}

# spawn LOGFILE PIDFILE CMD...: start CMD detached (own session, no stdin), append output to LOGFILE.
spawn() {
  local logfile="$1" pidfile="$2"
  shift 2
  printf '===== %s starting: %s\n' "$(date -Is)" "$*" >>"$logfile"
  # 9>&-: do not hand the per-engine lock (fd 9, see `locked`) to the long-lived engine process
  setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  echo "$!" >"$pidfile"
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not available; install $* by hand"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  # Keep package installs from starting system services (the system mosquitto / postgresql cluster).
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if ((EUID == 0)) && [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
  fi
  local rc=0 aptlog="$RUN/apt.log"
  mkdir -p "$RUN"
  if ((APT_UPDATED == 0)); then
    log "apt: apt-get update…"
    "${sudo[@]}" apt-get update >"$aptlog" 2>&1 || rc=$?
    APT_UPDATED=1
  fi
  if ((rc == 0)); then
    log "apt: installing $*…"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "$@" >>"$aptlog" 2>&1 ||
      rc=$?
  fi
  ((created_policy == 0)) || rm -f "$policy"
  ((rc == 0)) || {
    show_log_tail "$aptlog"
    die "apt-get install $* failed"
  }
}

# Install the Debian packages the named engines and tools lack with a single apt-get update + install
# (the per-engine installs run in subshells and could not share "updated once").
apt_preinstall() {
  local pkgs=() e
  for e in "$@"; do
    case "$e" in
    nginx) nginx_bin >/dev/null || pkgs+=(nginx) ;;
    docker-compose) command -v docker-compose >/dev/null || pkgs+=(docker-compose) ;;
    postgres)
      [[ -x "$PG_BIN/postgres" ]] || pkgs+=("postgresql-$PG_MAJOR")
      command -v psql >/dev/null || pkgs+=("postgresql-client-$PG_MAJOR")
      ;;
    mosquitto)
      mq_bin >/dev/null || pkgs+=(mosquitto)
      command -v mosquitto_pub >/dev/null || pkgs+=(mosquitto-clients)
      ;;
    janus)
      janus_bin >/dev/null || pkgs+=(janus)
      command -v ffmpeg >/dev/null || pkgs+=(ffmpeg)
      ;;
    rtmp)
      nginx_bin >/dev/null || pkgs+=(nginx)
      [[ -f "$RTMP_MODULE" ]] || pkgs+=(libnginx-mod-rtmp)
      ;;
    esac
  done
  ((${#pkgs[@]} == 0)) || apt_install "${pkgs[@]}"
}

DENO_BIN=""
find_deno() {
  if [[ -n "$DENO_BIN" ]]; then return 0; fi
  if [[ -n "${AIOT_DENO:-}" ]]; then
    DENO_BIN="$AIOT_DENO"
  elif command -v deno >/dev/null; then
    DENO_BIN="$(command -v deno)"
  else
    DENO_BIN="$(bash "$HERE/deno.sh")" || die "could not install Deno (infra/local/deno.sh)"
  fi
}

# Deno probes run with --no-lock so they never touch the repo's deno.lock.
# They run from this folder so the repo's deno.json import map ("kafkajs") applies wherever we are called.
deno_probe() {
  find_deno
  (cd "$HERE" && "$DENO_BIN" run --quiet --no-lock "$@")
}

# ------------------------------------------------------------------------------------------------ tools

nginx_bin() { command -v nginx || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; }; }

tools_report() {
  local nginx
  nginx="$(nginx_bin)" || die "nginx: missing after install"
  command -v docker-compose >/dev/null || die "docker-compose: missing after install"
  log "nginx: $("$nginx" -v 2>&1 | sed 's/^nginx version: //') installed ($nginx)"
  log "docker-compose: $(docker-compose version --short 2>/dev/null) installed"
}

# ------------------------------------------------------------------------------------------------ kafka

KAFKA_HOME="$CACHE/kafka-$KAFKA_VERSION"
KAFKA_RUN="$RUN/kafka"
KAFKA_NEEDLE="kafka.Kafka"

kafka_java() {
  # Kafka 4.x brokers need Java 17+.
  local j="${AIOT_JAVA:-java}" v
  if command -v "$j" >/dev/null; then
    v="$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
    if [[ -n "$v" ]] && ((v >= 17)); then
      command -v "$j"
      return 0
    fi
  fi
  local alt
  for alt in /usr/lib/jvm/java-17-openjdk-amd64/bin/java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java \
    /usr/lib/jvm/*/bin/java; do
    [[ -x "$alt" ]] && {
      echo "$alt"
      return 0
    }
  done
  return 1
}

kafka_install() {
  if [[ -f "$KAFKA_HOME/.installed" ]]; then
    log "kafka: $KAFKA_VERSION already installed"
    return 0
  fi
  kafka_java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
  local start
  start="$(now_ms)"
  log "kafka: installing $KAFKA_VERSION from Maven Central…"
  mkdir -p "$KAFKA_HOME"
  cat >"$KAFKA_HOME/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <!-- throw-away POM: only used to fetch the Kafka broker jars and a logging backend -->
  <modelVersion>4.0.0</modelVersion>
  <groupId>aiot.local</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  rm -rf "$KAFKA_HOME/lib.tmp"
  mvn -B -Dstyle.color=never -f "$KAFKA_HOME/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_HOME/lib.tmp" >"$KAFKA_HOME/mvn.log" 2>&1 || {
    show_log_tail "$KAFKA_HOME/mvn.log"
    die "kafka: mvn dependency:copy-dependencies failed"
  }
  ls "$KAFKA_HOME/lib.tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null || die "kafka: broker jar missing"
  rm -rf "$KAFKA_HOME/lib"
  mv "$KAFKA_HOME/lib.tmp" "$KAFKA_HOME/lib"
  touch "$KAFKA_HOME/.installed"
  log "kafka: installed $KAFKA_VERSION ($(ls "$KAFKA_HOME/lib" | wc -l) jars, $(secs_since "$start") s)"
}

kafka_write_config() {
  mkdir -p "$KAFKA_RUN/data"
  cat >"$KAFKA_RUN/server.properties" <<EOF
# generated by infra/local/engines.sh — rewritten on every start
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_RUN/data
num.partitions=4
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
message.max.bytes=16777216
replica.fetch.max.bytes=16777216
socket.request.max.bytes=134217728
EOF
  cat >"$KAFKA_RUN/log4j2.properties" <<'EOF'
# generated by infra/local/engines.sh: WARN and above to stdout (redirected to kafka.log)
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = OUT
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = INFO
EOF
}

kafka_ready() { deno_probe --allow-net --allow-env "$HERE/kafka_ready.ts" "127.0.0.1:$KAFKA_PORT"; }

kafka_start() {
  local start
  start="$(now_ms)"
  local pidfile="$KAFKA_RUN/kafka.pid" logfile="$KAFKA_RUN/kafka.log"
  if pid_alive "$pidfile" "$KAFKA_NEEDLE"; then
    assert_same_port kafka "$KAFKA_RUN/kafka.port" "$KAFKA_PORT"
    log "kafka: already running (pid $(head -n1 "$pidfile"))"
    wait_ready kafka "$logfile" "$pidfile" "$KAFKA_NEEDLE" "$(now_ms)" kafka_ready
    return
  fi
  assert_port_free kafka "$KAFKA_PORT"
  assert_port_free kafka "$KAFKA_CONTROLLER_PORT"
  kafka_write_config
  local java
  java="$(kafka_java)" || die "kafka: no Java 17+ found"
  local jopts=(-Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$KAFKA_RUN/log4j2.properties" -cp "$KAFKA_HOME/lib/*")
  if [[ ! -f "$KAFKA_RUN/data/meta.properties" ]]; then
    log "kafka: formatting storage (cluster id $KAFKA_CLUSTER_ID)…"
    "$java" "${jopts[@]}" kafka.tools.StorageTool format -t "$KAFKA_CLUSTER_ID" \
      -c "$KAFKA_RUN/server.properties" >>"$logfile" 2>&1 || {
      show_log_tail "$logfile"
      die "kafka: storage format failed"
    }
  fi
  log "kafka: starting $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT…"
  echo "$KAFKA_PORT" >"$KAFKA_RUN/kafka.port"
  spawn "$logfile" "$pidfile" "$java" "${jopts[@]}" kafka.Kafka "$KAFKA_RUN/server.properties"
  wait_ready kafka "$logfile" "$pidfile" "$KAFKA_NEEDLE" "$start" kafka_ready || {
    kafka_stop
    return 1
  }
}

kafka_stop() { stop_pid kafka "$KAFKA_RUN/kafka.pid" "$KAFKA_NEEDLE"; }
kafka_running() { pid_alive "$KAFKA_RUN/kafka.pid" "$KAFKA_NEEDLE"; }
kafka_env() { echo "export AIOT_TEST_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"; }

# --------------------------------------------------------------------------------------------- postgres

PG_BIN="${AIOT_PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}"
PG_LINK="$RUN/postgres"
PG_DIR="" # resolved by pg_resolve_dir

pg_as() {
  # run a PostgreSQL server command as the owner of the data dir (postgres refuses root)
  if ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_resolve_dir() {
  [[ -n "$PG_DIR" ]] && return 0
  mkdir -p "$RUN"
  if ((EUID != 0)); then
    PG_DIR="$PG_LINK"
  elif [[ -n "${AIOT_PG_DIR:-}" ]]; then
    PG_DIR="$AIOT_PG_DIR"
  elif [[ -d "$PG_LINK" && ! -L "$PG_LINK" ]] && runuser -u postgres -- test -x "$PG_LINK"; then
    PG_DIR="$PG_LINK"
  elif [[ ! -e "$PG_LINK" ]] && runuser -u postgres -- test -x "$RUN"; then
    PG_DIR="$PG_LINK"
  else
    PG_DIR="/var/tmp/aiot-pg-$(printf '%s' "$CACHE" | cksum | cut -d' ' -f1)"
  fi
  mkdir -p "$PG_DIR"
  if [[ "$PG_DIR" != "$PG_LINK" ]]; then
    if [[ -L "$PG_LINK" || ! -e "$PG_LINK" ]]; then
      ln -sfn "$PG_DIR" "$PG_LINK"
    fi
  fi
  if ((EUID == 0)); then
    chown postgres:postgres "$PG_DIR"
    chmod 700 "$PG_DIR"
  fi
}

pg_install() {
  if [[ -x "$PG_BIN/postgres" && -x "$PG_BIN/initdb" ]] && command -v psql >/dev/null; then
    log "postgres: $("$PG_BIN/postgres" --version | awk '{print $3}') already installed ($PG_BIN)"
  else
    apt_install "postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR"
    [[ -x "$PG_BIN/postgres" ]] || die "postgres: $PG_BIN/postgres missing after install"
  fi
  if ((EUID == 0)) && ! id postgres >/dev/null 2>&1; then
    die "postgres: OS user 'postgres' missing (it comes with the postgresql-common package)"
  fi
}

pg_pid_needle() { echo "$PG_DIR/data"; }

pg_running() {
  pg_resolve_dir
  # postmaster.pid's first line is the postmaster pid
  pid_alive "$PG_DIR/data/postmaster.pid" "postgres"
}

pg_socket_psql() {
  psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR/socket" -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_ready_local() {
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 && pg_socket_psql -tAc 'select 1' >/dev/null
}

pg_ready_tcp() {
  PGPASSWORD=aiot PGCONNECT_TIMEOUT=3 psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U aiot -d aiot -tAc 'select 1' |
    grep -qx 1
}

pg_start() {
  local start
  start="$(now_ms)"
  pg_resolve_dir
  local data="$PG_DIR/data" logfile="$PG_DIR/postgres.log"
  if pg_running; then
    assert_same_port postgres "$PG_DIR/postgres.port" "$PG_PORT"
    log "postgres: already running (pid $(head -n1 "$data/postmaster.pid"))"
    wait_ready postgres "$logfile" "" "" "$(now_ms)" pg_ready_tcp
    return
  fi
  assert_port_free postgres "$PG_PORT"
  pg_as mkdir -p "$PG_DIR/socket"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    log "postgres: initdb in $data…"
    rm -rf "$data"
    pg_as "$PG_BIN/initdb" -D "$data" -U postgres -E UTF8 --no-locale --auth-local=trust \
      --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 || {
      show_log_tail "$PG_DIR/initdb.log"
      die "postgres: initdb failed"
    }
  fi
  grep -q "^include_if_exists = 'aiot.conf'" "$data/postgresql.conf" ||
    echo "include_if_exists = 'aiot.conf'" | pg_as tee -a "$data/postgresql.conf" >/dev/null
  pg_as tee "$data/aiot.conf" >/dev/null <<EOF
# generated by infra/local/engines.sh — rewritten on every start
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR/socket'
max_connections = 200
password_encryption = scram-sha-256
log_min_messages = warning
log_connections = off
EOF
  echo "$PG_PORT" >"$PG_DIR/postgres.port"
  log "postgres: starting $PG_MAJOR on 127.0.0.1:$PG_PORT (data $data)…"
  printf '===== %s starting\n' "$(date -Is)" | pg_as tee -a "$logfile" >/dev/null
  # setsid: keep the postmaster out of the caller's process group (no Ctrl-C forwarding)
  if ((EUID == 0)); then
    setsid -w runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -l "$logfile" -w -t "$READY_TIMEOUT" start \
      >/dev/null 2>&1 </dev/null 9>&- || true
  else
    setsid -w "$PG_BIN/pg_ctl" -D "$data" -l "$logfile" -w -t "$READY_TIMEOUT" start >/dev/null 2>&1 </dev/null \
      9>&- || true
  fi
  QUIET_READY=1 wait_ready postgres "$logfile" "$data/postmaster.pid" "postgres" "$start" pg_ready_local || {
    pg_stop
    return 1
  }
  # role + database for the tests (idempotent)
  pg_socket_psql <<'SQL' >/dev/null
SELECT 'CREATE ROLE aiot LOGIN SUPERUSER'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aiot') \gexec
ALTER ROLE aiot WITH LOGIN SUPERUSER PASSWORD 'aiot';
SELECT 'CREATE DATABASE aiot OWNER aiot'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'aiot') \gexec
SQL
  wait_ready postgres "$logfile" "$data/postmaster.pid" "postgres" "$start" pg_ready_tcp || {
    pg_stop
    return 1
  }
}

pg_stop() {
  pg_resolve_dir
  local data="$PG_DIR/data" pid
  if ! pg_running; then
    log "postgres: not running"
    return 0
  fi
  pid="$(head -n1 "$data/postmaster.pid")"
  log "postgres: stopping (pid $pid)…"
  if ! pg_as "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null 2>&1; then
    log "postgres: fast shutdown timed out, immediate shutdown"
    pg_as "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 || kill -KILL "$pid" 2>/dev/null || true
  fi
  log "postgres: stopped"
}

pg_env() { echo "export AIOT_TEST_POSTGRES_URL=postgres://aiot:aiot@127.0.0.1:$PG_PORT/aiot"; }

# -------------------------------------------------------------------------------------------- mosquitto

MQ_RUN="$RUN/mosquitto"
MQ_NEEDLE="mosquitto.conf"

mq_bin() { command -v mosquitto || { [[ -x /usr/sbin/mosquitto ]] && echo /usr/sbin/mosquitto; }; }

mq_install() {
  if mq_bin >/dev/null && command -v mosquitto_pub >/dev/null && command -v mosquitto_sub >/dev/null; then
    log "mosquitto: $("$(mq_bin)" -h 2>/dev/null | sed -n 's/^mosquitto version \(.*\)/\1/p' | head -n1) already installed"
    return 0
  fi
  apt_install mosquitto mosquitto-clients
}

mq_ready() {
  local topic="aiot/ready/$$-$RANDOM" got
  # retained QoS1 message, then read it back: a full broker round trip without subscribe/publish races
  mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -i "aiot-ready-pub-$$" -q 1 -r -t "$topic" -m ok || return 1
  got="$(mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -i "aiot-ready-sub-$$" -q 1 -C 1 -W 3 -t "$topic")" || return 1
  mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -i "aiot-ready-clr-$$" -q 1 -r -n -t "$topic" || true
  [[ "$got" == ok ]]
}

mq_start() {
  local start
  start="$(now_ms)"
  local pidfile="$MQ_RUN/mosquitto.pid" logfile="$MQ_RUN/mosquitto.log"
  if pid_alive "$pidfile" "$MQ_NEEDLE"; then
    assert_same_port mosquitto "$MQ_RUN/mosquitto.port" "$MQTT_PORT"
    log "mosquitto: already running (pid $(head -n1 "$pidfile"))"
    wait_ready mosquitto "$logfile" "$pidfile" "$MQ_NEEDLE" "$(now_ms)" mq_ready
    return
  fi
  assert_port_free mosquitto "$MQTT_PORT"
  mkdir -p "$MQ_RUN"
  cat >"$MQ_RUN/mosquitto.conf" <<EOF
# generated by infra/local/engines.sh — rewritten on every start
per_listener_settings false
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence false
# the defaults (1000 queued / 20 inflight) drop messages for slow subscribers: no limits here
max_queued_messages 0
max_inflight_messages 0
max_queued_bytes 0
set_tcp_nodelay true
# stderr is unbuffered (stdout to a file is not)
log_dest stderr
log_type error
log_type warning
log_type notice
log_type information
log_timestamp_format %Y-%m-%dT%H:%M:%S
connection_messages false
EOF
  log "mosquitto: starting on 127.0.0.1:$MQTT_PORT…"
  echo "$MQTT_PORT" >"$MQ_RUN/mosquitto.port"
  spawn "$logfile" "$pidfile" "$(mq_bin)" -c "$MQ_RUN/mosquitto.conf"
  wait_ready mosquitto "$logfile" "$pidfile" "$MQ_NEEDLE" "$start" mq_ready || {
    mq_stop
    return 1
  }
}

mq_stop() { stop_pid mosquitto "$MQ_RUN/mosquitto.pid" "$MQ_NEEDLE"; }
mq_running() { pid_alive "$MQ_RUN/mosquitto.pid" "$MQ_NEEDLE"; }
mq_env() { echo "export AIOT_TEST_MQTT_URL=mqtt://127.0.0.1:$MQTT_PORT"; }

# --------------------------------------------------------------------------------------------- ferretdb

FERRET_HOME="$CACHE/ferretdb-$FERRETDB_VERSION"
FERRET_BIN="$FERRET_HOME/ferretdb"
FERRET_RUN="$RUN/ferretdb"
FERRET_NEEDLE="--listen-addr=127.0.0.1:"

ferret_install() {
  if [[ -x "$FERRET_BIN" ]]; then
    log "ferretdb: $FERRETDB_VERSION already installed"
    return 0
  fi
  command -v go >/dev/null || [[ ! -x /usr/local/go/bin/go ]] || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null || die "ferretdb: Go toolchain missing (needed to build FerretDB from the Go module proxy)"
  local start src dir
  start="$(now_ms)"
  log "ferretdb: building $FERRETDB_VERSION from the Go module proxy…"
  # Not `go install …@version`: that binary panics at start (the module ships no build/version/version.txt,
  # which FerretDB's own builds generate). So fetch the module, add version.txt, and build it.
  dir="$(cd "$CACHE" && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || die "ferretdb: go mod download failed"
  src="$FERRET_HOME/src"
  rm -rf "$src"
  mkdir -p "$FERRET_HOME"
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$FERRET_BIN.tmp" ./cmd/ferretdb) >&2 ||
    die "ferretdb: go build failed"
  mv "$FERRET_BIN.tmp" "$FERRET_BIN"
  rm -rf "$src"
  log "ferretdb: installed $("$FERRET_BIN" --version | sed -n 's/^version: //p') ($(secs_since "$start") s)"
}

ferret_ready() {
  deno_probe --allow-net --allow-env --allow-sys --allow-read "$HERE/mongo_ready.ts" "mongodb://127.0.0.1:$MONGO_PORT/"
}

ferret_start() {
  local start
  start="$(now_ms)"
  local pidfile="$FERRET_RUN/ferretdb.pid" logfile="$FERRET_RUN/ferretdb.log"
  if pid_alive "$pidfile" "$FERRET_NEEDLE"; then
    assert_same_port ferretdb "$FERRET_RUN/ferretdb.port" "$MONGO_PORT"
    log "ferretdb: already running (pid $(head -n1 "$pidfile"))"
    wait_ready ferretdb "$logfile" "$pidfile" "$FERRET_NEEDLE" "$(now_ms)" ferret_ready
    return
  fi
  assert_port_free ferretdb "$MONGO_PORT"
  mkdir -p "$FERRET_RUN/data" "$FERRET_RUN/state"
  # --log-level=error: at warn, v1 logs a full message dump each time a driver sends endSessions (unsupported)
  log "ferretdb: starting $FERRETDB_VERSION (sqlite) on 127.0.0.1:$MONGO_PORT…"
  echo "$MONGO_PORT" >"$FERRET_RUN/ferretdb.port"
  spawn "$logfile" "$pidfile" "$FERRET_BIN" --handler=sqlite "--sqlite-url=file:$FERRET_RUN/data/" \
    "--listen-addr=127.0.0.1:$MONGO_PORT" "--state-dir=$FERRET_RUN/state" --debug-addr=- \
    --telemetry=disable --log-level=error --log-format=text
  wait_ready ferretdb "$logfile" "$pidfile" "$FERRET_NEEDLE" "$start" ferret_ready || {
    ferret_stop
    return 1
  }
}

ferret_stop() { stop_pid ferretdb "$FERRET_RUN/ferretdb.pid" "$FERRET_NEEDLE"; }
ferret_running() { pid_alive "$FERRET_RUN/ferretdb.pid" "$FERRET_NEEDLE"; }
ferret_env() { echo "export AIOT_TEST_MONGO_URL=mongodb://127.0.0.1:$MONGO_PORT/"; }

# ------------------------------------------------------------------------------------------------ janus

# Janus WebRTC gateway (apt `janus`, 1.1.2) with only its HTTP transport (API on 127.0.0.1) and the
# streaming plugin, for camera relays; ffmpeg (apt) comes with it: the camera supervisor runs it.
# One secret (generated once, kept in run/janus/secret) is both the API secret every request carries
# and the streaming plugin's admin key (needed to create/destroy mountpoints). ICE is lite (AIOT's
# WHEP bridge answers the browser's offer with Janus' own offer turned into an answer, see
# core/cameras/whep_bridge.ts) and uses UDP ports JANUS_ICE_PORTS; mountpoints get RTP ports from
# JANUS_RTP_PORTS.
JANUS_RUN="$RUN/janus"
JANUS_NEEDLE="$JANUS_RUN/conf"
JANUS_RTP_PORTS="${AIOT_TEST_JANUS_RTP_PORTS:-21000-21999}"
JANUS_ICE_PORTS="${AIOT_TEST_JANUS_ICE_PORTS:-22000-22999}"

janus_bin() { command -v janus || { [[ -x /usr/bin/janus ]] && echo /usr/bin/janus; }; }

# The camera tests' RTSP test camera (infra/cameras/rtsp_test_camera.py): GStreamer's RTSP server from
# Python, with x264/x265 encoders and the clock overlay.
TEST_CAMERA_PACKAGES=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad gstreamer1.0-x)
test_camera_ready() {
  /usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0"); gi.require_version("Gst", "1.0")
from gi.repository import Gst; Gst.init(None)
assert all(Gst.ElementFactory.find(e) for e in ["x264enc", "x265enc", "rtph264pay", "clockoverlay"])' 2>/dev/null
}

janus_install() {
  if janus_bin >/dev/null && command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null && test_camera_ready; then
    log "janus: $("$(janus_bin)" --version 2>/dev/null | sed -n 's/^Janus version: .*(\(.*\))/\1/p') and ffmpeg already installed"
    return 0
  fi
  apt_install janus ffmpeg "${TEST_CAMERA_PACKAGES[@]}"
}

janus_secret() {
  mkdir -p "$JANUS_RUN"
  [[ -s "$JANUS_RUN/secret" ]] || (umask 077 && head -c 24 /dev/urandom | base64 | tr '+/' '-_' >"$JANUS_RUN/secret")
  cat "$JANUS_RUN/secret"
}

# The configuration compose's janus service runs with (infra/deploy/janus/start.sh), on local ports.
janus_write_config() {
  AIOT_JANUS_CONF_DIR="$JANUS_RUN/conf" AIOT_JANUS_SECRET="$(janus_secret)" AIOT_JANUS_HTTP_PORT="$JANUS_PORT" \
    AIOT_JANUS_HTTP_IP=127.0.0.1 AIOT_JANUS_ICE_PORTS="$JANUS_ICE_PORTS" AIOT_JANUS_RTP_PORTS="$JANUS_RTP_PORTS" \
    bash "$HERE/../deploy/janus/start.sh" --config-only
}

# A real request: the `info` endpoint answers with the server name of our config.
janus_ready() {
  curl -fsS --max-time 3 "http://127.0.0.1:$JANUS_PORT/janus/info" | grep -q '"aiot-janus"'
}

janus_start() {
  local start
  start="$(now_ms)"
  local pidfile="$JANUS_RUN/janus.pid" logfile="$JANUS_RUN/janus.log"
  if pid_alive "$pidfile" "$JANUS_NEEDLE"; then
    assert_same_port janus "$JANUS_RUN/janus.port" "$JANUS_PORT"
    log "janus: already running (pid $(head -n1 "$pidfile"))"
    wait_ready janus "$logfile" "$pidfile" "$JANUS_NEEDLE" "$(now_ms)" janus_ready
    return
  fi
  assert_port_free janus "$JANUS_PORT"
  janus_write_config
  log "janus: starting on 127.0.0.1:$JANUS_PORT…"
  echo "$JANUS_PORT" >"$JANUS_RUN/janus.port"
  spawn "$logfile" "$pidfile" "$(janus_bin)" --configs-folder="$JANUS_RUN/conf" --config="$JANUS_RUN/conf/janus.jcfg" \
    --disable-colors --log-stdout
  wait_ready janus "$logfile" "$pidfile" "$JANUS_NEEDLE" "$start" janus_ready || {
    janus_stop
    return 1
  }
}

janus_stop() { stop_pid janus "$JANUS_RUN/janus.pid" "$JANUS_NEEDLE"; }
janus_running() { pid_alive "$JANUS_RUN/janus.pid" "$JANUS_NEEDLE"; }
janus_env() {
  echo "export AIOT_TEST_JANUS_URL=http://127.0.0.1:$JANUS_PORT/janus"
  echo "export AIOT_TEST_JANUS_SECRET=$(janus_secret)"
}

# ----------------------------------------------------------------------------------------------- jaeger

# Jaeger v2 (the all-in-one built on the OpenTelemetry collector) for the tracing tests: OTLP/HTTP in,
# traces kept in memory, the query API (and UI, given its assets) out. Built from the Go module proxy in
# the module's own folder: `go install …@version` refuses a module whose go.mod has replace directives.
JAEGER_HOME="$CACHE/jaeger-${JAEGER_VERSION#v}"
JAEGER_BIN="$JAEGER_HOME/jaeger"
JAEGER_RUN="$RUN/jaeger"
JAEGER_NEEDLE="$JAEGER_RUN/config.yaml"

jaeger_install() {
  if [[ -x "$JAEGER_BIN" ]]; then
    log "jaeger: $JAEGER_VERSION already installed"
    return 0
  fi
  command -v go >/dev/null || [[ ! -x /usr/local/go/bin/go ]] || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null || die "jaeger: Go toolchain missing (needed to build Jaeger from the Go module proxy)"
  local start dir
  start="$(now_ms)"
  log "jaeger: building $JAEGER_VERSION from the Go module proxy (several minutes on 2 cores)…"
  dir="$(cd "$CACHE" && go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || die "jaeger: go mod download failed"
  mkdir -p "$JAEGER_HOME"
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -o "$JAEGER_BIN.tmp" ./cmd/jaeger) >&2 ||
    die "jaeger: go build failed"
  mv "$JAEGER_BIN.tmp" "$JAEGER_BIN"
  log "jaeger: installed $JAEGER_VERSION ($(secs_since "$start") s)"
}

jaeger_write_config() {
  mkdir -p "$JAEGER_RUN"
  local ui=""
  if [[ -n "${AIOT_JAEGER_UI_ASSETS:-}" ]]; then
    [[ -f "$AIOT_JAEGER_UI_ASSETS/index.html" ]] || die "jaeger: AIOT_JAEGER_UI_ASSETS has no index.html"
    ui="    ui:
      assets_path: \"$AIOT_JAEGER_UI_ASSETS\""
  fi
  cat >"$JAEGER_RUN/config.yaml" <<EOF
# generated by infra/local/engines.sh — rewritten on every start
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:$JAEGER_QUERY_PORT
    grpc:
      endpoint: 127.0.0.1:$JAEGER_GRPC_PORT
$ui
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:$JAEGER_OTLP_PORT
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
EOF
}

# A real round trip: an (empty) OTLP/HTTP export is accepted, and the query API answers with JSON.
jaeger_ready() {
  curl -fsS --max-time 3 -X POST -H 'content-type: application/json' -d '{"resourceSpans":[]}' \
    "http://127.0.0.1:$JAEGER_OTLP_PORT/v1/traces" >/dev/null &&
    curl -fsS --max-time 3 "http://127.0.0.1:$JAEGER_QUERY_PORT/api/services" | grep -q '"data"'
}

jaeger_start() {
  local start
  start="$(now_ms)"
  local pidfile="$JAEGER_RUN/jaeger.pid" logfile="$JAEGER_RUN/jaeger.log"
  if pid_alive "$pidfile" "$JAEGER_NEEDLE"; then
    assert_same_port jaeger "$JAEGER_RUN/jaeger.port" "$JAEGER_QUERY_PORT"
    log "jaeger: already running (pid $(head -n1 "$pidfile"))"
    wait_ready jaeger "$logfile" "$pidfile" "$JAEGER_NEEDLE" "$(now_ms)" jaeger_ready
    return
  fi
  assert_port_free jaeger "$JAEGER_QUERY_PORT"
  assert_port_free jaeger "$JAEGER_OTLP_PORT"
  jaeger_write_config
  log "jaeger: starting $JAEGER_VERSION (OTLP/HTTP 127.0.0.1:$JAEGER_OTLP_PORT, query 127.0.0.1:$JAEGER_QUERY_PORT)…"
  echo "$JAEGER_QUERY_PORT" >"$JAEGER_RUN/jaeger.port"
  spawn "$logfile" "$pidfile" "$JAEGER_BIN" --config "$JAEGER_RUN/config.yaml"
  wait_ready jaeger "$logfile" "$pidfile" "$JAEGER_NEEDLE" "$start" jaeger_ready || {
    jaeger_stop
    return 1
  }
}

jaeger_stop() { stop_pid jaeger "$JAEGER_RUN/jaeger.pid" "$JAEGER_NEEDLE"; }
jaeger_running() { pid_alive "$JAEGER_RUN/jaeger.pid" "$JAEGER_NEEDLE"; }
jaeger_env() {
  echo "export AIOT_TEST_OTLP_ENDPOINT=http://127.0.0.1:$JAEGER_OTLP_PORT"
  echo "export AIOT_TEST_JAEGER_QUERY_URL=http://127.0.0.1:$JAEGER_QUERY_PORT"
}

# ------------------------------------------------------------------------------------------------- rtmp

# nginx with the RTMP module (apt libnginx-mod-rtmp): push cameras publish to rtmp://…/live/<stream key>
# (the key, shown once by POST /cameras, is the secret: only a publisher that knows it feeds the stream
# AIOT's relay plays); playing is allowed from loopback only.
RTMP_RUN="$RUN/rtmp"
RTMP_NEEDLE="$RUN/rtmp/nginx.conf"
RTMP_MODULE=/usr/lib/nginx/modules/ngx_rtmp_module.so

rtmp_install() {
  if nginx_bin >/dev/null && [[ -f "$RTMP_MODULE" ]]; then
    log "rtmp: nginx $("$(nginx_bin)" -v 2>&1 | sed 's/^nginx version: nginx\///') with the RTMP module already installed"
    return 0
  fi
  apt_install nginx libnginx-mod-rtmp
}

# A real request: the RTMP handshake (C0+C1 out, S0 = version 3 back).
rtmp_ready() {
  local got
  got="$(
    exec 3<>"/dev/tcp/127.0.0.1/$RTMP_PORT" || exit 1
    { printf '\003'; head -c 1536 /dev/zero; } >&3
    timeout 3 head -c 1 <&3 | od -An -tx1 | tr -d ' \n'
  )" || return 1
  [[ "$got" == 03 ]]
}

rtmp_start() {
  local start
  start="$(now_ms)"
  local pidfile="$RTMP_RUN/rtmp.pid" logfile="$RTMP_RUN/rtmp.log"
  if pid_alive "$pidfile" "$RTMP_NEEDLE"; then
    assert_same_port rtmp "$RTMP_RUN/rtmp.port" "$RTMP_PORT"
    log "rtmp: already running (pid $(head -n1 "$pidfile"))"
    wait_ready rtmp "$logfile" "$pidfile" "$RTMP_NEEDLE" "$(now_ms)" rtmp_ready
    return
  fi
  assert_port_free rtmp "$RTMP_PORT"
  mkdir -p "$RTMP_RUN/temp"
  cat >"$RTMP_RUN/nginx.conf" <<EOF
# generated by infra/local/engines.sh — rewritten on every start
load_module $RTMP_MODULE;
worker_processes 1;
pid $RTMP_RUN/nginx.pid;
error_log $RTMP_RUN/error.log warn;
events { worker_connections 1024; }
rtmp {
  server {
    listen 127.0.0.1:$RTMP_PORT;
    chunk_size 4096;
    application live {
      live on;
      record off;
      allow play 127.0.0.1;
      deny play all;
      drop_idle_publisher 10s;
    }
  }
}
EOF
  log "rtmp: starting nginx-rtmp on 127.0.0.1:$RTMP_PORT…"
  echo "$RTMP_PORT" >"$RTMP_RUN/rtmp.port"
  spawn "$logfile" "$pidfile" "$(nginx_bin)" -p "$RTMP_RUN/temp" -c "$RTMP_RUN/nginx.conf" -g 'daemon off;'
  wait_ready rtmp "$logfile" "$pidfile" "$RTMP_NEEDLE" "$start" rtmp_ready || {
    rtmp_stop
    return 1
  }
}

rtmp_stop() { stop_pid rtmp "$RTMP_RUN/rtmp.pid" "$RTMP_NEEDLE"; }
rtmp_running() { pid_alive "$RTMP_RUN/rtmp.pid" "$RTMP_NEEDLE"; }
rtmp_env() { echo "export AIOT_TEST_RTMP_URL=rtmp://127.0.0.1:$RTMP_PORT/live"; }

# ------------------------------------------------------------------------------------------------- main

fn_prefix() {
  case "$1" in
  kafka) echo kafka ;;
  postgres) echo pg ;;
  mosquitto) echo mq ;;
  ferretdb) echo ferret ;;
  janus) echo janus ;;
  rtmp) echo rtmp ;;
  jaeger) echo jaeger ;;
  *) die "unknown engine '$1' (kafka|postgres|mosquitto|ferretdb|janus|rtmp|jaeger)" ;;
  esac
}

# run one engine action under a per-engine lock (parallel callers wait for each other)
locked() {
  local engine="$1" action="$2"
  mkdir -p "$RUN"
  (
    exec 9>"$RUN/.$engine.lock"
    flock 9
    "$(fn_prefix "$engine")_$action"
  )
}

# run an action for several engines in parallel; fail if any failed
parallel() {
  local action="$1" pids=() names=() rc=0 i
  shift
  for engine in "$@"; do
    locked "$engine" "$action" &
    pids+=("$!")
    names+=("$engine")
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      log "${names[$i]}: $action FAILED"
      rc=1
    fi
  done
  return "$rc"
}

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

main() {
  (($# >= 1)) || usage
  local cmd="$1" engines=()
  shift
  if (($# == 0)); then engines=("${ALL_ENGINES[@]}"); else engines=("$@"); fi
  local e
  for e in "${engines[@]}"; do fn_prefix "$e" >/dev/null; done
  mkdir -p "$CACHE" "$RUN"

  case "$cmd" in
  install)
    local start tools=()
    start="$(now_ms)"
    (($# > 0)) || tools=("${ALL_TOOLS[@]}")
    apt_preinstall "${engines[@]}" "${tools[@]}"
    ((${#tools[@]} == 0)) || tools_report
    for e in "${engines[@]}"; do locked "$e" install; done
    find_deno
    # warm Deno's npm cache for the readiness probes (kafkajs, mongodb)
    (cd "$HERE" && "$DENO_BIN" cache --quiet --no-lock kafka_ready.ts mongo_ready.ts) >&2
    log "install: done ($(secs_since "$start") s)"
    ;;
  start)
    local start
    start="$(now_ms)"
    # installs run one at a time (apt/mvn/go share caches), starts in parallel
    apt_preinstall "${engines[@]}"
    for e in "${engines[@]}"; do locked "$e" install; done
    find_deno
    parallel start "${engines[@]}"
    log "start: all ready (${engines[*]}) ($(secs_since "$start") s)"
    ;;
  stop)
    parallel stop "${engines[@]}"
    ;;
  restart)
    parallel stop "${engines[@]}"
    main start "${engines[@]}"
    ;;
  status)
    local rc=0
    for e in "${engines[@]}"; do
      if "$(fn_prefix "$e")_running"; then
        printf '%-10s running  127.0.0.1:%s\n' "$e" "$(port_of "$e")"
      else
        printf '%-10s stopped  127.0.0.1:%s\n' "$e" "$(port_of "$e")"
        rc=3
      fi
    done
    return "$rc"
    ;;
  env)
    for e in "${engines[@]}"; do "$(fn_prefix "$e")_env"; done
    ;;
  *) usage ;;
  esac
}

main "$@"

#!/usr/bin/env bash
# The local stack, without Docker: a real Kafka broker (KRaft), PostgreSQL, Milvus Lite and the
# schema registry, each with its data under .stack/ so a restart keeps it.
#
#   scripts/stack.sh up|down|status|logs|restart [service ...]
#
# Services start in order kafka, postgres, milvus, registry. Every start is idempotent and waits
# until the service really answers; a failure names the service and its log file.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK=${HEADWATER_STACK_DIR:-$ROOT/.stack}
RUN=$STACK/run
LOGS=$STACK/logs
PY=$ROOT/.venv/bin/python
ALL=(kafka postgres milvus registry)
KAFKA_PORT=9092
PG_PORT=5432
MILVUS_PORT=19530
REGISTRY_PORT=8081

mkdir -p "$RUN" "$LOGS"

say() { printf '%-9s %s\n' "$1" "$2"; }
die() { say "$1" "FAILED: $2 (log: $LOGS/$1.log)" >&2; [ -f "$LOGS/$1.log" ] && tail -n 20 "$LOGS/$1.log" >&2; exit 1; }

pid_alive() { local f=$RUN/$1.pid; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop_pid() {
  local name=$1 f=$RUN/$1.pid
  if pid_alive "$name"; then
    local pid; pid=$(cat "$f")
    # Services run under setsid, so their pid is their process group: stop the whole group.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
    say "$name" "stopped"
  else
    say "$name" "not running"
  fi
  rm -f "$f"
}

# ---------------------------------------------------------------- kafka
KAFKA_DIR=$STACK/kafka
KAFKA_LIBS=$KAFKA_DIR/libs
KAFKA_POM=$ROOT/docker/kafka/pom.xml

kafka_install() {
  local stamp; stamp=$(sha1sum "$KAFKA_POM" | cut -c1-12)
  [ -f "$KAFKA_LIBS/.stamp-$stamp" ] && return 0
  say kafka "resolving broker jars from Maven Central (docker/kafka/pom.xml)"
  command -v java >/dev/null || die kafka "java not found: install a JDK 17"
  command -v mvn >/dev/null || die kafka "mvn not found: install Maven"
  rm -rf "$KAFKA_LIBS"; mkdir -p "$KAFKA_LIBS"
  mvn -q -B -f "$KAFKA_POM" dependency:copy-dependencies \
      -DoutputDirectory="$KAFKA_LIBS" -DincludeScope=runtime >"$LOGS/kafka-install.log" 2>&1 \
    || die kafka-install "mvn could not resolve the broker"
  touch "$KAFKA_LIBS/.stamp-$stamp"
}

KAFKA_HEAP=${KAFKA_HEAP:-1g}
kafka_java() {
  java -Xms256m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
       -Dlog4j.configuration="file:$ROOT/docker/kafka/log4j.properties" \
       -cp "$KAFKA_LIBS/*" "$@"
}

kafka_up() {
  if pid_alive kafka; then say kafka "already running on 127.0.0.1:$KAFKA_PORT"; return 0; fi
  port_open $KAFKA_PORT && die kafka "port $KAFKA_PORT is taken by another process"
  kafka_install
  mkdir -p "$KAFKA_DIR/data"
  sed "s#@LOG_DIRS@#$KAFKA_DIR/data#" "$ROOT/docker/kafka/server.properties" >"$KAFKA_DIR/server.properties"
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    say kafka "formatting storage (first start)"
    local cid; cid=$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    kafka_java kafka.tools.StorageTool format -t "$cid" -c "$KAFKA_DIR/server.properties" \
      >>"$LOGS/kafka.log" 2>&1 || die kafka "storage format failed"
  fi
  # nohup + setsid: the broker outlives the shell (and the terminal) that started it.
  nohup setsid java -Xms256m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
       -Dlog4j.configuration="file:$ROOT/docker/kafka/log4j.properties" \
       -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_DIR/server.properties" \
       >>"$LOGS/kafka.log" 2>&1 </dev/null &
  echo $! >"$RUN/kafka.pid"
  "$PY" "$ROOT/scripts/wait_for.py" kafka --timeout 90 || die kafka "broker did not answer on 127.0.0.1:$KAFKA_PORT"
  say kafka "up on 127.0.0.1:$KAFKA_PORT (data: $KAFKA_DIR/data)"
}

kafka_down() { stop_pid kafka; }

# ---------------------------------------------------------------- postgres
PG_DIR=$STACK/postgres
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# PostgreSQL refuses to run as root: as root we run it as the 'postgres' user the package adds.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_install() {
  [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] && return 0
  say postgres "installing Debian's postgresql server package"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql; } \
    >"$LOGS/postgres-install.log" 2>&1 || die postgres-install "apt-get install postgresql failed"
}

postgres_up() {
  postgres_install
  local bin; bin=$(pg_bin)
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_DIR"; fi
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    say postgres "initdb (first start)"
    as_pg "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$LOGS/postgres-initdb.log" 2>&1 || die postgres-initdb "initdb failed"
  fi
  if as_pg "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
    say postgres "already running on 127.0.0.1:$PG_PORT"
  else
    port_open $PG_PORT && die postgres "port $PG_PORT is taken by another process"
    touch "$LOGS/postgres.log"; [ "$(id -u)" = 0 ] && chown postgres: "$LOGS/postgres.log"
    as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -l "$LOGS/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=on -c max_connections=200" \
      start >/dev/null || die postgres "pg_ctl start failed"
  fi
  # The application role and database; idempotent.
  local psql=("$bin/psql" -h 127.0.0.1 -p $PG_PORT -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='headwater'")" ]; then
    "${psql[@]}" -c "CREATE ROLE headwater LOGIN CREATEDB" >/dev/null
  fi
  # DROP DATABASE ... WITH (FORCE) must also end an autovacuum worker that happens to be in
  # the database; without pg_signal_backend a non-superuser is refused (PostgreSQL 15).
  "${psql[@]}" -c "GRANT pg_signal_backend TO headwater" >/dev/null 2>&1
  if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='headwater'")" ]; then
    "${psql[@]}" -c "CREATE DATABASE headwater OWNER headwater" >/dev/null
  fi
  say postgres "up on 127.0.0.1:$PG_PORT (data: $PG_DIR/data)"
}

postgres_down() {
  local bin; bin=$(pg_bin)
  if [ -n "$bin" ] && [ -f "$PG_DIR/data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null && say postgres "stopped"
  else
    say postgres "not running"
  fi
}

postgres_status() {
  local bin; bin=$(pg_bin)
  [ -n "$bin" ] && [ -f "$PG_DIR/data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1
}

# ---------------------------------------------------------------- milvus
milvus_up() {
  if pid_alive milvus; then say milvus "already running on 127.0.0.1:$MILVUS_PORT"; return 0; fi
  port_open $MILVUS_PORT && die milvus "port $MILVUS_PORT is taken by another process"
  mkdir -p "$STACK/milvus"
  nohup setsid "$ROOT/.venv/bin/milvus-lite" server --data-dir "$STACK/milvus" --host 127.0.0.1 \
    --port $MILVUS_PORT >>"$LOGS/milvus.log" 2>&1 </dev/null &
  echo $! >"$RUN/milvus.pid"
  "$PY" "$ROOT/scripts/wait_for.py" milvus --timeout 60 || die milvus "Milvus Lite did not answer on 127.0.0.1:$MILVUS_PORT"
  say milvus "up on 127.0.0.1:$MILVUS_PORT (data: $STACK/milvus)"
}
milvus_down() { stop_pid milvus; }

# ---------------------------------------------------------------- schema registry
registry_up() {
  if [ ! -f "$ROOT/registry/__main__.py" ]; then say registry "not part of this checkout yet"; return 0; fi
  if pid_alive registry; then say registry "already running on 127.0.0.1:$REGISTRY_PORT"; return 0; fi
  port_open $REGISTRY_PORT && die registry "port $REGISTRY_PORT is taken by another process"
  ( cd "$ROOT" && exec nohup setsid "$PY" -m registry --host 127.0.0.1 --port $REGISTRY_PORT \
      >>"$LOGS/registry.log" 2>&1 </dev/null ) &
  echo $! >"$RUN/registry.pid"
  "$PY" "$ROOT/scripts/wait_for.py" "http://127.0.0.1:$REGISTRY_PORT/subjects" --timeout 60 \
    || die registry "schema registry did not answer on 127.0.0.1:$REGISTRY_PORT"
  say registry "up on http://127.0.0.1:$REGISTRY_PORT"
}
registry_down() { stop_pid registry; }

# ---------------------------------------------------------------- worker (started by the demo)
worker_down() { [ -f "$RUN/worker.pid" ] && stop_pid worker || true; }

# ---------------------------------------------------------------- commands
status_one() {
  local s=$1 ok=down
  case $s in
    postgres) postgres_status && ok=up ;;
    *) pid_alive "$s" && ok=up ;;
  esac
  say "$s" "$ok"
  [ "$ok" = up ]
}

cmd=${1:-status}; shift || true
services=("$@"); [ ${#services[@]} -eq 0 ] && services=("${ALL[@]}")

case $cmd in
  up) for s in "${services[@]}"; do "${s}_up"; done ;;
  down)
    [ $# -eq 0 ] && worker_down
    for ((i=${#services[@]}-1; i>=0; i--)); do "${services[$i]}_down"; done ;;
  restart)
    for ((i=${#services[@]}-1; i>=0; i--)); do "${services[$i]}_down"; done
    for s in "${services[@]}"; do "${s}_up"; done ;;
  status)
    rc=0; for s in "${services[@]}"; do status_one "$s" || rc=1; done
    pid_alive worker && say worker "up (pid $(cat "$RUN/worker.pid"))"
    exit $rc ;;
  logs)
    for s in "${services[@]}"; do echo "==> $LOGS/$s.log <=="; tail -n 30 "$LOGS/$s.log" 2>/dev/null || echo "(no log yet)"; done ;;
  *) echo "usage: $0 up|down|status|logs|restart [kafka|postgres|milvus|registry ...]" >&2; exit 2 ;;
esac

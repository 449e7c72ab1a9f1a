#!/usr/bin/env bash
# `make demo`: the stack is up (make up ran first); start a worker in the background, wait until
# it is healthy, run the main job on sample traffic and show what came out.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUN=.stack/run LOGS=.stack/logs
BIN=.venv/bin
PORT=${WEB_PORT:-6066}
mkdir -p "$RUN" "$LOGS"

if [ -f "$RUN/worker.pid" ] && kill -0 "$(cat "$RUN/worker.pid")" 2>/dev/null; then
  echo "worker    already running (pid $(cat "$RUN/worker.pid"))"
else
  # Demo data stays apart from test runs: its own app id and data dir.
  APP_ID=${APP_ID:-headwater-demo} DATA_DIR=${DATA_DIR:-.stack/demo-data} \
    nohup setsid "$BIN/faust" -A app worker -l info >"$LOGS/worker.log" 2>&1 </dev/null &
  echo $! >"$RUN/worker.pid"
  echo "worker    starting (log: $LOGS/worker.log)"
fi

if ! "$BIN/python" scripts/wait_for.py "http://127.0.0.1:$PORT/health" --timeout 120; then
  echo "worker    FAILED: /health did not answer 200 (log: $LOGS/worker.log)" >&2
  tail -n 30 "$LOGS/worker.log" >&2
  exit 1
fi
# /health answers as soon as the web server is up; agents start after the group has formed.
for _ in $(seq 1 240); do
  grep -q "\[\^Worker\]: Ready" "$LOGS/worker.log" 2>/dev/null && break
  sleep 0.5
done
echo
echo "GET http://127.0.0.1:$PORT/health"
curl -s "http://127.0.0.1:$PORT/health" | "$BIN/python" -m json.tool
if [ -x scripts/demo_traffic.sh ]; then scripts/demo_traffic.sh; fi
echo
echo "The stack and the worker keep running: 'make status' shows them, 'make down' stops them."

#!/usr/bin/env bash
# The main job on sample traffic: seed the catalog (once), create an API key, send generated
# sessions through the pipeline, and show what came out of each stage.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BIN=.venv/bin
PORT=${WEB_PORT:-6066}
URL="http://127.0.0.1:$PORT"
export APP_ID=${APP_ID:-headwater-demo}

products() {
  "$BIN/python" - <<'PY'
import asyncio, asyncpg
from app.settings import get_settings
async def main():
    con = await asyncpg.connect(get_settings().database_url)
    try:
        print(await con.fetchval("SELECT count(*) FROM products"))
    finally:
        await con.close()
asyncio.run(main())
PY
}
count=$(products)
if [ "$count" = "0" ]; then
  echo "catalog   seeding 3000 products into PostgreSQL"
  "$BIN/faust" -A app catalog seed --products 3000 >.stack/logs/demo-seed.log 2>&1 || true
  count=$(products)
  if [ "$count" = "0" ]; then echo "catalog   FAILED (log: .stack/logs/demo-seed.log)" >&2; exit 1; fi
  echo "catalog   $count products seeded"
else
  echo "catalog   $count products already in PostgreSQL"
fi

KEY_FILE=.stack/demo-api-key
if [ ! -s "$KEY_FILE" ]; then
  "$BIN/faust" -A app create-key --role admin --label demo 2>/dev/null | tail -n 1 >"$KEY_FILE"
fi
KEY=$(cat "$KEY_FILE")
echo "api key   $KEY (admin; stored in $KEY_FILE)"

echo
echo "traffic   3000 events: shoppers, 10% bots, 5% malformed, PII pasted into searches"
"$BIN/faust" -A app generate --events 3000 --seed "$RANDOM" 2>/dev/null | tail -n 1

USER_ID=demo-shopper-$RANDOM
now() { date -u +%Y-%m-%dT%H:%M:%S.000Z; }
curl -s -X POST "$URL/v1/events" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"events\": [
    {\"event_type\": \"product_view\", \"user_id\": \"$USER_ID\", \"anonymous_id\": \"a-$USER_ID\",
     \"session_id\": \"s-$USER_ID\", \"product_id\": \"P000001\", \"occurred_at\": \"$(now)\",
     \"properties\": {\"js\": \"1\"}},
    {\"event_type\": \"search\", \"user_id\": \"$USER_ID\", \"anonymous_id\": \"a-$USER_ID\",
     \"session_id\": \"s-$USER_ID\", \"query\": \"lenses for jane@example.com\", \"occurred_at\": \"$(now)\",
     \"properties\": {\"js\": \"1\"}}]}" >/dev/null
echo "shopper   $USER_ID viewed P000001 and searched (through POST /v1/events)"
for _ in $(seq 1 60); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$URL/v1/sessions/$USER_ID")
  [ "$code" = 200 ] && break
  sleep 1
done

echo
echo "== per-stage accounting (GET $URL/metrics)"
curl -s "$URL/metrics" | { grep -E '^headwater_stage_(in|out|dead_lettered|dropped)_total' || true; } | sed 's/^/  /'
echo
echo "== GET /v1/recommendations/$USER_ID"
curl -s -H "Authorization: Bearer $KEY" "$URL/v1/recommendations/$USER_ID?k=5" | "$BIN/python" -m json.tool | sed -n "1,40p"

# The shopper keeps browsing: the list follows what was just seen.
curl -s -X POST "$URL/v1/events" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"events\": [
    {\"event_type\": \"product_view\", \"user_id\": \"$USER_ID\", \"anonymous_id\": \"a-$USER_ID\",
     \"session_id\": \"s-$USER_ID\", \"product_id\": \"P000003\", \"occurred_at\": \"$(now)\",
     \"properties\": {\"js\": \"1\"}},
    {\"event_type\": \"add_to_cart\", \"user_id\": \"$USER_ID\", \"anonymous_id\": \"a-$USER_ID\",
     \"session_id\": \"s-$USER_ID\", \"product_id\": \"P000003\", \"quantity\": 1,
     \"occurred_at\": \"$(now)\", \"properties\": {\"js\": \"1\"}}]}" >/dev/null
sleep 3
echo
echo "== after $USER_ID views and carts P000003: GET /v1/recommendations/$USER_ID?k=5 (ids, why)"
curl -s -H "Authorization: Bearer $KEY" "$URL/v1/recommendations/$USER_ID?k=5" | "$BIN/python" -c "
import json, sys
for i in json.load(sys.stdin)['items']:
    print(f\"  {i['rank']}. {i['product_id']}  {i['score']:.3f}  {i['explanation']}\")"
echo
echo "== GET /v1/sessions/$USER_ID"
curl -s -H "Authorization: Bearer $KEY" "$URL/v1/sessions/$USER_ID" | "$BIN/python" -m json.tool | sed -n "1,25p"
cat <<TXT

Subscribe to recommendations as any Kafka client would (Confluent wire format, Avro):
  .venv/bin/python scripts/consume.py action.recommendations
  or Kafka's own console consumer (bytes):
  java -cp '.stack/kafka/libs/*' kafka.tools.ConsoleConsumer --bootstrap-server 127.0.0.1:9092 \\
       --topic action.recommendations --from-beginning --property print.key=true
Query:  curl -H "Authorization: Bearer $KEY" $URL/v1/recommendations/<user>?k=10
        curl -H "Authorization: Bearer $KEY" $URL/v1/sessions/<user>   /v1/profiles/<user>
        curl $URL/health   $URL/metrics
TXT

#!/usr/bin/env bash
# Benchmarks for the document library (issue: import time, and requests/second with
# p50/p99 latency for a document page and the document list under concurrent load), on
# SQLite and on PostgreSQL, in one run. Needs: a release build, wrk, PostgreSQL at
# 127.0.0.1:5432, and ../shared/data/laws-corpus.jsonl. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/data/laws-corpus.jsonl}
DURATION=${DURATION:-15s}
CONNS=${CONNS:-16}
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p gongkai
BIN=${BIN:-$PWD/target/release/gongkai}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

run_backend() {
  local name=$1 url=$2 port=$3
  local args=(--data "$work/$name" --config /nonexistent.toml)
  [ -n "$url" ] && args+=(--database-url "$url")
  "$BIN" "${args[@]}" org add "基准测试机构" --kind office --credit-code 11371202K21349004N >/dev/null
  local t0 t1
  t0=$(date +%s.%N)
  "$BIN" "${args[@]}" import "$CORPUS" --json > "$work/$name-import.json"
  t1=$(date +%s.%N)
  local imported
  imported=$(python3 -c "import json,sys; print(json.load(open('$work/$name-import.json'))['imported'])")
  local secs
  secs=$(python3 -c "print(f'{$t1-$t0:.1f}')")
  t0=$(date +%s.%N)
  "$BIN" "${args[@]}" reindex >/dev/null
  t1=$(date +%s.%N)
  local reindex_secs
  reindex_secs=$(python3 -c "print(f'{$t1-$t0:.1f}')")
  "$BIN" "${args[@]}" serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local id
  id=$(curl -s "http://127.0.0.1:$port/api/v1/documents?q=%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80%E6%9D%A1%E4%BE%8B" | python3 -c "import json,sys; print(json.load(sys.stdin)['items'][0]['id'])")
  local sq="%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80"   # 政府信息公开
  for page in "document page|/documents/$id" "document list|/documents?page=5" "list API|/api/v1/documents?page=5" \
              "search page (政府信息公开)|/search?q=$sq" "search API (政府信息公开)|/api/v1/search?q=$sq" \
              "passages API|/api/v1/passages?q=%E7%94%B3%E8%AF%B7%E5%85%AC%E5%BC%80%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%A4%9A%E4%B9%85%E7%AD%94%E5%A4%8D&k=5"; do
    local label=${page%%|*} path=${page#*|}
    wrk -t2 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$port$path" > "$work/wrk.txt"
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
    p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
    p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
    echo "| $name | $label | $CONNS | $rps | $p50 | $p99 |"
  done
  echo "| $name | import $imported documents | — | ${secs} s | | |"
  echo "| $name | build search index (documents + articles) | — | ${reindex_secs} s | | |"
  kill $pid; wait $pid 2>/dev/null || true
}

echo "| store | what | connections | requests/s (or time) | p50 | p99 |"
echo "|---|---|---|---|---|---|"
run_backend sqlite "" 18181
PGDB=gongkai_bench_$$
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $PGDB" postgres
# A Unix socket: sqlx 0.9.0 leaves Nagle's algorithm on for TCP (transact-rs/sqlx#4335),
# which costs ~40 ms on every large statement over loopback TCP.
PG_SOCKET=${PG_SOCKET:-/var/run/postgresql}
run_backend postgresql "postgres://postgres@localhost/$PGDB?host=$PG_SOCKET" 18182
if [ -n "${PG_TCP_TOO:-}" ]; then run_backend postgresql-tcp "postgres://postgres@127.0.0.1:5432/$PGDB" 18183; fi
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $PGDB" postgres

#!/usr/bin/env bash
# Issue 3's search benchmark, in one run: gongkai's index against SQLite FTS5 (trigram, and
# jieba-segmented text with unicode61) and Lucene 9.9 with CJKAnalyzer (the jar shipped in
# the PyPI package pyserini 0.25.0, run on the machine's Java 17), over the laws corpus and a
# generated corpus of SCALED policy documents; then wrk against the portal's results page
# and /api/v1/search at 1 and 16 connections. Prints Markdown tables (docs/BENCHMARKS.md).
#
#   bash scripts/search-bench.sh            # SCALED=100000 ITER=30 DURATION=10s by default
#
# Needs: cargo, java/javac 17, pip (to fetch pyserini's wheel unless LUCENE_JAR is set),
# wrk, python3, and ../shared/data. Work files go to WORK (a temporary folder by default).
set -euo pipefail
cd "$(dirname "$0")/.."
LAWS=${LAWS:-../shared/data/laws-corpus.jsonl}
QA=${QA:-../shared/data/qa_dev.jsonl}
SCALED=${SCALED:-100000}
ITER=${ITER:-30}
DURATION=${DURATION:-10s}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p gongkai -p gongkai-bench
BENCH=$PWD/target/release/gongkai-bench
BIN=$PWD/target/release/gongkai
JAR=${LUCENE_JAR:-}
if [ -z "$JAR" ]; then
  pip download pyserini==0.25.0 --no-deps -q -d "$WORK/peers"
  unzip -o -q "$WORK"/peers/pyserini-0.25.0-py3-none-any.whl 'pyserini/resources/jars/*' -d "$WORK/peers"
  JAR="$WORK/peers/pyserini/resources/jars/anserini-0.25.0-fatjar.jar"
fi
javac -cp "$JAR" -d "$WORK/lucene" bench/lucene/LuceneBench.java

"$BENCH" corpus --laws "$LAWS" --scaled "$SCALED" --out "$WORK/corpus"
RESULTS=$WORK/results.jsonl
: > "$RESULTS"
for corpus in laws scaled; do
  qa=(); qa_java=-
  if [ "$corpus" = laws ]; then qa=(--qa "$QA"); qa_java=$QA; fi
  for engine in gongkai fts5-trigram fts5-jieba; do
    echo "… $engine on $corpus" >&2
    "$BENCH" run --engine "$engine" --corpus "$WORK/corpus/$corpus.jsonl" --queries "$WORK/corpus/queries.jsonl" \
      "${qa[@]}" --work "$WORK/idx-$engine" --iterations "$ITER" >> "$RESULTS"
    rm -rf "$WORK/idx-$engine"
  done
  echo "… lucene-cjk on $corpus" >&2
  java -Xms2g -Xmx8g -cp "$JAR:$WORK/lucene" LuceneBench "$WORK/corpus/$corpus.jsonl" "$WORK/corpus/queries.jsonl" \
    "$qa_java" "$WORK/idx-lucene" "$ITER" >> "$RESULTS"
  rm -rf "$WORK/idx-lucene"
done
python3 scripts/search-bench-table.py "$RESULTS"

# The portal under load: the laws corpus imported and indexed, the benchmark's queries
# taken in turn (so no single query's pages stay hot), 2 wrk threads.
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk) for the load test"; exit 0; }
data=$WORK/portal
rm -rf "$data"
args=(--data "$data" --config /nonexistent.toml)
"$BIN" "${args[@]}" org add "基准测试机构" --kind office --credit-code 11371202K21349004N >/dev/null
"$BIN" "${args[@]}" import "$LAWS" --json >/dev/null
"$BIN" "${args[@]}" reindex >/dev/null
python3 - "$WORK/corpus/queries.jsonl" > "$WORK/queries.lua" <<'PY'
import json, sys, urllib.parse
qs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
paths = []
for q in qs:
    p = {"q": q["q"]}
    if q.get("validity"): p["validity"] = q["validity"]
    if q.get("year"): p["year"] = str(q["year"])
    paths.append(urllib.parse.urlencode(p))
print("local qs = {" + ",".join('"%s"' % p for p in paths) + "}")
print('local i = 0\nprefix = "/search?"\nrequest = function()\n  i = i % #qs + 1\n  return wrk.format("GET", prefix .. qs[i])\nend')
PY
sed 's#^prefix = "/search?"#prefix = "/api/v1/search?"#' "$WORK/queries.lua" > "$WORK/queries-api.lua"
echo "search_cache = 0" > "$WORK/nocache.toml"
echo
echo "| results cache | what | connections | requests/s | p50 | p99 |"
echo "|---|---|---|---|---|---|"
port=18199
for cache in on off; do
  config=/nonexistent.toml
  [ "$cache" = off ] && config=$WORK/nocache.toml
  "$BIN" --data "$data" --config "$config" serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  for what in "results page|$WORK/queries.lua" "search API|$WORK/queries-api.lua"; do
    label=${what%%|*} script=${what#*|}
    for conns in 1 16; do
      threads=$(( conns < 2 ? 1 : 2 ))
      wrk -t$threads -c$conns -d"$DURATION" --latency -s "$script" "http://127.0.0.1:$port" > "$WORK/wrk.txt"
      rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
      p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.txt")
      p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")
      echo "| $cache | $label (24 queries in turn) | $conns | $rps | $p50 | $p99 |"
    done
  done
  kill $pid; wait $pid 2>/dev/null || true
done

"""Turns the JSON lines of scripts/search-bench.sh into the Markdown tables of
docs/BENCHMARKS.md: one table per corpus with p50 / p99 per query type and the hit counts
of each query, then build time, index size, memory and Recall@5 on qa_dev."""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
engines = []
for r in rows:
    if r["engine"] not in engines:
        engines.append(r["engine"])
for corpus in dict.fromkeys(r["corpus"] for r in rows):
    rs = {r["engine"]: r for r in rows if r["corpus"] == corpus}
    docs = next(iter(rs.values()))["docs"]
    print(f"\n### {corpus}: {docs:,} documents — full results page, p50 / p99 in ms (hits per query)\n")
    print("| query type | " + " | ".join(engines) + " |")
    print("|---|" + "---|" * len(engines))
    kinds = [k["kind"] for k in next(iter(rs.values()))["kinds"]]
    for kind in kinds:
        cells = []
        for e in engines:
            k = next((k for k in rs[e]["kinds"] if k["kind"] == kind), None) if e in rs else None
            if k is None:
                cells.append("—")
                continue
            hits = "/".join(str(h) for h in k["hits"])
            cells.append(f"{k['p50_us']/1000:.2f} / {k['p99_us']/1000:.2f} ({hits})")
        queries = next(k for k in next(iter(rs.values()))["kinds"] if k["kind"] == kind)["queries"]
        print(f"| {kind}: {'、'.join(queries)} | " + " | ".join(cells) + " |")
    print("\n| | " + " | ".join(engines) + " |")
    print("|---|" + "---|" * len(engines))
    print("| index build (s) | " + " | ".join(f"{rs[e]['build_secs']:.1f}" if e in rs else "—" for e in engines) + " |")
    print("| index size (MB) | " + " | ".join(f"{rs[e]['index_bytes']/1e6:.0f}" if e in rs else "—" for e in engines) + " |")
    print("| peak RSS (MB) | " + " | ".join(f"{rs[e]['rss_kb']/1024:.0f}" if e in rs else "—" for e in engines) + " |")
    if any(rs[e].get("recall_at_5") is not None for e in rs):
        print("| qa_dev Recall@5 (document, question as query) | " + " | ".join(
            f"{rs[e]['recall_at_5']:.3f}" if e in rs and rs[e].get("recall_at_5") is not None else "—" for e in engines) + " |")
        g = rs.get("gongkai", {}).get("passages_recall_at_5")
        if g is not None:
            print(f"| qa_dev Recall@5 (gongkai's article retrieval, the Q&A path) | {g:.3f} |" + " — |" * (len(engines) - 1))

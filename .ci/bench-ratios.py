#!/usr/bin/env python3
"""kg's speed as ratios against each peer, from a bench.py results.json.

    .ci/bench-ratios.py target/bench-results/<run>/results.json

A ratio is the peer's median engine time divided by kg's: 3.0x means kg answered three
times as fast, 0.8x means the peer was faster. Load time and peak memory are compared the
same way (the peer's figure over kg's). Queries a peer could not run show as n/a. A ratio says nothing about correctness: the
report's "Answer agreement" section says whose answers match the reference.
"""
import json
import statistics
import sys


def median_ms(query):
    times = query.get("engine_ms") or query.get("wall_ms") or []
    return statistics.median(times) if query.get("status") == "ok" and times else None


def peak_rss(run):
    for key in ("peak_rss_mib", "rss_mib"):
        if key in run:
            return run[key]
    return (run.get("memory") or {}).get("peak_rss_mib")


def ratio(peer, ours):
    if peer is None or ours is None or ours <= 0:
        return "n/a"
    return f"{peer / ours:.2f}x"


def main(path):
    runs = json.load(open(path))["results"]
    scales = sorted({r["scale"] for r in runs})
    for scale in scales:
        at = {r["engine"]: r for r in runs if r["scale"] == scale}
        kg = at.get("kg")
        peers = [e for e in at if e not in ("kg", "reference")]
        if kg is None or not peers:
            continue
        print(f"\n### kg against its peers, scale {scale:,} (peer time / kg time; >1 means kg is faster)\n")
        print("| query | " + " | ".join(peers) + " |")
        print("|---|" + "---:|" * len(peers))
        for qid, q in kg["queries"].items():
            ours = median_ms(q)
            cells = [ratio(median_ms(at[p]["queries"].get(qid, {})), ours) for p in peers]
            print(f"| {qid} | " + " | ".join(cells) + " |")
        loads = [ratio(at[p]["load"]["seconds"], kg["load"]["seconds"]) for p in peers]
        print("| **load** | " + " | ".join(loads) + " |")
        rss = [ratio(peak_rss(at[p]), peak_rss(kg)) for p in peers]
        print("| **peak RSS** | " + " | ".join(rss) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: .ci/bench-ratios.py RESULTS.json")
    main(sys.argv[1])

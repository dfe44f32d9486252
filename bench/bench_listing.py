"""Listing queries by store size: whole lists against pages, and `actors` with and without
the actor rows of the summary (issue 15).

    .venv/bin/python bench/bench_listing.py STORE_DIR [STORE_DIR ...]

Each STORE_DIR is a kg store (e.g. `kg bench-corpus N` + `kg ingest`). Every query runs in a
child process (`bench/run.py --time-query`), killed past `--budget` seconds, one warm-up and
`--repeat` timed runs; p50/p95 go to bench/out/listing.json and bench/LISTING.md (linked
from bench/REPORT.md). bench/run.py times the same cases at each size it builds.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out" / "listing.json"


def cases(busiest: str, articles: int) -> dict[str, tuple]:
    """label -> (named query, parameters, mode): mode "named" runs it as the CLI and the
    server do (through its fast path when that holds), "direct" never takes the fast path."""
    middle = str(max(articles // 2, 0))
    return {
        "actors, whole list (through the actor rows)": ("actors", {}, "named"),
        "actors, first page of 50 (through the actor rows)": ("actors", {"limit": "50"}, "named"),
        "actors, whole list counted from the article graphs (summary bypassed)": ("actors", {}, "direct"),
        "articles, whole list": ("articles", {}, "named"),
        "articles, first page of 50": ("articles", {"limit": "50"}, "named"),
        f"articles, page of 50 at offset {middle}": ("articles", {"limit": "50", "offset": middle}, "named"),
        "meetings of the busiest actor, whole list": ("meetings", {"actor": busiest}, "named"),
        "meetings of the busiest actor, first page of 50": ("meetings", {"actor": busiest, "limit": "50"}, "named"),
    }


def measure(store: Path, repeat: int, budget: float) -> dict:
    import pyoxigraph as ox

    raw = ox.Store.read_only(str(store))
    prefix = "PREFIX kgo: <https://w3id.org/kg-meetings/ontology#> "
    busiest = next(iter(raw.query(prefix + "SELECT ?a (COUNT(*) AS ?n) WHERE { ?m kgo:participant ?a } "
                                  "GROUP BY ?a ORDER BY DESC(?n) LIMIT 1", use_default_graph_as_union=True)))["a"].value
    articles = int(next(iter(raw.query(prefix + "SELECT (COUNT(*) AS ?n) WHERE { ?a a kgo:Article }",
                                       use_default_graph_as_union=True)))["n"].value)
    del raw
    results = {}
    for label, (name, values, mode) in cases(busiest, articles).items():
        command = [sys.executable, str(ROOT / "bench" / "run.py"), "--time-query",
                   json.dumps([str(store), name, values, repeat, mode])]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=budget, cwd=ROOT)
            results[label] = json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr[-300:]}
        except subprocess.TimeoutExpired:
            results[label] = {"timed_out_s": budget}
        print(f"[bench_listing] {store.name} {label}: {results[label].get('p50_ms', results[label])}",
              file=sys.stderr, flush=True)
    return {"store": str(store), "articles": articles, "busiest_actor": busiest, "queries": results}


def cell(result: dict) -> str:
    if "timed_out_s" in result:
        return f"> {result['timed_out_s']:.0f} s (killed)"
    if "error" in result:
        return "error"
    return f"{result['p50_ms']:,.1f} / {result['p95_ms']:,.1f} ({result['rows']:,} rows)"


def markdown(report: dict) -> str:
    sizes = report["sizes"]
    lines = ["# Listing queries by size: pages and the actor rows", "",
             f"Written by `bench/bench_listing.py`, {report['started']}, one run on the same machine for every "
             "size (p50 / p95 in ms of the query run and its rows read in Python, after one warm-up). "
             "Stores: `kg bench-corpus N` + `kg ingest` (met-with summary and actor rows included).", "",
             "| query | " + " | ".join(f"{s['articles']:,} articles" for s in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for label in sizes[0]["queries"]:
        key = label.split(" at offset")[0]
        row = [next((cell(r) for lab, r in s["queries"].items() if lab.split(" at offset")[0] == key), "")
               for s in sizes]
        lines.append(f"| {key}{' (the middle)' if 'offset' in label else ''} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stores", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--markdown", type=Path, default=ROOT / "bench" / "LISTING.md")
    args = parser.parse_args()
    report = {"started": time.strftime("%Y-%m-%d %H:%M"),
              "sizes": [measure(store, args.repeat, args.budget) for store in args.stores]}
    report["sizes"].sort(key=lambda s: s["articles"])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1) + "\n")
    args.markdown.write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


if __name__ == "__main__":
    main()

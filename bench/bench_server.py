"""Throughput of `kg serve` against `oxigraph serve` over copies of one store, in one run.

    .venv/bin/python bench/bench_server.py --store DIR        # an existing store (copied)
    .venv/bin/python bench/bench_server.py --articles 5000    # or: bench-corpus + kg ingest first
    .venv/bin/python bench/bench_server.py --quick

The requests of issue 15: a point lookup, an aggregate, relations.rq's full text, and the
named queries as clients send them (kg: `/queries/NAME`; oxigraph: the same SPARQL kg runs,
through the met-with summary when kg would), pages of the listing queries among them. Both
servers are up at once; for each request and client count (`--clients 1,8`), `--rounds`
rounds hammer kg then oxigraph for `--seconds` each, and the kg/oxigraph throughput ratio
is taken per round. Results: bench/out/server.json and bench/SERVER.md (linked from
bench/REPORT.md). A request whose probe takes longer than `--max-seconds` is reported as
too slow rather than measured.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import queries as named_queries  # noqa: E402
from kg.rdf import SPARQL_PREFIXES  # noqa: E402
from kg.server.background import free_port  # noqa: E402

OUT = ROOT / "bench" / "out" / "server.json"


def wait_ready(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=30)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def start_kg(store: Path, port: int, workers: int, timeout: float) -> subprocess.Popen:
    code = ("from kg.server import run; "
            f"run({str(store)!r}, port={port}, workers={workers}, timeout={timeout}, max_results=1_000_000)")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_oxigraph(store: Path, port: int, timeout: float) -> subprocess.Popen:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    return subprocess.Popen([binary, "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph", "--timeout-s", str(max(1, round(timeout)))], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def request_for(target: str, base: str, item: dict) -> tuple[str, dict]:
    if target == "kg" and item["named"]:
        return f"{base}/queries/{item['name']}", item["params"]
    return f"{base}/{'sparql' if target == 'kg' else 'query'}", {"query": item["text"]}


def hammer(url: str, params: dict, clients: int, seconds: float, max_seconds: float) -> dict:
    """`clients` threads, each with one kept-alive connection (http.client: the lightest
    client in the standard library, since it shares the cores with the servers), sending
    GETs for `seconds`; requests/s and latency percentiles of the 200s."""
    parts = urlsplit(url)
    target = parts.path + "?" + urlencode(params) if params else parts.path
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    headers = {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}
    stop_at = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=max_seconds)
        mine, failed = [], []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                why = str(response.status)
                if response.getheader("connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                ok, why = False, type(error).__name__
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=max_seconds)
            elapsed = time.perf_counter() - started
            (mine.append(elapsed) if ok else failed.append(why))
        connection.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    ordered = sorted(latencies)
    return {"requests": len(ordered), "errors": len(errors), "rps": len(ordered) / wall,
            "p50_ms": 1000 * statistics.median(ordered) if ordered else None,
            "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else None}


def probe(url: str, params: dict, max_seconds: float) -> float | None:
    started = time.perf_counter()
    try:
        response = requests.get(url, params=params, timeout=max_seconds,
                                headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"})
    except requests.RequestException:
        return None
    return time.perf_counter() - started if response.status_code == 200 else None


def issue_mix(store_dir: Path) -> list[dict]:
    """The requests issue 15 measures, with parameters taken from the store: a point lookup,
    an aggregate, the named queries as clients send them (kg: /queries/NAME; oxigraph: the
    same SPARQL, through the summary when kg would use it) and relations.rq's full text."""
    import pyoxigraph as ox

    from kg import summary
    from kg.store import EmbeddedStore

    store = ox.Store.read_only(str(store_dir))
    view = EmbeddedStore.wrapping(store, str(store_dir))
    prefix = SPARQL_PREFIXES
    busiest = next(iter(store.query(prefix + "SELECT ?a (COUNT(*) AS ?n) WHERE { ?m kgo:participant ?a } "
                                    "GROUP BY ?a ORDER BY DESC(?n) LIMIT 1", use_default_graph_as_union=True)))["a"].value
    speaker = next(iter(store.query(prefix + "SELECT ?a (COUNT(*) AS ?n) WHERE { ?s kgo:speaker ?a } "
                                    "GROUP BY ?a ORDER BY DESC(?n) LIMIT 1", use_default_graph_as_union=True)))["a"].value
    document = next(iter(store.query(prefix + "SELECT ?d WHERE { ?a kgo:documentId ?d } LIMIT 1",
                                     use_default_graph_as_union=True)))["d"].value
    mix = [
        {"name": "point lookup (one article's triples)", "named": False, "params": {},
         "text": prefix + f'SELECT ?p ?o WHERE {{ ?a kgo:documentId "{document}" ; ?p ?o }}'},
        {"name": "aggregate (count meetings)", "named": False, "params": {},
         "text": prefix + "SELECT (COUNT(?m) AS ?n) WHERE { ?m a kgo:Meeting }"},
        {"name": "relations.rq full text, busiest actor (/sparql)", "named": False, "params": {},
         "text": named_queries.get("relations").bind({"actor": busiest})},
    ]
    named = [("relations", {"actor": busiest}), ("meetings", {"actor": busiest}),
             ("statements", {"speaker": speaker})]
    pages = [("meetings", {"actor": busiest, "limit": "50"}), ("actors", {"limit": "50"}),
             ("articles", {"limit": "50"})]
    for name, values in named + pages:
        query = named_queries.get(name)
        if not all(key in {p.name for p in query.params} for key in values):
            continue  # a paging parameter this version of the query does not take
        label = f"named {name} " + " ".join(f"{k}={v.rsplit('/', 1)[-1]}" for k, v in values.items())
        mix.append({"name": label, "named": True, "query": name, "params": values,
                    "text": summary.bound_text(view, query, values)})
    del view, store
    return mix


def start_servers(store: Path, work: Path, args) -> dict:
    servers = {}
    for target in ("kg", "oxigraph"):
        copy = work / target
        shutil.copytree(store, copy)
        port = free_port()
        process = (start_kg(copy, port, args.workers, args.max_seconds) if target == "kg"
                   else start_oxigraph(copy, port, args.max_seconds))
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + ("/health" if target == "kg" else "/"), process)
        servers[target] = (process, base)
    return servers


def stop_servers(servers: dict) -> None:
    for process, _ in servers.values():
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def paired(store: Path, args) -> dict:
    """Both servers up over copies of `store`; for each query and client count, `rounds`
    rounds of kg then oxigraph (never at once), so the ratio of each round compares the two
    under the same load on the machine. The median of the rounds' figures is reported."""
    mix = [item for item in issue_mix(store) if not args.only or any(w in item["name"] for w in args.only)]
    clients = [int(c) for c in str(args.clients).split(",")]
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-serve-") as tmp:
        servers = start_servers(store, Path(tmp), args)
        try:
            for item in mix:
                urls = {target: request_for(target, base, {**item, "name": item.get("query", item["name"])})
                        for target, (_, base) in servers.items()}
                probes = {target: probe(url, params, args.max_seconds) for target, (url, params) in urls.items()}
                if any(p is None or p >= 0.9 * args.max_seconds for p in probes.values()):
                    results[item["name"]] = {"skipped": f"no answer within {args.max_seconds:g} s",
                                             "probe_s": probes}
                    time.sleep(1)
                    continue
                row = {"probe_ms": {t: 1000 * p for t, p in probes.items()}, "by_clients": {}}
                for count in clients:
                    rounds = []
                    for _ in range(args.rounds):
                        one = {}
                        for target, (url, params) in urls.items():
                            hammer(url, params, count, min(0.3, args.seconds), args.max_seconds)  # warm up
                            one[target] = hammer(url, params, count, args.seconds, args.max_seconds)
                        one["ratio"] = one["kg"]["rps"] / one["oxigraph"]["rps"] if one["oxigraph"]["rps"] else None
                        rounds.append(one)
                    row["by_clients"][str(count)] = {
                        "rounds": rounds,
                        "ratio_median": statistics.median(r["ratio"] for r in rounds if r["ratio"] is not None),
                        "ratio_range": [min(r["ratio"] for r in rounds), max(r["ratio"] for r in rounds)],
                        **{target: {key: statistics.median(r[target][key] for r in rounds)
                                    for key in ("rps", "p50_ms", "p99_ms")} |
                           {"errors": sum(r[target]["errors"] for r in rounds)}
                           for target in ("kg", "oxigraph")}}
                    say(f"{item['name']} x{count}: ratio {row['by_clients'][str(count)]['ratio_median']:.2f}")
                results[item["name"]] = row
        finally:
            stop_servers(servers)
    return {"queries": results, "clients": clients}


def say(message: str) -> None:
    print(f"[bench_server {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build_store(articles: int, work: Path) -> Path:
    """A store as users make one: `kg bench-corpus N` then `kg ingest` (met-with summary included)."""
    corpus, store = work / "corpus.jsonl", work / "store"
    kg = [str(Path(sys.executable).parent / "kg")]
    subprocess.run([*kg, "bench-corpus", str(articles), "--out", str(corpus)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    subprocess.run([*kg, "--store", str(store), "ingest", str(corpus)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return store


def markdown(report: dict) -> str:
    lines = ["# Server benchmark: `kg serve` against `oxigraph serve`", "",
             "Written by `bench/bench_server.py` (also run by `bench/run.py`). "
             f"Store: {report['store']} ({report['quads']:,} quads). Both servers run at once over copies of it, "
             f"`oxigraph serve --union-default-graph` beside `kg serve` with {report['workers']} workers; for each "
             f"query and client count, {report['rounds']} rounds of {report['seconds']:g} s alternate kg and "
             f"oxigraph, and the ratio is taken per round (median, and the range over rounds). Clients are "
             f"threads of one Python process with kept-alive connections, on the same {os.cpu_count()} CPUs. "
             f"{report['started']}.", "",
             "kg requests go to `/queries/NAME` for named queries (oxigraph gets the SPARQL kg runs for them, "
             "through the met-with summary when kg uses it) and to `/sparql` otherwise.", "",
             "| query | clients | kg req/s | kg p50 ms | oxigraph req/s | oxigraph p50 ms | kg/oxigraph (median, range) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, row in report["queries"].items():
        if "skipped" in row:
            lines.append(f"| {name} | | {row['skipped']} | | | | |")
            continue
        for count, one in row["by_clients"].items():
            kg, ox = one["kg"], one["oxigraph"]
            errors = f" ({kg['errors']} errors)" if kg["errors"] else ""
            lines.append(f"| {name} | {count} | {kg['rps']:.0f}{errors} | {kg['p50_ms']:.2f} | {ox['rps']:.0f} | "
                         f"{ox['p50_ms']:.2f} | **{one['ratio_median']:.2f}** ({one['ratio_range'][0]:.2f}-"
                         f"{one['ratio_range'][1]:.2f}) |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="an existing kg store directory (copied, never changed)")
    parser.add_argument("--articles", type=int, default=5000, help="without --store: synthetic articles to ingest")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--max-seconds", type=float, default=10.0)
    parser.add_argument("--only", action="append", help="measure only the requests whose name holds this")
    parser.add_argument("--quick", action="store_true", help="300 articles, one round of 1 s")
    parser.add_argument("--markdown", type=Path, default=ROOT / "bench" / "SERVER.md")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.rounds, args.seconds = 300, 1, 1.0
    started = time.strftime("%Y-%m-%d %H:%M")
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        store = args.store
        if store is None:
            say(f"building a store of {args.articles} synthetic articles")
            store = build_store(args.articles, Path(tmp))
            described = f"{args.articles:,} synthetic articles (`kg bench-corpus {args.articles}` + `kg ingest`)"
        else:
            described = f"`{store}`"
        import pyoxigraph as ox

        quads = len(ox.Store.read_only(str(store)))
        measured = paired(store, args)
    report = {"started": started, "store": described, "quads": quads, "seconds": args.seconds,
              "rounds": args.rounds, "workers": args.workers, **measured}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    text = markdown(report)
    args.markdown.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

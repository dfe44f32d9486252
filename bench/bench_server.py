"""Throughput of `kg serve` against `oxigraph serve` on copies of one synthetic store.

    .venv/bin/python bench/bench_server.py [--articles 1000] [--seconds 3] [--clients 4]

For every query of the mix (the named queries of queries/*.rq with parameters bound, plus a
few ad-hoc ones), each server gets `--clients` threads sending requests for `--seconds`;
the servers run one after the other, never at the same time. Requests/s, p50 and p99 per
query and the kg/oxigraph throughput ratio go to bench/out/server.json and, as a markdown
section, to stdout. A query whose single probe request takes longer than `--max-seconds`
is reported as too slow rather than measured.
"""
from __future__ import annotations

import argparse
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

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import queries as named_queries  # noqa: E402
from kg.rdf import SPARQL_PREFIXES, actor_iri  # noqa: E402
from kg.server import synthetic  # noqa: E402
from kg.server.background import free_port  # noqa: E402

OUT = ROOT / "bench" / "out" / "server.json"
ADHOC = {
    "adhoc-count-meetings": SPARQL_PREFIXES + "SELECT (COUNT(?m) AS ?n) WHERE { ?m a kgo:Meeting }",
    "adhoc-lookup": SPARQL_PREFIXES + "SELECT ?p ?o WHERE { ?a kgo:documentId \"synthetic-000007\" ; ?p ?o }",
    "adhoc-ask": SPARQL_PREFIXES + "ASK { ?m kgo:status kgo:Planned }",
    "adhoc-construct-100": SPARQL_PREFIXES + "CONSTRUCT { ?m ?p ?o } WHERE { ?m a kgo:Meeting ; ?p ?o } LIMIT 100",
}


def bindings(query: named_queries.NamedQuery, someone: str) -> dict[str, str]:
    """Parameters a user would give: an actor for every actor-like IRI parameter, no dates."""
    return {p.name: someone for p in query.params if p.type == "iri" and p.name in ("actor", "speaker")}


def query_mix(someone: str) -> list[dict]:
    mix = []
    for query in named_queries.catalogue().values():
        values = bindings(query, someone)
        mix.append({"name": query.name, "named": True, "params": values, "text": query.bind(values)})
    mix.extend({"name": name, "named": False, "params": {}, "text": text} for name, text in ADHOC.items())
    return mix


def wait_ready(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
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
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    headers = {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}
    stop_at = time.monotonic() + seconds

    def client() -> None:
        session = requests.Session()
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                response = session.get(url, params=params, headers=headers, timeout=max_seconds)
                response.content  # noqa: B018 - read the whole body
                ok = response.status_code == 200
            except requests.RequestException as error:
                ok, response = False, error
            elapsed = time.perf_counter() - started
            with lock:
                (latencies.append(elapsed) if ok else errors.append(str(getattr(response, "status_code", response))))

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


def run_target(target: str, store: Path, mix: list[dict], args) -> dict:
    port = free_port()
    # Both servers cancel a query at the same limit, so a too-slow probe leaves no work behind.
    process = (start_kg(store, port, args.workers, args.max_seconds) if target == "kg"
               else start_oxigraph(store, port, args.max_seconds))
    base = f"http://127.0.0.1:{port}"
    results = {}
    try:
        wait_ready(base + ("/health" if target == "kg" else "/"), process)
        for item in mix:
            url, params = request_for(target, base, item)
            once = probe(url, params, args.max_seconds)
            if once is None or once >= 0.9 * args.max_seconds:  # an answer at the limit is a cut one
                results[item["name"]] = {"skipped": f"no answer within {args.max_seconds:g} s"}
                time.sleep(1)  # let the server finish cancelling
                continue
            hammer(url, params, args.clients, min(0.5, args.seconds), args.max_seconds)  # warm up
            results[item["name"]] = {"probe_ms": 1000 * once,
                                     **hammer(url, params, args.clients, args.seconds, args.max_seconds)}
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
    return results


def markdown(report: dict) -> str:
    lines = ["## Server benchmark: kg serve vs oxigraph serve",
             "",
             f"{report['articles']} synthetic articles ({report['quads']} quads), {report['clients']} client threads, "
             f"{report['seconds']:g} s per query per server, kg workers: {report['workers']}, CPUs: {os.cpu_count()}.",
             "",
             "| query | kg req/s | kg p50 ms | kg p99 ms | oxigraph req/s | oxigraph p50 ms | oxigraph p99 ms | kg/oxigraph |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, row in report["queries"].items():
        kg, ox = row["kg"], row["oxigraph"]
        if "skipped" in kg or "skipped" in ox:
            lines.append(f"| {name} | {kg.get('skipped', 'answered')} | | | {ox.get('skipped', 'answered')} | | | |")
            continue
        ratio = f"{row['ratio']:.2f}" if row.get("ratio") is not None else "-"
        lines.append(f"| {name} | {kg['rps']:.1f} | {kg['p50_ms']:.1f} | {kg['p99_ms']:.1f} | {ox['rps']:.1f} | "
                     f"{ox['p50_ms']:.1f} | {ox['p99_ms']:.1f} | {ratio} |")
    if report.get("named_ratio_geomean"):
        lines += ["", f"Geometric mean of kg/oxigraph throughput on the named queries: "
                      f"{report['named_ratio_geomean']:.2f}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--max-seconds", type=float, default=10.0)
    args = parser.parse_args()
    someone = actor_iri(synthetic.persons()[0].key).value
    mix = query_mix(someone)
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        master = Path(tmp) / "master"
        quads = synthetic.build_store(str(master), args.articles)
        runs = {}
        for target in ("kg", "oxigraph"):
            copy = Path(tmp) / target
            shutil.copytree(master, copy)
            runs[target] = run_target(target, copy, mix, args)
    report = {"articles": args.articles, "quads": quads, "clients": args.clients, "seconds": args.seconds,
              "workers": args.workers, "queries": {}}
    ratios = []
    for item in mix:
        kg, ox = runs["kg"][item["name"]], runs["oxigraph"][item["name"]]
        ratio = kg["rps"] / ox["rps"] if "rps" in kg and "rps" in ox and ox["rps"] else None
        report["queries"][item["name"]] = {"named": item["named"], "params": item["params"], "kg": kg,
                                           "oxigraph": ox, "ratio": ratio}
        if item["named"] and ratio:
            ratios.append(ratio)
    if ratios:
        report["named_ratio_geomean"] = statistics.geometric_mean(ratios)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))


if __name__ == "__main__":
    main()

"""Robustness report: bad inputs, kill -9 during ingest, and `kg serve` under a bounded load.

    python bench/robustness.py [--load-seconds 20] [--clients 4] [--kills 5]

Writes bench/out/robustness.json and bench/out/robustness.md (a section for bench/REPORT.md)
and prints the markdown. Everything runs on 127.0.0.1 in a temporary directory, in about
a minute and a half. The checks themselves live in tests/test_robust_*.py; this script
reuses them to put numbers on one run.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_robust_crash as crash  # noqa: E402
import test_robust_input as bad_input  # noqa: E402
import test_robust_service as service  # noqa: E402

OUT = ROOT / "bench" / "out"
MIXED_QUERIES = [
    "ASK { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/kg-meetings/ontology#Meeting> }",
    "SELECT ?m ?p WHERE { ?m <https://w3id.org/kg-meetings/ontology#participant> ?p } LIMIT 20",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 100",
    service.CROSS_JOIN,  # killed at the deadline: the 503s are expected, counted apart
]


def bad_inputs(folder: Path) -> dict:
    """Every unreadable kind beside a good article, in one ingest: what became of each."""
    folder.mkdir(parents=True)
    for name, (content, _) in bad_input.UNREADABLE.items():
        (folder / name).write_bytes(content)
    (folder / "huge.txt").open("wb").truncate(bad_input.LIMIT_BYTES + 1)
    (folder / "windows.txt").write_bytes(bad_input.seed_text().replace("\xa0", " ").encode("cp1256"))
    (folder / "page.txt").write_text(f"<html><body><article><p>{bad_input.seed_text()}</p></article></body></html>",
                                     encoding="utf-8")
    (folder / "lines.jsonl").write_text('{"id": "x"\n[1]\n{"id": "y"}\n{"id": "z", "text": "", "published": 1}\n',
                                        encoding="utf-8")
    (folder / "good.txt").write_text(bad_input.seed_text(), encoding="utf-8")
    names = [*bad_input.UNREADABLE, "huge.txt", "windows.txt", "page.txt", "lines.jsonl", "good.txt", "good.txt"]
    code, summary, _ = bad_input.ingest_json(folder, *names)
    return {"exit_code": code, "ingested": summary["ingested"], "failed": summary["failed"],
            "outcomes": [{"input": p["where"], "severity": p["severity"], "reason": p["reason"]}
                         for p in summary["problems"]]}


def load_run(folder: Path, seconds: float, clients: int) -> dict:
    store = folder / "store"
    crash.ingest(store, crash.make_corpus(folder, 200, seed=5))
    server = service.Server(store, timeout_s=1.0)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        chooser = random.Random(seed)
        while time.monotonic() < deadline:
            sparql = chooser.choices(MIXED_QUERIES, weights=[30, 20, 20, 20, 1])[0]
            started = time.perf_counter()
            try:
                status = str(server.query(sparql).status_code)
            except Exception as error:  # counted, never hidden
                status = type(error).__name__
            elapsed = time.perf_counter() - started
            with lock:
                key = "timeout (expected)" if sparql == service.CROSS_JOIN and status == "503" else status
                statuses[key] = statuses.get(key, 0) + 1
                if sparql != service.CROSS_JOIN:
                    latencies.append(elapsed)

    try:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        healthy = server.query("ASK { ?s ?p ?o }").status_code == 200
    finally:
        server.stop()
    served = sum(statuses.values())
    errors = sum(n for key, n in statuses.items() if key not in ("200", "timeout (expected)"))
    ordered = sorted(latencies)
    return {"clients": clients, "seconds": seconds, "queries": served, "statuses": statuses,
            "error_rate": round(errors / max(served, 1), 4),
            "p50_ms": round(1000 * statistics.median(ordered), 1) if ordered else None,
            "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1) if ordered else None,
            "healthy_after": healthy}


def markdown(report: dict) -> str:
    bad, kills, load = report["bad_inputs"], report["kill_loop"], report["load"]
    lines = ["## Robustness", "", f"Bad inputs: one ingest of {len(bad['outcomes'])} problem reports, "
             f"{bad['ingested']} articles ingested, {bad['failed']} failed, exit code {bad['exit_code']}.", "",
             "| input | outcome | reason |", "|---|---|---|"]
    lines += [f"| `{o['input']}` | {o['severity']} | {o['reason']} |" for o in bad["outcomes"]]
    lines += ["", f"Kill -9 during `kg ingest` ({kills['corpus']} articles): {kills['kills']} kills, "
              f"{kills['finished_early']} runs finished before their kill; states seen: "
              + "; ".join(f"{s['complete']} stored/{s['pending']} pending" for s in kills["states"]) + ".",
              f"Nothing lost: rerun exit {kills['final_code']}, {kills['final_quads']} quads vs {kills['clean_quads']} "
              f"in a clean run, identical: {kills['same_quads_as_clean']}; problems: {len(kills['problems'])}, "
              f"SHACL failures: {kills['shacl_failures']}.", "",
              f"Load: {load['clients']} clients x {load['seconds']:g} s of mixed queries: {load['queries']} served, "
              f"error rate {load['error_rate']:.2%}, p50 {load['p50_ms']} ms, p99 {load['p99_ms']} ms "
              f"(statuses {load['statuses']}); healthy afterwards: {load['healthy_after']}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--kills", type=int, default=crash.KILLS)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kg-robustness-") as scratch:
        folder = Path(scratch)
        (folder / "kills").mkdir()
        (folder / "load").mkdir()
        loop = crash.kill_loop(folder / "kills", kills=args.kills)
        report = {
            "bad_inputs": bad_inputs(folder / "bad"),
            "kill_loop": {"corpus": crash.CORPUS_SIZE, "kills": loop.kills, "finished_early": loop.finished_early,
                          "states": loop.states, "problems": loop.problems,
                          "shacl_failures": len(loop.shacl_failures), "recovered_by_rerun": loop.recovered_total,
                          "final_code": loop.final_code, "final_quads": loop.final_quads,
                          "clean_quads": loop.clean_quads, "same_quads_as_clean": loop.same_quads_as_clean},
            "load": load_run(folder / "load", args.load_seconds, args.clients),
        }
    report["seconds"] = round(time.monotonic() - started, 1)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "robustness.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    text = markdown(report)
    (OUT / "robustness.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

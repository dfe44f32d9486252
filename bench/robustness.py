"""Robustness report: bad inputs, kill -9 during ingest, and `kg serve` under a bounded load.

    python bench/robustness.py [--load-seconds 20] [--clients 4] [--kills 5]

Writes bench/out/robustness.json and bench/out/robustness.md (a section for bench/REPORT.md)
and prints the markdown. Everything runs on 127.0.0.1 in a temporary directory, in about
a minute and a half. The checks themselves live in tests/test_robust_*.py; this script
reuses them to put numbers on one run.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import random
import select
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_robust_abuse as abuse  # noqa: E402
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


def _vm(pid: int, key: str) -> int:
    """A /proc/PID/status figure (VmHWM: peak resident; VmRSS: resident now) in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _cheap_ms(server, samples: int = 5) -> list[float]:
    """Latencies of a cheap query from 127.0.0.1 (ms); a failure counts as its status."""
    found = []
    for _ in range(samples):
        started = time.perf_counter()
        response = server.query(service.CHEAP)
        found.append(round(1000 * (time.perf_counter() - started), 1) if response.status_code == 200
                     else f"status {response.status_code}")
    return found


def abuse_run(folder: Path) -> dict:
    """Each abuse of issue 16 against one `kg serve`, with a cheap query timed during it."""
    import requests

    store = folder / "store"
    service.ingest_seeds(store)
    (folder / "token").write_text(service.TOKEN, encoding="utf-8")
    server = service.Server(store, "--allow-update", "--token-file", str(folder / "token"), "--worker-memory", "300",
                            timeout_s=5.0, env={"KG_SERVE_HEADER_SECONDS": "5"})
    results: dict = {}
    try:
        results["idle_ms"] = _cheap_ms(server)
        # 1. slowloris: 200 sockets from one address trickling header bytes
        sockets = []
        for _ in range(200):
            try:
                sockets.append(abuse.connect_from("127.0.0.2", server.port))
            except OSError:
                break
        requests.get(server.url + "/health", timeout=60)  # the server has decided on each of them
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nX: ")
        readable, _, _ = select.select(sockets, [], [], 0.5)  # closed on arrival: EOF or reset to read
        refused = len(readable)
        during = _cheap_ms(server)
        closed = sum(abuse.closed_by_server(sock, 30) for sock in sockets)
        for sock in sockets:
            sock.close()
        results["slowloris"] = {"sockets": len(sockets), "refused_at_once": refused, "closed_by_deadline": closed - refused,
                                "cheap_ms": during}
        # 2. API flood: 60 concurrent /api/network from one other client
        statuses: dict[str, int] = {}
        lock = threading.Lock()
        session = requests.Session()
        session.mount("http://", abuse._SourceAdapter("127.0.0.3"))

        def flood() -> None:
            response = session.get(server.url + "/api/network", params={"depth": "6"}, timeout=120)
            with lock:
                statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1

        threads = [threading.Thread(target=flood) for _ in range(60)]
        for thread in threads:
            thread.start()
        during = _cheap_ms(server)
        for thread in threads:
            thread.join()
        results["api_flood"] = {"requests": 60, "statuses": statuses, "cheap_ms": during}
        # 3. a 50 MB Accept header
        before = _vm(server.process.pid, "VmRSS")
        sock = abuse.connect_from("127.0.0.4", server.port)
        status = "reset"
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nAccept: " + b"a" * 50_000_000 + b"\r\n\r\n")
            status = sock.recv(64).split(b"\r\n")[0].decode() or "closed"
        except (ConnectionResetError, BrokenPipeError):
            pass
        finally:
            sock.close()
        results["huge_header"] = {"bytes": 50_000_000, "answer": status, "cheap_ms": _cheap_ms(server),
                                  "server_rss_mb_before": before, "server_rss_mb_after": _vm(server.process.pid, "VmRSS")}
        # 4. a query that grows its worker (ORDER BY over a cross join)
        grows = server.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1")
        health = requests.get(server.url + "/health", timeout=60).json()
        results["memory"] = {"status": grows.status_code, "message": grows.text.strip(),
                             "worker_peak_mb": health["worker_peak_bytes"] >> 20, "cheap_ms": _cheap_ms(server)}
        # 5. nesting 5,000 deep, as a query and as an update with the token
        deep = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
        as_update = deep.replace("SELECT * WHERE", "DELETE { ?s ?p ?o } WHERE", 1)
        results["deep"] = {"query": server.query(deep).status_code, "update": abuse.update(server, as_update).status_code,
                           "server_alive": server.process.poll() is None, "cheap_ms": _cheap_ms(server)}
        health = requests.get(server.url + "/health", timeout=60).json()
        results["refused_requests"] = health["refused"]
        results["peak_mb"] = {"server": _vm(server.process.pid, "VmHWM"),
                              "workers_now": [_vm(pid, "VmHWM") for pid in health["worker_pids"]],
                              "worker_peak_seen": health["worker_peak_bytes"] >> 20}
    finally:
        server.stop()
    return results


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
    abuse_figures = report.get("abuse")
    if abuse_figures:
        a = abuse_figures
        lines += ["Abuse (issue 16), one `kg serve` with `--worker-memory 300`, a 5 s query deadline and a 5 s header "
                  f"deadline; a cheap query (`ASK`) from another client during each, ms (idle: {a['idle_ms']}):", "",
                  "| abuse | outcome | cheap query during it (ms) |", "|---|---|---|",
                  f"| {a['slowloris']['sockets']} slow-header sockets from one address | {a['slowloris']['refused_at_once']} "
                  f"refused at once (per-client cap), {a['slowloris']['closed_by_deadline']} closed at the header deadline "
                  f"| {a['slowloris']['cheap_ms']} |",
                  f"| {a['api_flood']['requests']} concurrent `/api/network?depth=6` from one address | statuses "
                  f"{a['api_flood']['statuses']} | {a['api_flood']['cheap_ms']} |",
                  f"| a {a['huge_header']['bytes'] // 1_000_000} MB `Accept` header | {a['huge_header']['answer']}; server "
                  f"resident {a['huge_header']['server_rss_mb_before']} -> {a['huge_header']['server_rss_mb_after']} MB "
                  f"| {a['huge_header']['cheap_ms']} |",
                  f"| `ORDER BY` over a cross join | {a['memory']['status']}: {a['memory']['message']} (worker peak seen "
                  f"{a['memory']['worker_peak_mb']} MB) | {a['memory']['cheap_ms']} |",
                  f"| `{{` nested 5,000 deep, as query / as update with the token | {a['deep']['query']} / "
                  f"{a['deep']['update']}, server alive: {a['deep']['server_alive']} | {a['deep']['cheap_ms']} |",
                  "", f"Requests refused with 429 in all: {a['refused_requests']}. Peak resident memory: server process "
                  f"{a['peak_mb']['server']} MB, workers now {a['peak_mb']['workers_now']} MB, largest worker seen "
                  f"{a['peak_mb']['worker_peak_seen']} MB.", ""]
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
        (folder / "abuse").mkdir()
        loop = crash.kill_loop(folder / "kills", kills=args.kills)
        report = {
            "bad_inputs": bad_inputs(folder / "bad"),
            "kill_loop": {"corpus": crash.CORPUS_SIZE, "kills": loop.kills, "finished_early": loop.finished_early,
                          "states": loop.states, "problems": loop.problems,
                          "shacl_failures": len(loop.shacl_failures), "recovered_by_rerun": loop.recovered_total,
                          "final_code": loop.final_code, "final_quads": loop.final_quads,
                          "clean_quads": loop.clean_quads, "same_quads_as_clean": loop.same_quads_as_clean},
            "load": load_run(folder / "load", args.load_seconds, args.clients),
            "abuse": abuse_run(folder / "abuse"),
        }
    report["seconds"] = round(time.monotonic() - started, 1)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "robustness.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    text = markdown(report)
    (OUT / "robustness.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

"""All benchmarks in one run, written to bench/REPORT.md and bench/out/report.json.

    python3 tasks.py bench                      # sizes 1k, 10k, 100k articles (about 15 minutes on 2 cores)
    python3 tasks.py bench -- --quick           # a small version (about a minute)
    .venv/bin/python bench/run.py --sizes 1000,10000 --workers 2

Every figure is measured in this run, and every speed is also given as a ratio to a
baseline measured in the same run (machines are noisy; ratios travel better):

- extraction articles/s on one core, on the synthetic corpus (bench/corpus.py), and its
  quality against the corpus's ground truth (kg.evaluate);
- the write path alone (extraction done beforehand): kg's batched crash-safe writer
  versus pyoxigraph's raw `bulk_load` of the same N-Quads, per-article transactions and
  one SPARQL update per batch;
- end-to-end `kg ingest` (a subprocess, as a user runs it) at each size: articles/s,
  quads/s, peak memory of the whole process tree, store bytes per article;
- named-query latency (p50/p95) at each size, after `optimize()`;
- remote ingest into `oxigraph serve` versus the embedded store;
- bench/bench_server.py, bench/bench_relations.py and bench/bench_events.py (other benchmarks), folded in.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from bench.corpus import load_gold, write_corpus  # noqa: E402
from kg import bulk, queries, rdf  # noqa: E402
from kg.sources import read_articles  # noqa: E402

OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
TARGETS = {
    "extraction_per_core": "≥ 500 articles/s on one core",
    "write_vs_bulk_load": "≥ 0.5 of raw bulk_load",
    "ingest_100k": "100,000 articles end to end in under 10 minutes on 2 cores",
    "relations_p50": "actor-relation query p50 under 50 ms at 100k articles",
    "memory": "peak ingest memory under 1 GiB whatever the corpus size",
}


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# helpers


def corpus_prefix(full: Path, n: int, directory: Path) -> Path:
    """The first n articles of the big corpus (and their gold), so every size shares articles."""
    path = directory / f"corpus-{n}.jsonl"
    if not path.exists():
        with full.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i >= n:
                    break
                dst.write(line)
    return path


def directory_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class TreeMemory:
    """Peak total resident memory of a process and all its descendants, sampled from /proc."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    ppid = int(stat.rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(entry))
                except (OSError, ValueError, IndexError):
                    pass
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, []))
        return tree

    def _rss(self, pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(self._rss(p) for p in self._tree()))
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_kg_ingest(corpus: Path, store: str, workers: int) -> dict:
    command = [str(BIN / "kg"), "ingest", str(corpus), "--store", store, "--json", "--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    memory = TreeMemory(process.pid) if Path("/proc").exists() else None
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    peak = memory.stop() if memory else None
    if process.returncode not in (0, 1):
        raise RuntimeError(f"kg ingest failed ({process.returncode}): {stderr.decode()[-2000:]}")
    summary = json.loads(stdout)
    return {"seconds": seconds, "ingested": summary["ingested"], "quads": summary["quads"],
            "failed": summary["failed"], "articles_per_s": summary["ingested"] / seconds,
            "quads_per_s": summary["quads"] / seconds, "peak_rss_bytes": peak,
            "summary": summary.get("summary")}  # the met-with summary refresh, inside `seconds`


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------
# measurements


QUALITY_SAMPLE = 500  # kg.evaluate pairs every gold document with every prediction: keep it small


def measure_extraction(corpus: Path, gold: Path, entities: Path, n: int) -> dict:
    """One core, in this process: the per-core speed; then the quality of what it found
    on the first QUALITY_SAMPLE articles."""
    from kg import evaluate
    from kg.extract import Extractor
    from kg.predictions import to_predictions

    extractor = Extractor()
    articles = [a for a in read_articles([str(corpus)]) if not isinstance(a, bulk.SourceProblem)][:n]
    extractor.extract(articles[0])  # warm caches
    started = time.perf_counter()
    extractions = [extractor.extract(a) for a in articles]
    seconds = time.perf_counter() - started
    size = statistics.mean(len(a.text.encode("utf-8")) for a in articles)
    sample = extractions[:QUALITY_SAMPLE]
    wanted = {x.article.id for x in sample}
    gold_docs = [g for g in load_gold(gold) if g["document"] in wanted]
    report = evaluate.score(gold_docs, to_predictions(sample, extractor.kb), evaluate.load_entities(entities))
    quality = report.to_dict()
    quality.pop("per_document", None)
    return {"articles": len(articles), "seconds": seconds, "articles_per_s": len(articles) / seconds,
            "mean_article_bytes": size, "quality_articles": len(sample), "quality": quality}


def measure_write_path(corpus: Path, n: int, workers: int) -> dict:
    """Extraction first (in parallel), then each way of writing the same articles, timed alone."""
    articles = [a for a in read_articles([str(corpus)]) if not isinstance(a, bulk.SourceProblem)][:n]
    from multiprocessing import get_context

    with get_context("forkserver").Pool(workers, initializer=bulk._init_worker) as pool:
        extracted = pool.map(bulk.extract_one, articles, chunksize=32)
    pairs = list(zip(articles, extracted))
    nquads = b"".join(bulk._as_nquads(x.body + (bulk._hash_triple(a) + "\n").encode(), rdf.graph_iri(a.id))
                      for a, x in pairs)
    quads = sum(x.quads for x in extracted)
    results = {"articles": n, "quads": quads, "nquads_bytes": len(nquads)}

    def timed(name: str, write, subset: int | None = None) -> None:
        directory = Path(tempfile.mkdtemp(prefix=f"kg-bench-{name}-"))
        try:
            store = ox.Store(str(directory))
            started = time.perf_counter()
            count = write(store, pairs[:subset] if subset else pairs)
            store.flush()
            seconds = time.perf_counter() - started
            del store
            results[name] = {"articles": count, "seconds": seconds, "articles_per_s": count / seconds}
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def raw_bulk_load(store, items):
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        return len(items)

    def kg_writer(store, items):
        from kg.store import EmbeddedStore

        embedded = EmbeddedStore.__new__(EmbeddedStore)  # wrap the open store without reopening it
        embedded.location, embedded.read_only, embedded._store = "bench", False, store
        writer = bulk.Writer(embedded)
        for start in range(0, len(items), bulk.CHUNK):
            chunk = items[start:start + bulk.CHUNK]
            stored = bulk.stored_hashes(embedded, (a.id for a, _ in chunk))
            for article, extracted in chunk:
                writer.add(article, extracted, replaces=article.id in stored)
        writer.flush()
        return len(items)

    def per_article_update(store, items):
        for article, extracted in items:
            graph = rdf.graph_iri(article.id)
            store.update(f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{\n"
                         f"{bulk._graph_block(graph, extracted.body, bulk._hash_triple(article))}\n}}")
        return len(items)

    def batched_update(store, items):
        from kg.store import EmbeddedStore

        writer = bulk.Writer(EmbeddedStore.wrapping(store, "bench"), use_bulk_load=False)
        writer.use_bulk_load = False
        for article, extracted in items:
            writer.add(article, extracted, replaces=True)
        writer.flush()
        return len(items)

    timed("raw_bulk_load", raw_bulk_load)
    timed("kg_writer", kg_writer)
    subset = min(n, 3000)
    timed("per_article_update", per_article_update, subset)
    timed("batched_update", batched_update, subset)
    base = results["raw_bulk_load"]["articles_per_s"]
    for name in ("kg_writer", "per_article_update", "batched_update"):
        results[name]["ratio_to_bulk_load"] = results[name]["articles_per_s"] / base
    results["raw_bulk_load"]["quads_per_s"] = quads / results["raw_bulk_load"]["seconds"]
    results["kg_writer"]["quads_per_s"] = quads / results["kg_writer"]["seconds"]
    return results


def typical_params(store) -> dict[str, str]:
    """The busiest actor's IRI: the heaviest realistic parameter for actor queries."""
    rows = store.select("PREFIX kgo: <https://w3id.org/kg-meetings/ontology#> SELECT ?a (COUNT(*) AS ?n) "
                        "WHERE { ?m kgo:participant ?a } GROUP BY ?a ORDER BY DESC(?n) LIMIT 1")
    return {"actor": rows[0]["a"].value} if rows else {}


QUERY_BUDGET_S = 30.0  # pyoxigraph cannot cancel a query: each runs in a child process that is killed past this


def time_query(store_dir: str, name: str, values: dict, repeat: int, mode: str = "named") -> dict:
    """Runs in a child process: one warm-up, then `repeat` timed runs (fewer when slow).

    mode "named": the named query as the CLI and the server run it (through its fast path,
    the met-with summary, when that holds); "direct": the query itself, never the fast path;
    "python": `kg.relations.counterparts` as `kg relations` and the actor API call it
    (directory of local actors, query, records), for the actor in `values`."""
    from kg import relations, summary
    from kg.store import EmbeddedStore

    store = EmbeddedStore(store_dir, read_only=True)
    if mode == "python":
        actor = relations.directory(store).actor(values["actor"])

        def run() -> int:
            return len(relations.counterparts(store, actor))
    else:
        text = queries.get(name).bind(values) if mode == "direct" else None

        def run() -> int:
            return len(store.select(text or summary.bound_text(store, name, values)))
    times, rows = [], 0
    for attempt in range(repeat + 1):
        started = time.perf_counter()
        rows = run()
        elapsed = time.perf_counter() - started
        if attempt:
            times.append(elapsed)
        if elapsed > 5 and (attempt or elapsed > 20):
            times = times or [elapsed]
            break  # a slow aggregate: enough samples to tell its size
    return {"query": name, "rows": rows, "runs": len(times),
            "p50_ms": 1000 * statistics.median(times), "p95_ms": 1000 * percentile(times, 0.95)}


def measure_queries(store_dir: Path, repeat: int, budget: float = QUERY_BUDGET_S) -> dict:
    from kg.store import EmbeddedStore

    store = EmbeddedStore(store_dir, read_only=True)
    busiest = typical_params(store).get("actor", "")
    store.close()
    cases = {
        "relations (one actor)": ("relations", {"actor": busiest}),
        "relations, `kg relations` / API path": ("relations", {"actor": busiest}, "python"),
        "relations from the article graphs (summary bypassed)": ("relations", {"actor": busiest}, "direct"),
        "statements (one speaker)": ("statements", {"speaker": busiest}),
        "meetings (one actor)": ("meetings", {"actor": busiest}),
        "meetings (one actor, one year)": ("meetings", {"actor": busiest, "since": "2019", "until": "2019-12-31"}),
        "meetings (one actor), first page of 50": ("meetings", {"actor": busiest, "limit": "50"}),
        "stats": ("stats", {}),
        "articles": ("articles", {}),
        "articles, first page of 50": ("articles", {"limit": "50"}),
        "actors (through the actor rows of the summary)": ("actors", {}),
        "actors, first page of 50": ("actors", {"limit": "50"}),
        "actors counted from the article graphs (summary bypassed)": ("actors", {}, "direct"),
    }
    results = {}
    for label, (name, values, *mode) in cases.items():
        command = [sys.executable, str(Path(__file__).resolve()), "--time-query",
                   json.dumps([str(store_dir), name, values, repeat, *mode])]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=budget, cwd=ROOT)
            results[label] = json.loads(done.stdout) if done.returncode == 0 else \
                {"query": name, "error": done.stderr[-500:]}
        except subprocess.TimeoutExpired:
            results[label] = {"query": name, "timed_out_s": budget}
        say(f"  {label}: " + (f"{results[label]['p50_ms']:.1f} ms" if "p50_ms" in results[label]
                              else f"over {budget:.0f} s" if "timed_out_s" in results[label] else "error"))
    return {"busiest_actor": busiest, "queries": results}


def measure_size(corpus: Path, n: int, workers: int, repeat: int, work: Path, budget: float) -> dict:
    store_dir = work / f"store-{n}"
    shutil.rmtree(store_dir, ignore_errors=True)
    say(f"ingest {n:,} articles end to end ({workers} workers)")
    ingest = run_kg_ingest(corpus, str(store_dir), workers)
    before = directory_bytes(store_dir)
    say(f"  {ingest['articles_per_s']:.0f} articles/s; optimize and query")
    store = ox.Store(str(store_dir))
    started = time.perf_counter()
    store.optimize()
    optimize_seconds = time.perf_counter() - started
    del store
    after = directory_bytes(store_dir)
    result = {"articles": n, "ingest": ingest, "optimize_seconds": optimize_seconds,
              "store_bytes_after_ingest": before, "store_bytes_optimized": after,
              "bytes_per_article": after / max(n, 1), "bytes_per_quad": after / max(ingest["quads"], 1)}
    result.update(measure_queries(store_dir, repeat, budget))
    rerun_started = time.perf_counter()
    rerun = run_kg_ingest(corpus, str(store_dir), workers)
    result["resume_check"] = {"seconds": time.perf_counter() - rerun_started, "ingested": rerun["ingested"]}
    shutil.rmtree(store_dir, ignore_errors=True)
    return result


def measure_remote(corpus: Path, n: int, workers: int, work: Path) -> dict:
    """Ingest into `oxigraph serve` (a fresh directory) and into an embedded store, same corpus."""
    server = BIN / "oxigraph"
    if not server.exists():
        return {"skipped": "no oxigraph binary in the virtual environment (pip install oxigraph)"}
    data, port = work / "remote-data", free_port()
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    process = subprocess.Popen([str(server), "serve", "--location", str(data), "--bind", f"127.0.0.1:{port}",
                                "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        say(f"remote ingest of {n:,} articles into oxigraph serve")
        remote = run_kg_ingest(corpus, url, workers)
    finally:
        process.terminate()
        process.wait(timeout=30)
    embedded_dir = work / "remote-baseline"
    shutil.rmtree(embedded_dir, ignore_errors=True)
    embedded = run_kg_ingest(corpus, str(embedded_dir), workers)
    shutil.rmtree(embedded_dir, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)
    return {"articles": n, "remote": remote, "embedded": embedded,
            "ratio_remote_to_embedded": remote["articles_per_s"] / embedded["articles_per_s"]}


def run_other(script: str, quick: bool, extra_quick: list[str], out_json: str) -> dict:
    """Another engineer's benchmark, run as it would be by hand; its JSON, else its output."""
    path = ROOT / "bench" / script
    if not path.exists():
        return {"skipped": f"bench/{script} does not exist yet"}
    say(f"running bench/{script}")
    attempts = [extra_quick, []] if quick and extra_quick else [[]]
    for extra in attempts:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(path), *extra], capture_output=True, text=True, cwd=ROOT,
                              timeout=3600)
        if done.returncode == 2 and extra:
            continue  # it does not take the quick options: run it as it is
        result: dict = {"exit_code": done.returncode, "seconds": time.perf_counter() - started,
                        "arguments": extra}
        json_path = OUT / out_json
        if json_path.exists() and json_path.stat().st_mtime >= time.time() - result["seconds"] - 1:
            result["results"] = json.loads(json_path.read_text(encoding="utf-8"))
        result["stdout"] = done.stdout[-6000:]
        if done.returncode:
            result["stderr"] = done.stderr[-3000:]
        return result
    return {"skipped": "could not run"}


# ---------------------------------------------------------------------------------------
# report


def render(report: dict) -> str:
    lines = ["# Benchmarks", "",
             f"Measured in one run on {report['machine']['cpus']} CPUs ({report['machine']['platform']}), "
             f"Python {report['machine']['python']}, pyoxigraph {report['machine']['pyoxigraph']}, "
             f"{report['workers']} extraction workers, {report['started']}. "
             "Written by `bench/run.py`; every ratio compares figures from this same run.", ""]
    ex = report["extraction"]
    q = ex["quality"]
    lines += ["## Extraction (one core, synthetic corpus)", "",
              f"- {ex['articles']:,} articles of {ex['mean_article_bytes']:.0f} bytes on average: "
              f"**{ex['articles_per_s']:.0f} articles/s per core** (target {TARGETS['extraction_per_core']}).",
              f"- Quality on the first {ex['quality_articles']:,} articles against the corpus's ground truth "
              f"(kg.evaluate): meetings detection F1 "
              f"{q['meetings']['detection']['f1']:.3f}, participants F1 {q['meetings']['participants']['f1']:.3f}, "
              f"date accuracy {q['meetings']['date_accuracy']:.3f}, location accuracy "
              f"{q['meetings']['location_accuracy']:.3f}, exact meetings F1 {q['meetings']['exact']['f1']:.3f} "
              f"({q['meetings']['gold']:,} gold meetings); statements F1 {q['statements']['matched']['f1']:.3f}, "
              f"speaker accuracy {q['statements']['speaker_accuracy']:.3f} ({q['statements']['gold']:,} gold statements).",
              "- The synthetic corpus is template-built from the knowledge base: it checks that quality holds "
              "at scale and that nothing degrades, not how well unseen wording is understood "
              "(that is the held-out evaluation's job).", ""]
    w = report["write_path"]
    lines += ["## Write path alone (extraction done beforehand)", "",
              f"{w['articles']:,} articles, {w['quads']:,} quads, {w['nquads_bytes'] / 1e6:.1f} MB of N-Quads.", "",
              "| method | articles | articles/s | ratio to raw bulk_load |", "|---|---:|---:|---:|"]
    for key, label in (("raw_bulk_load", "pyoxigraph `bulk_load`, one call, not crash-safe (baseline)"),
                       ("kg_writer", "**kg writer**: hash lookup per chunk + guarded bulk_load per batch"),
                       ("batched_update", "one SPARQL update per 1000-article batch (replacement path)"),
                       ("per_article_update", "one SPARQL update per article (the former ingest)")):
        row = w[key]
        ratio = row.get("ratio_to_bulk_load", 1.0)
        lines.append(f"| {label} | {row['articles']:,} | {row['articles_per_s']:.0f} | {ratio:.2f} |")
    lines += ["", f"Target {TARGETS['write_vs_bulk_load']}: kg writer at "
              f"**{w['kg_writer']['ratio_to_bulk_load']:.2f}** ({w['kg_writer']['quads_per_s']:,.0f} quads/s; "
              f"raw {w['raw_bulk_load']['quads_per_s']:,.0f} quads/s).", ""]
    lines += ["## End-to-end `kg ingest` and query latency by size", "",
              "| articles | ingest s | of which met-with summary s | articles/s | quads/s | peak RSS (tree) | "
              "optimize s | store bytes/article | rerun (all skipped) s |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in report["sizes"]:
        i = size["ingest"]
        peak = f"{i['peak_rss_bytes'] / 2**20:.0f} MiB" if i["peak_rss_bytes"] else "n/a"
        made = i.get("summary") or {}
        summary_cell = f"{made['seconds']:.1f} ({made['rows']:,} rows)" if made else "n/a"
        lines.append(f"| {size['articles']:,} | {i['seconds']:.1f} | {summary_cell} | {i['articles_per_s']:.0f} | "
                     f"{i['quads_per_s']:,.0f} | {peak} | {size['optimize_seconds']:.1f} | "
                     f"{size['bytes_per_article']:,.0f} | {size['resume_check']['seconds']:.1f} |")
    lines += ["", "Ingest time includes refreshing the met-with summary (kg/summary.py), which makes "
              "relations lookups independent of how many meetings an actor has.", "",
              "Query latency after `optimize()` (p50 / p95 in ms; parameters: the busiest actor). Named queries run "
              "as the CLI and the server run them: `relations` through the summary; the bypassed row is the "
              "same query computed from the article graphs, for comparison:", ""]
    labels = list(report["sizes"][0]["queries"]) if report["sizes"] else []
    lines.append("| query | " + " | ".join(f"{s['articles']:,} articles" for s in report["sizes"]) + " |")
    lines.append("|---|" + "---:|" * len(report["sizes"]))
    for label in labels:
        cells = [_latency_cell(s["queries"][label]) for s in report["sizes"]]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "## Targets", ""]
    for line in report["verdicts"]:
        lines.append(f"- {line}")
    r = report["remote"]
    lines += ["", "## Remote store (`oxigraph serve --union-default-graph` on localhost)", ""]
    if "skipped" in r:
        lines.append(f"Skipped: {r['skipped']}")
    else:
        lines.append(f"{r['articles']:,} articles: remote {r['remote']['articles_per_s']:.0f} articles/s "
                     f"({r['remote']['quads_per_s']:,.0f} quads/s, one SPARQL update per batch) versus embedded "
                     f"{r['embedded']['articles_per_s']:.0f} articles/s: ratio **{r['ratio_remote_to_embedded']:.2f}**.")
    for key, title in (("server", "SPARQL server (bench/bench_server.py)"),
                       ("relations", "Relations: query time vs materialised (bench/bench_relations.py)"),
                       ("events", "Ingest cost of merging reports into events (bench/bench_events.py)")):
        other = report["others"][key]
        lines += ["", f"## {title}", ""]
        if "skipped" in other:
            lines.append(f"Skipped: {other['skipped']}.")
            continue
        lines.append(f"Exit code {other['exit_code']}, {other['seconds']:.0f} s"
                     + (f", arguments `{' '.join(other['arguments'])}`" if other["arguments"] else "") + ".")
        if key == "server" and other.get("stdout", "").strip():  # its own markdown, also in bench/SERVER.md
            lines += ["", "Also written to [SERVER.md](SERVER.md); listing pages by size: [LISTING.md](LISTING.md).",
                      "", other["stdout"].strip().split("\n", 1)[-1].strip()]
        elif "results" in other:
            lines += ["", "```json", json.dumps(other["results"], indent=1, ensure_ascii=False)[:6000], "```"]
        elif other.get("stdout", "").strip():
            lines += ["", other["stdout"].strip()]
        if other.get("stderr"):
            lines += ["", "```", other["stderr"].strip()[-1500:], "```"]
    return "\n".join(lines) + "\n"


def _latency_cell(result: dict) -> str:
    if "timed_out_s" in result:
        return f"> {result['timed_out_s']:.0f} s (killed)"
    if "error" in result:
        return "error"
    return f"{result['p50_ms']:.1f} / {result['p95_ms']:.1f} ({result['rows']:,} rows)"


def verdicts(report: dict) -> list[str]:
    out = []
    ex = report["extraction"]["articles_per_s"]
    out.append(f"Extraction {ex:.0f} articles/s per core: {'met' if ex >= 500 else 'NOT met'} ({TARGETS['extraction_per_core']}).")
    ratio = report["write_path"]["kg_writer"]["ratio_to_bulk_load"]
    out.append(f"Write path {ratio:.2f} of raw bulk_load: {'met' if ratio >= 0.5 else 'NOT met'} ({TARGETS['write_vs_bulk_load']}).")
    for size in report["sizes"]:
        if size["articles"] >= 100_000:
            seconds = size["ingest"]["seconds"] * 100_000 / size["articles"]
            out.append(f"{size['articles']:,} articles ingested in {size['ingest']['seconds'] / 60:.1f} min on "
                       f"{report['workers']} workers: {'met' if seconds < 600 else 'NOT met'} ({TARGETS['ingest_100k']}).")
            relations = size["queries"]["relations (one actor)"]
            p50 = relations.get("p50_ms", float("inf"))
            python = size["queries"].get("relations, `kg relations` / API path", {}).get("p50_ms", float("inf"))
            bypassed = size["queries"].get("relations from the article graphs (summary bypassed)", {})
            out.append(f"Relations p50 {p50:.1f} ms for the busiest actor at {size['articles']:,} articles "
                       f"({python:.1f} ms through `kg relations` / the API; "
                       f"{bypassed.get('p50_ms', float('nan')):.1f} ms without the summary): "
                       f"{'met' if max(p50, python) < 50 else 'NOT met'} ({TARGETS['relations_p50']}).")
    if not any(s["articles"] >= 100_000 for s in report["sizes"]) and report["sizes"]:
        largest = report["sizes"][-1]
        rate = largest["ingest"]["articles_per_s"]
        out.append(f"100k ingest not run at this size; at {rate:.0f} articles/s it would take about "
                   f"{100_000 / rate / 60:.1f} min ({TARGETS['ingest_100k']}).")
    peaks = [s["ingest"]["peak_rss_bytes"] for s in report["sizes"] if s["ingest"]["peak_rss_bytes"]]
    if peaks:
        peak = max(peaks)
        flat = " and flat across sizes" if len(peaks) > 1 and max(peaks) < 1.5 * min(peaks) else ""
        out.append(f"Peak ingest memory {peak / 2**20:.0f} MiB (process tree){flat}: "
                   f"{'met' if peak < 2**30 else 'NOT met'} ({TARGETS['memory']}).")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="corpus sizes for ingest and queries")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run in about a minute")
    parser.add_argument("--workers", type=int, default=bulk.default_workers())
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per query")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-query", help=argparse.SUPPRESS)  # internal: one query, in a child process
    args = parser.parse_args(argv)
    if args.time_query:
        print(json.dumps(time_query(*json.loads(args.time_query))))
        return 0
    sizes = [300, 1000] if args.quick else sorted(int(s) for s in args.sizes.split(","))
    repeat = 3 if args.quick else args.repeat
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    started = time.strftime("%Y-%m-%d %H:%M")
    try:
        biggest = max(sizes)
        say(f"synthetic corpus of {biggest:,} articles")
        corpus, gold, entities = write_corpus(biggest, work / "corpus.jsonl", seed=args.seed)
        say("extraction speed and quality (one core)")
        extraction = measure_extraction(corpus, gold, entities, min(biggest, 300 if args.quick else 2000))
        say("write path versus raw bulk_load")
        write_path = measure_write_path(corpus, min(biggest, 1000 if args.quick else 10_000), args.workers)
        results = [measure_size(corpus_prefix(corpus, n, work), n, args.workers, repeat, work,
                                budget=10.0 if args.quick else QUERY_BUDGET_S) for n in sizes]
        remote = measure_remote(corpus_prefix(corpus, min(biggest, 300 if args.quick else 10_000), work),
                                min(biggest, 300 if args.quick else 10_000), args.workers, work)
        others = {
            "server": run_other("bench_server.py", args.quick, ["--quick"], "server.json"),
            "relations": run_other("bench_relations.py", args.quick, ["--meetings", "2000", "--repeat", "3"],
                                   "relations.json"),
            # 10,000 articles then 1% more, with and without events (--quick: 1,000 then 100)
            "events": run_other("bench_events.py", args.quick, ["--articles", "1000", "--more", "100", "--repeat", "1"],
                                "events.json"),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = {
        "started": started, "quick": args.quick, "workers": args.workers,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "pyoxigraph": ox.__version__},
        "targets": TARGETS, "extraction": extraction, "write_path": write_path, "sizes": results,
        "remote": remote, "others": others,
    }
    report["verdicts"] = verdicts(report)
    (OUT / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    (ROOT / "bench" / "REPORT.md").write_text(render(report), encoding="utf-8")
    say(f"wrote {ROOT / 'bench' / 'REPORT.md'} and {OUT / 'report.json'}")
    for line in report["verdicts"]:
        say(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

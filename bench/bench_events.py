"""What merging reports into events (kg/event_graph.py) costs at ingest.

Writes a synthetic corpus (bench/corpus.py), then ingests it in this process (one worker
by default, so that CPU time counts all the work) into fresh embedded stores with and
without events, and then a further slice of new articles into each (the incremental
case). Each configuration runs `--repeat` times; the median is reported, as ratios
against the run without events in the same process (never as absolute thresholds). CPU
time is reported beside wall time: on a shared, loaded machine it is the steadier figure.

    .venv/bin/python bench/bench_events.py                 # 10,000 + 100 articles
    .venv/bin/python bench/bench_events.py --articles 100000 --more 1000 --workers 2

Results go to bench/EVENTS.md and bench/out/events.json (bench/run.py folds them into
bench/REPORT.md). With --workers above 1 extraction runs in child processes, so the CPU
time is the ingesting process's own (writes, events, summary), not the extraction's.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import write_corpus  # noqa: E402
from kg.extract import Extractor  # noqa: E402
from kg.ingest import ingest  # noqa: E402
from kg.store import EmbeddedStore  # noqa: E402


def split(corpus: Path, n: int, more: int, work: Path) -> tuple[Path, Path]:
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = work / "first.jsonl", work / "more.jsonl"
    first.write_text("".join(lines[:n]), encoding="utf-8")
    second.write_text("".join(lines[n:n + more]), encoding="utf-8")
    return first, second


def one(first: Path, second: Path, work: Path, events: bool, workers: int, extractor: Extractor) -> dict:
    store_dir = work / f"store-{'events' if events else 'plain'}"
    shutil.rmtree(store_dir, ignore_errors=True)
    store = EmbeddedStore(store_dir)
    started, cpu = time.perf_counter(), time.process_time()
    report = ingest(store, [str(first)], events=events, workers=workers, extractor=extractor)
    bulk, bulk_cpu = time.perf_counter() - started, time.process_time() - cpu
    bulk_events = report.events.seconds if report.events else 0.0
    bulk_summary = report.summary.seconds if report.summary else 0.0
    started, cpu = time.perf_counter(), time.process_time()
    report = ingest(store, [str(second)], events=events, workers=workers, extractor=extractor)
    incremental, incremental_cpu = time.perf_counter() - started, time.process_time() - cpu
    incremental_events = report.events.seconds if report.events else 0.0
    incremental_summary = report.summary.seconds if report.summary else 0.0
    store.close()
    return {"bulk": bulk, "bulk_cpu": bulk_cpu, "bulk_events": bulk_events, "bulk_summary": bulk_summary,
            "incremental": incremental, "incremental_cpu": incremental_cpu, "incremental_events": incremental_events,
            "incremental_summary": incremental_summary}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--more", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "EVENTS.md")
    ap.add_argument("--json", type=Path, default=Path(__file__).resolve().parent / "out" / "events.json")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-events-"))
    try:
        corpus, _, _ = write_corpus(args.articles + args.more, work / "corpus.jsonl")
        first, second = split(corpus, args.articles, args.more, work)
        extractor = Extractor()
        runs: dict[bool, list[dict]] = {True: [], False: []}
        for _ in range(args.repeat):
            for events in (False, True):  # alternate, so drift hits both alike
                runs[events].append(one(first, second, work, events, args.workers, extractor))
                print(f"events={events}: {runs[events][-1]['bulk']:.1f} s + {runs[events][-1]['incremental']:.1f} s",
                      file=sys.stderr)

        def median(events: bool, key: str) -> float:
            return statistics.median(r[key] for r in runs[events])

        rows, results = [], {"articles": args.articles, "more": args.more, "repeat": args.repeat,
                             "workers": args.workers, "runs": {"without": runs[False], "with": runs[True]}}
        for case, n in (("bulk", args.articles), ("incremental", args.more)):
            plain, merged = median(False, case), median(True, case)
            plain_cpu, merged_cpu = median(False, case + "_cpu"), median(True, case + "_cpu")
            results[case] = {"throughput_ratio": plain / merged, "cpu_ratio": plain_cpu / merged_cpu}
            rows.append(f"| {case} | {n:,} | {plain:.1f} s | {merged:.1f} s | {n / plain:.0f} | {n / merged:.0f} "
                        f"| {plain / merged:.2f} | {plain_cpu / merged_cpu:.2f} | {median(True, case + '_events'):.2f} s "
                        f"| {median(False, case + '_summary'):.1f} s / {median(True, case + '_summary'):.1f} s |")
        text = "\n".join([
            "# Ingest cost of merging reports into events",
            "",
            f"`bench/bench_events.py --articles {args.articles} --more {args.more} --repeat {args.repeat} "
            f"--workers {args.workers}`: synthetic corpus (bench/corpus.py), embedded store, in-process ingest; "
            "median of the runs. 'incremental': the further articles into the store holding the first ones.",
            "",
            "| case | articles | time without events | with events | articles/s without | with "
            "| throughput ratio (with/without) | CPU-time ratio (without/with) | event refresh (wall) "
            "| met-with summary refresh (without / with) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
        ])
        args.out.write_text(text, encoding="utf-8")
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
        print(text)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

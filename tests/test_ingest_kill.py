"""`kg ingest` killed with SIGKILL at varied points never corrupts the store nor loses a
committed article, and a rerun finishes the rest. The points are places in the run (after
a chosen number of newly stored articles), not times: a run whose output is not read blocks
after ~100 articles (tests/interrupting.py), so each kill finds it running on any machine."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.corpus import write_corpus
from kg import bulk, event_graph, rdf, summary
from kg.extract import Extractor
from kg.sources import read_articles
from kg.store import EmbeddedStore
from interrupting import read_stored, small_pipe

KG = str(Path(sys.executable).parent / "kg")
KGO = rdf.KGO_NS
ARTICLES = 400
KILLS = 4
BATCH = 25  # articles per write transaction
MOST_LINES = 40  # a run is killed after 1..MOST_LINES newly stored articles
PIPE_LINES = 140  # lines a 4 KiB pipe holds at most (each is over 30 bytes): how far an unread run gets


def counts_in_store(store: EmbeddedStore) -> dict[str, tuple[str, int, int]]:
    """Per stored article (one that has its content hash): hash, meetings, statements."""
    rows = store.select(f"""
        SELECT ?id ?h (COUNT(DISTINCT ?m) AS ?meetings) (COUNT(DISTINCT ?s) AS ?statements) WHERE {{
          GRAPH ?g {{ ?a <{KGO}documentId> ?id ; <{KGO}contentHash> ?h .
                     OPTIONAL {{ ?m a <{KGO}Meeting> }} OPTIONAL {{ ?s a <{KGO}Statement> }} }}
        }} GROUP BY ?id ?h""")
    return {r["id"].value: (r["h"].value, int(r["meetings"].value), int(r["statements"].value)) for r in rows}


def summary_rows(store: EmbeddedStore) -> set[str]:
    return {str(q) for q in store.raw.quads_for_pattern(None, None, None, rdf.SUMMARY_GRAPH)}


def event_quads(store: EmbeddedStore) -> set[str]:
    return {str(q) for q in store.raw
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(rdf.EVENT_GRAPH_PREFIX)}


def article_graphs(store: EmbeddedStore) -> set[str]:
    return {g.value for g in store.named_graphs() if not rdf.is_derived_graph(g.value)}


def check_complete(store_dir: Path, truth: dict[str, tuple[str, int, int]]) -> int:
    store = EmbeddedStore(store_dir)  # opens: not corrupted, lock released by the dead process
    try:
        hashed = {g.value for g in (rdf.graph_iri(i) for i in counts_in_store(store))}
        pending = {g.value for g in bulk.pending_graphs(store)}
        # every graph without a hash belongs to the one batch that was being loaded
        assert article_graphs(store) - hashed <= pending
        # a summary marked complete is what a full rebuild makes (else readers ignore it)
        if summary.is_complete(store):
            before = summary_rows(store)
            summary.refresh(store)
            assert summary_rows(store) == before
        # so are events marked complete
        if event_graph.is_complete(store):
            before = event_quads(store)
            event_graph.rebuild(store)
            assert event_quads(store) == before
        bulk.recover_interrupted(store)
        stored = counts_in_store(store)
        for article_id, found in stored.items():
            assert found == truth[article_id], article_id
        assert article_graphs(store) == {rdf.graph_iri(i).value for i in stored}
        return len(stored)
    finally:
        store.close()


@pytest.mark.slow
def test_sigkill_at_random_moments_never_loses_or_corrupts(tmp_path):
    corpus, _, _ = write_corpus(ARTICLES, tmp_path / "corpus.jsonl", seed=11)
    extractor = Extractor()
    truth = {}
    for article in read_articles([str(corpus)]):
        quads = rdf.extraction_quads(extractor.extract(article))
        typed = lambda cls: len({q.subject for q in quads if q.predicate == rdf.RDF.type and q.object == cls})  # noqa: E731
        truth[article.id] = (article.content_hash, typed(rdf.KGO.Meeting), typed(rdf.KGO.Statement))
    store_dir = tmp_path / "store"
    env = {**os.environ, "KG_INGEST_BATCH": str(BATCH)}
    command = [KG, "ingest", str(corpus), "--store", str(store_dir), "--workers", "2"]
    rng = random.Random(5)
    previous = kills = 0
    for _ in range(KILLS):
        if ARTICLES - previous <= MOST_LINES + PIPE_LINES + BATCH:
            break  # a run might then finish before its kill
        process = subprocess.Popen([*command, "--verbose"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   env={**env, "COLUMNS": "500"}, start_new_session=True)
        small_pipe(process.stderr)
        try:
            assert read_stored(process.stderr, rng.randint(1, MOST_LINES)) >= 1
            process.send_signal(signal.SIGKILL)  # only the main process: workers are orphaned, as in a crash
            process.wait(timeout=30)
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # then tidy up the orphans we started
            except ProcessLookupError:
                pass
            process.wait(timeout=30)
            process.stderr.close()
        assert process.returncode == -signal.SIGKILL  # killed, not finished
        stored = check_complete(store_dir, truth)
        assert stored > previous  # committed articles are never lost, and each run stored some
        previous = stored
        kills += 1
    assert kills >= 1  # the first run always has more than enough left to be killed mid-way
    command.append("--json")
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ingested"] + report["unchanged"] == ARTICLES
    assert report["unchanged"] == previous
    assert check_complete(store_dir, truth) == ARTICLES
    store = EmbeddedStore(store_dir)
    try:
        assert summary.is_complete(store) and summary.state(store).rows > 0
    finally:
        store.close()

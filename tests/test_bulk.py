"""The parallel ingest engine: what it stores equals a fresh extraction, reruns skip,
changed articles are replaced atomically, and an interrupted bulk load is cleaned up."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.corpus import write_corpus
from kg import bulk, rdf
from kg.extract import Extractor
from kg.ingest import ingest
from kg.sources import read_articles
from kg.store import EmbeddedStore


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path, _, _ = write_corpus(40, tmp_path_factory.mktemp("corpus") / "c.jsonl", seed=7)
    return path


def graph_quads(store: EmbeddedStore, article_id: str) -> set[str]:
    return {str(q) for q in store.raw.quads_for_pattern(None, None, None, rdf.graph_iri(article_id))}


def expected_quads(extractor: Extractor, article) -> set[str]:
    return {str(q) for q in rdf.extraction_quads(extractor.extract(article))}


def test_stored_graphs_equal_a_fresh_extraction(tmp_path, corpus, extractor):
    store = EmbeddedStore(tmp_path / "store")
    report = ingest(store, [str(corpus)], extractor=extractor, workers=1)
    assert (report.ingested, report.failed) == (40, 0)
    for article in read_articles([str(corpus)]):
        assert graph_quads(store, article.id) == expected_quads(extractor, article)
    assert bulk.pending_graphs(store) == []


def test_parallel_workers_store_the_same_as_one_process(tmp_path, corpus, extractor, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 8)  # several chunks, so the pool is used
    monkeypatch.setattr(bulk, "TASK", 3)
    serial = EmbeddedStore(tmp_path / "serial")
    ingest(serial, [str(corpus)], extractor=extractor, workers=1)
    parallel = EmbeddedStore(tmp_path / "parallel")
    report = ingest(parallel, [str(corpus)], workers=2)
    assert report.ingested == 40
    dump = lambda s: {str(q) for q in s.raw.quads_for_pattern(None, None, None, None)}  # noqa: E731
    assert dump(serial) == dump(parallel)


def test_rerun_skips_and_changed_text_replaces_the_graph(tmp_path, corpus, extractor):
    store = EmbeddedStore(tmp_path / "store")
    ingest(store, [str(corpus)], extractor=extractor, workers=1)
    again = ingest(store, [str(corpus)], extractor=extractor, workers=1)
    assert (again.ingested, again.skipped_unchanged) == (0, 40)

    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    records[0]["text"] = records[0]["text"].replace("\n\n", "\n\nسطر جديد.\n\n", 1)
    changed = tmp_path / "changed.jsonl"
    changed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    report = ingest(store, [str(changed)], extractor=extractor, workers=1)
    assert (report.ingested, report.skipped_unchanged) == (1, 39)
    article = next(a for a in read_articles([str(changed)]) if a.id == records[0]["id"])
    assert graph_quads(store, article.id) == expected_quads(extractor, article)

    forced = ingest(store, [str(changed)], extractor=extractor, workers=1, force=True)
    assert forced.ingested == 40


def test_bad_input_is_reported_and_the_rest_stored(tmp_path, corpus, extractor):
    bad = tmp_path / "bad.jsonl"
    lines = corpus.read_text(encoding="utf-8").splitlines()[:3]
    bad.write_text(lines[0] + "\n{not json\n" + lines[1] + "\n", encoding="utf-8")
    store = EmbeddedStore(tmp_path / "store")
    report = ingest(store, [str(bad)], extractor=extractor, workers=1)
    assert report.ingested == 2
    assert report.failed == 1 and "line 2" in report.problems[0].where


def test_an_interrupted_bulk_load_is_dropped_at_the_next_start(tmp_path, corpus, extractor):
    """What a kill between the pending markers and the hashes leaves: hash-less graphs."""
    store = EmbeddedStore(tmp_path / "store")
    articles = list(read_articles([str(corpus)]))
    ingest(store, [str(corpus)], extractor=extractor, workers=1)
    stranger = dataclasses.replace(articles[0], id="interrupted.txt")
    extracted = bulk.extract_one(stranger, extractor)
    graph = rdf.graph_iri(stranger.id)
    store.raw.update(f"INSERT DATA {{ {bulk.PENDING_NODE} {bulk.PENDING_PRED} {graph} }}")
    half = extracted.body[: len(extracted.body) // 2].rsplit(b"\n", 1)[0] + b"\n"
    store.raw.bulk_load(bulk._as_nquads(half, graph), format=ox.RdfFormat.N_QUADS)
    assert bulk.stored_hashes(store, [stranger.id]) == {}  # never counted as stored

    assert bulk.recover_interrupted(store) == 1
    assert graph_quads(store, stranger.id) == set()
    assert bulk.pending_graphs(store) == []
    assert len(graph_quads(store, articles[0].id)) > 0  # committed articles untouched


def test_estimate_total_counts_lines_and_files(tmp_path, corpus):
    (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
    assert bulk.estimate_total([str(corpus), str(tmp_path)]) == 41
    assert bulk.estimate_total(["-"]) is None


def test_stats_and_the_article_list_count_only_stored_articles(tmp_path, corpus, extractor):
    """After a kill -9 between the bulk load and the hashes, `kg stats` and the articles
    query count what is stored (graphs with their content hash), not the pending graph."""
    from typer.testing import CliRunner

    from kg.cli import app

    articles = list(read_articles([str(corpus)]))
    pending = next(a for a in articles if (e := bulk.extract_one(a, extractor)).meetings and e.statements)
    kept = [a for a in articles if a.id != pending.id]
    kept_path = tmp_path / "kept.jsonl"
    kept_path.write_text("".join(line + "\n" for line in corpus.read_text(encoding="utf-8").splitlines()
                                 if json.loads(line)["id"] != pending.id), encoding="utf-8")
    location = tmp_path / "store"
    store = EmbeddedStore(location)
    ingest(store, [str(kept_path)], extractor=extractor, workers=1)
    store.close()

    def counts() -> tuple[dict, list[dict]]:
        stats = CliRunner().invoke(app, ["stats", "--json", "--store", str(location)])
        listed = CliRunner().invoke(app, ["query", "articles", "-f", "json", "--store", str(location)])
        assert stats.exit_code == 0 and listed.exit_code == 0, stats.output + listed.output
        figures = json.loads(stats.stdout)
        del figures["quads"]  # the pending graph's quads are in the store, and counted as quads
        return figures, json.loads(listed.stdout)["results"]["bindings"]

    before = counts()
    assert before[0]["articles"] == len(kept) == len(before[1]) == 39
    # what the killed run left: the marker, the article's whole graph, no content hash
    store = EmbeddedStore(location)
    graph = rdf.graph_iri(pending.id)
    extracted = bulk.extract_one(pending, extractor)
    store.raw.update(f"INSERT DATA {{ {bulk.PENDING_NODE} {bulk.PENDING_PRED} {graph} }}")
    store.raw.bulk_load(bulk._as_nquads(extracted.body, graph), format=ox.RdfFormat.N_QUADS)
    everything = store.select("SELECT (COUNT(DISTINCT ?a) AS ?n) (COUNT(DISTINCT ?m) AS ?m) WHERE { GRAPH ?g { "
                              f"?a a <{rdf.KGO.Article.value}> OPTIONAL {{ ?m a <{rdf.KGO.Meeting.value}> }} }} }}")
    assert (int(everything[0]["n"].value), int(everything[0]["m"].value)) == (40, before[0]["meetings"] + extracted.meetings)
    store.close()
    assert counts() == before
    # and the next ingest drops the pending graph, then stores the article whole
    store = EmbeddedStore(location)
    report = ingest(store, [str(corpus)], extractor=extractor, workers=1)
    store.close()
    assert (report.recovered, report.ingested, report.skipped_unchanged) == (1, 1, 39)
    after = counts()
    assert after[0]["articles"] == len(after[1]) == 40
    assert after[0]["meetings"] == before[0]["meetings"] + extracted.meetings
    assert after[0]["statements"] == before[0]["statements"] + extracted.statements

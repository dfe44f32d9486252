"""The met-with summary (kg/summary.py) on real stores: it always says what relations.rq
says, ingest keeps it so (incrementally, replacements included), a stale one is never read,
and the server rebuilds it after writes."""
from __future__ import annotations

import json
import shutil
import time
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from bench.corpus import write_corpus
from kg import queries, rdf, relations, summary
from kg.extract import Extractor
from kg.ingest import ingest
from kg.lookups import resolve_actor
from kg.server import create_app
from kg.server.background import serve_in_thread
from kg.store import EmbeddedStore

LISTS = ("places", "articles")  # GROUP_CONCAT values, compared as sets; other literals whole (datatype, language)
ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PUTIN = rdf.actor_iri("vladimir-putin").value
ERDOGAN = rdf.actor_iri("recep-tayyip-erdogan").value
PEZESHKIAN = rdf.actor_iri("masoud-pezeshkian").value
TOKEN = "summary-test-token-0123456789"
MEETING = "موسكو - التقى الرئيس الروسي فلاديمير بوتين {} في موسكو يوم الثلاثاء، وبحث الجانبان العلاقات الثنائية.\n"
WITH_ERDOGAN = MEETING.format("نظيره التركي رجب طيب أردوغان")
WITH_PEZESHKIAN = MEETING.format("الرئيس الإيراني مسعود بزشكيان")


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def rows(store, name: str, actor: str, **values) -> list[dict]:
    """A named query's rows as plain values; list-valued cells sorted (GROUP_CONCAT has no order)."""
    found = [{k: str(v) if isinstance(v, ox.Literal) and k not in LISTS else v.value for k, v in row.items()} for row in store.select(queries.get(name).bind({"actor": actor, **values}))]
    for row in found:
        row["places"] = sorted(row.get("places", "").split())
        row["articles"] = sorted(row.get("articles", "").split(" | "))
    return found


def disagreements(store) -> list[str]:
    """Actors whose met-with rows differ from relations.rq's, and "actors" when the actor
    rows (actor-list.rq) differ from actors.rq's, term for term (types and languages too)."""
    found = [actor for actor in sorted(summary.participants(store))
             if rows(store, "relations", actor) != rows(store, "met-with", actor)]
    direct, listed = ([{k: str(v) for k, v in r.items()} for r in store.select(queries.get(name).bind({}))]
                      for name in ("actors", "actor-list"))
    return found + (["actors"] if direct != listed or not direct else [])


def summary_quads(store: EmbeddedStore) -> set[str]:
    return {str(q) for q in store.raw.quads_for_pattern(None, None, None, rdf.SUMMARY_GRAPH)}


def assert_same_as_a_full_rebuild(store: EmbeddedStore) -> None:
    assert summary.is_complete(store)
    kept = summary_quads(store)
    summary.refresh(store)
    assert summary_quads(store) == kept


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory, extractor) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path_factory.mktemp("summary-seeds") / "store")
    report = ingest(store, [str(SEEDS)], metadata=SEEDS / "metadata.json", extractor=extractor)
    assert report.ingested == 5 and report.summary.full
    yield store
    store.close()


def test_ingest_leaves_a_complete_summary_that_agrees_with_relations(seeds_store):
    state = summary.state(seeds_store)
    assert state.complete and state.rows > 0
    assert len(summary.participants(seeds_store)) >= 5
    assert disagreements(seeds_store) == []
    # the split done in Python (kg relations, the API) gives met-with's rows, in its order
    for actor in summary.participants(seeds_store):
        plain = [{k: v.value for k, v in row.items()} for row in seeds_store.select(queries.get("met-with").bind({"actor": actor}))]
        assert summary.counterpart_rows(seeds_store, actor) == plain
        first = plain[0]["counterpart"]
        assert summary.counterpart_rows(seeds_store, actor, first) == plain[:1]
    # each pair is there from both sides
    pairs = {(r["counterpart"], actor) for actor in summary.participants(seeds_store)
             for r in rows(seeds_store, "met-with", actor)}
    assert pairs == {(b, a) for a, b in pairs}


def test_relations_take_the_summary_only_when_it_holds(seeds_store):
    relations_query = queries.get("relations")
    chosen, values = summary.choose(seeds_store, relations_query, {"actor": PUTIN, "since": None})
    assert chosen.name == "met-with" and values == {"actor": PUTIN}
    assert summary.choose(seeds_store, relations_query, {"actor": PUTIN, "since": "2017"})[0] is relations_query
    assert summary.choose(seeds_store, queries.get("meetings"), {"actor": PUTIN})[0].name == "meetings"
    putin = resolve_actor("Putin")
    fast = [c.to_dict() for c in relations.counterparts(seeds_store, putin)]
    summary.mark_stale(seeds_store)
    try:
        assert summary.choose(seeds_store, relations_query, {"actor": PUTIN})[0] is relations_query
        assert [c.to_dict() for c in relations.counterparts(seeds_store, putin)] == fast
        assert len(fast) >= 3
    finally:
        summary.refresh(seeds_store)
    assert summary.is_complete(seeds_store)


def test_a_rerun_after_an_interruption_rebuilds_a_stale_summary(tmp_path, extractor):
    store = EmbeddedStore(tmp_path / "store")
    try:
        ingest(store, [str(SEEDS)], metadata=SEEDS / "metadata.json", extractor=extractor)
        summary.mark_stale(store)  # what a run killed between its first write and its refresh leaves
        store.update(f"DELETE WHERE {{ GRAPH {rdf.SUMMARY_GRAPH} {{ ?row {rdf.KGO.summaryActor} <{PUTIN}> ; ?p ?o }} }}")
        report = ingest(store, [str(SEEDS)], metadata=SEEDS / "metadata.json", extractor=extractor)
        assert report.ingested == 0 and report.skipped_unchanged == 5
        assert report.summary is not None and report.summary.full
        assert summary.is_complete(store) and disagreements(store) == []
        assert rows(store, "met-with", PUTIN)
    finally:
        store.close()


def test_a_new_knowledge_base_version_rebuilds_every_row(tmp_path, extractor):
    """Rows carry copies of the counterparts' names, which a new knowledge base may change."""
    store = EmbeddedStore(tmp_path / "store")
    try:
        ingest(store, [str(SEEDS)], metadata=SEEDS / "metadata.json", extractor=extractor)
        store.update("DELETE { ?k ?p ?v } INSERT { ?k ?p \"an older version\" } WHERE { "
                     "?k ?p ?v FILTER(?p = <https://w3id.org/kg-meetings/ontology#knowledgeVersion>) }")
        article = tmp_path / "putin-erdogan.txt"
        article.write_text(WITH_ERDOGAN, encoding="utf-8")
        report = ingest(store, [str(article)], published=date(2025, 3, 4), extractor=extractor)
        assert report.knowledge_changed and report.summary.full
        assert report.summary.actors == len(summary.actors(store)) > len(summary.participants(store)) > 2
        assert disagreements(store) == []
    finally:
        store.close()


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory, extractor) -> EmbeddedStore:
    """Synthetic articles about many actors, so one new article touches only a few of them."""
    folder = tmp_path_factory.mktemp("summary-corpus")
    corpus, _, _ = write_corpus(80, folder / "corpus.jsonl", seed=3)  # 136 actors: enough to tell a partial update from a full one
    store = EmbeddedStore(folder / "store")
    ingest(store, [str(corpus)], extractor=extractor, workers=1)
    yield store
    store.close()


def test_a_new_article_updates_only_the_actors_it_touches(corpus_store, tmp_path, extractor):
    everyone = summary.participants(corpus_store)
    assert len(everyone) > 20
    before = {r["counterpart"]: r for r in rows(corpus_store, "met-with", PUTIN)}
    article = tmp_path / "putin-erdogan.txt"
    article.write_text(WITH_ERDOGAN, encoding="utf-8")
    report = ingest(corpus_store, [str(article)], published=date(2025, 3, 4), extractor=extractor)
    assert report.ingested == 1 and report.touched == {PUTIN, ERDOGAN}
    assert not report.summary.full and report.summary.actors == 2
    after = {r["counterpart"]: r for r in rows(corpus_store, "met-with", PUTIN)}
    def held(row: dict | None) -> int:  # the cell is an N-Triples literal: "3"^^<...#integer>
        return int(row["meetings"].split('"')[1]) if row else 0

    assert held(after[ERDOGAN]) == held(before.get(ERDOGAN)) + 1
    assert "putin-erdogan.txt" in after[ERDOGAN]["articles"]
    assert_same_as_a_full_rebuild(corpus_store)


def test_replacing_an_article_also_updates_its_former_participants(corpus_store, tmp_path, extractor):
    article = tmp_path / "putin-visit.txt"
    article.write_text(WITH_ERDOGAN, encoding="utf-8")
    ingest(corpus_store, [str(article)], published=date(2025, 5, 6), extractor=extractor)
    assert "putin-visit.txt" in next(r for r in rows(corpus_store, "met-with", ERDOGAN) if r["counterpart"] == PUTIN)["articles"]
    article.write_text(WITH_PEZESHKIAN, encoding="utf-8")  # the same article, corrected
    report = ingest(corpus_store, [str(article)], published=date(2025, 5, 6), extractor=extractor)
    assert report.ingested == 1 and report.touched == {PUTIN, ERDOGAN, PEZESHKIAN}
    assert not report.summary.full
    erdogan_and_putin = [r for r in rows(corpus_store, "met-with", ERDOGAN) if r["counterpart"] == PUTIN]
    assert all("putin-visit.txt" not in r["articles"] for r in erdogan_and_putin)
    assert "putin-visit.txt" in next(r for r in rows(corpus_store, "met-with", PEZESHKIAN) if r["counterpart"] == PUTIN)["articles"]
    assert_same_as_a_full_rebuild(corpus_store)
    assert disagreements(corpus_store) == []


def test_summary_rows_conform_to_the_shapes(seeds_store, tmp_path):
    import pyshacl
    import rdflib

    out = tmp_path / "summary.nt"
    with out.open("wb") as sink:
        ox.serialize((q.triple for q in seeds_store.raw.quads_for_pattern(None, None, None, rdf.SUMMARY_GRAPH)),
                     sink, ox.RdfFormat.N_TRIPLES)
    data = rdflib.Graph().parse(out, format="nt")
    assert len(data) > 20
    conforms, _, text = pyshacl.validate(data, shacl_graph=rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl"),
                                         inference="none")
    assert conforms, text
    # and a broken row does not
    data.remove((None, rdflib.URIRef(rdf.KGO.heldMeetingCount.value), None))
    assert not pyshacl.validate(data, shacl_graph=rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl"),
                                inference="none")[0]


def test_the_server_rebuilds_it_after_a_write(seeds_store, tmp_path):
    copy = tmp_path / "store"
    seeds_store.flush()
    shutil.copytree(seeds_store.location, copy)
    (copy / "LOCK").unlink(missing_ok=True)
    token = tmp_path / "token"
    token.write_text(TOKEN, encoding="utf-8")
    app = create_app(copy, allow_update=True, token_file=token, workers=1)
    with serve_in_thread(app) as url:
        def health() -> dict:
            return requests.get(url + "/health", timeout=30).json()["summary"]

        def putin(**extra) -> list[dict]:
            response = requests.get(url + "/queries/relations", params={"actor": PUTIN, **extra}, timeout=30)
            assert response.status_code == 200, response.text
            found = [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]
            for row in found:  # GROUP_CONCAT has no order
                row["places"] = sorted(row.get("places", "").split())
                row["articles"] = sorted(row.get("articles", "").split(" | "))
            return found

        def settle() -> None:
            deadline = time.monotonic() + 60
            while not (state := health())["complete"] or state["rebuilding"]:
                assert time.monotonic() < deadline, "the summary was not rebuilt within a minute"
                time.sleep(0.1)

        settle()
        from kg.remote import RemoteStore

        assert RemoteStore(url).keeps_summary  # so `kg ingest --store URL` leaves the rebuilding to it
        before = putin()
        dropped = next(r["articles"][0] for r in before)
        update = f"DROP GRAPH {rdf.graph_iri(dropped)}"
        response = requests.post(url + "/update", data=update, timeout=30, headers={
            "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
        assert response.status_code in (200, 204), response.text
        right_after = putin()  # stale summary: computed from the article graphs
        assert all(dropped not in r["articles"] for r in right_after)
        settle()
        rebuilt = putin()
        assert rebuilt == right_after != before
        through_api = requests.get(url + "/api/actors/vladimir-putin/relations", timeout=30).json()
        assert [c["actor"]["iri"] for c in through_api["counterparts"]] == [r["counterpart"] for r in rebuilt]
        assert json.loads(json.dumps(rebuilt))  # plain JSON all the way

"""Events in `kg extract --json` and in the store (kg/event_graph.py): own articles
(tests/data/events, see its metadata's _about) through real extraction, real pyoxigraph
stores and a real `oxigraph serve`; any ingest order, re-ingest, replacement, removal."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kg import event_graph, queries, rdf, summary
from kg.event_graph import resolve_extractions
from kg.extract import Extractor
from kg.ingest import extract_all, ingest, remove
from kg.model import Extraction
from kg.predictions import to_predictions
from kg.remote import RemoteStore
from kg.store import EmbeddedStore

DATA = Path(__file__).resolve().parent / "data" / "events"
METADATA = DATA / "metadata.json"
NAMES = [f"a{i}.txt" for i in range(1, 10)]
SUMMIT = ["a1.txt", "a2.txt", "a3.txt", "a4.txt", "a8.txt", "a9.txt"]  # one encounter, six reports
BIN = Path(sys.executable).parent
PUTIN, ERDOGAN, LAVROV = (rdf.actor_iri(k).value for k in ("vladimir-putin", "recep-tayyip-erdogan", "sergey-lavrov"))
EVENTS = """
PREFIX kgo: <https://w3id.org/kg-meetings/ontology#>
SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "%s")) }
""" % rdf.EVENT_GRAPH_PREFIX


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="module")
def extractions(extractor) -> list[Extraction]:
    found = [x for x in extract_all([str(DATA)], metadata=METADATA, extractor=extractor) if isinstance(x, Extraction)]
    assert sorted(x.article.id for x in found) == NAMES
    return found


def paths(names) -> list[str]:
    return [str(DATA / n) for n in names]


def event_quads(store) -> set[tuple[str, str, str, str]]:
    return {(r["g"].value, str(r["s"]), str(r["p"]), str(r["o"])) for r in store.select(EVENTS)}


def groups(store) -> list[tuple[str, ...]]:
    """Each event as the sorted document ids of its reports."""
    by_event: dict[str, set[str]] = {}
    for g, s, p, o in event_quads(store):
        if p == f"<{rdf.PROV_NS}wasDerivedFrom>" and "/place/" not in s and "/date/" not in s:
            by_event.setdefault(s, set()).add(o.rsplit("/", 1)[1].rstrip(">"))
    return sorted(tuple(sorted(docs)) for docs in by_event.values())


EXPECTED_GROUPS = [("a1.txt", "a2.txt", "a3.txt", "a4.txt", "a8.txt", "a9.txt"), ("a5.txt",), ("a6.txt",), ("a7.txt",)]


# --- kg extract --json ---------------------------------------------------------------------


def test_extract_json_gives_reports_of_one_encounter_one_event_id_and_keeps_their_values(extractions, extractor):
    prediction = to_predictions(extractions, extractor.kb)
    rows = sorted((m["documents"][0], m["date"], (m["location"] or {}).get("label"), m["status"],
                   sorted(p["label"] for p in m["participants"]), m["event"]) for m in prediction["meetings"])
    summit = rows[0][5]
    assert [row[:5] for row in rows] == [
        ("a1.txt", "2025-03-10", "Moscow", "held", ["Recep Tayyip Erdoğan", "Sergey Lavrov", "Vladimir Putin"]),  # الكرملين
        ("a2.txt", "2025-03-10", "Moscow", "held", ["Recep Tayyip Erdoğan", "Vladimir Putin"]),
        ("a3.txt", None, None, "held", ["Recep Tayyip Erdoğan", "Vladimir Putin"]),
        ("a4.txt", None, "Moscow", "planned", ["Recep Tayyip Erdoğan", "Vladimir Putin"]),
        ("a5.txt", "2025-03-09", "Moscow", "held", ["Recep Tayyip Erdoğan", "Sergey Lavrov"]),
        ("a6.txt", "2025-06-20", "Saint Petersburg", "held", ["Recep Tayyip Erdoğan", "Vladimir Putin"]),
        ("a7.txt", "2025-03-10", "Moscow", "held", ["Mikhail Mishustin", "Recep Tayyip Erdoğan"]),
        ("a8.txt", "2025-03", "Moscow", "held", ["Recep Tayyip Erdoğan", "Vladimir Putin"]),
        ("a9.txt", "2025-03-10", "Sochi", "held", ["Recep Tayyip Erdoğan", "Vladimir Putin"]),
    ]
    assert [row[0] for row in rows if row[5] == summit] == SUMMIT
    assert len({row[5] for row in rows}) == 4  # the welcome, June and Mishustin stay apart
    # the same ids whatever the order of the articles
    again = {(m["documents"][0], m["event"]) for m in to_predictions(extractions[::-1], extractor.kb)["meetings"]}
    assert again == {(row[0], row[5]) for row in rows}


# --- the store -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bulk(tmp_path_factory, extractor) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path_factory.mktemp("events-bulk") / "store")
    report = ingest(store, [str(DATA)], metadata=METADATA, extractor=extractor, workers=1)
    assert report.ingested == 9 and report.events.full and report.events.events == 4
    yield store
    store.close()


def test_the_event_carries_every_report_the_agreed_values_and_each_reported_place_with_its_articles(bulk, extractions):
    ids = resolve_extractions(extractions)
    summit = ids[("a1.txt", 0)]
    node = rdf.event_iri(summit.id).value
    graph = rdf.event_graph_iri(summit.id).value
    quads = {(s, p, o) for g, s, p, o in event_quads(bulk) if g == graph}
    reports = {f"<{rdf.meeting_iri(x.meetings[0], x.article.id).value}>"
               for x in extractions if x.article.id in SUMMIT}
    article = {n: f"<{rdf.article_iri(n).value}>" for n in NAMES}
    moscow, sochi = f"<{node}/place/moscow>", f"<{node}/place/sochi>"
    day, month = f"<{node}/date/2025-03-10>", f"<{node}/date/2025-03>"
    e = f"<{node}>"
    kgo, prov, schema, rdf_ns = (f"<{rdf.KGO_NS}", f"<{rdf.PROV_NS}", f"<{rdf.SCHEMA_NS}", f"<{rdf.RDF_NS}")
    assert quads == {
        (e, rdf_ns + "type>", kgo + "MeetingEvent>"),
        (e, kgo + "status>", kgo + "Held>"),
        (e, schema + "startDate>", '"2025-03-10"^^<http://www.w3.org/2001/XMLSchema#date>'),
        (e, kgo + "reportCount>", '"6"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        *((e, kgo + "participant>", f"<{a}>") for a in (PUTIN, ERDOGAN, LAVROV)),
        *((e, kgo + "report>", r) for r in reports),
        *((e, prov + "wasDerivedFrom>", article[n]) for n in SUMMIT),
        # Moscow (a1 in the Kremlin, a2, a4, a8) and Sochi (a9): both shown, no schema:location chosen
        (e, kgo + "reportedPlace>", moscow), (e, kgo + "reportedPlace>", sochi),
        (moscow, rdf_ns + "type>", kgo + "ReportedValue>"), (sochi, rdf_ns + "type>", kgo + "ReportedValue>"),
        (moscow, rdf_ns + "value>", f"<{rdf.place_iri('moscow').value}>"),
        (sochi, rdf_ns + "value>", f"<{rdf.place_iri('sochi').value}>"),
        *((moscow, prov + "wasDerivedFrom>", article[n]) for n in ("a1.txt", "a2.txt", "a4.txt", "a8.txt")),
        (sochi, prov + "wasDerivedFrom>", article["a9.txt"]),
        (e, kgo + "reportedDate>", day), (e, kgo + "reportedDate>", month),
        (day, rdf_ns + "type>", kgo + "ReportedValue>"), (month, rdf_ns + "type>", kgo + "ReportedValue>"),
        (day, rdf_ns + "value>", '"2025-03-10"^^<http://www.w3.org/2001/XMLSchema#date>'),
        (month, rdf_ns + "value>", '"2025-03"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'),
        *((day, prov + "wasDerivedFrom>", article[n]) for n in ("a1.txt", "a2.txt", "a9.txt")),
        (month, prov + "wasDerivedFrom>", article["a8.txt"]),
    }
    assert groups(bulk) == EXPECTED_GROUPS
    assert event_graph.is_complete(bulk)


def test_each_report_keeps_its_own_graph_and_values(bulk, extractions):
    a4 = next(x for x in extractions if x.article.id == "a4.txt")
    node = rdf.meeting_iri(a4.meetings[0], "a4.txt")
    rows = bulk.select(f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }}")
    values = {(r["g"].value, r["p"].value, str(r["o"])) for r in rows if r["p"].value != rdf.KGO.evidence.value}
    graph = rdf.graph_iri("a4.txt").value
    assert values == {
        (graph, rdf.RDF.type.value, f"<{rdf.KGO.Meeting.value}>"),
        (graph, rdf.KGO.status.value, f"<{rdf.KGO.Planned.value}>"),
        (graph, rdf.KGO.participant.value, f"<{PUTIN}>"), (graph, rdf.KGO.participant.value, f"<{ERDOGAN}>"),
        (graph, rdf.SCHEMA.location.value, f"<{rdf.place_iri('moscow').value}>"),
        (graph, rdf.KGO.trigger.value, str(next(q.object for q in rdf.extraction_quads(a4) if q.predicate == rdf.KGO.trigger))),
        (graph, rdf.PROV.wasDerivedFrom.value, f"<{rdf.article_iri('a4.txt').value}>"),
    }


def fresh(tmp_path: Path, name: str) -> EmbeddedStore:
    return EmbeddedStore(tmp_path / name)


def test_any_ingest_order_one_at_a_time_or_in_parts_gives_the_same_events_and_iris(bulk, tmp_path, extractor):
    expected = event_quads(bulk)
    orders = {"reverse": NAMES[::-1]}  # another order on the remote store below
    for label, order in orders.items():
        store = fresh(tmp_path, label)
        for name in order:
            report = ingest(store, paths([name]), metadata=METADATA, extractor=extractor, workers=1)
            assert report.ingested == 1
        assert event_quads(store) == expected, label
        assert not report.events.full  # after the first, incremental
        store.close()
    store = fresh(tmp_path, "parts")
    ingest(store, paths(["a9.txt", "a5.txt", "a3.txt"]), metadata=METADATA, extractor=extractor, workers=1)
    assert groups(store) == [("a3.txt", "a9.txt"), ("a5.txt",)]
    ingest(store, paths(NAMES), metadata=METADATA, extractor=extractor, workers=1)
    assert event_quads(store) == expected
    store.close()


def test_an_incremental_ingest_reads_the_linked_reports_and_rewrites_only_the_events_that_change(bulk, tmp_path,
                                                                                                  extractor):
    store = fresh(tmp_path, "one-more")
    ingest(store, paths([n for n in NAMES if n != "a4.txt"]), metadata=METADATA, extractor=extractor, workers=1)
    report = ingest(store, paths(["a4.txt"]), metadata=METADATA, extractor=extractor, workers=1)
    # a4 (planned, Putin and Erdogan, the days after 5 March) is linked to the five summit
    # reports naming both; the welcome (a5: Erdogan and Lavrov) shares only one of them.
    # Only the summit's event changes: the other three are not rewritten.
    assert (report.events.full, report.events.reports, report.events.events) == (False, 6, 1)
    assert event_quads(store) == event_quads(bulk)
    store.close()


def test_reingest_changes_nothing(tmp_path, extractor):
    store = fresh(tmp_path, "again")
    ingest(store, [str(DATA)], metadata=METADATA, extractor=extractor, workers=1)
    before = sorted(str(q) for q in store.raw)
    report = ingest(store, [str(DATA)], metadata=METADATA, extractor=extractor, workers=1)
    assert (report.ingested, report.skipped_unchanged, report.events) == (0, 9, None)
    report = ingest(store, [str(DATA)], metadata=METADATA, extractor=extractor, workers=1, force=True)
    assert report.ingested == 9 and report.events.full  # every article rewritten: one rebuild
    assert sorted(str(q) for q in store.raw) == before
    report = ingest(store, paths(["a2.txt", "a5.txt"]), metadata=METADATA, extractor=extractor, workers=1, force=True)
    assert report.ingested == 2 and not report.events.full  # two replaced in place, incrementally
    assert sorted(str(q) for q in store.raw) == before
    store.close()


def test_removing_or_replacing_a_report_takes_it_out_of_its_event(tmp_path, extractor):
    store = fresh(tmp_path, "remove")
    ingest(store, [str(DATA)], metadata=METADATA, extractor=extractor, workers=1)
    report = remove(store, ["a1.txt", "a5.txt"])
    assert not report.events.full
    assert groups(store) == [("a2.txt", "a3.txt", "a4.txt", "a8.txt", "a9.txt"), ("a6.txt",), ("a7.txt",)]
    without = fresh(tmp_path, "without")
    ingest(without, paths(sorted(set(NAMES) - {"a1.txt", "a5.txt"})), metadata=METADATA, extractor=extractor, workers=1)
    assert event_quads(store) == event_quads(without)
    # a2 rewritten so that it reports no meeting any more: it leaves the event
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "a2.txt").write_text("أردوغان يتحدث عن الاقتصاد\n\nأنقرة - قال الرئيس التركي رجب طيب أردوغان إن اقتصاد بلاده ينمو.\n",
                                    encoding="utf-8")
    shutil.copy(METADATA, changed / "metadata.json")
    report = ingest(store, [str(changed / "a2.txt")], metadata=changed / "metadata.json", extractor=extractor, workers=1)
    assert report.ingested == 1 and not report.events.full
    assert groups(store) == [("a3.txt", "a4.txt", "a8.txt", "a9.txt"), ("a6.txt",), ("a7.txt",)]
    remove(without, ["a2.txt"])
    assert event_quads(store) == event_quads(without)
    store.close()
    without.close()


def test_a_store_without_complete_events_is_rebuilt_whole(tmp_path, extractor, bulk):
    store = fresh(tmp_path, "stale")
    ingest(store, paths(NAMES[:4]), metadata=METADATA, extractor=extractor, workers=1)
    event_graph.mark_stale(store)  # as a run killed between its writes and its refresh leaves it
    store.update(f"DROP GRAPH <{rdf.EVENT_GRAPH_PREFIX}{next(iter(event_quads(store)))[0].rsplit('/', 1)[1]}>")
    report = ingest(store, paths(NAMES[4:]), metadata=METADATA, extractor=extractor, workers=1)
    assert report.events.full
    assert event_quads(store) == event_quads(bulk)
    store.close()


# --- a remote store: a real `oxigraph serve` ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    binary = BIN / "oxigraph"
    if not binary.exists():
        pytest.skip("the oxigraph package (oxigraph serve) is not installed")
    port = _free_port()
    process = subprocess.Popen([str(binary), "serve", "--location", str(tmp_path_factory.mktemp("oxigraph-events")),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20  # a hang guard, not a measurement
        while True:
            try:
                requests.get(f"{url}/query", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("oxigraph serve did not start")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_remote_store_one_at_a_time_in_another_order_gives_the_same_events_and_removal_works(server, bulk, extractor):
    store = RemoteStore(server)
    for name in ["a4.txt", "a6.txt", "a2.txt", "a9.txt", "a1.txt", "a3.txt", "a7.txt", "a5.txt", "a8.txt"]:
        assert ingest(store, paths([name]), metadata=METADATA, extractor=extractor, workers=1).ingested == 1
    assert event_quads(store) == event_quads(bulk)
    assert event_graph.is_complete(store)
    remove(store, ["a1.txt", "a5.txt"])
    assert groups(store) == [("a2.txt", "a3.txt", "a4.txt", "a8.txt", "a9.txt"), ("a6.txt",), ("a7.txt",)]
    store.close()


# --- events as users read them -------------------------------------------------------------


def test_relations_and_the_summary_count_encounters_not_reports(bulk):
    rows = bulk.select(queries.get("relations").bind({"actor": ERDOGAN}))
    counts = {r["counterpart"].value: (int(r["meetings"].value), int(r["plannedMeetings"].value)) for r in rows}
    mishustin = rdf.actor_iri("mikhail-mishustin").value
    # Putin: the summit (five held reports and one planned: one held encounter) and June;
    # Lavrov: the summit and the welcome
    assert counts == {PUTIN: (2, 0), LAVROV: (2, 0), mishustin: (1, 0)}
    assert summary.is_complete(bulk)
    fast = {r["counterpart"]: (int(r["meetings"]), int(r["plannedMeetings"])) for r in summary.counterpart_rows(bulk, ERDOGAN)}
    assert fast == counts
    edges = bulk.select(queries.get("relation-edges").bind({}))
    assert sorted((r["a"].value, r["b"].value, int(r["meetings"].value)) for r in edges) == sorted([
        tuple(sorted((PUTIN, ERDOGAN))) + (2,), tuple(sorted((LAVROV, ERDOGAN))) + (2,),
        tuple(sorted((PUTIN, LAVROV))) + (1,), tuple(sorted((mishustin, ERDOGAN))) + (1,)])


def test_kg_events_lists_each_encounter_once_with_its_reports(bulk, tmp_path):
    store_dir = bulk.location
    bulk.flush()
    done = subprocess.run([str(BIN / "kg"), "events", "--actor", "Erdogan", "--since", "2025-03", "--until", "2025-03-31",
                           "--json", "--store", store_dir], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [{k: (sorted(v) if k == "participants" else v) for k, v in r.items() if k != "event"}
            for r in json.loads(done.stdout)]
    # newest first; one day's events in the order of their IRIs
    assert rows == [
        {"date": "2025-03-10", "reported": "2025-03-10", "status": "held", "place": rdf.place_iri("moscow").value,
         "placeLabel": "Moscow", "placesReported": ["Moscow"], "reports": 1,
         "participants": ["Mikhail Mishustin", "Recep Tayyip Erdoğan"],
         "articles": ["a7.txt (G, 2025-03-10)"]},
        {"date": "2025-03-10", "reported": "2025-03-05", "status": "held", "placesReported": ["Moscow", "Sochi"],
         "reports": 6,
         "participants": ["Recep Tayyip Erdoğan", "Sergey Lavrov", "Vladimir Putin"],
         "articles": ["a1.txt (A, 2025-03-10)", "a2.txt (B, 2025-03-11)", "a3.txt (C, 2025-03-11)",
                      "a4.txt (D, 2025-03-05)", "a8.txt (H, 2025-04-02)", "a9.txt (I, 2025-03-10)"]},
        {"date": "2025-03-09", "reported": "2025-03-09", "status": "held", "place": rdf.place_iri("moscow").value,
         "placeLabel": "Moscow", "placesReported": ["Moscow"], "reports": 1,
         "participants": ["Recep Tayyip Erdoğan", "Sergey Lavrov"],
         "articles": ["a5.txt (E, 2025-03-09)"]},
    ]


def test_kg_serve_as_remote_store_keeps_the_same_events_and_marks_them_stale_after_other_writes(
        bulk, extractor, tmp_path, monkeypatch):
    from kg.server import create_app
    from kg.server.background import serve_in_thread

    token = tmp_path / "token"
    token.write_text("events-test-token-0123456789", encoding="utf-8")
    monkeypatch.setenv("KG_STORE_TOKEN", "events-test-token-0123456789")
    app = create_app(tmp_path / "served", allow_update=True, token_file=token, workers=1)
    with serve_in_thread(app) as url:
        store = RemoteStore(url)
        for part in (["a9.txt", "a3.txt", "a5.txt", "a1.txt"], ["a8.txt", "a2.txt", "a7.txt", "a6.txt", "a4.txt"]):
            assert ingest(store, paths(part), metadata=METADATA, extractor=extractor, workers=1).ingested == len(part)
        assert event_quads(store) == event_quads(bulk)
        assert event_graph.is_complete(store)
        # another tool drops an article through the Graph Store Protocol: the events are stale
        response = requests.delete(url + "/store", params={"graph": rdf.graph_iri("a5.txt").value},
                                   headers={"Authorization": "Bearer events-test-token-0123456789"}, timeout=60)
        assert response.status_code in (200, 204), response.text
        assert not event_graph.is_complete(store)
        done = event_graph.rebuild(store)
        assert (done.full, done.events) == (True, 3)
        assert groups(store) == [("a1.txt", "a2.txt", "a3.txt", "a4.txt", "a8.txt", "a9.txt"), ("a6.txt",), ("a7.txt",)]
        store.close()

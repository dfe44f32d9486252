"""An encounter counts once, with its held status when any of its reports says it was held.

Own articles (tests/data/events-planned, see its metadata's _about): p1 announces ("سيلتقي")
a meeting of Sisi and Mohammed bin Salman in Riyadh, p2 reports it held three days later
(اليوم الاثنين, 2025-05-05): one encounter, two reports, each keeping its own status in its
own graph. p3 announces a meeting of Sisi and Abdullah II that no report says was held.
Every answer below is written from that text, by hand."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import rdf
from kg.cli import app
from tests.conftest import ingest_into

DATA = Path(__file__).resolve().parent / "data" / "events-planned"
SISI, MBS, ABDULLAH = "Abdel Fattah el-Sisi", "Mohammed bin Salman", "Abdullah II of Jordan"
runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    return ingest_into(tmp_path_factory.mktemp("events-planned") / "store", DATA, DATA / "metadata.json")


def kg(store: str, *args: str):
    result = runner.invoke(app, [*args, "--store", store])
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def named(store: str, name: str, *params: str) -> list[dict]:
    data = kg(store, "query", name, *(x for p in params for x in ("-p", p)), "--format", "json")
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def keys(store: str) -> dict[str, str]:
    """Actor label -> IRI, as the store names them."""
    return {r["label"]: r["actor"] for r in named(store, "actors")}


def test_each_report_keeps_its_own_status_in_its_own_graph(store):
    rows = kg(store, "meetings", "--by-report", "--json")
    events = {r["articles"][0]: r["event"] for r in rows}
    assert events["p1.txt"] == events["p2.txt"] != events["p3.txt"]
    assert [(r["articles"], r["status"], r.get("date"), r["reported"], r["placeLabel"], r["participants"])
            for r in rows] == [  # newest first: p2 by its date, then p3 and p1 by publication
        (["p2.txt"], "held", "2025-05-05", "2025-05-05", "Riyadh", sorted([SISI, MBS])),
        (["p3.txt"], "planned", None, "2025-05-05", "Amman", sorted([SISI, ABDULLAH])),
        (["p1.txt"], "planned", None, "2025-05-02", "Riyadh", sorted([SISI, MBS]))]


def test_kg_meetings_and_the_api_list_each_encounter_once_with_its_reports(store):
    rows = kg(store, "meetings", "--json")
    events = {r["articles"][0]: r["event"] for r in kg(store, "meetings", "--by-report", "--json")}
    assert [{k: v for k, v in r.items() if k != "evidence"} for r in rows] == [
        {"meeting": events["p2.txt"], "date": "2025-05-05", "reported": "2025-05-02", "status": "held",
         "place": rdf.place_iri("riyadh").value, "placeLabel": "Riyadh", "placesReported": ["Riyadh"],
         "participants": sorted([SISI, MBS]), "reports": 2, "articles": ["p1.txt", "p2.txt"],
         "sources": ["p1.txt (X, 2025-05-02)", "p2.txt (Y, 2025-05-05)"]},
        {"meeting": events["p3.txt"], "reported": "2025-05-05", "status": "planned",
         "place": rdf.place_iri("amman").value, "placeLabel": "Amman", "placesReported": ["Amman"],
         "participants": sorted([SISI, ABDULLAH]), "reports": 1, "articles": ["p3.txt"],
         "sources": ["p3.txt (Z, 2025-05-05)"]}]
    # dates filter on the encounter's date: the announcement of the 2nd comes with the held talks of the 5th
    assert [r["sources"] for r in kg(store, "meetings", "--since", "2025-05-04", "--actor", "Mohammed bin Salman",
                                    "--json")] == [["p1.txt (X, 2025-05-02)", "p2.txt (Y, 2025-05-05)"]]
    assert kg(store, "meetings", "--until", "2025-05-04", "--json") == []
    # the actor's meetings (timeline, /api/meetings): the same encounters, oldest first
    timeline = kg(store, "timeline", "Sisi", "--json")["events"]
    # (one day: in the order of their IRIs, which no hand knows, so sorted)
    assert sorted((e["when"], e["meeting"]["status"], e["meeting"]["articles"], e["meeting"]["sources"])
                  for e in timeline) == [
        ("2025-05-05", "held", ["p1.txt", "p2.txt"], ["p1.txt (X, 2025-05-02)", "p2.txt (Y, 2025-05-05)"]),
        ("2025-05-05", "planned", ["p3.txt"], ["p3.txt (Z, 2025-05-05)"])]


def test_relations_and_the_summary_count_the_encounter_once_as_held(store):
    want = {SISI: [(MBS, 1, 0, "2025-05-05", "2025-05-05", "2025-05-05", "2025-05-05", ["Riyadh"], ["p1.txt", "p2.txt"]),
                   (ABDULLAH, 0, 1, None, None, None, None, ["Amman"], ["p3.txt"])],
            MBS: [(SISI, 1, 0, "2025-05-05", "2025-05-05", "2025-05-05", "2025-05-05", ["Riyadh"], ["p1.txt", "p2.txt"])],
            ABDULLAH: [(SISI, 0, 1, None, None, None, None, ["Amman"], ["p3.txt"])]}
    for actor, rows in want.items():
        # through the met-with summary (no dates) and from the article graphs (a date filter)
        for extra in ((), ("--since", "2025")):
            got = kg(store, "relations", actor, *extra, "--json")["counterparts"]
            assert [(c["actor"]["label"], c["meetings"], c["planned"], c["first"], c["last"], c["first_reported"],
                     c["last_reported"], c["places"], c["articles"]) for c in got] == rows, (actor, extra)
    assert kg(store, "summary", "--json")["complete"] is True
    iri = keys(store)
    for query in ("relations", "met-with"):
        rows = named(store, query, f"actor={iri[SISI]}")
        assert [(r["counterpart"], int(r["meetings"]), int(r["plannedMeetings"])) for r in rows] == [
            (iri[MBS], 1, 0), (iri[ABDULLAH], 0, 1)], query


def test_edges_actors_and_activity_count_the_encounter_once(store):
    iri = keys(store)
    edges = named(store, "relation-edges")
    assert sorted((r["a"], r["b"], int(r["meetings"]), r["first"], r["last"]) for r in edges) == [
        (*sorted((iri[SISI], iri[MBS])), 1, "2025-05-05", "2025-05-05")]
    assert [(r["label"], int(r["meetings"]), int(r["statements"])) for r in named(store, "actors")] == [
        (SISI, 2, 0), (ABDULLAH, 1, 0), (MBS, 1, 0)]
    activity = {r["actor"]: (int(r["meetings"]), int(r["held"]), int(r["statements"]))
                for r in named(store, "actor-activity")}
    assert activity == {iri[SISI]: (2, 1, 0), iri[MBS]: (1, 1, 0), iri[ABDULLAH]: (1, 0, 0)}
    profile = kg(store, "actor", "Sisi", "--json")
    assert (profile["meetings"], profile["planned"]) == (1, 1)
    network = kg(store, "network", "--out", str(Path(store).parent / "n.svg"), "--json")
    assert {n["label"]: n["meetings"] for n in network["nodes"]} == {SISI: 1, MBS: 1}


def test_kg_events_lists_the_encounter_with_both_reports(store):
    rows = kg(store, "events", "--json")
    assert [{k: v for k, v in r.items() if k != "event"} for r in rows] == [
        {"date": "2025-05-05", "reported": "2025-05-02", "status": "held", "place": rdf.place_iri("riyadh").value,
         "placeLabel": "Riyadh", "placesReported": ["Riyadh"], "reports": 2,
         "participants": sorted([SISI, MBS]), "articles": ["p1.txt (X, 2025-05-02)", "p2.txt (Y, 2025-05-05)"]},
        {"reported": "2025-05-05", "status": "planned", "place": rdf.place_iri("amman").value,
         "placeLabel": "Amman", "placesReported": ["Amman"], "reports": 1,
         "participants": sorted([SISI, ABDULLAH]), "articles": ["p3.txt (Z, 2025-05-05)"]},
    ]

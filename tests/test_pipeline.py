"""The whole pipeline through the installed `kg` command, as a user runs it: the five sample
articles into a temporary store, then lookups, export, SHACL and re-ingest."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate

ROOT = Path(__file__).resolve().parent.parent
KG = str(Path(sys.executable).parent / "kg")
SEEDS = ROOT / "seeds"


def kg(*args: str, store: Path, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([KG, *args, "--store", str(store)] if args[0] not in ("extract", "eval") else [KG, *args],
                            capture_output=True, text=True, input=input, timeout=120, cwd=ROOT)
    if check and result.returncode != 0:
        raise AssertionError(f"kg {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "kg"
    kg("ingest", str(SEEDS), "--metadata", str(SEEDS / "metadata.json"), store=path)
    return path


def test_meetings_json_lists_putin_khamenei_in_tehran_with_evidence(store):
    rows = json.loads(kg("meetings", "--actor", "Putin", "--json", store=store).stdout)
    match = [r for r in rows if r.get("date") == "2017-11-01" and set(r["participants"]) >= {"Vladimir Putin", "Ali Khamenei"}]
    assert match, rows
    meeting = match[0]
    assert meeting["placeLabel"] == "Tehran"
    assert meeting["articles"] == ["000_498fb477b4349d6f.txt"]
    article = (SEEDS / "000_498fb477b4349d6f.txt").read_text(encoding="utf-8")
    assert meeting["evidence"] and meeting["evidence"] in article


def test_arabic_and_wikidata_lookups_give_the_same_meetings(store):
    english = json.loads(kg("meetings", "--actor", "Khamenei", "--json", store=store).stdout)
    arabic = json.loads(kg("meetings", "--actor", "خامنئي", "--json", store=store).stdout)
    qid = json.loads(kg("meetings", "--actor", "Q57336", "--json", store=store).stdout)
    assert english and english == arabic == qid


def test_unknown_actor_suggests_and_exits_2(store):
    result = kg("meetings", "--actor", "Putni", store=store, check=False)
    assert result.returncode == 2
    assert "Putin" in result.stderr


def test_statements_carry_speaker_and_source(store):
    rows = json.loads(kg("statements", "--speaker", "Shoigu", "--json", store=store).stdout)
    assert len(rows) >= 5
    article = (SEEDS / "004_66157fabfa55e3a0.txt").read_text(encoding="utf-8")
    for row in rows:
        assert row["documentId"] == "004_66157fabfa55e3a0.txt"
        assert row["content"] in article


@pytest.fixture(scope="module")
def turtle_export(store, tmp_path_factory) -> tuple[int, tuple[bool, str]]:
    """`kg export` (Turtle, all graphs merged) read by rdflib once: its triple count, then
    pyshacl's verdict on it with the project's shapes (which mixes the ontology into it)."""
    out = tmp_path_factory.mktemp("export") / "dump.ttl"
    kg("export", "-o", str(out), store=store)
    graph = rdflib.Graph().parse(out, format="turtle")
    triples = len(graph)
    conforms, _graph, report = validate(
        graph,
        shacl_graph=rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl"),
        ont_graph=rdflib.Graph().parse(ROOT / "ontology" / "kg.ttl"),
        inference="none",
        inplace=True,  # the graph is not used afterwards: no copy
    )
    return triples, (bool(conforms), report)


def test_turtle_export_parses_with_rdflib_and_keeps_every_triple(store, turtle_export):
    raw = ox.Store.read_only(str(store))
    distinct = len({(q.subject, q.predicate, q.object) for q in raw})
    assert turtle_export[0] == distinct > 1000


def test_trig_export_keeps_one_graph_per_article(store, tmp_path):
    out = tmp_path / "dump.trig"
    kg("export", "--format", "trig", "-o", str(out), store=store)
    dataset = rdflib.Dataset().parse(out, format="trig")
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert sum("/graph/" in g for g in graphs) == 5
    assert len(ox.Store.read_only(str(store))) == len(list(dataset.quads((None, None, None, None))))


def test_export_conforms_to_the_shapes(turtle_export):
    """The whole export: every article graph, the knowledge base, events and summary."""
    conforms, report = turtle_export[1]
    assert conforms, report


def test_single_article_export(store):
    result = kg("export", "--graph", "003_551287741a318654.txt", "--format", "nquads", store=store)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines and all("003_551287741a318654.txt" in line for line in lines)
    missing = kg("export", "--graph", "nope.txt", store=store, check=False)
    assert missing.returncode == 2 and "no article" in missing.stderr


def test_reingest_changes_nothing(store, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(store, copy)
    before = len(ox.Store.read_only(str(copy)))
    again = json.loads(kg("ingest", str(SEEDS), "--json", store=copy).stdout)
    assert again["unchanged"] == 5 and again["ingested"] == 0
    forced = json.loads(kg("ingest", str(SEEDS), "--force", "--json", store=copy).stdout)
    assert forced["ingested"] == 5
    assert len(ox.Store.read_only(str(copy))) == before


def test_query_formats_and_named_queries(store):
    csv_out = kg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/kg-meetings/ontology#Meeting> }",
                 "--format", "csv", store=store).stdout.splitlines()
    assert csv_out[0].strip() == "n" and int(csv_out[1]) >= 9
    named = json.loads(kg("query", "relations", "-p", "actor=https://w3id.org/kg-meetings/id/actor/vladimir-putin",
                          "--format", "json", store=store).stdout)
    counterparts = {b["counterpartLabel"]["value"] for b in named["results"]["bindings"]}
    assert {"Ali Khamenei", "Hassan Rouhani", "Ebrahim Raisi"} <= counterparts
    bad = kg("query", "SELECT WHERE {", store=store, check=False)
    assert bad.returncode == 2 and "error" in bad.stderr.lower()


def test_stats(store):
    stats = json.loads(kg("stats", "--json", store=store).stdout)
    assert stats["articles"] == 5 and stats["meetings"] >= 9 and stats["statements"] >= 70


def test_extract_prints_prediction_format_without_a_store(tmp_path):
    result = kg("extract", str(SEEDS), "--metadata", str(SEEDS / "metadata.json"), "--json", store=tmp_path)
    prediction = json.loads(result.stdout)
    assert set(prediction) == {"meetings", "statements"}
    meeting = prediction["meetings"][0]
    assert {"participants", "date", "location", "status", "documents"} <= set(meeting)
    assert all({"label", "wikidata"} <= set(p) for p in meeting["participants"])
    assert all({"speakers", "text", "document"} <= set(s) for s in prediction["statements"])
    assert not (tmp_path / "kg").exists()


def test_extract_without_publication_date_warns_and_leaves_relative_dates(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("عنوان\n\nاستقبل الرئيس الروسي فلاديمير بوتين اليوم في موسكو وزير الخارجية الإيراني عباس عراقجي.\n",
                       encoding="utf-8")
    result = kg("extract", str(article), "--json", store=tmp_path)
    meetings = json.loads(result.stdout)["meetings"]
    assert meetings and meetings[0]["date"] is None
    assert "no publication date" in result.stderr
    dated = json.loads(kg("extract", str(article), "--published", "2025-03-04", "--json", store=tmp_path).stdout)
    assert dated["meetings"][0]["date"] == "2025-03-04"
    assert {p["label"] for p in dated["meetings"][0]["participants"]} == {"Vladimir Putin", "Abbas Araghchi"}


def test_ingest_reads_json_lines_from_stdin(tmp_path):
    line = json.dumps({"id": "x1", "text": "التقى وزير الخارجية السعودي فيصل بن فرحان اليوم في الرياض نظيره التركي هاكان فيدان.",
                       "published": "2024-02-01", "source": "test"}, ensure_ascii=False)
    store = tmp_path / "s"
    summary = json.loads(kg("ingest", "-", "--json", store=store, input=line + "\n").stdout)
    assert summary["ingested"] == 1 and summary["meetings"] == 1


def test_bad_input_is_reported_and_the_rest_ingested(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text((SEEDS / "003_551287741a318654.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    result = kg("ingest", str(folder), "--published", "2022-05-08", "--json", store=tmp_path / "s", check=False)
    summary = json.loads(result.stdout)
    assert result.returncode == 1
    assert summary["ingested"] == 1 and summary["failed"] == 2
    reasons = " ".join(p["reason"] for p in summary["problems"])
    assert "empty" in reasons and "binary" in reasons

"""Content negotiation and result serialisation, on results of a real pyoxigraph store."""
from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from kg.formats import DeadlineExceeded, NotAcceptable, negotiate, parse_accept, render, serialize_result

EX = "http://example.org/"


@pytest.fixture()
def store() -> ox.Store:
    store = ox.Store()
    s, p = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
    for obj in (ox.Literal('say "hi", then\nleave'), ox.Literal("بوتين", language="ar"), ox.Literal(7),
                ox.NamedNode(EX + "o"), ox.BlankNode("b0")):
        store.add(ox.Quad(s, p, obj))
    return store


SELECT = "SELECT ?s ?o ?missing WHERE { ?s ?p ?o } ORDER BY STR(?o)"


def test_accept_parsing_reads_q_values_and_ignores_junk():
    assert parse_accept("text/csv;q=0.5, application/json , bogus, text/*;q=x") == [
        ("text/csv", 0.5), ("application/json", 1.0), ("text/*", 0.0)]


@pytest.mark.parametrize(("accept", "expected"), [
    ("", "json"),
    ("*/*", "json"),
    ("text/csv", "csv"),
    ("application/sparql-results+xml;q=0.9, text/csv;q=0.8", "xml"),
    ("text/*;q=0.9, application/sparql-results+json;q=0.1", "csv"),  # a text format (XML is sent as application/)
    ("text/*", "csv"),
    ("text/*, text/csv;q=0, text/xml;q=0", "tsv"),  # the most specific range decides
    ("application/json", "json"),
    ("tsv", "tsv"),  # a format name overrides any header
])
def test_results_negotiation(accept, expected):
    assert negotiate("results", accept).name == expected


@pytest.mark.parametrize(("accept", "expected"), [
    ("", "turtle"),
    ("application/n-triples", "ntriples"),
    ("application/ld+json;q=1, text/turtle;q=0.5", "jsonld"),
    ("application/trig", "trig"),
    ("nquads", "nquads"),
])
def test_graph_negotiation(accept, expected):
    assert negotiate("graph", accept).name == expected


@pytest.mark.parametrize(("kind", "accept"), [
    ("results", "text/turtle"), ("results", "image/png, */*;q=0"), ("graph", "text/csv"), ("graph", "json"),
])
def test_not_acceptable_names_what_is_available(kind, accept):
    with pytest.raises(NotAcceptable, match="available|use one of"):
        negotiate(kind, accept)


def test_json_terms_are_typed_and_unbound_variables_absent(store):
    document = json.loads(render(store.query(SELECT), "json").body)
    assert document["head"]["vars"] == ["s", "o", "missing"]
    values = {b["o"]["type"] + ":" + b["o"]["value"]: b["o"] for b in document["results"]["bindings"]}
    assert values["literal:بوتين"]["xml:lang"] == "ar"
    assert values["literal:7"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    assert "datatype" not in values['literal:say "hi", then\nleave']
    assert values["bnode:b0"] == {"type": "bnode", "value": "b0"}
    assert all("missing" not in b for b in document["results"]["bindings"])
    assert "truncated" not in document


def test_truncation_is_signalled_in_every_format(store):
    for name in ("json", "xml", "csv", "tsv"):
        rendered = render(store.query(SELECT), name, limit=2)
        assert (rendered.count, rendered.truncated) == (2, True)
    assert json.loads(render(store.query(SELECT), "json", limit=2).body)["truncated"] is True
    exact = render(store.query(SELECT), "json", limit=5)
    assert (exact.count, exact.truncated) == (5, False)


def test_csv_quotes_commas_quotes_and_newlines(store):
    body = render(store.query(SELECT), "csv").body.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["s", "o", "missing"]
    assert ["http://example.org/s", 'say "hi", then\nleave', ""] in rows
    assert ["http://example.org/s", "_:b0", ""] in rows


def test_tsv_writes_terms_in_ntriples_syntax_one_row_per_line(store):
    lines = render(store.query(SELECT), "tsv").body.decode().splitlines()
    assert lines[0] == "?s\t?o\t?missing"
    assert len(lines) == 6
    assert '<http://example.org/s>\t"say \\"hi\\", then\\nleave"\t' in lines


def test_xml_is_well_formed_sparql_results(store):
    root = ET.fromstring(render(store.query(SELECT), "xml", limit=1).body)
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["s", "o", "missing"]
    assert root.find("r:head/r:link", ns) is not None  # truncated
    assert len(root.findall("r:results/r:result", ns)) == 1


def test_ask_and_construct(store):
    body, media = serialize_result(store.query("ASK { ?s ?p 7 }"), "application/sparql-results+json")
    assert json.loads(body)["boolean"] is True and media == "application/sparql-results+json"
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    body, media = serialize_result(store.query(construct), "application/n-triples")
    assert media == "application/n-triples" and len(body.splitlines()) == 5
    parsed = list(ox.parse(serialize_result(store.query(construct), "jsonld")[0], format=ox.RdfFormat.JSON_LD))
    assert len(parsed) == 5
    limited = render(store.query(construct), "nquads", limit=3)
    assert limited.truncated and len(limited.body.splitlines()) == 3


def test_a_passed_deadline_stops_reading(store):
    with pytest.raises(DeadlineExceeded):
        render(store.query(SELECT), "json", deadline=time.monotonic() - 1)


TRICKY = [" edges ", 'a},{"b', "{}", '},{', "<result>", "x\ny\r\n", "tab\there", "\\", "[]", "ü ق", ""]


@pytest.fixture()
def tricky() -> ox.Store:
    """Literals that look like the structure the row counts look for."""
    store = ox.Store()
    p = ox.NamedNode(EX + "p")
    for i, text in enumerate(TRICKY):
        subject = ox.NamedNode(f"{EX}s{i}")
        store.add(ox.Quad(subject, p, ox.Literal(text)))
        store.add(ox.Quad(subject, p, ox.Literal(text, language="ar")))
    store.add(ox.Quad(ox.NamedNode(EX + "s0"), p, ox.BlankNode("b1")))
    return store


@pytest.mark.parametrize("query", [
    "SELECT ?s ?o ?missing WHERE { ?s ?p ?o } ORDER BY ?s ?o",
    "SELECT ?x WHERE { VALUES ?x { UNDEF UNDEF UNDEF } }",  # solutions with nothing bound
    "SELECT ?s WHERE { ?s <http://example.org/none> ?o }",  # none at all
    "SELECT * WHERE { }",  # one empty solution, no variables
])
@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_pyoxigraphs_writer_gives_what_the_row_writer_gives(tricky, query, fmt):
    native = render(tricky.query(query), fmt)  # no cap: pyoxigraph writes it
    rows = render(tricky.query(query), fmt, limit=10_000)  # a cap and no rerun: written row by row
    expected = {"SELECT ?s ?o": 23, "SELECT ?x": 3, "SELECT ?s WHERE": 0, "SELECT * ": 1}
    assert native.count == rows.count == next(n for start, n in expected.items() if query.startswith(start))
    parse = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "tsv": ox.QueryResultsFormat.TSV}[fmt]
    assert [str(s) for s in ox.parse_query_results(native.body, parse)] == \
        [str(s) for s in ox.parse_query_results(rows.body, parse)]
    assert native.truncated is rows.truncated is False


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "csv"])
def test_a_result_over_the_cap_is_run_again_and_cut(tricky, fmt):
    query = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o"
    runs = []

    def rerun():
        runs.append(1)
        return tricky.query(query)

    capped = render(tricky.query(query), fmt, limit=4, rerun=rerun)
    assert (capped.count, capped.truncated, len(runs)) == (4, True, 0 if fmt == "csv" else 1)
    whole = render(tricky.query(query), fmt, limit=23, rerun=rerun)
    assert (whole.count, whole.truncated, len(runs)) == (23, False, 0 if fmt == "csv" else 1)

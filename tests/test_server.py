"""The HTTP service over a real socket, with real clients: requests, SPARQLWrapper, rdflib.

Each app runs under uvicorn on a free port of 127.0.0.1 in a background thread, over its
own copy of a small store (synthetic articles built with kg.rdf, plus a few hand-made
graphs), and is always shut down.
"""
from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import JSON, XML, SPARQLWrapper

from kg import queries as named_queries
from kg.rdf import KGO_NS, PROV_NS
from kg.server import create_app, synthetic
from kg.server.background import serve_in_thread

EX = "http://example.org/"
QUOTED = 'he said "no" {yes}\nthen'
EXTRA_TRIG = f"""
@prefix kgo: <{KGO_NS}> . @prefix prov: <{PROV_NS}> . @prefix ex: <{EX}> .
ex:g1 {{ ex:a ex:p "one" }}
ex:g2 {{ ex:b ex:p "two" . ex:c ex:p "three" }}
ex:quotes {{
  ex:st1 kgo:speaker ex:speaker ; kgo:content {json.dumps(QUOTED)} ; kgo:reportingVerb "قال" ;
         prov:wasDerivedFrom ex:article .
  ex:article kgo:documentId "quotes-article" .
}}
"""
# Seconds of work for any store of this size: a three-way cross product counted in one call.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNT_G2 = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}p> ?o }}"
TOKEN = "s3cret-token-for-tests-0123456789"
TIMEOUT = 60  # seconds any single client call may take in these tests: a hang guard only


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("master") / "store"
    synthetic.build_store(str(path), 40)
    store = ox.Store(str(path))
    store.load(EXTRA_TRIG.encode(), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    return path


def copy_of(master: Path, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("copy") / "store"
    shutil.copytree(master, target)
    return target


@pytest.fixture(scope="module")
def url(master, tmp_path_factory):
    """A read-only server with default settings."""
    app = create_app(copy_of(master, tmp_path_factory), max_body=5_000, cors="https://client.example")
    with serve_in_thread(app) as base:
        yield base


@pytest.fixture(scope="module")
def limited(master, tmp_path_factory):
    """Two workers, no waiting room and a timeout that SLOW (a cube of the store, ~10^12
    rows) always reaches while a count answers far within it, even on a loaded machine."""
    app = create_app(copy_of(master, tmp_path_factory), timeout=5.0, max_results=25, workers=2, queue_size=0)
    with serve_in_thread(app) as base:
        yield base


@pytest.fixture(scope="module")
def capped(master, tmp_path_factory):
    """A small row cap and no deadline to race: only the cap can cut an answer short."""
    app = create_app(copy_of(master, tmp_path_factory), timeout=300, max_results=25, workers=1)
    with serve_in_thread(app) as base:
        yield base


@pytest.fixture(scope="module")
def token_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "token"
    path.write_text(TOKEN + "\n")
    return path


@pytest.fixture(scope="module")
def writable(master, tmp_path_factory, token_file):
    app = create_app(copy_of(master, tmp_path_factory), allow_update=True, token_file=token_file)
    with serve_in_thread(app) as base:
        yield base


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def get(base, path, **kwargs):
    return requests.get(base + path, timeout=TIMEOUT, **kwargs)


def post(base, path, **kwargs):
    return requests.post(base + path, timeout=TIMEOUT, **kwargs)


def count(response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# --- SPARQL protocol --------------------------------------------------------------------


def test_get_post_form_and_direct_give_the_same_answer(url):
    by_get = get(url, "/sparql", params={"query": COUNT_G2})
    by_form = post(url, "/sparql", data={"query": COUNT_G2})
    by_body = post(url, "/query", data=COUNT_G2.encode(), headers={"Content-Type": "application/sparql-query"})
    assert count(by_get) == count(by_form) == count(by_body) == 3
    assert by_get.headers["Content-Type"] == "application/sparql-results+json"


@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv;q=0.9, application/sparql-results+json;q=0.5", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_results_follow_accept_q_values(url, accept, media):
    response = get(url, "/sparql", params={"query": COUNT_G2}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(media), response.text


def test_format_parameter_overrides_accept(url):
    response = get(url, "/sparql", params={"query": COUNT_G2, "format": "csv"},
                   headers={"Accept": "application/sparql-results+xml"})
    assert response.headers["Content-Type"].startswith("text/csv") and response.text.splitlines()[1] == "3"
    unknown = get(url, "/sparql", params={"query": COUNT_G2, "format": "yaml"}, headers={"Accept": "text/csv"})
    assert unknown.headers["Content-Type"].startswith("text/csv")  # an unknown format: content negotiation


@pytest.mark.parametrize(("accept", "parse_as"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/trig", ox.RdfFormat.TRIG),
    ("application/n-quads", ox.RdfFormat.N_QUADS),
])
def test_construct_graph_formats(url, accept, parse_as):
    query = f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}"
    response = get(url, "/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert len(list(ox.parse(response.content, format=parse_as))) == 3


def test_not_acceptable_is_406(url):
    response = get(url, "/sparql", params={"query": COUNT_G2}, headers={"Accept": "image/png"})
    assert response.status_code == 406 and "available" in response.text
    construct = get(url, "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert construct.status_code == 406


def test_malformed_query_is_400_with_the_parser_message(url):
    response = get(url, "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400 and "error at 1:" in response.text


def test_get_without_query_describes_the_service(url):
    response = get(url, "/sparql")
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(url + "/sparql")) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) not in graph  # read-only


def test_dataset_parameters_choose_the_graphs(url):
    only_g1 = get(url, "/sparql", params={"query": COUNT_G2, "default-graph-uri": EX + "g1"})
    both = get(url, "/sparql", params={"query": COUNT_G2, "default-graph-uri": [EX + "g1", EX + "g2"]})
    assert (count(only_g1), count(both)) == (1, 3)
    named = get(url, "/sparql", params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": EX + "g2"})
    assert count(named) == 2
    assert get(url, "/sparql", params={"query": COUNT_G2, "default-graph-uri": "not an iri"}).status_code == 400


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { # harmless comment\n service\t<http://example.org/x> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT ?endpoint { ?s ?p ?o } }",
])
def test_service_is_refused(url, query):
    response = post(url, "/sparql", data={"query": query})
    assert response.status_code == 400 and "SERVICE is not allowed" in response.text


def test_keywords_in_comments_literals_and_names_are_not_refused(url):
    query = f"""PREFIX ex: <{EX}>
    # SERVICE <http://example.org/> and LOAD are only words here
    SELECT ?service ?load WHERE {{ BIND("SERVICE <x> {{}}" AS ?service) BIND('''LOAD''' AS ?load)
      OPTIONAL {{ ?x ex:service ex:LOAD }} }}"""
    response = post(url, "/sparql", data={"query": query})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["load"]["value"] == "LOAD"


def test_body_over_the_limit_is_413(url):
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 6_000
    assert post(url, "/sparql", data={"query": query}).status_code == 413
    chunked = post(url, "/sparql", data=iter([query.encode()]), headers={"Content-Type": "application/sparql-query"})
    assert chunked.status_code == 413


# --- limits -----------------------------------------------------------------------------


def test_row_cap_is_signalled(capped):
    response = get(capped, "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.headers["X-KG-Truncated"] == "true" and response.headers["X-KG-Max-Results"] == "25"
    assert response.json()["truncated"] is True and len(response.json()["results"]["bindings"]) == 25
    csv = get(capped, "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"})
    assert csv.headers["X-KG-Truncated"] == "true" and len(csv.text.splitlines()) == 26
    small = get(capped, "/sparql", params={"query": COUNT_G2})
    assert small.headers["X-KG-Truncated"] == "false" and "truncated" not in small.json()


def wait_until_running(base, n: int) -> dict:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        health = get(base, "/health").json()
        if health["running"] >= n:
            return health
        time.sleep(0.02)
    raise AssertionError(f"never saw {n} queries running")


def test_timeout_kills_the_query_while_other_clients_are_served(limited):
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(get, limited, "/sparql", params={"query": SLOW})
        before = wait_until_running(limited, 1)["worker_pids"]
        fast = get(limited, "/sparql", params={"query": COUNT_G2})
        assert count(fast) == 3 and not slow.done()
        response = slow.result()
    assert response.status_code == 503 and "time limit" in response.text
    after = get(limited, "/health").json()["worker_pids"]
    killed = set(before) - set(after)
    assert len(killed) == 1 and len(after) == 2
    with pytest.raises(ProcessLookupError):
        os.kill(killed.pop(), 0)
    assert count(get(limited, "/sparql", params={"query": COUNT_G2})) == 3  # the new worker answers


def test_too_many_concurrent_queries_get_429(limited):
    with ThreadPoolExecutor(2) as pool:
        slow = [pool.submit(get, limited, "/sparql", params={"query": SLOW}) for _ in range(2)]
        wait_until_running(limited, 2)
        refused = get(limited, "/sparql", params={"query": COUNT_G2})
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
        assert [s.result().status_code for s in slow] == [503, 503]


# --- named queries ----------------------------------------------------------------------


def test_named_queries_are_listed_with_their_parameters(url):
    listing = {q["name"]: q for q in get(url, "/queries").json()}
    catalogue = named_queries.catalogue()
    assert set(listing) == set(catalogue) and {"statements", "stats"} <= set(listing)
    for name, query in catalogue.items():
        assert listing[name]["params"] == [{"name": p.name, "type": p.type, "doc": p.doc, "required": p.required}
                                           for p in query.params]
        assert listing[name]["title"] == query.title and listing[name]["url"] == f"{url}/queries/{name}"
    assert "topic" in [p["name"] for p in listing["statements"]["params"]]
    required = {name: [p["name"] for p in q["params"] if p["required"]] for name, q in listing.items()}
    assert {name: needed for name, needed in required.items() if needed} == {
        "relations": ["actor"], "met-with": ["actor"], "actor-statements": ["speaker"]}


@pytest.mark.parametrize("name, needed", [("relations", "actor"), ("met-with", "actor"), ("actor-statements", "speaker")])
def test_a_missing_required_parameter_is_a_400_naming_it(url, name, needed):
    response = get(url, f"/queries/{name}")
    assert response.status_code == 400
    assert f"needs the parameter {needed}" in response.text and f"{needed}=https://" in response.text
    since_only = get(url, f"/queries/{name}", params={"since": "2020"} if name != "met-with" else {"with": EX + "x"})
    assert since_only.status_code == 400 and f"needs the parameter {needed}" in since_only.text


def test_named_query_runs_with_conneg(url):
    stats = get(url, "/queries/stats").json()["results"]["bindings"][0]
    assert stats["articles"]["value"] == "40"
    assert get(url, "/queries/stats", params={"format": "csv"}).headers["Content-Type"].startswith("text/csv")
    assert get(url, "/queries/stats", headers={"Accept": "application/sparql-results+xml"}).text.startswith("<?xml")


@pytest.mark.parametrize("topic", [QUOTED, '"no" {yes}\nthen', 'said "no'])
def test_parameter_values_are_bound_never_pasted(url, topic):
    rows = get(url, "/queries/statements", params={"topic": topic}).json()["results"]["bindings"]
    assert [row["content"]["value"] for row in rows] == [QUOTED]


def test_injection_attempt_is_just_a_value(url):
    hostile = '") } } ; SELECT * WHERE { ?s ?p ?o FILTER("'
    response = get(url, "/queries/statements", params={"topic": hostile})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    assert get(url, "/queries/statements", params={"speaker": "x> } <y"}).status_code == 400


def test_named_query_errors(url):
    assert get(url, "/queries/nope").status_code == 404
    unknown = get(url, "/queries/stats", params={"colour": "red"})
    assert unknown.status_code == 400 and "no parameter colour" in unknown.text
    assert get(url, "/queries/statements", params={"since": "last week"}).status_code == 400


# --- dataset endpoints ------------------------------------------------------------------


def test_health_and_void(url):
    health = get(url, "/health").json()
    assert health["ok"] is True and health["triples"] > 1000 and health["writable"] is False
    void = rdflib.Graph().parse(data=get(url, "/void").text, format="turtle")
    VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert int(next(void.objects(None, VOID.triples))) == health["triples"]
    entities = {str(void.value(p, VOID["class"])): int(void.value(p, VOID.entities))
                for p in void.objects(None, VOID.classPartition)}
    assert entities[KGO_NS + "Article"] == 40 and entities[KGO_NS + "Statement"] >= 1


def test_dump_streams_trig_gzipped_when_asked(url):
    raw = requests.get(url + "/dump", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=TIMEOUT)
    assert raw.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(raw.raw.read())
    quads = list(ox.parse(body, format=ox.RdfFormat.TRIG))
    assert len(quads) == get(url, "/health").json()["triples"]
    plain = get(url, "/dump", params={"format": "nquads"}, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in plain.headers and len(plain.text.splitlines()) == len(quads)
    turtle = get(url, "/dump", headers={"Accept": "text/turtle"})
    assert len(rdflib.Graph().parse(data=turtle.text, format="turtle")) > 0


def test_cors_only_for_the_configured_origin(url, capped):
    allowed = get(url, "/sparql", params={"query": COUNT_G2}, headers={"Origin": "https://client.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://client.example"
    other = get(url, "/sparql", params={"query": COUNT_G2}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    off = get(capped, "/sparql", params={"query": COUNT_G2}, headers={"Origin": "https://client.example"})
    assert "Access-Control-Allow-Origin" not in off.headers  # CORS is opt-in


def test_every_request_is_logged(url, caplog):
    with caplog.at_level(logging.INFO, logger="kg.server.access"):
        get(url, "/health")
        get(url, "/sparql", params={"query": "bad"})
    lines = [r.getMessage() for r in caplog.records if r.name == "kg.server.access"]
    assert any('"GET /health" 200' in line for line in lines)
    assert any('"GET /sparql?query=bad" 400' in line for line in lines)


def test_page_and_vendored_editor_are_served(url):
    page = get(url, "/")
    assert page.status_code == 200 and "codemirror" in page.text
    assert "//cdn" not in page.text and "https://" not in page.text
    assert get(url, "/static/vendor/codemirror-5.65.21/mode/sparql/sparql.js").status_code == 200


# --- writes -----------------------------------------------------------------------------


def test_writes_are_refused_on_a_read_only_server(url):
    update = post(url, "/update", data={"update": f"INSERT DATA {{ <{EX}x> <{EX}p> 1 }}"}, headers=AUTH)
    assert update.status_code == 403 and "read-only" in update.text
    put = requests.put(url + "/store?graph=" + EX + "new", data="<a:b> <a:c> <a:d> .", timeout=TIMEOUT,
                       headers={"Content-Type": "application/n-triples", **AUTH})
    assert put.status_code == 405 and "read-only" in put.text
    assert get(url, "/store", params={"graph": EX + "g1"}).status_code == 200


def test_update_needs_the_right_token(writable):
    update = {"update": f"INSERT DATA {{ GRAPH <{EX}w> {{ <{EX}x> <{EX}p> 1 }} }}"}
    missing = post(writable, "/update", data=update)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert post(writable, "/update", data=update, headers={"Authorization": "Bearer wrong"}).status_code == 403
    basic = post(writable, "/update", data=update, headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status_code == 401 and basic.headers["WWW-Authenticate"] == 'Bearer realm="kg"'
    assert post(writable, "/update", data=update, headers=AUTH).status_code == 204
    assert count(get(writable, "/sparql", params={"query": COUNT_G2})) == 4  # the workers see the write


def test_update_refuses_load_and_reports_syntax_errors(writable):
    load = post(writable, "/update", data={"update": "LOAD <http://127.0.0.1:1/data.ttl>"}, headers=AUTH)
    assert load.status_code == 400 and "LOAD is not allowed" in load.text
    broken = post(writable, "/update", data=b"INSERT DATA { <a:b> }", headers={
        "Content-Type": "application/sparql-update", **AUTH})
    assert broken.status_code == 400 and "error at" in broken.text


def test_graph_store_round_trip(writable):
    graph = {"graph": EX + "gsp"}
    turtle = f'<{EX}s> <{EX}q> "بوتين"@ar , "x" .'
    put = requests.put(writable + "/store", params=graph, data=turtle.encode(), timeout=TIMEOUT,
                       headers={"Content-Type": "text/turtle", **AUTH})
    assert put.status_code == 201
    post_more = requests.post(writable + "/store", params=graph, data=f"<{EX}s> <{EX}q> 3 .", timeout=TIMEOUT,
                              headers={"Content-Type": "text/turtle", **AUTH})
    assert post_more.status_code == 204
    back = get(writable, "/store", params=graph, headers={"Accept": "application/n-triples"})
    assert {str(t.object) for t in ox.parse(back.content, format=ox.RdfFormat.N_TRIPLES)} == {
        '"بوتين"@ar', '"x"', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'}
    replaced = requests.put(writable + "/store", params=graph, data=f'<{EX}s> <{EX}q> "4" .', timeout=TIMEOUT,
                            headers={"Content-Type": "application/n-triples", **AUTH})
    assert replaced.status_code == 204
    assert len(get(writable, "/store", params=graph, headers={"Accept": "application/n-triples"}).text.splitlines()) == 1
    unauthorised = requests.delete(writable + "/store", params=graph, timeout=TIMEOUT)
    assert unauthorised.status_code == 401
    assert requests.delete(writable + "/store", params=graph, headers=AUTH, timeout=TIMEOUT).status_code == 204
    assert get(writable, "/store", params=graph).status_code == 404


def test_queries_keep_answering_while_writes_happen(writable):
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EX}busy> {{ ?s ?p ?o }} }}"
    stop, seen, failures = threading.Event(), [], []

    def reader() -> None:
        while not stop.is_set():
            response = get(writable, "/sparql", params={"query": query})
            (seen if response.status_code == 200 else failures).append(
                count(response) if response.status_code == 200 else response.text)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for i in range(20):
            update = f"INSERT DATA {{ GRAPH <{EX}busy> {{ <{EX}n{i}> <{EX}p> {i} }} }}"
            assert post(writable, "/update", data={"update": update}, headers=AUTH).status_code == 204
    finally:
        stop.set()
        for thread in threads:
            thread.join(TIMEOUT)
    assert failures == [] and seen and all(0 <= n <= 20 for n in seen)
    assert count(get(writable, "/sparql", params={"query": query})) == 20


# --- third-party clients ----------------------------------------------------------------


def test_sparqlwrapper_json_and_xml(url):
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(COUNT_G2)
    client.setReturnFormat(JSON)
    assert client.query().convert()["results"]["bindings"][0]["n"]["value"] == "3"
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert document.getElementsByTagName("literal")[0].firstChild.data == "3"


def test_rdflib_sparql_store_queries(url):
    store = SPARQLStore(url + "/sparql")
    rows = list(store.query(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?o"))
    assert [str(row.o) for row in rows] == ["one", "three", "two"]


def test_rdflib_sparql_update_store_writes_with_the_token(writable):
    store = SPARQLUpdateStore(writable + "/sparql", writable + "/update", headers=dict(AUTH), autocommit=True)
    graph = rdflib.Graph(store, identifier=rdflib.URIRef(EX + "rdflib"))
    graph.add((rdflib.URIRef(EX + "r"), rdflib.URIRef(EX + "q"), rdflib.Literal("مرحبا", lang="ar")))
    found = get(writable, "/sparql", params={"query": f"SELECT ?o WHERE {{ GRAPH <{EX}rdflib> {{ ?s ?p ?o }} }}"})
    assert found.json()["results"]["bindings"][0]["o"] == {"type": "literal", "value": "مرحبا", "xml:lang": "ar"}
    anonymous = SPARQLUpdateStore(writable + "/sparql", writable + "/update", autocommit=True)
    with pytest.raises(Exception, match="401"):
        rdflib.Graph(anonymous, identifier=rdflib.URIRef(EX + "rdflib")).add(
            (rdflib.URIRef(EX + "r"), rdflib.URIRef(EX + "q"), rdflib.Literal(2)))

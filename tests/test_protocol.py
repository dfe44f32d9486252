"""Standard clients with no special handling, against a real `kg serve` on 127.0.0.1.

SPARQLWrapper adds `format=`, `output=` and `results=` parameters of its own to every
request (`format=xml` with a CONSTRUCT means RDF/XML to it); the server must let the
Accept header decide whenever such a value names no format for the result. Every answer
is compared in full with what pyoxigraph gives on the same store.
"""
from __future__ import annotations

import io
import shutil

import pyoxigraph as ox
import pytest
import rdflib
import requests
from SPARQLWrapper import JSONLD, N3, POST, RDFXML, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import Unauthorized

from kg.export import export
from kg.rdf import KGO_NS
from kg.server import create_app, synthetic
from kg.server.background import serve_in_thread
from kg.store import EmbeddedStore

EX = "http://example.org/"
# The same triples in two article graphs: a dump of the union states them once.
TWICE = f"""<{EX}g1> {{ <{EX}a> <{EX}p> "واحد"@ar . <{EX}a> <{EX}q> 1 . }}
<{EX}g2> {{ <{EX}a> <{EX}p> "واحد"@ar . <{EX}a> <{EX}q> 1 . <{EX}b> <{EX}p> "two" . }}"""
TOKEN = "protocol-test-token-0123456789"
TIMEOUT = 30
CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s a <{KGO_NS}Article> ; ?p ?o }}"
DESCRIBE = f"DESCRIBE <{EX}a>"


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    path = tmp_path_factory.mktemp("protocol") / "store"
    synthetic.build_store(str(path), 6)
    store = ox.Store(str(path))
    store.load(TWICE.encode(), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    return path


def expected(master, query: str) -> set[str]:
    store = ox.Store.read_only(str(master))
    return {str(t) for t in store.query(query, use_default_graph_as_union=True)}


@pytest.fixture(scope="module")
def url(master, tmp_path_factory):
    copy = tmp_path_factory.mktemp("served") / "store"
    shutil.copytree(master, copy)
    with serve_in_thread(create_app(copy, workers=1, timeout=60)) as base:
        yield base


@pytest.fixture(scope="module")
def writable(master, tmp_path_factory):
    copy = tmp_path_factory.mktemp("writable") / "store"
    shutil.copytree(master, copy)
    token = tmp_path_factory.mktemp("token") / "token"
    token.write_text(TOKEN)
    with serve_in_thread(create_app(copy, workers=1, allow_update=True, token_file=token)) as base:
        yield base


def as_strings(graph: rdflib.Graph) -> set[str]:
    """rdflib's triples in pyoxigraph's spelling (through N-Triples)."""
    return {str(t) for t in ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)}


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize(("return_format", "media"), [
    (None, "application/rdf+xml"), (XML, "application/rdf+xml"), (RDFXML, "application/rdf+xml"),
    (JSONLD, "application/ld+json"), (N3, "text/turtle"), (TURTLE, "text/turtle"),
], ids=["default", "xml", "rdfxml", "jsonld", "n3", "turtle"])
def test_sparqlwrapper_graph_queries(url, master, query, return_format, media):
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(query)
    if return_format:
        client.setReturnFormat(return_format)
    response = client.query()
    assert response.response.headers["Content-Type"].split(";")[0] == media
    converted = response.convert()
    graph = converted if isinstance(converted, rdflib.Graph) else rdflib.Graph().parse(data=converted, format="turtle")
    want = expected(master, query)
    assert as_strings(graph) == want and len(want) >= 2


def test_text_wildcard_gets_a_text_format(url, master):
    select = requests.get(url + "/sparql", params={"query": f"SELECT ?o WHERE {{ <{EX}b> <{EX}p> ?o }}"},
                          headers={"Accept": "text/*"}, timeout=TIMEOUT)
    assert select.headers["Content-Type"] == "text/csv; charset=utf-8" and select.text == "o\r\ntwo\r\n"
    graph = requests.get(url + "/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/*"}, timeout=TIMEOUT)
    assert graph.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert {str(t) for t in ox.parse(graph.content, format=ox.RdfFormat.TURTLE)} == expected(master, CONSTRUCT)


def test_two_queries_are_refused(url):
    ask = "ASK { }"
    twice = requests.get(url + "/sparql", params=[("query", ask), ("query", ask)], timeout=TIMEOUT)
    assert twice.status_code == 400 and twice.text == "2 queries given: send exactly one 'query'\n"
    split = requests.post(url + "/sparql?query=ASK%7B%7D", data={"query": ask}, timeout=TIMEOUT)
    assert split.status_code == 400 and split.text.startswith("2 queries given")


def test_basic_credentials_on_a_write_get_401_with_the_scheme_to_use(writable):
    client = SPARQLWrapper(writable + "/sparql", updateEndpoint=writable + "/update")
    client.setMethod(POST)
    client.setCredentials("user", TOKEN)  # HTTP Basic
    client.setQuery(f"INSERT DATA {{ GRAPH <{EX}w> {{ <{EX}x> <{EX}p> 1 }} }}")
    with pytest.raises(Unauthorized):
        client.query()
    raw = requests.post(writable + "/update", data={"update": "CLEAR SILENT GRAPH <urn:x>"}, auth=("user", TOKEN),
                        timeout=TIMEOUT)
    assert raw.status_code == 401 and raw.headers["WWW-Authenticate"] == 'Bearer realm="kg"'
    assert raw.text == ("writes need a bearer token: Authorization: Bearer <token> "
                        "(Basic credentials are not accepted)\n")
    bearer = requests.post(writable + "/update", data={"update": "CLEAR SILENT GRAPH <urn:x>"},
                           headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT)
    assert bearer.status_code == 204
    prefixed = requests.post(writable + "/update", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT,
                             data={"update": f"PREFIX ex: <{EX}>\nINSERT DATA {{ GRAPH ex:w {{ ex:x ex:p 1 }} }}"})
    assert prefixed.status_code == 204, prefixed.text  # a prologue opens the request: the server adds after it


def test_head_tells_no_false_length(url):
    dump = requests.head(url + "/dump", timeout=TIMEOUT)
    assert dump.status_code == 200 and dump.headers["Content-Type"] == "application/trig"
    assert "Content-Length" not in dump.headers and dump.content == b""
    one = requests.head(url + "/store", params={"graph": EX + "g2"}, headers={"Accept": "application/n-triples"},
                        timeout=TIMEOUT)
    body = requests.get(url + "/store", params={"graph": EX + "g2"}, headers={"Accept": "application/n-triples"},
                        timeout=TIMEOUT).content
    assert one.headers["Content-Length"] == str(len(body)) and len(body.splitlines()) == 3


@pytest.mark.parametrize(("accept", "media", "syntax"), [
    ("", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_void_follows_accept(url, master, accept, media, syntax):
    response = requests.get(url + "/void", headers={"Accept": accept} if accept else {}, timeout=TIMEOUT)
    assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] == media
    triples = {(t.predicate.value, t.object.value) for t in ox.parse(response.content, format=syntax)
               if t.predicate.value == "http://rdfs.org/ns/void#triples"}
    assert triples == {("http://rdfs.org/ns/void#triples", str(len(ox.Store.read_only(str(master)))))}
    assert requests.get(url + "/void", headers={"Accept": "image/png"}, timeout=TIMEOUT).status_code == 406


def test_bodies_that_are_not_utf8_are_refused(url, writable):
    direct = requests.post(url + "/sparql", data=b"SELECT * WHERE { ?s ?p \"\xff\" }",
                           headers={"Content-Type": "application/sparql-query"}, timeout=TIMEOUT)
    assert direct.status_code == 400 and direct.text == "the request body is not UTF-8 (byte 24)\n"
    form = requests.post(url + "/sparql", data=b"query=ASK%7B%7D%FF", timeout=TIMEOUT,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400 and form.text == "a form value is not UTF-8 once percent-decoded\n"
    update = requests.post(writable + "/update", data=b"CLEAR SILENT GRAPH <urn:\xe9>", timeout=TIMEOUT,
                           headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert update.status_code == 400 and update.text.startswith("the request body is not UTF-8")


def test_turtle_dumps_of_the_union_are_sets(url, master):
    """/dump as Turtle and `kg export` (Turtle by default) state a triple that two article
    graphs hold once: exactly the distinct triples of the store."""
    store = ox.Store.read_only(str(master))
    quads = list(store)
    distinct = {str(q.triple) for q in quads}
    assert len(quads) - len(distinct) == 2  # the two triples of TWICE stated in g1 and g2
    served = requests.get(url + "/dump", headers={"Accept": "text/turtle"}, timeout=TIMEOUT)
    triples = [str(t) for t in ox.parse(served.content, format=ox.RdfFormat.TURTLE)]
    assert len(triples) == len(distinct) and set(triples) == distinct
    sink = io.BytesIO()
    export(EmbeddedStore(master, read_only=True), sink)
    exported = [str(t) for t in ox.parse(sink.getvalue(), format=ox.RdfFormat.TURTLE)]
    assert len(exported) == len(distinct) and set(exported) == distinct

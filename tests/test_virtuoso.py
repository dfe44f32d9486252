"""The remote store against OpenLink Virtuoso 7 (Debian's `virtuoso-opensource`), started
here on 127.0.0.1 with a private database in a temporary directory, once for the module,
and always stopped. The same seed articles go into it and into an embedded store; every
command, the dumps and `kg serve --store URL` must then give the same answers.

GROUP_CONCAT lists have no order (nor, across engines, a language tag) in SPARQL, so values
that are such lists are compared sorted, and an empty list like none; everything else is
compared whole, rows in their order.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from typer.testing import CliRunner

from kg import rdf
from kg.cli import app
from kg.remote import VIRTUOSO, RemoteStore

ROOT = Path(__file__).resolve().parent.parent
KG = str(Path(sys.executable).parent / "kg")
SEEDS = ROOT / "seeds"
SERVER, ISQL = shutil.which("virtuoso-t"), shutil.which("isql-vt")
PUTIN = "https://w3id.org/kg-meetings/id/actor/vladimir-putin"
KHAMENEI = "https://w3id.org/kg-meetings/id/actor/ali-khamenei"
# Values that are GROUP_CONCAT lists (or lists built from one), by key or variable name.
LISTS = {"participants": (" | ", " "), "articles": (" | ", "\n"), "places": (" ",), "hosts": (" ",),
         "speakers": (" ",), "verb": (" / ",), "speakerLabel": (" | ",)}
runner = CliRunner()

# The packaged virtuoso.ini, cut to what a private server needs: its own files and ports,
# no row cap (the package's ResultSetMaxRows = 10000 truncates with 200 OK), no time cap.
INI = """[Database]
DatabaseFile = {home}/virtuoso.db
ErrorLogFile = {home}/virtuoso.log
LockFile = {home}/virtuoso.lck
TransactionFile = {home}/virtuoso.trx
xa_persistent_file = {home}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {home}/virtuoso-temp.db
TransactionFile = {home}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {home}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 0
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """The /sparql URL of a fresh Virtuoso 7 that lets the anonymous SPARQL user write."""
    if not (SERVER and ISQL):
        pytest.skip("Virtuoso 7 is not installed (Debian's virtuoso-opensource: virtuoso-t, isql-vt); "
                    "`python3 tasks.py test` installs it when run as root where apt-get works")
    home = tmp_path_factory.mktemp("virtuoso")
    sql = free_port()
    while (http := free_port()) == sql:
        pass
    (home / "virtuoso.ini").write_text(INI.format(home=home, sql=sql, http=http))
    log = home / "console.log"
    with log.open("wb") as out:
        process = subprocess.Popen([SERVER, "-f", "-c", str(home / "virtuoso.ini")], cwd=home, stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http}/sparql"
    try:
        deadline = time.monotonic() + 240  # a hang guard: a new database takes 5-20 s
        while True:
            if process.poll() is not None:
                pytest.fail(f"virtuoso-t exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(url, params={"query": "ASK { }"}, timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Virtuoso did not answer on {url}: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.25)
        grant = subprocess.run([ISQL, f"127.0.0.1:{sql}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                               capture_output=True, text=True, timeout=120)
        assert grant.returncode == 0 and "Done" in grant.stdout, grant.stdout + grant.stderr
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=300, cwd=ROOT)


@pytest.fixture(scope="module")
def both(virtuoso, tmp_path_factory):
    """The seeds ingested into Virtuoso and into an embedded store, with both reports."""
    local = str(tmp_path_factory.mktemp("embedded") / "store")
    running = [subprocess.Popen([KG, "ingest", str(SEEDS), "--metadata", str(SEEDS / "metadata.json"), "--store", store,
                                 "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
               for store in (virtuoso, local)]  # side by side
    reports = []
    for process in running:
        out, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
        reports.append(json.loads(out))
    return virtuoso, local, reports


def test_ingest_reports_the_same_work(both):
    _remote, _local, (remote, local) = both
    keys = ("ingested", "unchanged", "meetings", "statements", "quads", "failed", "recovered", "problems")
    assert {k: remote[k] for k in keys} == {k: local[k] for k in keys}
    assert remote["ingested"] == 5 and remote["failed"] == 0
    assert remote["summary"]["rows"] == local["summary"]["rows"] and remote["summary"]["full"]


def test_the_server_is_recognised_and_its_own_graphs_left_out(both):
    remote, local, _ = both
    store = RemoteStore(remote)
    assert store.dialect == VIRTUOSO
    everything = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    from kg.store import EmbeddedStore

    embedded = EmbeddedStore(local, read_only=True)
    try:
        assert len(store) == len(embedded)
        assert int(everything[0]["n"].value) > len(embedded)  # Virtuoso's system graphs are there
        assert sorted(g.value for g in store.named_graphs()) == sorted(g.value for g in embedded.named_graphs())
    finally:
        embedded.close()


def _sorted_list(value: str, separators: tuple[str, ...]) -> list[str]:
    for separator in separators:
        if separator in value:
            return sorted(value.split(separator))
    return [value]


def _empty(value) -> bool:
    return value in ("", []) or (isinstance(value, dict) and value.get("value") == "")


def normalised(data, key: str | None = None):
    """JSON data with the values that are unordered lists sorted (see the module doc)."""
    if isinstance(data, dict):
        if set(data) >= {"type", "value"} and key in LISTS:  # a SPARQL JSON term
            return {"type": data["type"], "value": _sorted_list(data["value"], LISTS[key])}
        return {k: normalised(v, k) for k, v in data.items() if not (k in LISTS and _empty(v))}
    if isinstance(data, list):
        items = [normalised(item) for item in data]
        return sorted(items, key=json.dumps) if key in LISTS else items
    if isinstance(data, str) and key in LISTS:
        return _sorted_list(data, LISTS[key])
    return data


def answer(args: list[str], store: str):
    result = runner.invoke(app, [*args, "--store", store])
    assert result.exit_code == 0, (result.output, result.exception)
    text = result.stdout.replace(store, "STORE")
    if "-f" in args and args[args.index("-f") + 1] == "csv":
        rows = [line.split(",") for line in text.splitlines()]
        header = rows[0]
        return [header] + [[normalised(v, k) for k, v in zip(header, row)] for row in rows[1:]]
    return normalised(json.loads(text))


@pytest.mark.parametrize("command", [
    ["stats", "--json"],
    ["meetings", "--actor", "Khamenei", "--since", "2016", "--json"],
    ["statements", "--json"],
    ["statements", "--speaker", "Khamenei", "--json"],
    ["statements", "--speaker", "Khamenei", "--topic", "سوريا", "--json"],
    ["relations", "Putin", "--json"],
    ["relations", "Khamenei", "--since", "2017", "--json"],
    ["relations", "Khamenei", "--with", "Assad", "--json"],
    ["actor", "Khamenei", "--json"],
    ["timeline", "Khamenei", "--json"],
    ["positions", "Khamenei", "--json"],
    ["path", "Rouhani", "Assad", "--json"],
    ["summary", "--json"],
    ["query", "articles", "-f", "csv"],
    ["query", "actors", "-f", "csv"],
    ["query", "stats", "-f", "json"],
    ["query", "relations", "-p", f"actor={PUTIN}", "-f", "json"],
    ["query", "meetings", "-p", f"actor={KHAMENEI}", "-f", "json"],
    ["query", "ASK { ?m a <https://w3id.org/kg-meetings/ontology#Meeting> }", "-f", "json"],
], ids=lambda command: " ".join(command[:2]))
def test_commands_answer_the_same(both, command):
    remote, local, _ = both
    assert answer(command, remote) == answer(command, local)


def dump(store: str, fmt: str, article: str | None = None) -> bytes:
    """`kg export` in this process (the command is tested over a remote store in test_remote)."""
    import io

    from kg.export import export
    from kg.store import open_store

    opened = open_store(store, read_only=True)
    try:
        sink = io.BytesIO()
        export(opened, sink, fmt, article)
        return sink.getvalue()
    finally:
        opened.close()


@pytest.mark.parametrize(("fmt", "syntax"), [("nquads", ox.RdfFormat.N_QUADS), ("turtle", ox.RdfFormat.TURTLE)])
def test_export_gives_the_same_graph(both, fmt, syntax):
    """Exactly the same quads (booleans as true, the knowledge base in the default graph),
    each once; the merged Turtle holds each triple once."""
    remote, local, _ = both
    dumps = [Counter(str(q) for q in ox.parse(dump(store, fmt), format=syntax)) for store in (remote, local)]
    assert dumps[0] == dumps[1]
    assert max(dumps[0].values()) == 1 and len(dumps[0]) > 30_000


def test_export_of_one_article(both):
    remote, local, _ = both
    article = sorted(p.name for p in SEEDS.glob("*.txt"))[0]
    dumps = [sorted(dump(store, "ntriples", article).decode().splitlines()) for store in (remote, local)]
    assert dumps[0] == dumps[1] and len(dumps[0]) > 100


def test_a_large_insert_is_split_and_lands_whole(virtuoso):
    """One INSERT DATA of 6,000 triples is refused by Virtuoso's SPARQL compiler (SP030
    "memory exhausted" near line 5,000 here; SP031 for article triples); the store splits
    it into operations of 500 in one request, and every triple lands."""
    from kg.store import quads_to_sparql_data

    store = RemoteStore(virtuoso)
    graph = ox.NamedNode(rdf.ID_NS + "test/large")
    quads = [ox.Quad(ox.NamedNode(f"{rdf.ID_NS}test/s{i}"), ox.NamedNode(rdf.KGO_NS + "p"),
                     ox.Literal(f"قيمة {i}", language="ar") if i % 2 else ox.Literal(i), graph) for i in range(6000)]
    whole = requests.post(virtuoso, data=f"INSERT DATA {{\n{quads_to_sparql_data(quads)}\n}}".encode(), timeout=120,
                          headers={"Content-Type": "application/sparql-update; charset=utf-8"})
    assert whole.status_code == 400 and "Virtuoso 37000 Error SP03" in whole.text
    store.replace_graph(graph, quads)
    try:
        rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        assert int(rows[0]["n"].value) == 6000
        assert sorted(map(str, store.graph_quads(graph))) == sorted(map(str, quads))
    finally:
        store.drop_graph(graph)
    assert store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")[0]["n"].value == "0"


def test_reingest_skips_unchanged(both):
    remote, _, _ = both
    done = kg("ingest", str(SEEDS), "--metadata", str(SEEDS / "metadata.json"), "--store", remote, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["unchanged"] == 5


REQUESTS = [
    ("/sparql", {"query": "SELECT ?d WHERE { ?a <https://w3id.org/kg-meetings/ontology#documentId> ?d } ORDER BY ?d"},
     "application/sparql-results+json"),
    ("/sparql", {"query": "SELECT ?d WHERE { ?a <https://w3id.org/kg-meetings/ontology#documentId> ?d } ORDER BY ?d"},
     "text/csv"),
    ("/sparql", {"query": "SELECT ?d WHERE { ?a <https://w3id.org/kg-meetings/ontology#documentId> ?d } ORDER BY ?d"},
     "application/sparql-results+xml"),
    ("/sparql", {"query": "SELECT ?g WHERE { GRAPH ?g { ?g <https://w3id.org/kg-meetings/ontology#summaryComplete> "
                          "?done } FILTER(?done) }"}, "text/tab-separated-values"),
    ("/sparql", {"query": "ASK { ?m a <https://w3id.org/kg-meetings/ontology#Meeting> }"}, "*/*"),
    ("/sparql", {"query": f"CONSTRUCT {{ <{PUTIN}> ?p ?o }} WHERE {{ <{PUTIN}> ?p ?o }}"}, "application/n-triples"),
    # (not DESCRIBE: what it returns is up to the engine; Virtuoso adds the triples pointing at it)
    ("/sparql", {"query": f"CONSTRUCT WHERE {{ <{KHAMENEI}> ?p ?o }}", "format": "xml"}, "application/rdf+xml"),
    ("/queries/relations", {"actor": PUTIN}, "application/sparql-results+json"),
    ("/queries/meetings", {"actor": KHAMENEI}, "application/sparql-results+json"),
    ("/queries/statements", {"speaker": KHAMENEI, "format": "json"}, ""),
    ("/api/actors/Q7747/relations", {}, ""),
    ("/api/meetings", {"actor": "Khamenei"}, ""),
    ("/api/actors/Khamenei", {}, ""),
]


def test_serve_over_virtuoso_answers_like_serve_over_the_embedded_store(both, tmp_path):
    """`kg serve --store URL` (the proxy) and `kg serve` on a copy of the embedded store:
    the same status, media type and body for each request."""
    from kg.server import create_app
    from kg.server.background import serve_in_thread
    from kg.server.proxy import create_proxy_app

    remote, local, _ = both
    copy = tmp_path / "store"
    shutil.copytree(local, copy)
    with serve_in_thread(create_proxy_app(remote, timeout=120)) as proxy, \
            serve_in_thread(create_app(copy, workers=1, timeout=120)) as embedded:
        for path, params, accept in REQUESTS:
            answers = []
            for base in (proxy, embedded):
                response = requests.get(base + path, params=params, headers={"Accept": accept} if accept else {},
                                        timeout=120)
                media = response.headers.get("Content-Type", "")
                if media.startswith(("application/n-triples", "application/rdf+xml")):
                    syntax = ox.RdfFormat.from_media_type(media.split(";")[0])
                    body = sorted(str(t) for t in ox.parse(response.content, format=syntax))
                elif "json" in media:
                    body = normalised(response.json())
                else:
                    body = response.text
                answers.append((response.status_code, media, body))
            assert answers[0] == answers[1], path
            assert answers[0][0] == 200 and answers[0][2]

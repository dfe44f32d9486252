"""`kg serve` against clients that try to hold it, crash it or trick it (issue 16).

Every server here is a real `kg serve` process on 127.0.0.1; abusive sockets come from
other loopback addresses (127.0.0.2 ...) so that per-client bounds show. Counts of
sockets and requests are fixed and small; waits are hang guards, never what is checked.
"""
from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

import test_robust_crash as crash
from test_robust_service import CHEAP, CROSS_JOIN, ENV, KG, TOKEN, Server

from kg.server import limits
from kg.server.worker import _api

SUMMARY_GRAPH = "https://w3id.org/kg-meetings/id/summary/met-with"
JSON = {"Accept": "application/sparql-results+json"}
GUARD_S = 60  # hang guard for anything a test waits for


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, seeds_store_shared) -> Path:
    """A copy of the seeds the session ingested (tests/conftest.py)."""
    store = tmp_path_factory.mktemp("abuse") / "store"
    subprocess.run(["cp", "-a", seeds_store_shared, str(store)], check=True)
    return store


@pytest.fixture(scope="module")
def writable(seeded: Path, tmp_path_factory):
    """A writable server over a copy of the seeded store, with a small worker memory limit."""
    folder = tmp_path_factory.mktemp("abuse-writer")
    store = folder / "store"
    subprocess.run(["cp", "-a", str(seeded), str(store)], check=True)
    (folder / "token").write_text(TOKEN + "\n", encoding="utf-8")
    server = Server(store, "--allow-update", "--token-file", str(folder / "token"), "--worker-memory", "300",
                    timeout_s=3.0)
    yield server
    server.stop()


def health(server: Server) -> dict:
    return requests.get(server.url + "/health", timeout=GUARD_S).json()


def update(server: Server, text: str) -> requests.Response:
    return requests.post(server.url + "/update", data=text.encode(), timeout=GUARD_S,
                         headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})


def count(server: Server, sparql: str, **params) -> int:
    response = requests.post(server.url + "/sparql", data={"query": sparql, **params}, headers=JSON, timeout=GUARD_S)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def connect_from(address: str, port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=GUARD_S, source_address=(address, 0))
    return sock


def closed_by_server(sock: socket.socket, wait_s: float = GUARD_S) -> bool:
    """Whether the server closed this socket (EOF or reset) within `wait_s`."""
    sock.settimeout(wait_s)
    try:
        while sock.recv(65536):
            pass
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


# ---------------------------------------------------------------------------------------
# Snapshots never older than the files on disk


def test_fresh_ingest_then_serve_at_once(tmp_path: Path) -> None:
    """Straight after an ingest the store compacts; workers must still answer every route
    from the first request on, and a remote ingest through the server must succeed."""
    size = 120
    corpus = crash.make_corpus(tmp_path, size, seed=11)
    store = tmp_path / "store"
    code, _ = crash.ingest(store, corpus)
    assert code == 0
    reference = ox.Store.read_only(str(store))
    expected_network = json.loads(_api(reference, {"path": "/api/network", "query_string": "", "store": str(store)})[1])
    expected_quads = len(reference)
    del reference
    (tmp_path / "token").write_text(TOKEN + "\n", encoding="utf-8")
    server = Server(store, "--allow-update", "--token-file", str(tmp_path / "token"), "--workers", "2", timeout_s=30.0)
    try:
        for _ in range(3):  # more rounds than workers: every worker answers at least once
            network = requests.get(server.url + "/api/network", timeout=GUARD_S)
            assert network.status_code == 200 and network.json() == expected_network
            stats = requests.get(server.url + "/queries/stats", headers=JSON, timeout=GUARD_S)
            assert stats.status_code == 200
            assert stats.json()["results"]["bindings"][0]["articles"]["value"] == str(size)
        five = tmp_path / "five.jsonl"
        five.write_text("".join(corpus.read_text(encoding="utf-8").splitlines(keepends=True)[:5]), encoding="utf-8")
        result = subprocess.run([KG, "ingest", "--store", server.url, "--force", "--json", str(five)],
                                capture_output=True, timeout=GUARD_S * 3, env={**ENV, "KG_STORE_TOKEN": TOKEN})
        assert result.returncode == 0, result.stderr.decode()[-2000:]
        summary = json.loads(result.stdout)
        assert (summary["ingested"], summary["failed"]) == (5, 0)
        deadline = time.monotonic() + GUARD_S
        while health(server)["summary"]["rebuilding"] and time.monotonic() < deadline:
            time.sleep(0.2)
        after = health(server)
        assert after["triples"] == expected_quads and after["summary"] == {"complete": True, "rebuilding": False}
        assert requests.get(server.url + "/api/network", timeout=GUARD_S).json() == expected_network
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------
# Connections: slow headers, idle sockets, many sockets, huge headers


def test_slow_and_idle_sockets_are_closed_and_others_served(seeded: Path) -> None:
    server = Server(seeded, timeout_s=5.0, env={"KG_SERVE_HEADER_SECONDS": "2", "KG_SERVE_BODY_SECONDS": "2"})
    sockets: list[socket.socket] = []
    stop = threading.Event()
    try:
        slow_body = connect_from("127.0.0.8", server.port)
        slow_body.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                          b"Content-Length: 100\r\n\r\nASK {")  # and the other 95 bytes never come
        slow = [connect_from("127.0.0.2", server.port) for _ in range(40)]
        silent = [connect_from("127.0.0.3", server.port) for _ in range(10)]
        idle = connect_from("127.0.0.4", server.port)
        sockets += [*slow, *silent, idle]
        idle.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert idle.recv(12) == b"HTTP/1.1 200"
        for sock in slow:
            sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n")

        def trickle() -> None:  # one header byte per socket every half second, never the end
            while not stop.wait(0.5):
                for sock in slow:
                    with contextlib.suppress(OSError):
                        sock.sendall(b"X")

        threading.Thread(target=trickle, daemon=True).start()
        cheap = requests.post(server.url + "/sparql", data={"query": CHEAP}, headers=JSON, timeout=GUARD_S)
        assert cheap.status_code == 200 and cheap.json()["boolean"] is True
        closed = [closed_by_server(sock) for sock in sockets]
        assert closed == [True] * 51
        slow_body.settimeout(GUARD_S)
        answer = b""
        while chunk := slow_body.recv(4096):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 ") and answer.endswith(b"the request body did not arrive within 2 s\n")
        slow_body.close()
    finally:
        stop.set()
        for sock in sockets:
            sock.close()
        server.stop()


def test_one_client_cannot_take_every_connection(seeded: Path) -> None:
    server = Server(seeded, timeout_s=5.0, env={"KG_SERVE_HEADER_SECONDS": "120"})
    many = limits.MAX_CONNECTIONS_PER_CLIENT + 6
    sockets = []
    try:
        sockets = [connect_from("127.0.0.5", server.port) for _ in range(many)]
        # The server accepts in arrival order: once a later client is answered, it has
        # decided on all of these.
        assert requests.get(server.url + "/health", timeout=GUARD_S).status_code == 200
        answers = []
        for sock in sockets:
            try:
                sock.sendall(b"GET /static/style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                sock.settimeout(GUARD_S)
                answers.append(sock.recv(12))
            except (ConnectionResetError, BrokenPipeError):
                answers.append(b"")
        assert sorted(answers) == [b""] * 6 + [b"HTTP/1.1 200"] * limits.MAX_CONNECTIONS_PER_CLIENT
        assert requests.get(server.url + "/health", timeout=GUARD_S).status_code == 200  # another client
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


def test_huge_headers_are_refused_early_and_never_echoed(writable: Server) -> None:
    sock = connect_from("127.0.0.6", writable.port)
    try:
        received = b""
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: " + b"a" * 2_000_000 + b"\r\n\r\n")
        with contextlib.suppress(ConnectionResetError):
            sock.settimeout(GUARD_S)
            while chunk := sock.recv(65536):
                received += chunk
        # The answer is 431, unless the reset for the unread rest overtook it.
        assert received in (b"", b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; "
                                 b"charset=utf-8\r\nconnection: close\r\ncontent-length: 49\r\n\r\n"
                                 b"request line and headers larger than 65536 bytes\n")
    finally:
        sock.close()
    accept = "x/" + "a" * 30_000  # under the header limit: negotiated, refused, quoted only in part
    response = requests.get(writable.url + "/sparql", params={"query": CHEAP}, headers={"Accept": accept},
                            timeout=GUARD_S)
    assert response.status_code == 406 and len(response.text) < 700 and "more characters" in response.text
    assert requests.post(writable.url + "/sparql", data={"query": CHEAP}, headers=JSON, timeout=GUARD_S).json()["boolean"]


# ---------------------------------------------------------------------------------------
# Requests: memory, nesting, failed writes, bounds per client


def test_a_query_that_grows_its_worker_is_stopped_at_the_memory_limit(writable: Server) -> None:
    before = set(health(writable)["worker_pids"])
    grows = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
    response = requests.post(writable.url + "/sparql", data={"query": grows}, headers=JSON, timeout=GUARD_S)
    assert response.status_code == 503
    assert response.text == ("the query needed more than the 300 MB a query worker may use; "
                             "it was stopped and the worker replaced\n")
    after = health(writable)
    assert len(after["worker_pids"]) == 2 and len(before - set(after["worker_pids"])) == 1
    assert requests.post(writable.url + "/sparql", data={"query": CHEAP}, headers=JSON, timeout=GUARD_S).json()["boolean"]


DEEP = {
    "braces": ("SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
               "the request nests brackets deeper than 64 levels; this server refuses such requests before parsing them\n"),
    "parentheses": ("SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
                    "the request nests brackets deeper than 64 levels; this server refuses such requests before parsing them\n"),
    "union": ("SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_000) + " }",
              "the request uses UNION, OPTIONAL or MINUS more than 500 times; this server refuses such requests "
              "before parsing them\n"),
}


def test_deep_queries_and_updates_are_refused_before_the_engine(writable: Server) -> None:
    before = health(writable)
    for name, (text, message) in DEEP.items():
        query = requests.post(writable.url + "/sparql", data={"query": text}, timeout=GUARD_S)
        assert (query.status_code, query.text) == (400, message), name
        as_update = text.replace("SELECT * WHERE", "DELETE { ?s ?p ?o } WHERE", 1)
        refused = update(writable, as_update)
        assert (refused.status_code, refused.text) == (400, message), name
    after = health(writable)
    assert (after["triples"], after["generation"], after["summary"]) == (
        before["triples"], before["generation"], {"complete": True, "rebuilding": False})
    assert writable.process.poll() is None


def test_failed_updates_leave_store_and_summary_as_they_were(writable: Server) -> None:
    before = health(writable)
    assert before["summary"] == {"complete": True, "rebuilding": False}
    graph = requests.post(writable.url + "/sparql", headers=JSON, timeout=GUARD_S,
                          data={"query": "SELECT ?g WHERE { GRAPH ?g { ?a a <https://w3id.org/kg-meetings/ontology#Article> } } "
                                         "ORDER BY ?g LIMIT 1"}).json()["results"]["bindings"][0]["g"]["value"]
    malformed = update(writable, "INSERT DATA { <urn:a> <urn:b> ")
    assert malformed.status_code == 400 and malformed.text.startswith("malformed update: ")
    exists = update(writable, f"CREATE GRAPH <{graph}>")
    assert (exists.status_code, exists.text) == (400, f"update failed: The graph <{graph}> already exists\n")
    after = health(writable)
    assert (after["triples"], after["generation"], after["summary"]) == (
        before["triples"], before["generation"], {"complete": True, "rebuilding": False})


def test_updates_with_prologues_are_accepted_and_leave_the_summary_rebuilt(writable: Server) -> None:
    """A prologue and several operations, as kg ingest --store URL sends (the server once
    glued its own operation in front, which Oxigraph refuses before a PREFIX)."""
    text = ("BASE <urn:x:>\nPREFIX ex: <urn:x:>\nINSERT DATA { GRAPH ex:prologue { ex:a ex:b 1 } } ;\n"
            "INSERT DATA { GRAPH ex:prologue { <a> ex:c 2 } }")
    for operation in (text, "PREFIX ex: <urn:x:>\nDROP GRAPH ex:prologue"):
        before = health(writable)["generation"]
        done = update(writable, operation)
        assert done.status_code == 204, done.text
        if operation == text:
            assert count(writable, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:x:prologue> { ?s ?p ?o } }") == 2
        deadline = time.monotonic() + GUARD_S
        while (health(writable)["summary"]["rebuilding"] or health(writable)["generation"] == before) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        assert health(writable)["summary"] == {"complete": True, "rebuilding": False}
    assert count(writable, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:x:prologue> { ?s ?p ?o } }") == 0


def test_one_client_cannot_take_every_query_slot(writable: Server) -> None:
    """2 workers + 16 waiting: one client may hold 9 at once; the 10th is refused with 429,
    while another client is still admitted."""
    with ThreadPoolExecutor(9) as pool:
        slow = [pool.submit(requests.post, writable.url + "/sparql", data={"query": CROSS_JOIN}, headers=JSON,
                            timeout=GUARD_S) for _ in range(9)]
        deadline = time.monotonic() + GUARD_S
        while health(writable)["running"] < 9 and time.monotonic() < deadline:
            time.sleep(0.05)
        refused = requests.get(writable.url + "/api/actors", params={"q": "Putin"}, timeout=GUARD_S)
        assert (refused.status_code, refused.headers["Retry-After"], refused.text) == (
            429, "1", "too many requests at once from one client (limit 9); retry shortly\n")
        other = requests.Session()
        other.mount("http://", _SourceAdapter("127.0.0.7"))
        admitted = other.get(writable.url + "/api/actors", params={"q": "Putin"}, timeout=GUARD_S)
        assert admitted.status_code in (200, 503), admitted.text  # admitted: answered, or out of time behind the nine
        assert sorted({s.result().status_code for s in slow}) == [503]


class _SourceAdapter(requests.adapters.HTTPAdapter):
    """Requests sent from another loopback address: another client, as the server sees it."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


# ---------------------------------------------------------------------------------------
# SPARQL semantics and the page


def test_dataset_clauses_are_honoured(writable: Server) -> None:
    rows = requests.post(writable.url + "/sparql", headers=JSON, timeout=GUARD_S, data={
        "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g LIMIT 1"}).json()
    graph, in_graph = rows["results"]["bindings"][0]["g"]["value"], int(rows["results"]["bindings"][0]["n"]["value"])
    total = count(writable, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert total > in_graph > 0
    assert count(writable, "SELECT (COUNT(*) AS ?n) FROM <http://nonexistent/graph> WHERE { ?s ?p ?o }") == 0
    assert count(writable, f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}") == in_graph
    assert count(writable, f"SELECT (COUNT(DISTINCT ?g) AS ?n) FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == 1
    assert count(writable, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": "http://nonexistent/graph"}) == 0
    # the protocol's parameters win over the query's own FROM, as SPARQL 1.1 Protocol says
    assert count(writable, "SELECT (COUNT(*) AS ?n) FROM <http://nonexistent/graph> WHERE { ?s ?p ?o }",
                 **{"default-graph-uri": graph}) == in_graph


def test_every_response_carries_the_security_headers(writable: Server) -> None:
    expected = {name.decode(): value.decode() for name, value in limits.SECURITY_HEADERS}
    for method, path in (("GET", "/"), ("GET", "/sparql"), ("GET", "/static/app.js"), ("GET", "/no/such/page"),
                         ("GET", "/sparql?query=NOT+SPARQL"), ("GET", "/api/actors?q=Putin"), ("GET", "/health"),
                         ("POST", "/update")):
        response = requests.request(method, writable.url + path, timeout=GUARD_S)
        assert {name: response.headers.get(name) for name in expected} == expected, path


class _CompactedAway:
    """A snapshot whose files a compaction removed: pyoxigraph's own error on every read."""

    def query(self, *args, **kwargs):
        raise OSError("IO error: No such file or directory: While open a file for random read: "
                      "store/000165.sst: No such file or directory")


def test_a_worker_reopens_a_snapshot_whose_files_are_gone(seeded: Path, monkeypatch) -> None:
    """RocksDB opens table files lazily, so a snapshot taken before a compaction can name
    deleted files (seen straight after an ingest: `500 IO error ... .sst`). The worker
    must reopen and answer, not fail."""
    from multiprocessing.connection import Connection

    from kg.server import worker

    opened = []

    def open_snapshot(path: str):
        opened.append(path)
        return _CompactedAway() if len(opened) == 1 else ox.Store.read_only(path)

    monkeypatch.setattr(worker, "_open", open_snapshot)
    ours, theirs = socket.socketpair()
    serving = threading.Thread(target=worker.serve, args=(Connection(theirs.detach()), str(seeded)), daemon=True)
    serving.start()
    connection = Connection(ours.detach())
    try:
        assert connection.recv_bytes() == b"ready"
        connection.send_bytes(json.dumps({"query": CHEAP, "accept": "application/sparql-results+json", "limit": 10,
                                          "generation": 0, "time_left": GUARD_S}).encode())
        assert connection.poll(GUARD_S)
        header, body = json.loads(connection.recv_bytes()), connection.recv_bytes()
        assert header["status"] == 200 and json.loads(body)["boolean"] is True
        assert opened == [str(seeded), str(seeded)]
    finally:
        connection.close()
        serving.join(timeout=GUARD_S)

"""`kg serve` under load and abuse, and CLI lookups fed hostile names.

Servers bind 127.0.0.1 on free ports, are started as their own process group and always
stopped. What is checked is what a client sees: status codes, messages, headers, and
that a fake SERVICE target on another port never receives a request.
"""
from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
KG = str(Path(sys.executable).with_name("kg"))
TOKEN = "robustness-test-token-0123456789"
MAX_RESULTS = 50
MAX_BODY = 10_000_000  # kg serve's default body limit
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { ?s ?p ?o }"
ENV = {**os.environ, "COLUMNS": "500", "NO_COLOR": "1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One `kg serve` process group on 127.0.0.1."""

    def __init__(self, store: Path, *extra: str, timeout_s: float = 2.0, env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = store.parent / f"serve-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [KG, "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(self.port),
                 "--timeout", str(timeout_s), "--max-results", str(MAX_RESULTS), *extra],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env={**ENV, **(env or {})})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kg serve exited: {self.log.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(self.url + "/health", timeout=5).ok:
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("kg serve did not come up within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):  # workers left behind, if any
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout=10)

    def query(self, sparql: str, **kwargs) -> requests.Response:
        return requests.post(self.url + "/sparql", data={"query": sparql},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60, **kwargs)

    def raw(self, method: str, target: str, headers: dict | None = None, body: bytes | None = None) -> tuple[int, dict, bytes]:
        """A request sent exactly as written (no normalisation of `..` or of escapes)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


def ingest_seeds(store: Path) -> None:
    subprocess.run([KG, "ingest", "--store", str(store), str(ROOT / "seeds"), "--metadata",
                    str(ROOT / "seeds" / "metadata.json")], check=True, capture_output=True, timeout=120, env=ENV)


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory, seeds_store_shared) -> Path:
    """A copy of the seeds the session ingested (tests/conftest.py): a server holds it."""
    store = tmp_path_factory.mktemp("robust-service") / "store"
    shutil.copytree(seeds_store_shared, store)
    return store


@pytest.fixture(scope="module")
def reader(seeded_store: Path) -> Iterator[Server]:
    # CROSS_JOIN (a cube of the store) always reaches the limit; a cheap ASK stays far
    # within it even on a loaded machine, where 1 s was not always enough for it.
    server = Server(seeded_store, timeout_s=5.0)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def writer(tmp_path_factory, seeds_store_shared) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("robust-writer")
    store = folder / "store"
    shutil.copytree(seeds_store_shared, store)
    (folder / "token").write_text(TOKEN + "\n", encoding="utf-8")
    server = Server(store, "--allow-update", "--token-file", str(folder / "token"), timeout_s=5.0)
    yield server
    server.stop()


class FakeTarget:
    """A local HTTP server standing in for any outside host a query might make us call."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        record = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                record.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

            do_GET = do_POST = _any

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def fake_target() -> Iterator[FakeTarget]:
    target = FakeTarget()
    yield target
    target.close()


# ---------------------------------------------------------------------------------------
# Load: timeouts, caps, concurrent queries during an ingest


def test_slow_query_is_cancelled_while_others_are_still_served(reader: Server) -> None:
    outcome: dict = {}

    def slow() -> None:
        outcome["slow"] = reader.query(CROSS_JOIN)

    thread = threading.Thread(target=slow)
    thread.start()
    cheap = []
    while thread.is_alive() and len(cheap) < 20:
        cheap.append(reader.query(CHEAP).status_code)
    thread.join(timeout=60)
    assert outcome["slow"].status_code == 503
    assert "time limit" in outcome["slow"].text and outcome["slow"].headers.get("Retry-After")
    assert cheap and set(cheap) == {200}  # answered while the slow one ran
    health = requests.get(reader.url + "/health", timeout=10).json()
    assert health["ok"] and len(health["worker_pids"]) == health["workers"]  # the killed worker was replaced
    assert reader.query(CHEAP).json()["boolean"] is True


def test_huge_results_are_capped_and_say_so(reader: Server) -> None:
    response = reader.query("SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 200
    assert response.headers["X-KG-Truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == MAX_RESULTS


def test_oversized_bodies_are_refused(reader: Server, writer: Server) -> None:
    big = b"#" * (MAX_BODY + 1)
    response = requests.post(reader.url + "/sparql", data=big, headers={"Content-Type": "application/sparql-query"},
                             timeout=60)
    assert response.status_code == 413 and "exceeds the limit" in response.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while streaming
        for _ in range(MAX_BODY // 65536 + 2):
            yield b" " * 65536

    response = requests.post(writer.url + "/update", data=chunks(), timeout=60,
                             headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 413
    assert reader.query(CHEAP).status_code == 200


@pytest.mark.parametrize("sparql", ["SELECT * WHERE { ?s ?p }", "SELEKT ?x", "SELECT * WHERE { ?s ?p ?o ",
                                    "PREFIX : <x SELECT * {}", "\x00\x01", "SELECT * WHERE { ?s <a b> ?o }"])
def test_malformed_sparql_is_400_with_the_parsers_message(reader: Server, sparql: str) -> None:
    response = reader.query(sparql)
    assert response.status_code == 400, response.text
    assert response.text.startswith("malformed query:") and "error at" in response.text


def test_queries_during_an_ingest_through_the_server(writer: Server, tmp_path: Path) -> None:
    """The server holds the store, so the ingest goes through its write path (KG_STORE_TOKEN)."""
    corpus = tmp_path / "corpus.jsonl"
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), "60", "--out", str(corpus), "--seed", "11"],
                   check=True, capture_output=True, timeout=120)
    count_articles = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <https://w3id.org/kg-meetings/ontology#Article> }"
    before = int(writer.query(count_articles).json()["results"]["bindings"][0]["n"]["value"])
    ingest = subprocess.Popen([KG, "ingest", "--store", writer.url, "--json", str(corpus)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env={**ENV, "KG_STORE_TOKEN": TOKEN})
    seen: dict[int, list[int]] = {}
    statuses: list[int] = []

    def client(number: int) -> None:
        counts = seen.setdefault(number, [])
        while ingest.poll() is None and len(counts) < 500:
            response = writer.query(count_articles)
            statuses.append(response.status_code)
            if response.ok:
                counts.append(int(response.json()["results"]["bindings"][0]["n"]["value"]))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    stdout, stderr = ingest.communicate(timeout=300)
    for thread in threads:
        thread.join(timeout=60)
    assert ingest.returncode == 0, stderr.decode()[-3000:]
    summary = json.loads(stdout)
    assert summary["ingested"] == 60 and summary["failed"] == 0
    assert statuses and set(statuses) == {200}
    for counts in seen.values():  # a reader never sees the store go back (no torn writes)
        assert counts == sorted(counts)
        assert all(before <= n <= before + 60 for n in counts)
    after = int(writer.query(count_articles).json()["results"]["bindings"][0]["n"]["value"])
    assert after == before + 60


# ---------------------------------------------------------------------------------------
# Writes need the token; a read-only server takes none


def test_writes_need_the_right_token(writer: Server) -> None:
    update = "INSERT DATA { GRAPH <urn:robust:probe> { <urn:robust:s> <urn:robust:p> 1 } }"
    headers = {"Content-Type": "application/sparql-update"}
    missing = requests.post(writer.url + "/update", data=update, headers=headers, timeout=30)
    assert missing.status_code == 401 and missing.headers.get("WWW-Authenticate", "").startswith("Bearer")
    for wrong in ("Bearer nope", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer "):
        response = requests.post(writer.url + "/update", data=update, headers={**headers, "Authorization": wrong},
                                 timeout=30)
        assert response.status_code == 403, wrong
    basic = requests.post(writer.url + "/update", data=update, headers={**headers, "Authorization": f"Basic {TOKEN}"},
                          timeout=30)  # another scheme: 401 saying which one to use
    assert basic.status_code == 401 and basic.headers["WWW-Authenticate"] == 'Bearer realm="kg"'
    put = requests.put(writer.url + "/store?graph=urn:robust:probe", data="<urn:a> <urn:b> <urn:c> .",
                       headers={"Content-Type": "application/n-triples"}, timeout=30)
    assert put.status_code == 401
    assert not writer.query("ASK { GRAPH <urn:robust:probe> { ?s ?p ?o } }").json()["boolean"]
    good = requests.post(writer.url + "/update", data=update, headers={**headers, "Authorization": f"Bearer {TOKEN}"},
                         timeout=30)
    assert good.status_code == 204
    assert writer.query("ASK { GRAPH <urn:robust:probe> { ?s ?p ?o } }").json()["boolean"]


def test_a_read_only_server_refuses_every_write(reader: Server) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    update = requests.post(reader.url + "/update", data="CLEAR ALL", timeout=30,
                           headers={**auth, "Content-Type": "application/sparql-update"})
    assert update.status_code == 403 and "read-only" in update.text
    for method in ("PUT", "POST", "DELETE"):
        response = requests.request(method, reader.url + "/store?default", data="<urn:a> <urn:b> <urn:c> .",
                                    headers={**auth, "Content-Type": "application/n-triples"}, timeout=30)
        assert response.status_code == 405, method
    sneaky = reader.query("CLEAR ALL")  # an update through the query endpoint
    assert sneaky.status_code == 400
    form = requests.post(reader.url + "/sparql", data={"update": "CLEAR ALL"}, timeout=30)
    assert form.status_code == 400
    assert reader.query(CHEAP).json()["boolean"] is True


# ---------------------------------------------------------------------------------------
# SERVICE and LOAD: never an outbound request


def forbidden_queries(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SeRvIcE <{url}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ # a comment }}\n SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(\"}}\" AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND('''#''' AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX ex: <http://example.org/x/> SELECT * WHERE {{ BIND(ex:a AS ?x) SERVICE<{url}>{{?s ?p ?o}} }}",
        f"PREFIX s: <{url}> SELECT * WHERE {{ SERVICE s: {{ ?s ?p ?o }} }}",
        # an escaped '#' ends a prefixed name in SPARQL, not a line: no comment follows
        f"PREFIX ex: <http://example.org/x/> SELECT * WHERE {{ BIND(ex:a\\# AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
        # an escaped quote in a prefixed name opens no string literal
        f"PREFIX ex: <http://example.org/x/> SELECT * WHERE {{ BIND(ex:a\\' AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} BIND(ex:b\\' AS ?y) }}",
    ]


def test_service_is_refused_and_nothing_goes_out(reader: Server, fake_target: FakeTarget) -> None:
    outcomes = {}
    for sparql in forbidden_queries(fake_target.url):
        response = reader.query(sparql)
        outcomes[sparql] = (response.status_code, response.text[:200])
    time.sleep(0.2)
    leaked = {q: o for q, o in outcomes.items() if o[0] != 400 or "SERVICE is not allowed" not in o[1]}
    assert not fake_target.requests and not leaked, (fake_target.requests, leaked)


def test_load_and_service_in_updates_are_refused(writer: Server, fake_target: FakeTarget) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    updates = [f"LOAD <{fake_target.url}>", f"load silent <{fake_target.url}> into graph <urn:g>",
               f"INSERT {{ GRAPH <urn:g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{fake_target.url}> {{ ?s ?p ?o }} }}",
               f"PREFIX ex: <http://example.org/x/> INSERT {{ GRAPH <urn:g> {{ ?s ?p ?o }} }} WHERE {{ BIND(ex:a\\# AS ?x) "
               f"SERVICE <{fake_target.url}> {{ ?s ?p ?o }} }}"]
    statuses = {u: requests.post(writer.url + "/update", data=u, headers=auth, timeout=30).status_code for u in updates}
    time.sleep(0.2)
    assert not fake_target.requests and set(statuses.values()) == {400}, (fake_target.requests, statuses)


def test_words_that_only_look_forbidden_are_fine(reader: Server) -> None:
    for sparql in ['SELECT * WHERE { BIND("SERVICE LOAD" AS ?x) } # SERVICE <http://x>',
                   "PREFIX service: <urn:s#> SELECT ?load WHERE { BIND(service:load AS ?load) }"]:
        assert reader.query(sparql).status_code == 200, sparql


# ---------------------------------------------------------------------------------------
# Paths and headers


ROUTES = ["/", "/sparql", "/query", "/update", "/store", "/queries", "/queries/meetings", "/health", "/void",
          "/dump", "/static/index.html", "/api/meetings"]
TRAVERSALS = ["/static/../../../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
              "/static/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd", "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd",
              "/static/%252e%252e/%252e%252e/etc/passwd", "/static/..\\..\\..\\etc\\passwd", "/static//etc/passwd",
              "/static/%2fetc%2fpasswd", "/queries/..%2f..%2fpyproject", "/queries/../pyproject", "/queries/%2e%2e",
              "/..%2f..%2f..%2fetc%2fpasswd", "/static/..%00/secret.txt", "/static/../../secret.txt",
              "/static/%2e%2e/%2e%2e/%2e%2e/secret.txt", "/store?graph=file:///etc/passwd",
              "/store?graph=../secret.txt", "/dump?format=../../etc/passwd",
              "/sparql?query=SELECT%20*%20FROM%20%3Cfile:///etc/passwd%3E%20WHERE%20%7B?s%20?p%20?o%7D",
              "/sparql?query=ASK{}&default-graph-uri=file:///etc/passwd"]


def test_no_path_reaches_a_file_outside_the_store(reader: Server, seeded_store: Path) -> None:
    marker = "ROBUSTNESS-SECRET-7f3a"
    (seeded_store.parent / "secret.txt").write_text(marker, encoding="utf-8")
    for target in TRAVERSALS + [route + "/../../secret.txt" for route in ROUTES]:
        status, _, body = reader.raw("GET", target)
        text = body.decode("utf-8", "replace")
        assert marker not in text and "root:x:0:0" not in text, target
        assert status < 500, (target, status, text[:300])


CRLF = "%0d%0aX-Injected:%20yes%0d%0aSet-Cookie:%20pwned=1"


def test_crlf_in_parameters_never_becomes_a_header(reader: Server) -> None:
    targets = [f"/queries/meetings?actor=urn:x{CRLF}", f"/queries/statements?topic=x{CRLF}", f"/dump?format=x{CRLF}",
               f"/store?graph=urn:x{CRLF}", f"/sparql?query=ASK{{}}&format=json{CRLF}", f"/queries/x{CRLF}",
               f"/static/x{CRLF}", f"/{CRLF}", f"/health?x={CRLF}"]
    for target in targets:
        status, headers, _ = reader.raw("GET", target)
        assert "x-injected" not in headers and "set-cookie" not in headers, target
        assert status < 500, (target, status)


def test_oversized_and_odd_headers_leave_the_server_working(reader: Server) -> None:
    for headers in ({"X-Big": "a" * 200_000}, {f"X-H{n}": "v" for n in range(500)}, {"Accept": "*/*;q=" + "9" * 5000},
                    {"Authorization": "Bearer " + "t" * 100_000}, {"Content-Type": "application/sparql-query;" * 500}):
        with contextlib.suppress(ConnectionError, http.client.HTTPException):
            status, _, _ = reader.raw("GET", "/sparql?query=ASK%7B%7D", headers=headers)
            assert status != 500, list(headers)[0]
    assert reader.query(CHEAP).status_code == 200


# ---------------------------------------------------------------------------------------
# Names are looked up, never pasted into SPARQL


HOSTILE_NAMES = ['Putin"} UNION { ?s ?p ?o } #', "} UNION {", "بوتين\n} UNION {", "'; DROP GRAPH <urn:x> ; '",
                 "<http://example.org/x>", "?x", "Q7747> } UNION { ?s ?p ?o", '\\" } #', "{"]


def kg_json(*args: str, store: Path) -> tuple[int, object, str]:
    """The real `kg` command run in this process (typer's runner), to spare ~1 s of start-up per call."""
    from typer.testing import CliRunner

    from kg.cli import app

    result = CliRunner().invoke(app, [*args, "--store", str(store), "--json"], env={"COLUMNS": "500"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    stderr = result.stderr
    data = json.loads(result.stdout) if result.exit_code == 0 and result.stdout.strip() else None
    return result.exit_code, data, stderr


def test_cli_lookups_with_hostile_names(seeded_store: Path) -> None:
    _, every_meeting, _ = kg_json("meetings", store=seeded_store)
    _, every_statement, _ = kg_json("statements", store=seeded_store)
    for name in HOSTILE_NAMES:
        for args, everything in ((("meetings", "--actor", name), every_meeting),
                                 (("statements", "--speaker", name), every_statement),
                                 (("relations", name), None)):
            code, data, stderr = kg_json(*args, store=seeded_store)
            assert code in (0, 2), (args, code, stderr[-2000:])
            assert "Traceback" not in stderr and "SyntaxError" not in stderr and "error at" not in stderr, (args, stderr)
            if code == 2:
                assert "match" in stderr.lower() or "Invalid value" in stderr, (args, stderr)  # says why
            elif everything is not None:
                assert all(row in everything for row in data), args  # a filter, never more


def test_string_and_date_parameters_are_bound_not_pasted(seeded_store: Path, reader: Server) -> None:
    _, every_statement, _ = kg_json("statements", store=seeded_store)
    for topic in HOSTILE_NAMES[:4]:
        code, data, stderr = kg_json("statements", "--topic", topic, store=seeded_store)
        assert code == 0 and all(row in every_statement for row in data), (topic, stderr)
    for since in ['2020" } UNION { ?s ?p ?o } #', "2020-13-45", "yesterday"]:
        code, _, stderr = kg_json("meetings", "--since", since, store=seeded_store)
        assert code == 2 and "not a date" in stderr and "Traceback" not in stderr, (since, stderr)
    for params in ({"actor": "urn:x> } UNION { ?s ?p ?o } #"}, {"since": "2020\" }"}, {"nonsense": "1"}):
        response = requests.get(reader.url + "/queries/meetings", params=params, timeout=30)
        assert response.status_code == 400 and "parameter" in response.text, (params, response.text)
    response = requests.get(reader.url + "/queries/statements", params={"topic": '"} UNION { ?s ?p ?o } #'}, timeout=30)
    assert response.status_code == 200

"""The remote store against a real `oxigraph serve` (the binary from the oxigraph package),
started here on a free local port and always stopped."""
from __future__ import annotations

import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from kg.remote import RemoteStore, RemoteStoreError, endpoints

LISTS = ("places", "articles")  # GROUP_CONCAT values, compared as sets; other literals whole (datatype, language)
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KG = str(BIN / "kg")
SEEDS = ROOT / "seeds"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    binary = BIN / "oxigraph"
    if not binary.exists():
        pytest.skip("the oxigraph package (oxigraph serve) is not installed")
    port = free_port()
    process = subprocess.Popen([str(binary), "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
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


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.fixture(scope="module")
def both(server, seeds_store_shared):
    """The seeds ingested into the server by `kg ingest`, and the embedded store the session
    ingested them into (tests/conftest.py; only read here)."""
    done = kg("ingest", str(SEEDS), "--metadata", str(SEEDS / "metadata.json"), "--store", server, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ingested"] == 5
    return server, seeds_store_shared


@pytest.mark.parametrize("command", [
    ["stats", "--json"],
    ["meetings", "--actor", "Putin", "--json"],
    ["statements", "--speaker", "Khamenei", "--json"],
    ["query", "SELECT ?d WHERE { ?a <https://w3id.org/kg-meetings/ontology#documentId> ?d } ORDER BY ?d", "-f", "csv"],
    ["query", "relations", "-p", "actor=https://w3id.org/kg-meetings/id/actor/vladimir-putin", "-f", "json"],
])
def test_commands_answer_the_same_remotely(both, command):
    remote, local = both
    answers = []
    for store in (remote, local):
        done = kg(*command, "--store", store)
        assert done.returncode == 0, done.stderr
        answers.append(done.stdout.replace(store, "STORE"))
    assert answers[0] == answers[1]


@pytest.mark.parametrize("fmt", ["nquads", "trig", "turtle"])
def test_export_gives_the_same_graph(both, fmt):
    import pyoxigraph as ox

    remote, local = both
    dumps = []
    for store in (remote, local):
        done = subprocess.run([KG, "export", "-f", fmt, "--store", store], capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        kind = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE}[fmt]
        dumps.append({str(q) for q in ox.parse(done.stdout, format=kind)})
    assert dumps[0] == dumps[1] and len(dumps[0]) > 1000


def test_reingest_remotely_skips_unchanged(both):
    remote, _ = both
    done = kg("ingest", str(SEEDS), "--metadata", str(SEEDS / "metadata.json"), "--store", remote, "--json")
    assert json.loads(done.stdout)["unchanged"] == 5


def test_ingest_keeps_the_summary_on_the_remote_store_too(both):
    remote, _ = both
    from kg import queries, summary

    store = RemoteStore(remote)
    assert not store.keeps_summary  # oxigraph serve: the client keeps the summary
    state = summary.state(store)
    assert state.complete and state.rows > 0

    def rows(name: str, actor: str) -> list[dict]:
        found = [{k: str(v) if isinstance(v, ox.Literal) and k not in LISTS else v.value for k, v in r.items()} for r in store.select(queries.get(name).bind({"actor": actor}))]
        return [{**r, "places": sorted(r.get("places", "").split()), "articles": sorted(r["articles"].split(" | "))}
                for r in found]

    actors = summary.participants(store)
    assert len(actors) >= 5
    assert all(rows("relations", a) == rows("met-with", a) for a in actors)
    done = kg("summary", "--rebuild", "--json", "--store", remote)
    assert done.returncode == 0, done.stderr
    rebuilt = json.loads(done.stdout)
    assert rebuilt["complete"] and rebuilt["rows"] == state.rows and rebuilt["rebuilt"]["full"]


def test_unreachable_server_is_a_clear_error():
    done = kg("stats", "--store", f"http://127.0.0.1:{free_port()}")
    assert done.returncode == 2
    assert "cannot reach the SPARQL server" in " ".join(done.stderr.split())


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 503 (then 429) to the first requests, then forwards to the real server."""

    failures: list[tuple[int, dict]] = []
    upstream = ""
    seen = 0

    def _handle(self) -> None:
        type(self).seen += 1
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.failures:
            status, headers = self.failures.pop(0)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        forwarded = requests.request(self.command, self.upstream + self.path, data=body, timeout=30,
                                     headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
        self.send_response(forwarded.status_code)
        self.send_header("Content-Type", forwarded.headers.get("Content-Type", "text/plain"))
        self.send_header("Content-Length", str(len(forwarded.content)))
        self.end_headers()
        self.wfile.write(forwarded.content)

    do_GET = do_POST = _handle

    def log_message(self, *args) -> None:
        pass


def test_transient_errors_are_retried(both):
    remote, _ = both
    _Flaky.upstream, _Flaky.seen = remote, 0
    _Flaky.failures = [(503, {}), (503, {}), (429, {"Retry-After": "0"})]
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        store = RemoteStore(f"http://127.0.0.1:{proxy.server_address[1]}", backoff=0.01)
        rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/kg-meetings/ontology#Article> }")
        assert int(rows[0]["n"].value) == 5
        assert _Flaky.seen == 5  # three refusals, then the check at open and the query
        _Flaky.failures = [(503, {})] * 3
        with pytest.raises(RemoteStoreError, match="503"):
            RemoteStore(f"http://127.0.0.1:{proxy.server_address[1]}", backoff=0.01, retries=2)
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_location_conventions():
    assert endpoints("http://h:7878") == {"query": "http://h:7878/query", "update": "http://h:7878/update",
                                          "store": "http://h:7878/store"}
    assert endpoints("http://h:3030/ds") == {"query": "http://h:3030/ds/query", "update": "http://h:3030/ds/update",
                                             "store": "http://h:3030/ds/data"}
    assert endpoints("https://h/?query=/sparql&update=/sparql&store=") == {
        "query": "https://h/sparql", "update": "https://h/sparql", "store": None}


def test_oxigraph_binary_is_where_the_tests_look():
    assert shutil.which("oxigraph", path=str(BIN)) or not (BIN / "oxigraph").exists()


def test_serve_proxies_a_remote_store(both):
    """`kg serve --store http://...`: page, SPARQL, named queries and the actor API over the
    remote server, read-only, with the SERVICE guard."""
    from kg.server.background import serve_in_thread
    from kg.server.proxy import create_proxy_app

    remote, _local = both
    with serve_in_thread(create_proxy_app(remote, timeout=20)) as url:
        count = requests.get(f"{url}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { "
                                                               "?m a <https://w3id.org/kg-meetings/ontology#Meeting> }"},
                             headers={"Accept": "text/csv"}, timeout=30)
        assert count.status_code == 200 and int(count.text.split()[1]) >= 9
        named = requests.get(f"{url}/queries/relations",
                             params={"actor": "https://w3id.org/kg-meetings/id/actor/vladimir-putin"}, timeout=30)
        labels = {b["counterpartLabel"]["value"] for b in named.json()["results"]["bindings"]}
        assert {"Ali Khamenei", "Hassan Rouhani", "Ebrahim Raisi"} <= labels
        api = requests.get(f"{url}/api/actors/Q7747/relations", timeout=30).json()
        assert "ali-khamenei" in {c["actor"]["key"] for c in api["counterparts"]}
        assert requests.post(f"{url}/update", data="CLEAR ALL", timeout=10).status_code == 405
        refused = requests.get(f"{url}/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
                               timeout=10)
        assert refused.status_code == 400
        assert requests.get(f"{url}/", timeout=10).status_code == 200
        assert requests.get(f"{url}/health", timeout=10).json()["ok"] is True


class _Failing(http.server.BaseHTTPRequestHandler):
    """A store that opens (its `ASK { }` check answers) and then fails every request."""

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if body == b"query=ASK+%7B+%7D":
            answer, status, media = b'{"head":{},"boolean":true}', 200, "application/sparql-results+json"
        else:
            answer, status, media = b"Internal error: the disk\nis on fire", 500, "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = _handle

    def log_message(self, *args) -> None:
        pass


STORE_COMMANDS = [
    ["ingest", str(SEEDS / "000_498fb477b4349d6f.txt")], ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
    ["query", "relations", "-p", "actor=https://w3id.org/kg-meetings/id/actor/vladimir-putin"],
    ["export"], ["export", "-f", "nquads"], ["meetings", "--actor", "Putin"], ["statements"], ["stats"],
    ["actor", "Putin"], ["relations", "Putin"], ["path", "Putin", "Khamenei"], ["timeline", "Putin"],
    ["positions", "Putin"], ["network", "--out", "network.svg"], ["summary", "--rebuild"],
]


@pytest.fixture(scope="module")
def failing():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _refusal(url: str, endpoint: str = "query") -> str:
    return f"error: {url}/{endpoint} answered HTTP 500 Internal Server Error: Internal error: the disk is on fire"


@pytest.mark.parametrize("command", STORE_COMMANDS, ids=lambda command: " ".join(command[:2]))
def test_a_store_error_is_one_line_in_every_command(failing, command, tmp_path, monkeypatch, capsys):
    """No traceback: the server's refusal in one line (then, for ingest, how to resume), exit 2.
    Run in this process through the same entry point as the `kg` script (`app()`)."""
    from kg.cli import app

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        app([*command, "--store", failing], prog_name="kg")
    errors = capsys.readouterr().err
    assert stopped.value.code == 2, errors
    first = _refusal(failing, "store" if "nquads" in command else "query")
    resume = ["Every batch written so far is complete; run the same command again to resume."]
    assert errors.splitlines() == [first] + (resume if command[0] == "ingest" else [])


def test_the_kg_script_reports_a_store_error_in_one_line(failing):
    done = kg("stats", "--store", failing)
    assert (done.returncode, done.stderr.splitlines()) == (2, [_refusal(failing)])

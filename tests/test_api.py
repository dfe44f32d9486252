"""The relationships JSON API over a real socket: uvicorn serving kg.api's routes on a store
built by `kg ingest` from the seeds, asked with requests."""
from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
import uvicorn
from starlette.applications import Starlette

from kg import api
from kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def base(seeds_store_shared):
    store = EmbeddedStore(seeds_store_shared, read_only=True)  # the session's seeds store (tests/conftest.py)
    app = Starlette(routes=api.routes(lambda: store))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def get(base: str, path: str, **params) -> requests.Response:
    return requests.get(base + path, params=params, timeout=30)


def test_search_finds_actors_by_arabic_name(base):
    reply = get(base, "/api/actors", q="خامنئي")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/json")
    actors = reply.json()["actors"]
    assert actors[0]["key"] == "ali-khamenei" and actors[0]["facts"] > 0
    assert actors[0]["href"] == "/api/actors/ali-khamenei"


def test_profile_by_key_wikidata_id_or_name(base):
    by_key = get(base, "/api/actors/vladimir-putin").json()
    assert by_key["actor"]["wikidata"] == "Q7747"
    assert any(o["role"] == "president" and o["of"] == "RUS" for o in by_key["offices"])
    assert get(base, "/api/actors/Q7747").json() == by_key
    assert get(base, "/api/actors/" + requests.utils.quote("بوتين")).json() == by_key


def test_relations_with_dates_and_counterpart(base):
    data = get(base, "/api/actors/ali-khamenei/relations").json()
    keys = {c["actor"]["key"] for c in data["counterparts"]}
    assert {"vladimir-putin", "bashar-al-assad"} <= keys
    dated = get(base, "/api/actors/ali-khamenei/relations", since="2022-01-01", until="2022-12", **{"with": "Assad"}).json()
    assert [c["actor"]["key"] for c in dated["counterparts"]] == ["bashar-al-assad"]
    assert [m["date"] for m in dated["meetings"]] == ["2022-05-08"]


def test_meetings_of_an_actor(base):
    data = get(base, "/api/meetings", actor="Putin").json()
    assert data["actor"]["key"] == "vladimir-putin"
    assert any({p["key"] for p in m["participants"]} >= {"vladimir-putin", "ali-khamenei"} for m in data["meetings"])
    assert all(m["evidence"] and m["articles"] for m in data["meetings"])
    assert get(base, "/api/meetings", actor="Putin", status="planned").json()["meetings"] == []


def test_path_found_and_not_found(base):
    found = get(base, "/api/path", a="Putin", b="Bashar al-Assad").json()
    assert found["found"] is True and found["length"] == 2
    none = get(base, "/api/path", a="Sergei Shoigu", b="Vladimir Putin").json()
    assert none["found"] is False and none["hops"] is None


def test_timeline_and_positions(base):
    events = get(base, "/api/actors/ali-khamenei/timeline").json()["events"]
    whens = [e["when"] for e in events if e["when"]]
    assert whens == sorted(whens) and {e["kind"] for e in events} == {"meeting", "statement"}
    positions = get(base, "/api/actors/ali-khamenei/positions", topic="سوريا").json()["statements"]
    assert positions


def test_network_around_an_actor(base):
    data = get(base, "/api/network", actor="Putin", depth="1").json()
    assert data["centre"]["key"] == "vladimir-putin"
    assert {"ali-khamenei", "hassan-rouhani", "ebrahim-raisi"} <= {n["key"] for n in data["nodes"]}


def test_bad_parameters_are_400_with_a_message(base):
    for path, params in [("/api/actors/vladimir-putin/relations", {"since": "yesterday"}),
                         ("/api/meetings", {}), ("/api/actors", {}), ("/api/path", {"a": "Putin"}),
                         ("/api/network", {"depth": "0"}), ("/api/meetings", {"actor": "Putin", "status": "maybe"})]:
        reply = get(base, path, **params)
        assert reply.status_code == 400, (path, params, reply.text)
        assert reply.json()["error"]


def test_unknown_actor_is_404_with_suggestions(base):
    reply = get(base, "/api/actors/Putn")
    assert reply.status_code == 404
    assert "vladimir-putin" in [s["key"] for s in reply.json()["suggestions"]]
    hostile = get(base, "/api/actors", q='"} UNION { ?s ?p ?o } #')
    assert hostile.status_code == 200 and hostile.json()["actors"] == []


def test_ambiguous_name_is_300_with_candidates(base):
    reply = get(base, "/api/actors/Abdullah")
    assert reply.status_code == 300
    candidates = reply.json()["candidates"]
    assert len(candidates) > 1 and all(c["href"].startswith("/api/actors/") for c in candidates)


def test_openapi_is_valid_and_documents_every_route(base):
    from openapi_spec_validator import validate

    document = get(base, "/api/openapi.json").json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    documented = set(document["paths"])
    for route in api.routes(lambda: None):
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        assert path in documented, path

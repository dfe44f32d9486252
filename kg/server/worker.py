"""A query worker process: `python -m kg.server.worker FD STORE [MEMORY_BYTES]`.

It opens a read-only snapshot of the store (`Store.read_only` works beside the server's
writable handle, which holds the store's exclusive lock), answers one request at a time
over the socket FD, and reopens the snapshot when the server says the store changed
since (the `generation` of a request). The server kills the process when a request runs
past its deadline or its memory limit; between chunks of rows the worker also stops by
itself.

Requests (a JSON object with `kind`):
- "query": a SPARQL query, rendered in the negotiated format;
- "api": a GET of the JSON API (`kg.api`), answered from this snapshot, so an expensive
  API call is bounded by the same deadline and memory limit as a query;
- "check-update": parses a SPARQL update without running it (a read-only store parses,
  then refuses to write), so text that would crash or hang the parser never reaches the
  server process, which holds the only writable handle.

Why a snapshot is reopened on an I/O error: RocksDB opens table files lazily, and a
compaction by the writer (after an ingest, at start-up, after a write) deletes files an
older snapshot may still name. Such a snapshot is simply stale: reopen and answer again.

Messages are length-prefixed frames (multiprocessing.connection): a JSON request in;
a JSON header and then the body out.
"""
from __future__ import annotations

import json
import resource
import sys
import threading
import time
from multiprocessing.connection import Connection

import pyoxigraph as ox

from kg.formats import DeadlineExceeded, NotAcceptable, render
from kg.rdf import PREFIXES
from kg.server.guard import BIG_STACK

RLIMIT_HEADROOM = 512 << 20  # a fresh worker maps ~100 MB of data besides its stack
_READ_ONLY_REFUSAL = "read-write"  # pyoxigraph: "Transaction are only possible on read-write instances"


def _graph(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _options(request: dict) -> dict:
    """pyoxigraph's dataset options. The protocol's default-graph-uri / named-graph-uri win;
    else a query's own FROM / FROM NAMED (pyoxigraph would let the union default graph
    override them); else the union of all graphs is the default graph."""
    default_graphs = request.get("default_graphs") or []
    named_graphs = request.get("named_graphs") or []
    if not default_graphs and not named_graphs:
        return {} if request.get("own_dataset") else {"use_default_graph_as_union": True}
    options: dict = {"default_graph": [_graph(g) for g in default_graphs]}
    if named_graphs:
        options["named_graphs"] = [_graph(g) for g in named_graphs]
    return options


class _Stale(Exception):
    """The snapshot names files a compaction has since removed."""


def _is_missing_file(error: BaseException) -> bool:
    text = str(error)
    return "No such file" in text or "IO error" in text


def answer(store: ox.Store, request: dict) -> tuple[dict, bytes]:
    kind = request.get("kind", "query")
    if kind == "api":
        return _api(store, request)
    if kind == "check-update":
        return _check_update(store, request["update"])
    deadline = time.monotonic() + request["time_left"]
    try:
        options = _options(request)
        result = store.query(request["query"], **options)
        rendered = render(result, request.get("accept"), limit=request.get("limit"), deadline=deadline,
                          prefixes=PREFIXES, rerun=lambda: store.query(request["query"], **options))
    except SyntaxError as error:
        return {"status": 400, "message": f"malformed query: {error}"}, b""
    except NotAcceptable as error:
        return {"status": 406, "message": str(error)}, b""
    except DeadlineExceeded:
        return {"status": 503, "message": "query time limit reached"}, b""
    except (ValueError, TypeError) as error:
        return {"status": 400, "message": str(error)}, b""
    except (OSError, RuntimeError) as error:
        if _is_missing_file(error):
            raise _Stale() from error
        return {"status": 500, "message": f"store error: {error}"}, b""
    header = {"status": 200, "media_type": rendered.media_type, "count": rendered.count,
              "truncated": rendered.truncated}
    return header, rendered.body


def _check_update(store: ox.Store, update: str) -> tuple[dict, bytes]:
    try:
        store.update(update)
    except SyntaxError as error:
        return {"status": 400, "message": f"malformed update: {error}"}, b""
    except (OSError, RuntimeError) as error:
        if _READ_ONLY_REFUSAL in str(error):
            return {"status": 200}, b""  # parsed; only the write was refused
        return {"status": 400, "message": f"update refused: {error}"}, b""
    except ValueError as error:
        return {"status": 400, "message": f"malformed update: {error}"}, b""
    return {"status": 500, "message": "a read-only snapshot accepted a write"}, b""


_api_router = None


def _api(store: ox.Store, request: dict) -> tuple[dict, bytes]:
    """One GET of the JSON API, routed as the server would (kg.api's own routes)."""
    global _api_router
    from starlette.requests import Request
    from starlette.routing import Match

    from kg.api import routes
    from kg.store import EmbeddedStore

    view = EmbeddedStore.wrapping(store, request["store"])
    if _api_router is None or _api_router[0] is not store:
        _api_router = (store, routes(lambda: view))
    scope = {"type": "http", "method": "GET", "path": request["path"], "root_path": "",
             "query_string": request["query_string"].encode("latin-1"), "headers": []}
    for route in _api_router[1]:
        match, child = route.matches(scope)
        if match == Match.FULL:
            scope.update(child)
            try:
                response = route.endpoint(Request(scope))
            except (OSError, RuntimeError) as error:
                if _is_missing_file(error):
                    raise _Stale() from error
                return {"status": 500, "message": f"store error: {error}"}, b""
            except Exception as error:  # the worker must outlive a handler's bug
                return {"status": 500, "message": f"{type(error).__name__}: {error}"}, b""
            return {"status": response.status_code, "media_type": response.media_type}, bytes(response.body)
    return {"status": 404, "message": f"no API route {request['path']}"}, b""


def _open(path: str, attempts: int = 8) -> ox.Store:
    """A read-only snapshot; RocksDB may be swapping files under a writer (compaction right after
    an ingest), which makes an open fail now and succeed a moment later."""
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(path)
        except (OSError, RuntimeError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.02 * 2 ** attempt)
    raise AssertionError("unreachable")


def serve(connection: Connection, path: str) -> None:
    store, generation = _open(path), 0
    connection.send_bytes(b"ready")  # the pool waits for this before the first request
    while True:
        try:
            request = json.loads(connection.recv_bytes())
        except EOFError:
            return
        if request.get("generation", generation) != generation:
            del store
            store, generation = _open(path), request["generation"]
        try:
            header, body = answer(store, request)
        except _Stale:
            del store
            store = _open(path)
            try:
                header, body = answer(store, request)
            except _Stale as stale:
                header, body = {"status": 500, "message": f"store error: {stale.__cause__}"}, b""
        connection.send_bytes(json.dumps({**header, "size": len(body)}).encode())
        connection.send_bytes(body)


def main(argv: list[str]) -> None:
    if len(argv) > 3 and int(argv[3]) > 0:
        # A hard ceiling on data mappings, a backstop for growth faster than the server's
        # look at the resident size (which enforces the limit itself): an allocation beyond
        # it fails and the process aborts. The big stack and the engine's start-up
        # reservations count here although they are barely touched, hence the headroom.
        limit = int(argv[3]) + BIG_STACK + RLIMIT_HEADROOM
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    threading.stack_size(BIG_STACK)
    thread = threading.Thread(target=serve, args=(Connection(int(argv[1])), argv[2]), name="kg-query")
    thread.start()
    thread.join()


if __name__ == "__main__":
    main(sys.argv)

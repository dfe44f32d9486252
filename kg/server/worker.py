"""A query worker process: `python -m kg.server.worker FD STORE`.

It opens a read-only snapshot of the store (`Store.read_only` works beside the server's
writable handle, which holds the store's exclusive lock), answers one query at a time
over the socket FD, and reopens the snapshot when the server says the store changed
since (the `generation` of a request). The server kills the process when a query runs
past its deadline; between chunks of rows the worker also stops by itself.

Messages are length-prefixed frames (multiprocessing.connection): a JSON request in;
a JSON header and then the body out.
"""
from __future__ import annotations

import json
import sys
import time
from multiprocessing.connection import Connection

import pyoxigraph as ox

from kg.formats import DeadlineExceeded, NotAcceptable, render
from kg.rdf import PREFIXES


def _graph(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _options(request: dict) -> dict:
    """pyoxigraph's dataset options from the protocol's default-graph-uri / named-graph-uri."""
    default_graphs = request.get("default_graphs") or []
    named_graphs = request.get("named_graphs") or []
    if not default_graphs and not named_graphs:
        return {"use_default_graph_as_union": True}
    options: dict = {"default_graph": [_graph(g) for g in default_graphs]}
    if named_graphs:
        options["named_graphs"] = [_graph(g) for g in named_graphs]
    return options


def answer(store: ox.Store, request: dict) -> tuple[dict, bytes]:
    deadline = time.monotonic() + request["time_left"]
    try:
        result = store.query(request["query"], **_options(request))
        rendered = render(result, request.get("accept"), limit=request.get("limit"), deadline=deadline,
                          prefixes=PREFIXES)
    except SyntaxError as error:
        return {"status": 400, "message": f"malformed query: {error}"}, b""
    except NotAcceptable as error:
        return {"status": 406, "message": str(error)}, b""
    except DeadlineExceeded:
        return {"status": 503, "message": "query time limit reached"}, b""
    except (ValueError, TypeError) as error:
        return {"status": 400, "message": str(error)}, b""
    except OSError as error:
        return {"status": 500, "message": f"store error: {error}"}, b""
    header = {"status": 200, "media_type": rendered.media_type, "count": rendered.count,
              "truncated": rendered.truncated}
    return header, rendered.body


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
    while True:
        try:
            request = json.loads(connection.recv_bytes())
        except EOFError:
            return
        if request["generation"] != generation:
            del store
            store, generation = _open(path), request["generation"]
        header, body = answer(store, request)
        connection.send_bytes(json.dumps(header).encode())
        connection.send_bytes(body)


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])), sys.argv[2])

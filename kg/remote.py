"""The graph on any SPARQL 1.1 Protocol + Graph Store Protocol server, behind the same
methods as `kg.store.EmbeddedStore`, for when one machine's disk or cores are not enough.

Location forms (`--store` or `KG_STORE`):

    http://host:7878                 Oxigraph (`oxigraph serve`): /query, /update, /store
    http://host:3030/ds              Fuseki dataset "ds": /ds/query, /ds/update, /ds/data
    http://host:7001/?query=/&update=/&store=     QLever: one endpoint, no Graph Store
    ...?query=/sparql&update=/update&store=/data  any server: each endpoint spelled out
                                                  ("/x" from the host root, "x" below the base path,
                                                   empty: not available)

A bearer token for writes (QLever's access token, a proxy's) comes from `KG_STORE_TOKEN`.

Queries must see the article graphs as the default graph (run `oxigraph serve
--union-default-graph`; Fuseki: `tdb2:unionDefaultGraph true`; QLever does by default).
See docs/remote.md.

Every request reuses one HTTP connection (a `requests.Session`) and is retried with
exponential backoff on connection errors, 502/503/504 and 429 (honouring Retry-After).
Writes are idempotent (DROP + INSERT DATA of a set of quads), so a retried write that
had in fact succeeded changes nothing.
"""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import pyoxigraph as ox

from kg.store import quads_to_sparql_data

RETRY_STATUSES = {429, 502, 503, 504}
USER_AGENT = "kg-meetings/0.1 (remote store; python-requests)"
INSERT_CHUNK_QUADS = 20_000  # quads per INSERT DATA of the knowledge base
_RESULTS_JSON = "application/sparql-results+json"


class RemoteStoreError(ConnectionError):
    """The server could not be reached or refused a request; the message says which and why.
    A ConnectionError (an OSError), so the CLI reports it like a store that cannot be opened."""


def endpoints(location: str) -> dict[str, str | None]:
    """The query, update and Graph Store URLs a location stands for (see the module doc)."""
    parts = urlsplit(location)
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    base_path = parts.path.rstrip("/")
    root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    defaults = {"query": "/query", "update": "/update", "store": "/store"} if not base_path else \
        {"query": "query", "update": "update", "store": "data"}  # Fuseki's service names

    def resolve(value: str) -> str | None:
        if value == "":
            return None
        if value.startswith(("http://", "https://")):
            return value
        if value.startswith("/"):
            return root + value
        return f"{root}{base_path}/{value}"

    return {name: resolve(options.get(name, default)) for name, default in defaults.items()}


class RemoteStore:
    """A remote SPARQL server; see the module docstring for location forms."""

    def __init__(self, location: str, *, retries: int = 4, backoff: float = 0.25, timeout: float = 300.0,
                 check: bool = True) -> None:
        import requests

        self.location = location
        self.endpoints = endpoints(location)
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._token = os.environ.get("KG_STORE_TOKEN")
        self._keeps_summary: bool | None = None
        if check:
            self.ask("ASK { }")  # fail now, with a clear message, if nobody answers

    @property
    def keeps_summary(self) -> bool:
        """Whether the server is a `kg serve`, which rebuilds the met-with summary after
        every write itself (its /health says so), so a client must not do it again."""
        if self._keeps_summary is None:
            root = urlunsplit(urlsplit(self.endpoints["query"] or self.location)[:2] + ("/health", "", ""))
            try:
                response = self.session.get(root, timeout=min(self.timeout, 10))
                self._keeps_summary = response.ok and "summary" in response.json()
            except Exception:  # not JSON, not there: some other server
                self._keeps_summary = False
        return self._keeps_summary

    # -- HTTP ------------------------------------------------------------------------------

    def _request(self, method: str, url: str | None, *, write: bool = False, **kwargs):
        import requests

        if url is None:
            raise RemoteStoreError(f"{self.location}: this server has no endpoint for that operation")
        headers = kwargs.pop("headers", {})
        if write and self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        attempt = 0
        while True:
            problem, wait = None, self.backoff * (2 ** attempt)
            try:
                response = self.session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
            except requests.ConnectionError as error:
                problem = f"cannot reach the SPARQL server at {url}: {_root_cause(error)}"
            except requests.Timeout:
                problem = f"the SPARQL server at {url} did not answer within {self.timeout:g} s"
            else:
                if response.status_code not in RETRY_STATUSES:
                    if response.status_code >= 400:
                        raise RemoteStoreError(f"{url} answered HTTP {response.status_code} {response.reason}: "
                                               f"{response.text[:500].strip()}")
                    return response
                problem = f"{url} answered HTTP {response.status_code} {response.reason}"
                wait = _retry_after(response, wait)
            if attempt >= self.retries:
                raise RemoteStoreError(f"{problem} (gave up after {attempt + 1} attempts)")
            time.sleep(wait)
            attempt += 1

    def _query(self, query: str, accept: str):
        return self._request("POST", self.endpoints["query"], data={"query": query}, headers={"Accept": accept})

    def update(self, update: str) -> None:
        """One SPARQL Update request: atomic on Oxigraph and Fuseki."""
        self._request("POST", self.endpoints["update"], write=True, data=update.encode("utf-8"),
                      headers={"Content-Type": "application/sparql-update; charset=utf-8"})

    # -- the GraphStore interface ----------------------------------------------------------

    def replace_graph(self, graph: ox.NamedNode, quads: list[ox.Quad]) -> None:
        self.update(f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{\n{quads_to_sparql_data(quads)}\n}}")

    def drop_graph(self, graph: ox.NamedNode) -> None:
        self.update(f"DROP SILENT GRAPH {graph}")

    def add_default(self, quads: list[ox.Quad]) -> None:
        """In chunks (a server caps request bodies); a caller that needs to know the whole
        list arrived puts its marker last, as `kg.ingest.ensure_knowledge` does."""
        for start in range(0, len(quads), INSERT_CHUNK_QUADS):
            self.update(f"INSERT DATA {{\n{quads_to_sparql_data(quads[start:start + INSERT_CHUNK_QUADS])}\n}}")

    def add_quads(self, quads: list[ox.Quad]) -> None:
        """Quads of any graphs, in chunks like `add_default`."""
        self.add_default(quads)

    def clear_default(self) -> None:
        self.update("CLEAR SILENT DEFAULT")

    def select(self, query: str) -> list[dict]:
        result = self.query(query)
        names = [v.value for v in result.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in result]

    def ask(self, query: str) -> bool:
        return bool(self.query(query))

    def query(self, query: str, **_options):
        """A pyoxigraph result object, as the embedded store returns: solutions, a boolean, or
        triples (a CONSTRUCT's N-Triples are replayed through an in-memory store)."""
        response = self._query(query, f"{_RESULTS_JSON}, application/n-triples;q=0.9")
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media == "application/n-triples":
            memory = ox.Store()
            memory.load(response.content, format=ox.RdfFormat.N_TRIPLES)
            return memory.query("CONSTRUCT WHERE { ?s ?p ?o }")
        return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)

    def query_raw(self, query: str, accept: str) -> tuple[bytes, str]:
        response = self._query(query, accept)
        return response.content, response.headers.get("Content-Type", "application/octet-stream")

    def dump(self, fmt: ox.RdfFormat, graph: ox.NamedNode | None = None) -> Iterator[bytes]:
        """The dataset (a dataset format, no graph), one graph, or the default graph (None with a
        triple format), streamed from the Graph Store endpoint."""
        params = {} if graph is None and fmt.supports_datasets else {"graph": graph.value} if graph else {"default": ""}
        response = self._request("GET", self.endpoints["store"], params=params,
                                 headers={"Accept": fmt.media_type}, stream=True)
        yield from response.iter_content(1 << 16)

    def graph_quads(self, graph: ox.NamedNode) -> list[ox.Quad]:
        body = b"".join(self.dump(ox.RdfFormat.N_TRIPLES, graph))
        return [ox.Quad(t.subject, t.predicate, t.object, graph)
                for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]

    def named_graphs(self) -> list[ox.NamedNode]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return [row["g"] for row in rows if isinstance(row.get("g"), ox.NamedNode)]

    def __len__(self) -> int:
        """Quads in named graphs (counted by the server) plus those of the default graph (which
        a union-default-graph server only shows through its Graph Store endpoint)."""
        named = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        total = int(named[0]["n"].value) if named else 0
        if self.endpoints["store"]:
            lines = sum(chunk.count(b"\n") for chunk in self.dump(ox.RdfFormat.N_TRIPLES, None))
            return total + lines
        return total

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.session.close()


def _retry_after(response, fallback: float) -> float:
    """Seconds the server asks us to wait (capped at a minute), else our own backoff."""
    value = response.headers.get("Retry-After", "")
    try:
        return min(max(float(value), 0.0), 60.0)
    except ValueError:
        return fallback


def _root_cause(error: BaseException) -> str:
    """requests hides the useful words ("Connection refused") inside urllib3's retry error."""
    cause: BaseException | None = error
    text = str(error)
    while cause is not None:
        reason = getattr(cause, "reason", None)
        if isinstance(reason, BaseException):
            cause = reason
            continue
        text = str(cause)
        cause = cause.__cause__ or (cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None)
    return text.split(": ", 1)[-1] if "Errno" in text else text


__all__ = ["RemoteStore", "RemoteStoreError", "endpoints"]


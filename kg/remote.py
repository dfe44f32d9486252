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

    http://host:8890/sparql          Virtuoso (and any URL ending in /sparql): query and update there,
                                     Graph Store at /sparql-graph-crud

Dialects: a server that answers with `Server: Virtuoso/...` is driven as Virtuoso 7 (see
`Dialect` and docs/remote.md): it has no stored default graph (what the embedded store keeps
there goes to `rdf.DEFAULT_GRAPH_STANDIN` and comes back as the default graph on export),
caps the size of one INSERT DATA (writes are split), keeps system graphs of its own (left
out of counts and dumps), cannot send the whole dataset through the Graph Store protocol
(dumped by query) and writes booleans as "1"^^xsd:boolean (read back as true). A location
option `dialect=virtuoso` or `dialect=generic` overrides the detection.

Every request reuses one HTTP connection (a `requests.Session`) and is retried with
exponential backoff on connection errors, 502/503/504 and 429 (honouring Retry-After).
Writes are idempotent (DROP + INSERT DATA of a set of quads), so a retried write that
had in fact succeeded changes nothing.
"""
from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import pyoxigraph as ox

from kg import rdf
from kg.formats import query_form
from kg.store import quads_to_sparql_data

RETRY_STATUSES = {429, 502, 503, 504}
USER_AGENT = "kg-meetings/0.1 (remote store; python-requests)"
INSERT_CHUNK_QUADS = 20_000  # quads per INSERT DATA of the knowledge base
DUMP_BATCH_QUADS = 50_000  # quads serialised at a time when a dataset is dumped by query
_RESULTS_JSON = "application/sparql-results+json"
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_STORE_QUERIES = Path(__file__).resolve().parent.parent / "queries" / "store"


@dataclass(frozen=True, slots=True)
class Dialect:
    """What a server needs beyond the SPARQL 1.1 standards; see docs/remote.md."""

    name: str
    insert_quads: int  # most quads in one INSERT DATA operation
    default_graph: ox.NamedNode | None = None  # stands in for a default graph the server cannot store
    own_graphs_only: bool = False  # the server adds graphs of its own: count and dump only the project's
    dataset_by_query: bool = False  # the Graph Store protocol cannot GET the whole dataset
    booleans_as_numbers: bool = False  # xsd:boolean comes back as "1"/"0"
    fast_paths: bool = True  # met-with.rq (string functions after OPTIONAL) answers at all


GENERIC = Dialect("generic", INSERT_CHUNK_QUADS)
# One INSERT DATA operation is refused past a few thousand triples (SP031 "generated SQL
# text has exceeded 10000 lines" at about 1,400 article triples, SP030 "memory exhausted"
# near 5,000 lines); the limit is per operation, so 500 per operation, in one request.
VIRTUOSO = Dialect("virtuoso", 500, rdf.DEFAULT_GRAPH_STANDIN, own_graphs_only=True, dataset_by_query=True,
                   booleans_as_numbers=True, fast_paths=False)
DIALECTS = {d.name: d for d in (GENERIC, VIRTUOSO)}


class RemoteStoreError(ConnectionError):
    """The server could not be reached or refused a request; the message says which and why.
    A ConnectionError (an OSError), so the CLI reports it like a store that cannot be opened."""


def endpoints(location: str) -> dict[str, str | None]:
    """The query, update and Graph Store URLs a location stands for (see the module doc)."""
    parts = urlsplit(location)
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    base_path = parts.path.rstrip("/")
    root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    if base_path.endswith("/sparql"):  # one SPARQL endpoint (Virtuoso's layout)
        defaults = {"query": base_path, "update": base_path, "store": base_path + "-graph-crud"}
    elif base_path:
        defaults = {"query": "query", "update": "update", "store": "data"}  # Fuseki's service names
    else:
        defaults = {"query": "/query", "update": "/update", "store": "/store"}

    def resolve(value: str) -> str | None:
        if value == "":
            return None
        if value.startswith(("http://", "https://")):
            return value
        if value.startswith("/"):
            return root + value
        return f"{root}{base_path}/{value}"

    return {name: resolve(options.get(name, default)) for name, default in defaults.items()}


def store_query(name: str) -> str:
    """The text of `queries/store/NAME.rq`: whole-dataset reads (dumps, counts)."""
    return (_STORE_QUERIES / f"{name}.rq").read_text(encoding="utf-8")


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
        chosen = dict(parse_qsl(urlsplit(location).query)).get("dialect")
        if chosen is not None and chosen not in DIALECTS:
            raise RemoteStoreError(f"{location}: unknown dialect {chosen!r}; use one of {', '.join(DIALECTS)}")
        self._dialect: Dialect | None = DIALECTS.get(chosen or "")
        if check:
            self.ask("ASK { }")  # fail now, with a clear message, if nobody answers

    @property
    def dialect(self) -> Dialect:
        """Told by the location, else recognised from the first answer's Server header."""
        if self._dialect is None:
            self.ask("ASK { }")
        return self._dialect or GENERIC

    @property
    def runs_fast_paths(self) -> bool:
        """Whether named queries may switch to their fast path (kg.summary.choose): Virtuoso 7
        never answers met-with.rq, so `relations` is computed from the article graphs there."""
        return self.dialect.fast_paths

    def _recognise(self, response) -> None:
        if self._dialect is None:
            server = response.headers.get("Server", "")
            self._dialect = VIRTUOSO if server.lower().startswith("virtuoso") else GENERIC

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
                        text = " ".join(response.text[:500].split())
                        raise RemoteStoreError(f"{url} answered HTTP {response.status_code} {response.reason}: {text}")
                    self._recognise(response)
                    return response
                problem = f"{url} answered HTTP {response.status_code} {response.reason}"
                wait = _retry_after(response, wait)
            if attempt >= self.retries:
                raise RemoteStoreError(f"{problem} (gave up after {attempt + 1} attempts)")
            time.sleep(wait)
            attempt += 1

    def _query(self, query: str, accept: str, **kwargs):
        return self._request("POST", self.endpoints["query"], data={"query": query}, headers={"Accept": accept},
                             **kwargs)

    def update(self, update: str) -> None:
        """One SPARQL Update request (atomic on Oxigraph and Fuseki). For a server that caps
        INSERT DATA (Virtuoso), large ones are split into several operations first."""
        if self.dialect.insert_quads < INSERT_CHUNK_QUADS and "INSERT" in update.upper():
            update = split_inserts(update, self.dialect.insert_quads, self.dialect.default_graph)
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
        standin = self.dialect.default_graph
        self.update(f"CLEAR SILENT GRAPH {standin}" if standin else "CLEAR SILENT DEFAULT")

    def select(self, query: str) -> list[dict]:
        result = self.query(query)
        names = [v.value for v in result.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in result]

    def ask(self, query: str) -> bool:
        return bool(self.query(query))

    def query(self, query: str, **_options):
        """A pyoxigraph result object, as the embedded store returns: solutions, a boolean, or
        triples. Only the media types of the query's form are asked for (Virtuoso answers in
        the first type listed, whatever the form); a CONSTRUCT's N-Triples are replayed
        through an in-memory store, which also makes its triples a set."""
        graph = query_form(query) in ("CONSTRUCT", "DESCRIBE")
        response = self._query(query, "application/n-triples" if graph else _RESULTS_JSON)
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            if graph or media == "application/n-triples":
                memory = ox.Store()
                triples = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
                memory.extend(ox.Quad(_canonical(t.subject), t.predicate, _canonical(t.object)) for t in triples)
                return memory.query("CONSTRUCT WHERE { ?s ?p ?o }")
            body = response.content
            if self.dialect.booleans_as_numbers and _XSD_BOOLEAN.encode() in body:
                body = _canonical_results(body)
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as error:
            raise RemoteStoreError(f"{self.endpoints['query']} answered {media or 'no media type'} that cannot "
                                   f"be read as {'N-Triples' if graph else 'SPARQL JSON results'}: {error}") from None

    def query_raw(self, query: str, accept: str) -> tuple[bytes, str]:
        from kg.formats import serialize_result

        return serialize_result(self.query(query), accept)

    def dump(self, fmt: ox.RdfFormat, graph: ox.NamedNode | None = None) -> Iterator[bytes]:
        """The dataset (a dataset format, no graph), one graph, or the default graph (None with a
        triple format): streamed from the Graph Store endpoint, or by query where the server
        cannot send the whole dataset that way or has no such endpoint."""
        by_query = self.dialect.dataset_by_query or not self.endpoints["store"]
        if graph is None and fmt.supports_datasets:
            if by_query:
                yield from self._dump_dataset_by_query(fmt)
                return
            params = {}
        else:
            target = graph or self.dialect.default_graph
            if by_query and target is not None:
                yield _serialize(self._graph_triples(target), fmt)
                return
            params = {"graph": target.value} if target else {"default": ""}
        response = self._request("GET", self.endpoints["store"], params=params,
                                 headers={"Accept": fmt.media_type}, stream=True)
        yield from response.iter_content(1 << 16)

    def _graph_triples(self, graph: ox.NamedNode) -> list[ox.Triple]:
        from kg.queries import with_values

        return list(self.query(with_values(store_query("graph-triples"), "graph", [graph])))

    def _dump_dataset_by_query(self, fmt: ox.RdfFormat) -> Iterator[bytes]:
        """Graph by graph, each a CONSTRUCT answered in N-Triples (Virtuoso writes N-Triples
        exactly and fast; its SPARQL JSON is eight times slower and its XML trims spaces);
        the stand-in graph goes back to being the default graph."""
        standin = self.dialect.default_graph
        graphs = ([standin] if standin else []) + self.named_graphs()
        batch: list[ox.Quad] = []
        for graph in graphs:
            name = ox.DefaultGraph() if graph == standin else graph
            batch.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in self._graph_triples(graph))
            if len(batch) >= DUMP_BATCH_QUADS:
                yield _serialize(batch, fmt)
                batch = []
        if batch:
            yield _serialize(batch, fmt)

    def graph_quads(self, graph: ox.NamedNode) -> list[ox.Quad]:
        body = b"".join(self.dump(ox.RdfFormat.N_TRIPLES, graph))
        return [ox.Quad(t.subject, t.predicate, t.object, graph)
                for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]

    def merged(self):
        """The union of the graphs as a set of triples (a Turtle dump)."""
        return self.query(store_query("project-merged" if self.dialect.own_graphs_only else "merged"))

    def named_graphs(self) -> list[ox.NamedNode]:
        rows = self.select(store_query("project-graphs") if self.dialect.own_graphs_only
                           else "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        standin = self.dialect.default_graph
        return [row["g"] for row in rows if isinstance(row.get("g"), ox.NamedNode) and row["g"] != standin]

    def __len__(self) -> int:
        """Quads in named graphs (counted by the server) plus those of the default graph (which
        a union-default-graph server only shows through its Graph Store endpoint)."""
        if self.dialect.own_graphs_only:  # the stand-in default graph is one of them
            rows = self.select(store_query("project-count"))
            return int(rows[0]["n"].value) if rows else 0
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


# -- writes for a server that caps INSERT DATA ---------------------------------------------

_UPDATE_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n\r]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                   |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<open>\{) | (?P<close>\}) | (?P<end>;)
      | (?P<other>[^\#'"<{};]+|.)""",
    re.VERBOSE | re.DOTALL,
)
_INSERT_DATA = re.compile(r"\A(?P<prologue>(?:\s*(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s+<[^>]*>))*)\s*INSERT\s+DATA\s*\{",
                          re.IGNORECASE)


def operations(update: str) -> list[str]:
    """The operations of a SPARQL Update request: split at the `;` outside braces, strings,
    IRIs and comments."""
    found, start, depth = [], 0, 0
    for match in _UPDATE_TOKEN.finditer(update):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "end" and depth == 0:
            found.append(update[start:match.start()])
            start = match.end()
    found.append(update[start:])
    return [op for op in found if op.strip()]


def split_inserts(update: str, most: int, default_graph: ox.NamedNode | None) -> str:
    """`update` with every INSERT DATA cut into operations of at most `most` quads, and its
    default-graph quads put into `default_graph` when the server cannot store them."""
    out: list[str] = []
    for op in operations(update):
        match = _INSERT_DATA.match(op)
        if not match:
            out.append(op.strip())
            continue
        prologue = match.group("prologue").strip()
        body = op[match.end():op.rindex("}")]
        quads = list(ox.parse((prologue + "\n" + body).encode("utf-8"), format=ox.RdfFormat.TRIG))
        if default_graph is not None:
            quads = [q if not isinstance(q.graph_name, ox.DefaultGraph) else
                     ox.Quad(q.subject, q.predicate, q.object, default_graph) for q in quads]
        out.extend(f"INSERT DATA {{\n{quads_to_sparql_data(quads[i:i + most])}\n}}" for i in range(0, len(quads), most))
    return " ;\n".join(out)


# -- reading answers -----------------------------------------------------------------------


def _canonical(term):
    """xsd:boolean in its canonical form: Virtuoso writes true as "1"."""
    if isinstance(term, ox.Literal) and term.datatype.value == _XSD_BOOLEAN and term.value in ("1", "0"):
        return ox.Literal(term.value == "1")
    return term


def _canonical_results(body: bytes) -> bytes:
    document = json.loads(body)
    for binding in (document.get("results") or {}).get("bindings", []):
        for value in binding.values():
            if value.get("datatype") == _XSD_BOOLEAN and value.get("value") in ("1", "0"):
                value["value"] = "true" if value["value"] == "1" else "false"
    return json.dumps(document).encode("utf-8")


def _serialize(items, fmt: ox.RdfFormat) -> bytes:
    buffer = io.BytesIO()
    ox.serialize(items, buffer, fmt)
    return buffer.getvalue()


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


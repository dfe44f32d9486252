"""The Starlette application: SPARQL 1.1 Protocol, Graph Store Protocol, named queries, page.

One process owns the store's writable handle (and so its exclusive lock): updates and
Graph Store writes run there, one at a time, in a thread. Read queries run in worker
processes (see `kg.server.pool`) on read-only snapshots; every write bumps a generation
number and a worker reopens its snapshot before the next query it gets after one.
"""
from __future__ import annotations

import contextlib
import functools
import hmac
import logging
import queue
import re
import threading
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import anyio
import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg import queries as named_queries
from kg import event_graph, summary
from kg.api import routes as api_routes
from kg.formats import FORMATS_BY_NAME, NotAcceptable, choose, kind_of, negotiate
from kg.rdf import KGO, PREFIXES, RDF, SUMMARY_GRAPH
from kg.remote import store_query
from kg.server.guard import ForbiddenOperation, TooComplex, check, check_shape, has_dataset_clause
from kg.server.limits import Limits, SecurityHeaders, Slots, WriterThread, capped, client_of
from kg.server.pool import DEFAULT_MEMORY, MemoryExceeded, QueryTimeout, WorkerFailed, WorkerPool
from kg.store import EmbeddedStore, quads_to_sparql_data
from kg.summary import bound_text

STATIC = Path(__file__).resolve().parent / "static"
access_log = logging.getLogger("kg.server.access")
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
FORM = "application/x-www-form-urlencoded"
DUMP_FORMATS = tuple(FORMATS_BY_NAME[name] for name in ("trig", "nquads", "turtle"))
DUMP_EXTENSIONS = {"trig": "trig", "nquads": "nq", "turtle": "ttl"}


@dataclass(frozen=True)
class Settings:
    store: str
    allow_update: bool = False
    token: str | None = None
    timeout: float = 30.0
    max_results: int = 10_000
    cors: str | None = None
    max_body: int = 10_000_000
    workers: int = 2
    queue: int = 16  # queries allowed to wait for a worker; beyond that, 429
    worker_memory: int = DEFAULT_MEMORY  # bytes a query worker may grow to before it is replaced


class Service:
    """The state the handlers share: the writable store, the worker pool, the counters."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        Path(settings.store).mkdir(parents=True, exist_ok=True)
        self.store = ox.Store(settings.store)
        self.pool: WorkerPool | None = None
        self.slots = Slots(Limits.for_settings(settings))
        self.writer = WriterThread()
        self.generation = 0
        self.write_lock = threading.Lock()
        self.in_flight = 0
        self._counts: tuple[int, dict] | None = None
        self._complete: tuple[int, bool] | None = None
        self._counting = threading.Lock()
        self.summary_due = threading.Event()
        self.summarising = False
        self._stopping = threading.Event()
        self._summarist: threading.Thread | None = None

    def start(self) -> None:
        # Compact first, then start the workers: compaction (RocksDB also starts one on its
        # own when a fresh ingest left many files) deletes files that a snapshot opened
        # earlier would still name. Workers also reopen a snapshot that hits a missing file.
        self.store.optimize()
        self.pool = WorkerPool(self.settings.store, self.settings.workers, self.settings.worker_memory)
        self._summarist = threading.Thread(target=self._keep_summary, name="kg-summary", daemon=True)
        self._summarist.start()  # rebuilds after writes only: serving never changes a store by itself

    def stop(self) -> None:
        self._stopping.set()
        self.summary_due.set()
        if self._summarist:
            self._summarist.join(timeout=30)
        if self.pool:
            self.pool.close()
        self.writer.close()
        self.store.flush()

    def view(self) -> EmbeddedStore:
        """The kg.store interface over the live store (the actor API and the summary use it)."""
        return EmbeddedStore.wrapping(self.store, self.settings.store)

    def write(self, update: str) -> None:
        """One update, on the writer thread (a large stack: see kg.server.limits). The
        met-with summary is marked stale first (readers then compute relations from the
        article graphs) and rebuilt in the background afterwards; an update that fails
        changes nothing, the mark included. The events are marked stale too (the next
        `kg ingest` or `kg events --rebuild` rebuilds them)."""
        with self.write_lock:
            self.writer.run(self._write, update)
            self.generation += 1
        self.summary_due.set()

    def _write(self, update: str) -> None:
        """Stale mark, then the update; the mark comes back if the update fails (Oxigraph
        runs one update request as one transaction, so the failed one left nothing). Not
        one text: Oxigraph does not accept PREFIX or BASE after the `;` between operations.
        A crash in between leaves the mark off, which is the safe side."""
        marks = list(self.store.quads_for_pattern(None, KGO.summaryComplete, None, SUMMARY_GRAPH))
        event_marks = list(self.store.quads_for_pattern(None, KGO.eventsComplete, None, None))
        summary.mark_stale(self.view())
        event_graph.mark_stale(self.view())  # kg's own event upkeep puts the mark back in its update
        try:
            self.store.update(update)
        except BaseException:
            self.store.extend(marks + event_marks)
            raise

    def _keep_summary(self) -> None:
        """Rebuilds the summary after writes, once per burst; it holds the write lock while
        it works, so no write can slip in between its rows and its completeness mark."""
        while not self._stopping.is_set():
            self.summary_due.wait()
            if self._stopping.is_set():
                return
            time.sleep(0.2)  # let a burst of writes land first
            self.summary_due.clear()
            self.summarising = True
            try:
                with self.write_lock:
                    self.writer.run(summary.refresh, self.view())
                    self.generation += 1
            except Exception:  # never kill the thread: the next write retries
                logging.getLogger("kg.server").exception("rebuilding the met-with summary failed")
            finally:
                self.summarising = False

    def summary_complete(self) -> bool:
        """Whether the met-with summary is complete, asked once per generation of the store
        (every write, and the summary's rebuild, starts a new one)."""
        generation = self.generation
        known = self._complete
        if known is not None and known[0] == generation:
            return known[1]
        complete = summary.is_complete(self.view())
        self._complete = (generation, complete)
        return complete

    def counts(self) -> dict:
        """Sizes for /health and /void, computed once per generation of the store (one
        request computes them; those arriving meanwhile wait for its answer)."""
        with self._counting:
            return self._count()

    def _count(self) -> dict:
        if self._counts and self._counts[0] == self.generation:
            return self._counts[1]
        generation = self.generation
        counts = {"quads": len(self.store)}
        for name, cls in (("articles", KGO.Article), ("meetings", KGO.Meeting), ("statements", KGO.Statement)):
            query = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x {RDF.type} {cls} }}"
            counts[name] = int(next(iter(self.store.query(query, use_default_graph_as_union=True)))["n"].value)
        self._counts = (generation, counts)
        return counts


# --- helpers ---------------------------------------------------------------------------


def _error(status: int, message: str, headers: dict | None = None) -> HTTPException:
    return HTTPException(status, message, headers)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed `limit` bytes,
    and with 408 when it has not arrived whole within Limits.BODY_SECONDS."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _error(413, f"request body of {declared} bytes exceeds the limit of {limit} bytes")
    chunks, size = [], 0
    with anyio.move_on_after(Limits.BODY_SECONDS) as scope:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _error(413, f"request body exceeds the limit of {limit} bytes")
            chunks.append(chunk)
    if scope.cancelled_caught:
        raise _error(408, f"the request body did not arrive within {Limits.BODY_SECONDS:g} s",
                     {"Connection": "close"})
    return b"".join(chunks)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _iris(values: list[str], what: str) -> list[str]:
    for value in values:
        if not _IRI.match(value):
            raise _error(400, f"{what}: not an IRI: {value!r}")
    return values


def _format_choice(request: Request, params, kind: str) -> str:
    """`format=` wins over the Accept header when it names a format of this kind of result;
    any other value falls back to content negotiation (see kg.formats.choose)."""
    return choose(params.getlist("format"), request.headers.get("accept", ""), kind)


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _error(400, f"the request body is not UTF-8 (byte {error.start})") from None


def _form(body: bytes) -> dict[str, list[str]]:
    try:
        return parse_qs(_utf8(body), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise _error(400, "a form value is not UTF-8 once percent-decoded") from None


def _authorize(service: Service, request: Request, refusal_status: int = 403) -> None:
    settings = service.settings
    if not settings.allow_update:
        raise _error(refusal_status, "writes are disabled: this server is read-only "
                     "(start it with --allow-update --token-file FILE to accept writes)",
                     {"Allow": "GET, HEAD"} if refusal_status == 405 else None)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":  # none, or Basic/Digest credentials: say which scheme works
        raise _error(401, "writes need a bearer token: Authorization: Bearer <token>"
                     + (f" ({scheme} credentials are not accepted)" if header else ""),
                     {"WWW-Authenticate": 'Bearer realm="kg"'})
    expected = (settings.token or "").encode()
    if not hmac.compare_digest(token.strip().encode(), expected):
        raise _error(403, "the bearer token is not valid")


# --- queries ---------------------------------------------------------------------------


async def in_worker(service: Service, request: dict, client: str, family: str):
    """Runs `request` in a query worker within the deadline, the memory limit and the
    bounds on requests at once (all, this family, this client): 429 + Retry-After beyond."""
    settings = service.settings
    refusal = service.slots.take(family, client)
    if refusal:
        raise _error(429, refusal, {"Retry-After": "1"})
    service.in_flight += 1
    try:
        deadline = time.monotonic() + settings.timeout
        return await service.pool.run({**request, "generation": service.generation}, deadline)
    except QueryTimeout:
        raise _error(503, f"request cancelled: it ran longer than the time limit of {settings.timeout:g} s",
                     {"Retry-After": "1"}) from None
    except MemoryExceeded as error:
        raise _error(503, str(error)) from None
    except WorkerFailed as error:
        raise _error(500, str(error)) from None
    finally:
        service.in_flight -= 1
        service.slots.give(family, client)


async def run_query(service: Service, query: str, accept_or_format: str,
                    default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
                    client: str = "-", trusted: bool = False) -> Response:
    """`trusted`: a named query's own text with its parameters bound as terms, which needs
    none of the checks on text a client wrote (and has no FROM)."""
    if not trusted:
        try:
            check(query)
            check_shape(query)
        except (ForbiddenOperation, TooComplex) as error:
            raise _error(400, str(error)) from None
    request = {"query": query, "accept": accept_or_format, "limit": service.settings.max_results,
               "default_graphs": default_graphs or [], "named_graphs": named_graphs or [],
               "own_dataset": not trusted and has_dataset_clause(query)}
    answer = await in_worker(service, request, client, "query")
    if answer.status != 200:
        raise _error(answer.status, answer.message)
    headers = {"X-KG-Result-Count": str(answer.count), "X-KG-Truncated": "true" if answer.truncated else "false",
               "Vary": "Accept"}
    if answer.truncated:
        headers["X-KG-Max-Results"] = str(service.settings.max_results)
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def service_description(request: Request, service: Service) -> Response:
    endpoint = str(request.url.replace(query=""))
    formats = " , ".join(f"<http://www.w3.org/ns/formats/{name}>" for name in
                         ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                          "Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML"))
    languages = "sd:SPARQL11Query" + (" , sd:SPARQL11Update" if service.settings.allow_update else "")
    body = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage {languages} ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat {formats} ;
    sd:defaultDataset [ a sd:Dataset ; void:sparqlEndpoint <{endpoint}> ] .
"""
    return Response(body, media_type="text/turtle; charset=utf-8")


async def sparql_endpoint(request: Request) -> Response:
    service: Service = request.app.state.service
    params = request.query_params
    given = params.getlist("query")
    default_graphs = params.getlist("default-graph-uri")
    named_graphs = params.getlist("named-graph-uri")
    if request.method == "POST":
        media = _media_type(request)
        body = await read_body(request, service.settings.max_body)
        if media == FORM:
            form = _form(body)
            if "update" in form:
                raise _error(400, "updates go to /update, not to the query endpoint")
            given += form.get("query", [])
            default_graphs += form.get("default-graph-uri", [])
            named_graphs += form.get("named-graph-uri", [])
        elif media == "application/sparql-query":
            given.append(_utf8(body))
        else:
            raise _error(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
    if len(given) > 1:
        raise _error(400, f"{len(given)} queries given: send exactly one 'query'")
    query = given[0] if given else None
    if not query:
        if request.method == "GET":
            return service_description(request, service)
        raise _error(400, "no query given (parameter 'query')")
    return await run_query(service, query, _format_choice(request, params, kind_of(query)),
                           _iris(default_graphs, "default-graph-uri"), _iris(named_graphs, "named-graph-uri"),
                           client_of(request))


async def update_endpoint(request: Request) -> Response:
    service: Service = request.app.state.service
    _authorize(service, request)
    media = _media_type(request)
    body = await read_body(request, service.settings.max_body)
    if media == FORM:
        form = _form(body)
        if form.get("using-graph-uri") or form.get("using-named-graph-uri"):
            raise _error(400, "using-graph-uri and using-named-graph-uri are not supported")
        update = (form.get("update") or [""])[0]
    elif media == "application/sparql-update":
        update = _utf8(body)
    else:
        raise _error(415, "POST an update as application/sparql-update or application/x-www-form-urlencoded")
    if not update.strip():
        raise _error(400, "no update given (parameter 'update')")
    try:
        check(update)
        check_shape(update)
    except (ForbiddenOperation, TooComplex) as error:
        raise _error(400, str(error)) from None
    # Parsed first in a worker: text that crashes or hangs the parser costs a worker, never
    # the process that holds the store.
    try:
        parsed = await in_worker(service, {"kind": "check-update", "update": update}, client_of(request), "query")
    except HTTPException as error:
        if error.status_code == 429:
            raise
        raise _error(400, f"update refused: parsing it failed ({error.detail})") from None
    if parsed.status != 200:
        raise _error(400, parsed.message)
    await _write(service, update)
    return Response(status_code=204)


async def _write(service: Service, update: str) -> None:
    """service.write, with the engine's refusals as 400 and their text kept short."""
    try:
        await run_in_threadpool(service.write, update)
    except SyntaxError as error:
        raise _error(400, f"malformed update: {error}") from None
    except (ValueError, OSError, RuntimeError) as error:  # e.g. CREATE GRAPH on a graph that exists
        raise _error(400, f"update failed: {error}") from None


# --- named queries ---------------------------------------------------------------------


def _describe(query: named_queries.NamedQuery, request: Request) -> dict:
    return {"name": query.name, "title": query.title, "description": query.description,
            "params": [{"name": p.name, "type": p.type, "doc": p.doc, "required": p.required}
                       for p in query.params],
            "example": query.example, "url": str(request.url_for("named_query", name=query.name)),
            "text": query.text}


async def list_queries(request: Request) -> Response:
    return JSONResponse([_describe(q, request) for q in named_queries.catalogue().values()])


async def named_query(request: Request) -> Response:
    service: Service = request.app.state.service
    try:
        query = named_queries.get(request.path_params["name"])
    except KeyError as error:
        raise _error(404, str(error.args[0])) from None
    values = {key: value for key, value in request.query_params.items() if key != "format"}
    try:
        # Through the met-with summary when it holds: one triple to check, on the live store.
        text = bound_text(service.view(), query, values, service.summary_complete())
    except ValueError as error:
        raise _error(400, str(error)) from None
    return await run_query(service, text, _format_choice(request, request.query_params, _kind(query.name)),
                           client=client_of(request), trusted=True)


@functools.lru_cache(maxsize=None)
def _kind(name: str) -> str:
    """A named query's kind of result (its fast path, if taken, has the same)."""
    return kind_of(named_queries.get(name).text)


# --- graph store protocol --------------------------------------------------------------


def _target(request: Request) -> ox.NamedNode | ox.DefaultGraph | None:
    params = request.query_params
    if "graph" in params and "default" in params:
        raise _error(400, "give either 'graph' or 'default', not both")
    if "graph" in params:
        return ox.NamedNode(_iris([params["graph"]], "graph")[0])
    if "default" in params:
        return ox.DefaultGraph()
    return None


async def graph_store(request: Request) -> Response:
    service: Service = request.app.state.service
    target = _target(request)
    if request.method in ("GET", "HEAD"):
        if target is None:
            return await dump(request)
        if isinstance(target, ox.NamedNode) and not service.store.contains_named_graph(target):
            raise _error(404, f"no graph {target.value}")
        try:
            fmt = negotiate("graph", _format_choice(request, request.query_params, "graph"))
        except NotAcceptable as error:
            raise _error(406, str(error)) from None
        client = client_of(request)
        refusal = service.slots.take("dump", client)
        if refusal:
            raise _error(429, refusal, {"Retry-After": "5"})
        try:
            body = await run_in_threadpool(service.store.dump, format=fmt.rdf, from_graph=target,
                                           prefixes=PREFIXES if fmt.name in ("turtle", "trig") else None)
        finally:
            service.slots.give("dump", client)
        headers = {"Vary": "Accept", "Content-Length": str(len(body))}  # HEAD: the length GET would send
        return Response(body if request.method == "GET" else b"", media_type=fmt.media_type, headers=headers)
    _authorize(service, request, refusal_status=405)
    if target is None:
        raise _error(400, "name the graph: ?graph=IRI or ?default")
    graph_sparql = "DEFAULT" if isinstance(target, ox.DefaultGraph) else f"GRAPH {target}"
    existed = isinstance(target, ox.DefaultGraph) or service.store.contains_named_graph(target)
    if request.method == "DELETE":
        if not existed:
            raise _error(404, f"no graph {target.value}")
        await _write(service, f"DROP {graph_sparql}")
        return Response(status_code=204)
    body = await read_body(request, service.settings.max_body)
    media = _media_type(request)
    rdf_format = ox.RdfFormat.from_media_type(media) if media else None
    if rdf_format is None:
        raise _error(415, f"cannot read RDF of media type {media or '(none)'}")
    try:
        quads = [ox.Quad(item.subject, item.predicate, item.object, target)
                 for item in ox.parse(body, format=rdf_format, base_iri=str(request.url))]
    except SyntaxError as error:
        raise _error(400, f"malformed {media}: {error}") from None
    data = quads_to_sparql_data(quads)
    drop = f"DROP SILENT {graph_sparql} ;\n" if request.method == "PUT" else ""
    update = f"{drop}INSERT DATA {{\n{data}\n}}" if quads else drop.rstrip(" ;\n") or ""
    if update:
        await _write(service, update)
    return Response(status_code=201 if not existed else 204)


# --- dataset ---------------------------------------------------------------------------


class _ChunkWriter:
    """A file-like object for pyoxigraph: gathers output into 64 KiB chunks on a bounded queue."""

    def __init__(self, chunks: queue.Queue, cancelled: threading.Event) -> None:
        self.chunks, self.cancelled, self.buffer = chunks, cancelled, bytearray()

    def write(self, data) -> int:
        self.buffer += data
        if len(self.buffer) >= 1 << 16:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self._put(bytes(self.buffer))
            self.buffer.clear()

    def _put(self, item) -> None:
        while True:
            if self.cancelled.is_set():
                raise BrokenPipeError("client went away")
            try:
                self.chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue


def _stream(produce, gzip: bool) -> AsyncIterator[bytes]:
    """Runs `produce(writer)` in a thread and yields what it writes, compressed when asked."""
    chunks: queue.Queue = queue.Queue(maxsize=16)
    cancelled = threading.Event()
    done = object()

    def work() -> None:
        writer = _ChunkWriter(chunks, cancelled)
        try:
            produce(writer)
            writer.flush()
        except BrokenPipeError:
            return
        except Exception as error:  # reported in the log; the stream ends short
            access_log.error("dump failed: %s", error)
        with contextlib.suppress(BrokenPipeError):
            writer._put(done)

    async def generate() -> AsyncIterator[bytes]:
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31) if gzip else None
        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        try:
            while (chunk := await run_in_threadpool(chunks.get)) is not done:
                yield compressor.compress(chunk) if compressor else chunk
            if compressor:
                yield compressor.flush()
        finally:
            cancelled.set()

    return generate()


def _accepts_gzip(header: str) -> bool:
    """Whether Accept-Encoding allows gzip (named or `*`, with a q above 0)."""
    for part in header.split(","):
        coding, _, params = part.partition(";")
        key, _, value = params.partition("=")
        try:
            q = float(value) if key.strip().lower() == "q" else 1.0
        except ValueError:
            q = 0.0
        if coding.strip().lower() in ("gzip", "*") and q > 0:
            return True
    return False


async def dump(request: Request) -> Response:
    """The whole dataset, streamed: TriG (default), N-Quads, or Turtle (all graphs merged)."""
    service: Service = request.app.state.service
    choice = _format_choice(request, request.query_params, "graph")
    try:
        fmt = negotiate("graph", choice, DUMP_FORMATS)
    except NotAcceptable as error:
        raise _error(406, str(error)) from None
    name = fmt.name
    store = service.store
    if name == "turtle":  # the union of the graphs: a set, each triple once (queries/store/merged.rq)
        def produce(writer):
            triples = store.query(store_query("merged"), use_default_graph_as_union=True)
            ox.serialize(triples, writer, fmt.rdf, prefixes=PREFIXES)
    else:
        def produce(writer):
            store.dump(writer, fmt.rdf, prefixes=PREFIXES if name == "trig" else None)
    gzip = _accepts_gzip(request.headers.get("accept-encoding", ""))
    headers = {"Vary": "Accept, Accept-Encoding",
               "Content-Disposition": f'attachment; filename="kg-dump.{DUMP_EXTENSIONS[name]}"'}
    if gzip:
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":  # no Content-Length: the size is known only once streamed
        return StreamingResponse(iter(()), media_type=fmt.media_type, headers=headers)
    client = client_of(request)
    refusal = service.slots.take("dump", client)
    if refusal:
        raise _error(429, refusal, {"Retry-After": "5"})

    async def released() -> AsyncIterator[bytes]:
        try:
            async for chunk in _stream(produce, gzip):
                yield chunk
        finally:
            service.slots.give("dump", client)

    return StreamingResponse(released(), media_type=fmt.media_type, headers=headers)


async def health(request: Request) -> Response:
    service: Service = request.app.state.service
    counts = await run_in_threadpool(service.counts)
    return JSONResponse({"ok": True, "store": service.settings.store, "triples": counts["quads"],
                         "generation": service.generation, "workers": service.settings.workers,
                         "running": service.in_flight, "writable": service.settings.allow_update,
                         "worker_pids": service.pool.pids() if service.pool else [],
                         "worker_peak_bytes": service.pool.peak if service.pool else 0,
                         "refused": service.slots.refused,
                         "summary": {"complete": summary.is_complete(service.view()),
                                     "rebuilding": service.summarising or service.summary_due.is_set()}})


async def void(request: Request) -> Response:
    """The VoID description, in the RDF syntax the client asks for (Turtle by default)."""
    service: Service = request.app.state.service
    try:
        fmt = negotiate("graph", _format_choice(request, request.query_params, "graph"))
    except NotAcceptable as error:
        raise _error(406, str(error)) from None
    counts = await run_in_threadpool(service.counts)
    base = str(request.base_url)
    partitions = "".join(
        f' ;\n    void:classPartition [ void:class <{cls.value}> ; void:entities {counts[name]} ]'
        for name, cls in (("articles", KGO.Article), ("meetings", KGO.Meeting), ("statements", KGO.Statement)))
    body = f"""@prefix void: <http://rdfs.org/ns/void#> .
@prefix dct: <http://purl.org/dc/terms/> .
<{base}void#dataset> a void:Dataset ;
    dct:title "Diplomatic meetings and statements extracted from Arabic news" ;
    void:sparqlEndpoint <{base}sparql> ;
    void:dataDump <{base}dump> ;
    void:uriSpace "{PREFIXES['id']}" ;
    void:triples {counts["quads"]}{partitions} .
"""
    if fmt.name != "turtle":
        triples = ox.parse(body.encode("utf-8"), format=ox.RdfFormat.TURTLE)
        body = ox.serialize(triples, format=fmt.rdf, prefixes=PREFIXES if fmt.name == "trig" else None)
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


async def index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


# --- application -----------------------------------------------------------------------


class AccessLog:
    """One line per request: client, method, path, status, bytes, milliseconds."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status, size = time.perf_counter(), [0], [0]

        async def sending(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body":
                size[0] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = (scope.get("client") or ("-", 0))[0]
            path = scope["path"] + ("?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else "")
            access_log.info('%s "%s %s" %d %d %.1fms', client, scope["method"], path[:300], status[0], size[0],
                            (time.perf_counter() - started) * 1000)


async def _plain_error(request: Request, error: HTTPException) -> Response:
    return PlainTextResponse(capped(str(error.detail)) + "\n", status_code=error.status_code, headers=error.headers)


def _api_in_workers(service: Service) -> list:
    """kg.api's routes, each answered by a query worker (deadline, memory limit, 429)."""

    async def forward(request: Request) -> Response:
        work = {"kind": "api", "path": request.url.path, "query_string": request.url.query,
                "store": service.settings.store}
        answer = await in_worker(service, work, client_of(request), "api")
        if not answer.body and answer.status >= 400:
            raise _error(answer.status, answer.message)
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type)

    routes = []
    for route in api_routes(service.view):
        if route.path == "/api/openapi.json":
            routes.append(route)  # a constant document
        else:
            routes.append(Route(route.path, forward, methods=["GET"]))
    return routes


def create_app(store: str | Path, *, allow_update: bool = False, token_file: Path | None = None,
               timeout: float = 30.0, max_results: int = 10_000, cors: str | None = None,
               max_body: int = 10_000_000, workers: int = 2, queue_size: int = 16,
               worker_memory: int = DEFAULT_MEMORY) -> Starlette:
    """The ASGI app over the store directory `store`; it opens the store (taking its lock) now."""
    token = None
    if allow_update:
        if token_file is None:
            raise ValueError("--allow-update needs --token-file: writes are only accepted with a bearer token")
        token = Path(token_file).read_text(encoding="utf-8").strip()
        if len(token) < 16:
            raise ValueError(f"the token in {token_file} is too short (at least 16 characters)")
    settings = Settings(str(store), allow_update, token, timeout, max_results, cors, max_body, max(1, workers),
                        max(0, queue_size), worker_memory)
    service = Service(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        service.start()
        try:
            yield
        finally:
            service.stop()

    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/query", sparql_endpoint, methods=["GET", "POST"]),
        Route("/update", update_endpoint, methods=["POST"]),
        Route("/store", graph_store, methods=["GET", "HEAD", "PUT", "POST", "DELETE"]),
        Route("/queries", list_queries, methods=["GET"]),
        Route("/queries/{name}", named_query, methods=["GET"], name="named_query"),
        Route("/health", health, methods=["GET"]),
        Route("/void", void, methods=["GET"]),
        Route("/dump", dump, methods=["GET", "HEAD"]),
        # the actor API, answered in the query workers like any query
        *_api_in_workers(service),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(AccessLog), Middleware(SecurityHeaders)]
    if cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=[cors], allow_methods=["GET", "POST", "PUT", "DELETE"],
                                     allow_headers=["Authorization", "Content-Type", "Accept"],
                                     expose_headers=["X-KG-Truncated", "X-KG-Result-Count"]))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: _plain_error})
    app.state.service = service
    return app

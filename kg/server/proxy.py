"""`kg serve --store http://...`: the same front door over a remote SPARQL server.

The remote server holds the data and runs the queries; this process adds what `kg serve`
adds over the embedded store: the web page, the named queries with bound parameters,
the actor JSON API, the SERVICE/LOAD guard, a read-only default and a request timeout.
Writes are not forwarded: they go to the remote server's own endpoint, with its own
authentication.

Answers are negotiated and written here, by the same code as over the embedded store
(kg.formats): the remote server is asked for SPARQL JSON results or N-Triples only, so a
client gets the same bytes whichever engine holds the data (Virtuoso's own CSV, booleans
and CONSTRUCT answers differ).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg import queries as named_queries
from kg.api import routes as api_routes
from kg.formats import NotAcceptable, choose, kind_of, negotiate, render
from kg.rdf import PREFIXES
from kg.remote import RemoteStore, RemoteStoreError
from kg.server.guard import ForbiddenOperation, check
from kg.summary import bound_text

STATIC = Path(__file__).resolve().parent / "static"


def create_proxy_app(location: str, *, timeout: float = 30.0, max_body: int = 10_000_000,
                     cors: str | None = None) -> Starlette:
    store = RemoteStore(location, timeout=timeout, retries=1)

    def forward(query: str, formats: list[str], accept: str) -> Response:
        try:
            check(query)
        except ForbiddenOperation as error:
            return PlainTextResponse(f"{error}\n", status_code=400)
        kind = kind_of(query)
        try:
            fmt = negotiate(kind, choose(formats, accept, kind))
        except NotAcceptable as error:
            return PlainTextResponse(f"{error}\n", status_code=406)
        try:
            result = store.query(query)
        except RemoteStoreError as error:
            message = str(error)
            status = 400 if " answered HTTP 400 " in message else 503 if "did not answer" in message else 502
            return PlainTextResponse(f"the remote store: {message}\n", status_code=status)
        rendered = render(result, fmt.name, prefixes=PREFIXES)
        return Response(rendered.body, media_type=rendered.media_type,
                        headers={"Vary": "Accept", "X-KG-Result-Count": str(rendered.count), "X-KG-Truncated": "false"})

    async def sparql(request: Request) -> Response:
        accept = request.headers.get("accept", "")
        given = request.query_params.getlist("query")
        formats = request.query_params.getlist("format")
        if request.method == "POST":
            body = await request.body()
            if len(body) > max_body:
                return PlainTextResponse("request body too large\n", status_code=413)
            try:
                text = body.decode("utf-8")
                kind = request.headers.get("content-type", "").split(";")[0].strip()
                if kind == "application/sparql-query":
                    given.append(text)
                else:
                    form = parse_qs(text, keep_blank_values=True, errors="strict")
                    given += form.get("query", [])
                    formats += form.get("format", [])
            except UnicodeDecodeError:
                return PlainTextResponse("the request body is not UTF-8\n", status_code=400)
        if len(given) > 1:
            return PlainTextResponse(f"{len(given)} queries given: send exactly one 'query'\n", status_code=400)
        if not given or not given[0]:
            return PlainTextResponse("give a SPARQL query as ?query=...\n", status_code=400)
        return await run_in_threadpool(forward, given[0], formats, accept)  # the event loop stays free

    async def named_query(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            query = named_queries.get(name)
            values = {k: v for k, v in request.query_params.items() if k != "format"}
            query.bind(values)
        except KeyError as error:
            return PlainTextResponse(f"{error.args[0]}\n", status_code=404)
        except ValueError as error:
            return PlainTextResponse(f"{error}\n", status_code=400)
        try:  # through the met-with summary when the remote store has a complete one
            text = await run_in_threadpool(bound_text, store, query, values)
        except RemoteStoreError as error:
            return PlainTextResponse(f"the remote store is unreachable: {error}\n", status_code=502)
        return await run_in_threadpool(forward, text, request.query_params.getlist("format"),
                                       request.headers.get("accept", ""))

    async def list_queries(request: Request) -> Response:
        return JSONResponse([{"name": q.name, "title": q.title, "description": q.description,
                              "params": [{"name": p.name, "type": p.type, "doc": p.doc} for p in q.params]}
                             for q in named_queries.catalogue().values()])

    async def read_only(request: Request) -> Response:
        return PlainTextResponse("this server proxies a remote store read-only: send writes to the remote "
                                 "server's own endpoint\n", status_code=405)

    def health(request: Request) -> Response:
        try:
            store.ask("ASK { }")
        except RemoteStoreError as error:
            return JSONResponse({"ok": False, "store": location, "error": str(error)}, status_code=503)
        return JSONResponse({"ok": True, "store": location, "writable": False})

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/query", sparql, methods=["GET", "POST"]),
        Route("/update", read_only, methods=["POST"]),
        Route("/store", read_only, methods=["PUT", "POST", "DELETE"]),
        Route("/queries", list_queries, methods=["GET"]),
        Route("/queries/{name}", named_query, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        *api_routes(lambda: store),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    from kg.server.limits import SecurityHeaders

    middleware = [Middleware(SecurityHeaders)]  # the page's CSP, nosniff, no framing
    if cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=[cors], allow_methods=["GET", "POST"]))
    return Starlette(routes=routes, middleware=middleware)

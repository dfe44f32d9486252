"""JSON API over actor relationships, as Starlette routes that the HTTP service mounts.

Same facts as the CLI (`kg.relations`, named queries in queries/), same name resolution
(`kg.lookups`). Errors are JSON too: 400 for a bad parameter, 404 for an unknown actor
(with suggestions), 300 Multiple Choices for an ambiguous name (with candidates, each
with the URL to ask instead).
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from kg import relations
from kg.lookups import ActorMatch, AmbiguousActor, UnknownActor
from kg.store import GraphStore


class ApiError(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(body.get("error"))
        self.status = status
        self.body = body


def _json(data, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, media_type="application/json; charset=utf-8")


def _actor_url(actor: ActorMatch) -> str:
    return "/api/actors/" + quote(actor.key, safe="")


def _actor(actor: ActorMatch) -> dict:
    return {**actor.to_dict(), "href": _actor_url(actor)}


def _resolve(store: GraphStore, text: str | None, parameter: str, known: relations.Directory) -> ActorMatch:
    if text is None or not text.strip():
        raise ApiError(400, {"error": f"parameter {parameter} is required", "parameter": parameter})
    try:
        return relations.resolve(store, text, known=known)
    except UnknownActor as error:
        raise ApiError(404, {"error": f"no actor matches {text!r}", "parameter": parameter,
                             "suggestions": [_actor(m) for m in error.matches]})
    except AmbiguousActor as error:
        counts = relations.activity(store, error.candidates[:20])
        raise ApiError(300, {"error": f"{text!r} matches {len(error.candidates)} actors; choose one",
                             "parameter": parameter,
                             "candidates": [{**_actor(m), "facts": counts.get(m.key, 0)} for m in error.candidates[:20]]})


def _dates(request: Request) -> tuple[str | None, str | None]:
    since, until = request.query_params.get("since"), request.query_params.get("until")
    for name, value in (("since", since), ("until", until)):
        try:
            relations.check_date(value, name)
        except ValueError as error:
            raise ApiError(400, {"error": str(error), "parameter": name})
    return since or None, until or None


def _endpoint(get_store: Callable[[], GraphStore], handler: Callable[[GraphStore, Request], dict]):
    """A sync endpoint (Starlette runs it in a thread: store calls block) with JSON errors."""

    def endpoint(request: Request) -> JSONResponse:
        store = get_store()
        try:
            return _json(handler(store, request))
        except ApiError as error:
            return _json(error.body, error.status)
        except ValueError as error:
            return _json({"error": str(error)}, 400)

    return endpoint


# ---------------------------------------------------------------------------
# Handlers
# ---------------------------------------------------------------------------


def _search(store: GraphStore, request: Request) -> dict:
    q = request.query_params.get("q", "")
    if not q.strip():
        raise ApiError(400, {"error": "parameter q is required: a name, part of one, or a Wikidata id", "parameter": "q"})
    found = relations.search(store, q)
    result = {"query": q, "actors": [{**m, "href": "/api/actors/" + quote(m["key"], safe="")} for m in found]}
    if not found:
        known = relations.directory(store)
        from kg.lookups import suggestions

        result["suggestions"] = [_actor(m) for m in suggestions(q, local=known.local)]
    return result


def _profile(store: GraphStore, request: Request) -> dict:
    known = relations.directory(store)
    actor = _resolve(store, request.path_params["key"], "key", known)
    return {**relations.profile(store, actor, known=known).to_dict(), "actor": _actor(actor)}


def _relations(store: GraphStore, request: Request) -> dict:
    known = relations.directory(store)
    actor = _resolve(store, request.path_params["key"], "key", known)
    since, until = _dates(request)
    other_text = request.query_params.get("with")
    other = _resolve(store, other_text, "with", known) if other_text else None
    result = {"actor": _actor(actor), "since": since, "until": until,
              "counterparts": [{**c.to_dict(), "actor": _actor(c.actor)}
                               for c in relations.counterparts(store, actor, since, until, other, known=known)]}
    if other:
        result["with"] = _actor(other)
        result["meetings"] = [m.to_dict() for m in relations.meetings(store, actor, other, since, until, known=known)]
    return result


def _meetings(store: GraphStore, request: Request) -> dict:
    known = relations.directory(store)
    actor = _resolve(store, request.query_params.get("actor"), "actor", known)
    since, until = _dates(request)
    status = request.query_params.get("status") or None
    if status not in (None, "held", "planned"):
        raise ApiError(400, {"error": "status: held or planned", "parameter": "status"})
    limit, offset = _page(request)
    found = relations.meetings(store, actor, None, since, until, status, known=known)
    result = {"actor": _actor(actor), "since": since, "until": until, "total": len(found), "offset": offset,
              "meetings": [m.to_dict() for m in found[offset:offset + limit if limit else None]]}
    if limit and offset + limit < len(found):
        result["next"] = request.url.path + "?" + urlencode({**request.query_params, "offset": offset + limit, "limit": limit})
    return result


def _page(request: Request) -> tuple[int, int]:
    """`limit` (0 or absent: all) and `offset` of a listing, checked."""
    values = []
    for name in ("limit", "offset"):
        text = request.query_params.get(name) or "0"
        if not text.isdigit():
            raise ApiError(400, {"error": f"{name}: a whole number, 0 or more", "parameter": name})
        values.append(int(text))
    return values[0], values[1]


def _path(store: GraphStore, request: Request) -> dict:
    known = relations.directory(store)
    a = _resolve(store, request.query_params.get("a"), "a", known)
    b = _resolve(store, request.query_params.get("b"), "b", known)
    since, until = _dates(request)
    hops = relations.path(store, a, b, since, until, known=known)
    return {"from": _actor(a), "to": _actor(b), "found": hops is not None,
            "length": len(hops) if hops is not None else None,
            "hops": [h.to_dict() for h in hops] if hops is not None else None}


def _timeline(store: GraphStore, request: Request) -> dict:
    known = relations.directory(store)
    actor = _resolve(store, request.path_params["key"], "key", known)
    since, until = _dates(request)
    return {"actor": _actor(actor), "events": [e.to_dict() for e in relations.timeline(store, actor, since, until, known=known)]}


def _positions(store: GraphStore, request: Request) -> dict:
    known = relations.directory(store)
    actor = _resolve(store, request.path_params["key"], "key", known)
    since, until = _dates(request)
    topic = request.query_params.get("topic") or None
    found = relations.statements(store, actor, since, until, topic, known=known)
    return {"actor": _actor(actor), "topic": topic, "statements": [s.to_dict() for s in found]}


def _network(store: GraphStore, request: Request) -> dict:
    known = relations.directory(store)
    centre_text = request.query_params.get("actor")
    centre = _resolve(store, centre_text, "actor", known) if centre_text else None
    depth_text = request.query_params.get("depth", "1")
    if not depth_text.isdigit() or not 1 <= int(depth_text) <= 6:
        raise ApiError(400, {"error": "depth: a whole number from 1 to 6", "parameter": "depth"})
    since, until = _dates(request)
    return relations.network(store, centre, int(depth_text), since, until, known=known).to_dict()


def routes(get_store: Callable[[], GraphStore]) -> list[BaseRoute]:
    """The API's routes; `get_store` gives the store to read for each request."""
    table = [
        ("/api/actors", _search), ("/api/actors/{key:path}/relations", _relations),
        ("/api/actors/{key:path}/timeline", _timeline), ("/api/actors/{key:path}/positions", _positions),
        ("/api/actors/{key:path}", _profile), ("/api/meetings", _meetings), ("/api/path", _path),
        ("/api/network", _network),
    ]
    result: list[BaseRoute] = [Route(path, _endpoint(get_store, handler), methods=["GET"]) for path, handler in table]
    result.append(Route("/api/openapi.json", lambda request: _json(OPENAPI), methods=["GET"]))
    return result


# ---------------------------------------------------------------------------
# OpenAPI 3.1
# ---------------------------------------------------------------------------


def _query(name: str, description: str, required: bool = False, schema: dict | None = None, example=None) -> dict:
    parameter = {"name": name, "in": "query", "required": required, "description": description,
                 "schema": schema or {"type": "string"}}
    if example is not None:
        parameter["example"] = example
    return parameter


_KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}, "example": "vladimir-putin",
        "description": "Actor key (e.g. vladimir-putin), Wikidata id (Q7747), or any name or part of one, "
                       "English or Arabic (URL-encoded)."}
_DATE = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}
_SINCE = _query("since", "Only on or after this date: YYYY, YYYY-MM or YYYY-MM-DD. A meeting without a date in its "
                         "text is dated by its article's publication.", schema=_DATE)
_UNTIL = _query("until", "Only on or before this date (YYYY means to the end of that year).", schema=_DATE)


def _reply(description: str, schema_ref: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


_ERRORS = {
    "300": _reply("The name matches several actors: choose one of `candidates` and ask its `href`.", "Ambiguous"),
    "400": _reply("A parameter is missing or malformed; `parameter` names it.", "Error"),
    "404": _reply("No actor matches the name; `suggestions` lists near misses.", "Unknown"),
}


def _get(summary: str, parameters: list[dict], ok: str, description: str = "") -> dict:
    return {"get": {"summary": summary, "description": description, "parameters": parameters,
                    "responses": {"200": _reply("OK", ok), **_ERRORS}}}


_OBJECT = {"type": "object", "additionalProperties": True}
_ACTOR = {"type": "object", "required": ["key", "label", "kind", "iri"],
          "properties": {"key": {"type": "string"}, "label": {"type": "string"},
                         "label_ar": {"type": ["string", "null"]}, "kind": {"type": "string"},
                         "wikidata": {"type": ["string", "null"]}, "iri": {"type": "string", "format": "uri"},
                         "local": {"type": "boolean"}, "href": {"type": "string"}}}
_MEETING = {"type": "object", "properties": {
    "iri": {"type": "string"}, "status": {"enum": ["held", "planned"]},
    "date": {"type": ["string", "null"], "description": "As the text gives it (day or month)."},
    "reported": {"type": ["string", "null"], "description": "Publication date of the earliest article reporting it."},
    "place": {"type": ["string", "null"]}, "place_ar": {"type": ["string", "null"]},
    "participants": {"type": "array", "items": {"$ref": "#/components/schemas/Actor"}},
    "hosts": {"type": "array", "items": {"$ref": "#/components/schemas/Actor"}},
    "articles": {"type": "array", "items": {"type": "string"}},
    "sources": {"type": "array", "items": {"type": "string"},
                "description": "Each report's article with its outlet and publication date: 'ID (outlet, date)'."},
    "evidence": {"type": ["string", "null"]}}}

OPENAPI: dict = {
    "openapi": "3.1.0",
    "info": {"title": "kg-meetings relationships API", "version": "1.0.0",
             "description": "Who met whom, when, where and what they said, from the knowledge graph of diplomatic "
                            "meetings extracted from Arabic news. Names may be English or Arabic, partial, or "
                            "Wikidata ids; an ambiguous name answers 300 with candidates."},
    "paths": {
        "/api/actors": _get("Find actors by name", [_query("q", "Name, part of one (English or Arabic), or Wikidata id.",
                                                           True, example="خامنئي")], "ActorList"),
        "/api/actors/{key}": _get("Actor profile: names, offices, meetings, counterparts, recent statements",
                                  [_KEY], "Profile"),
        "/api/actors/{key}/relations": _get(
            "Counterparts of an actor, with meeting counts, dates, places and articles",
            [_KEY, _SINCE, _UNTIL, _query("with", "Only this counterpart (any name form); adds their meetings.")],
            "Relations"),
        "/api/actors/{key}/timeline": _get("Meetings and statements of an actor in date order",
                                           [_KEY, _SINCE, _UNTIL], "Timeline"),
        "/api/actors/{key}/positions": _get(
            "Stated positions of an actor over time",
            [_KEY, _SINCE, _UNTIL, _query("topic", "Only statements mentioning this word, in any spelling.")],
            "Positions"),
        "/api/meetings": _get("Meetings of an actor",
                              [_query("actor", "The actor (any name form).", True, example="Putin"), _SINCE, _UNTIL,
                               _query("status", "held or planned.", schema={"enum": ["held", "planned"]}),
                               _query("limit", "At most this many meetings (a page); 0 or absent: all.",
                                      schema={"type": "integer", "minimum": 0}),
                               _query("offset", "Skip this many meetings first; `next` gives the next page.",
                                      schema={"type": "integer", "minimum": 0})],
                              "Meetings"),
        "/api/path": _get("Shortest chain of held meetings linking two actors",
                          [_query("a", "First actor.", True, example="Sergei Shoigu"),
                           _query("b", "Second actor.", True, example="Vladimir Putin"), _SINCE, _UNTIL],
                          "Path", "`found` is false and `hops` null when no chain links them."),
        "/api/network": _get("The meeting network, or an actor's neighbourhood",
                             [_query("actor", "Centre on this actor."),
                              _query("depth", "Meetings away from the centre (1-6).",
                                     schema={"type": "integer", "minimum": 1, "maximum": 6}), _SINCE, _UNTIL],
                             "Network"),
        "/api/openapi.json": {"get": {"summary": "This description", "responses": {
            "200": {"description": "OpenAPI 3.1 document", "content": {"application/json": {"schema": _OBJECT}}}}}},
    },
    "components": {"schemas": {
        "Actor": _ACTOR,
        "Meeting": _MEETING,
        "Error": {"type": "object", "required": ["error"],
                  "properties": {"error": {"type": "string"}, "parameter": {"type": "string"}}},
        "Unknown": {"type": "object", "required": ["error", "suggestions"],
                    "properties": {"error": {"type": "string"}, "parameter": {"type": "string"},
                                   "suggestions": {"type": "array", "items": {"$ref": "#/components/schemas/Actor"}}}},
        "Ambiguous": {"type": "object", "required": ["error", "candidates"],
                      "properties": {"error": {"type": "string"}, "parameter": {"type": "string"},
                                     "candidates": {"type": "array", "items": {"$ref": "#/components/schemas/Actor"}}}},
        "ActorList": {"type": "object", "properties": {
            "query": {"type": "string"}, "actors": {"type": "array", "items": {"$ref": "#/components/schemas/Actor"}},
            "suggestions": {"type": "array", "items": {"$ref": "#/components/schemas/Actor"}}}},
        "Profile": {"type": "object", "properties": {
            "actor": {"$ref": "#/components/schemas/Actor"}, "names": _OBJECT,
            "offices": {"type": "array", "items": _OBJECT}, "meetings": {"type": "integer"},
            "planned": {"type": "integer"},
            "first_meeting": {"oneOf": [{"$ref": "#/components/schemas/Meeting"}, {"type": "null"}]},
            "last_meeting": {"oneOf": [{"$ref": "#/components/schemas/Meeting"}, {"type": "null"}]},
            "counterparts": {"type": "array", "items": {"$ref": "#/components/schemas/Counterpart"}},
            "statements": {"type": "integer"},
            "recent_statements": {"type": "array", "items": {"$ref": "#/components/schemas/Statement"}}}},
        "Counterpart": {"type": "object", "properties": {
            "actor": {"$ref": "#/components/schemas/Actor"}, "meetings": {"type": "integer"},
            "planned": {"type": "integer"}, "first": {"type": ["string", "null"]}, "last": {"type": ["string", "null"]},
            "first_reported": {"type": ["string", "null"]}, "last_reported": {"type": ["string", "null"]},
            "places": {"type": "array", "items": {"type": "string"}},
            "articles": {"type": "array", "items": {"type": "string"}}}},
        "Statement": {"type": "object", "properties": {
            "iri": {"type": "string"}, "published": {"type": ["string", "null"]}, "article": {"type": "string"},
            "url": {"type": ["string", "null"]}, "verb": {"type": "string"}, "content": {"type": "string"},
            "evidence": {"type": ["string", "null"]},
            "speakers": {"type": "array", "items": {"$ref": "#/components/schemas/Actor"}}}},
        "Relations": {"type": "object", "properties": {
            "actor": {"$ref": "#/components/schemas/Actor"},
            "counterparts": {"type": "array", "items": {"$ref": "#/components/schemas/Counterpart"}},
            "with": {"$ref": "#/components/schemas/Actor"},
            "meetings": {"type": "array", "items": {"$ref": "#/components/schemas/Meeting"}}}},
        "Meetings": {"type": "object", "properties": {
            "actor": {"$ref": "#/components/schemas/Actor"},
            "total": {"type": "integer", "description": "Meetings in all, over every page."},
            "offset": {"type": "integer"},
            "next": {"type": "string", "description": "The next page's path and query; absent on the last page."},
            "meetings": {"type": "array", "items": {"$ref": "#/components/schemas/Meeting"}}}},
        "Timeline": {"type": "object", "properties": {
            "actor": {"$ref": "#/components/schemas/Actor"},
            "events": {"type": "array", "items": {"type": "object", "properties": {
                "kind": {"enum": ["meeting", "statement"]}, "when": {"type": ["string", "null"]},
                "approximate": {"type": "boolean"}, "meeting": {"$ref": "#/components/schemas/Meeting"},
                "statement": {"$ref": "#/components/schemas/Statement"}}}}}},
        "Positions": {"type": "object", "properties": {
            "actor": {"$ref": "#/components/schemas/Actor"}, "topic": {"type": ["string", "null"]},
            "statements": {"type": "array", "items": {"$ref": "#/components/schemas/Statement"}}}},
        "Path": {"type": "object", "required": ["found"], "properties": {
            "from": {"$ref": "#/components/schemas/Actor"}, "to": {"$ref": "#/components/schemas/Actor"},
            "found": {"type": "boolean"}, "length": {"type": ["integer", "null"]},
            "hops": {"type": ["array", "null"], "items": {"type": "object", "properties": {
                "from": {"$ref": "#/components/schemas/Actor"}, "to": {"$ref": "#/components/schemas/Actor"},
                "meetings": {"type": "array", "items": {"$ref": "#/components/schemas/Meeting"}}}}}}},
        "Network": {"type": "object", "properties": {
            "centre": {"oneOf": [{"$ref": "#/components/schemas/Actor"}, {"type": "null"}]},
            "nodes": {"type": "array", "items": _OBJECT}, "edges": {"type": "array", "items": _OBJECT}}},
    }},
}

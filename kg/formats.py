"""Content negotiation and serialisation of SPARQL query results, for the server and the CLI.

SELECT/ASK results go out as SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE graphs as
Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML. A client picks with an HTTP
`Accept` header (q-values honoured, the most specific media range wins) or a short
format name (`json`, `turtle`, ...), which overrides the header.

SELECT results go out through pyoxigraph's own writers (`QuerySolutions.serialize`, in
Rust: a Python loop over rows cost more than most queries themselves), into a sink that
stops at the deadline and at a byte budget; the rows are then counted in the written bytes
(one C-level pass). Only a result over the row cap is written here, row by row, by
running the query again (`rerun`): pyoxigraph can only serialise a whole result, and a
capped result is never silent (`Rendered.truncated`, `"truncated": true` in the JSON
body; the server adds an `X-KG-Truncated` header for every format). CSV is always
written here: pyoxigraph's CSV writer leaves an IRI holding a comma unquoted.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
CHECK_EVERY = 256  # rows between two looks at the clock
NATIVE = ("json", "xml", "tsv")  # result formats pyoxigraph writes (see the module doc for CSV)
NATIVE_BUDGET = 64 << 20  # bytes a capped result may take before it is written row by row instead


class NotAcceptable(ValueError):
    """No format the client accepts fits the result; the message lists what is on offer."""


class DeadlineExceeded(TimeoutError):
    """The result was still being produced when its time ran out."""


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    media_type: str  # what the response says it is
    kind: str  # "results" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE)
    accepts: tuple[str, ...]  # media types that select it
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None


# In order of preference when the client does not mind.
RESULT_FORMATS = (
    Format("json", "application/sparql-results+json", "results",
           ("application/sparql-results+json", "application/json"), results=ox.QueryResultsFormat.JSON),
    Format("xml", "application/sparql-results+xml", "results",
           ("application/sparql-results+xml", "application/xml", "text/xml"), results=ox.QueryResultsFormat.XML),
    Format("csv", "text/csv; charset=utf-8", "results", ("text/csv",), results=ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values; charset=utf-8", "results",
           ("text/tab-separated-values", "text/plain"), results=ox.QueryResultsFormat.TSV),
)
GRAPH_FORMATS = (
    Format("turtle", "text/turtle; charset=utf-8", "graph",  # Turtle is N3 too (SPARQLWrapper's N3)
           ("text/turtle", "application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
           rdf=ox.RdfFormat.TURTLE),
    Format("ntriples", "application/n-triples", "graph", ("application/n-triples", "text/plain"),
           rdf=ox.RdfFormat.N_TRIPLES),
    Format("nquads", "application/n-quads", "graph", ("application/n-quads",), rdf=ox.RdfFormat.N_QUADS),
    Format("trig", "application/trig", "graph", ("application/trig",), rdf=ox.RdfFormat.TRIG),
    Format("jsonld", "application/ld+json", "graph", ("application/ld+json", "application/json"),
           rdf=ox.RdfFormat.JSON_LD),
    Format("rdfxml", "application/rdf+xml", "graph", ("application/rdf+xml", "application/xml", "text/xml"),
           rdf=ox.RdfFormat.RDF_XML),
)
FORMATS_BY_NAME = {f.name: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS)}
FORMATS_BY_NAME.update({"ttl": FORMATS_BY_NAME["turtle"], "nt": FORMATS_BY_NAME["ntriples"],
                        "nq": FORMATS_BY_NAME["nquads"], "json-ld": FORMATS_BY_NAME["jsonld"]})


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """`Accept` as (media range, q) pairs; parameters other than q are ignored, a bad q counts as 0."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for field in fields[1:]:
            key, _, value = field.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(fmt: Format, ranges: list[tuple[str, float]]) -> float:
    """The q a client gives a format: that of the most specific range matching any of the
    types that select it; a `type/*` range counts against the type it is sent as (so
    `text/*` gets CSV, not SPARQL XML for being also known as text/xml)."""
    best_specificity, best_q = -1, 0.0
    sent_main = fmt.media_type.split(";")[0].split("/")[0]
    for media in fmt.accepts:
        for pattern, q in ranges:
            specificity = 2 if pattern == media else 1 if pattern == f"{sent_main}/*" else 0 if pattern == "*/*" else -1
            if specificity > best_specificity or (specificity == best_specificity and q > best_q):
                best_specificity, best_q = specificity, q
    return best_q if best_specificity >= 0 else 0.0


def negotiate(kind: str, accept_or_format: str | None, offered: tuple[Format, ...] | None = None) -> Format:
    """The format for a result of `kind` ("results" or "graph"): a format name wins over `Accept`.

    `offered` narrows the choice (in order of preference), e.g. to the formats that hold datasets.
    """
    offered = offered or (RESULT_FORMATS if kind == "results" else GRAPH_FORMATS)
    wanted = (accept_or_format or "").strip()
    if wanted.lower() in FORMATS_BY_NAME:
        chosen = FORMATS_BY_NAME[wanted.lower()]
        if chosen not in offered:
            raise NotAcceptable(f"format {wanted!r} cannot hold {_kind_name(kind)}; use one of "
                                + ", ".join(f.name for f in offered))
        return chosen
    ranges = parse_accept(wanted)
    if not ranges:
        return offered[0]
    scored = [(_quality(f, ranges), -i, f) for i, f in enumerate(offered)]
    q, _, best = max(scored, key=lambda item: item[:2])
    if q <= 0:
        raise NotAcceptable(f"none of the accepted media types ({wanted}) can hold {_kind_name(kind)}; "
                            "available: " + ", ".join(f.accepts[0] for f in offered))
    return best


_FORM_TOKEN = re.compile(
    r"""\#[^\n\r]*
      | '''(?:[^'\\]|\\.|'(?!''))*''' | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\" | '(?:[^'\\\n\r]|\\.)*' | "(?:[^"\\\n\r]|\\.)*"
      | <[^<>"{}|^`\\\x00-\x20]*>
      | (?P<word>[A-Za-z_][\w\-.]*:?)
      | .""",
    re.VERBOSE | re.DOTALL,
)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside comments, strings,
    IRIs and prefixed names; None when there is none (an update, or not SPARQL)."""
    for match in _FORM_TOKEN.finditer(query):
        word = (match.group("word") or "").upper()
        if word in _FORMS:
            return word
    return None


def choose(format_values: list[str], accept: str | None, kind: str) -> str:
    """What `negotiate` should get from a request: the first `format` value that names a
    format (or a media type) of this kind of result, else the Accept header. A value that
    fits no such format is ignored, not refused: clients add their own (SPARQLWrapper sends
    `format=xml` with a CONSTRUCT, meaning RDF/XML, and Accept says so)."""
    offered = RESULT_FORMATS if kind == "results" else GRAPH_FORMATS
    for value in format_values:
        for item in value.split(","):
            wanted = item.split(";")[0].strip().lower()
            named = FORMATS_BY_NAME.get(wanted)
            if named is not None and named.kind == kind:
                return named.name
            for fmt in offered:
                if wanted in fmt.accepts:
                    return fmt.name
    return accept or ""


def kind_of(query: str) -> str:
    """"graph" for CONSTRUCT and DESCRIBE, else "results"."""
    return "graph" if query_form(query) in ("CONSTRUCT", "DESCRIBE") else "results"


def _kind_name(kind: str) -> str:
    return "SELECT/ASK results" if kind == "results" else "an RDF graph (CONSTRUCT/DESCRIBE)"


def result_kind(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> str:
    return "graph" if isinstance(result, ox.QueryTriples) else "results"


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    media_type: str
    count: int  # rows or triples written (1 for ASK)
    truncated: bool


def render(result, accept_or_format: str | None = None, *, limit: int | None = None,
           deadline: float | None = None, prefixes: dict[str, str] | None = None,
           rerun: Callable[[], object] | None = None) -> Rendered:
    """Serialises a pyoxigraph query result, keeping at most `limit` rows or triples.

    Raises NotAcceptable before touching the result, and DeadlineExceeded when
    `deadline` (a `time.monotonic()` value) passes while rows are still being read.
    SELECT results are written by pyoxigraph when there is no cap, or when `rerun` (the
    same query, run again) can give the rows afresh should the result prove over it.
    """
    fmt = negotiate(result_kind(result), accept_or_format)
    if isinstance(result, ox.QuerySolutions) and fmt.name in NATIVE and (limit is None or rerun is not None):
        sink = _Sink(deadline, None if limit is None else NATIVE_BUDGET)
        try:
            result.serialize(sink, format=fmt.results)
        except _OverBudget:
            pass
        else:
            body = sink.value()
            count = count_rows(body, fmt.name)
            if limit is None or count <= limit:
                return Rendered(body, fmt.media_type, count, False)
        result = rerun()
    if isinstance(result, ox.QueryBoolean):
        return Rendered(result.serialize(format=fmt.results), fmt.media_type, 1, False)
    if isinstance(result, ox.QueryTriples):
        triples, truncated = _take(result, limit, deadline)
        body = ox.serialize(triples, format=fmt.rdf, prefixes=prefixes if fmt.name in ("turtle", "trig") else None)
        return Rendered(body or b"", fmt.media_type, len(triples), truncated)
    variables = [v.value for v in result.variables]
    rows, truncated = _take(result, limit, deadline)
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt.name]
    return Rendered(writer(variables, rows, truncated), fmt.media_type, len(rows), truncated)


class _OverBudget(Exception):
    """The result grew past the byte budget of a capped result."""


class _Sink:
    """A binary file for pyoxigraph's writers (called every few KiB): keeps what is written,
    raises DeadlineExceeded once the deadline has passed and _OverBudget past `budget` bytes."""

    def __init__(self, deadline: float | None, budget: int | None) -> None:
        self.deadline, self.budget = deadline, budget
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        if self.budget is not None and self.size > self.budget:
            raise _OverBudget()
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise DeadlineExceeded("query time limit reached while writing results")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def count_rows(body: bytes, fmt: str) -> int:
    """Solutions in a SELECT result as pyoxigraph writes it (JSON, XML or TSV), counted in
    the bytes: in XML `<result>` is only ever a tag (text escapes `<`); in TSV a row is a
    line (literals escape line breaks); in JSON, with every string blanked (so no quoted
    text can fake one), solutions are the only objects that follow each other (`},{`)."""
    if fmt == "xml":
        return body.count(b"<result>")
    if fmt == "tsv":
        return max(body.count(b"\n") - 1, 0)
    if body.endswith(b'"bindings":[]}}'):
        return 0
    return _JSON_STRING.sub(b'""', body).count(b"},{") + 1


def serialize_result(result, accept_or_format: str | None = None) -> tuple[bytes, str]:
    """(body, media type) of a whole query result; raises NotAcceptable."""
    rendered = render(result, accept_or_format)
    return rendered.body, rendered.media_type


def _take(items: Iterable, limit: int | None, deadline: float | None) -> tuple[list, bool]:
    """At most `limit` items, and whether there were more; the clock is read between chunks."""
    taken: list = []
    iterator: Iterator = iter(items)
    while True:
        if deadline is not None and time.monotonic() > deadline:
            raise DeadlineExceeded("query time limit reached while reading results")
        for _ in range(CHECK_EVERY):
            item = next(iterator, None)
            if item is None:
                return taken, False
            if limit is not None and len(taken) >= limit:
                return taken, True
            taken.append(item)


# --- SELECT writers -----------------------------------------------------------------


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def _json(variables: list[str], rows: list, truncated: bool) -> bytes:
    bindings = []
    for row in rows:
        binding = {}
        for name in variables:
            term = row[name]
            if term is not None:
                binding[name] = _json_term(term)
        bindings.append(binding)
    # The flag goes before "results": streaming parsers (pyoxigraph's among them) stop at the
    # end of the bindings and reject anything after them.
    document: dict = {"head": {"vars": variables}}
    if truncated:
        document["truncated"] = True
    document["results"] = {"bindings": bindings}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# Whitespace as character references, as pyoxigraph writes it: XML readers turn a carriage
# return into a line feed, and some trim the edges of a text.
_XML_TEXT = {"\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}


def _text(value: str) -> str:
    out = escape(value, _XML_TEXT)
    if out[:1] == " ":
        out = "&#32;" + out[1:]
    if len(out) > 1 and out[-1:] == " ":
        out = out[:-1] + "&#32;"
    return out


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_text(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{_text(term.value)}</literal>"
        return f"<literal>{_text(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>")


def _xml(variables: list[str], rows: list, truncated: bool) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out.extend(f"<variable name={quoteattr(name)}/>" for name in variables)
    if truncated:
        out.append('<link href="urn:kg-meetings:truncated"/>')
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        for name in variables:
            term = row[name]
            if term is not None:
                out.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode("utf-8")


def _csv_field(term) -> str:
    if term is None:
        return ""
    value = f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value if hasattr(term, "value") else str(term)
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv(variables: list[str], rows: list, truncated: bool) -> bytes:
    lines = [",".join(variables)]
    lines.extend(",".join(_csv_field(row[name]) for name in variables) for row in rows)
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _tsv(variables: list[str], rows: list, truncated: bool) -> bytes:
    lines = ["\t".join(f"?{name}" for name in variables)]
    lines.extend("\t".join("" if row[name] is None else str(row[name]) for name in variables) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")

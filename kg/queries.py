"""Named SPARQL queries from `queries/*.rq`, shared by the CLI and the HTTP service.

A query file documents itself in its leading comments:

    # title: Meetings of an actor
    # description: ...
    # param: actor iri required  The actor (an IRI, e.g. from `kg actor`)
    # param: since date  Only meetings on or after this day

A parameter marked `required` must be given: without it the query would answer rows
that cannot be read (every actor's counterparts mixed together), so binding refuses it,
and the CLI and the HTTP service (400) say which parameter is missing.

Parameters are bound as RDF terms in an inline VALUES block placed at the start of the
WHERE clause, serialised by pyoxigraph, so user input is never spliced into query text.
An unset parameter is UNDEF; the query's FILTERs test BOUND().

A query may name a faster equivalent that holds under conditions:

    # fast path: met-with unless since until

means: when neither `since` nor `until` is given, `met-with` returns the same rows (from
a precomputed summary; `kg.summary.choose` checks it is complete before switching).

`queries/summary/` holds the statements that keep that summary (not named queries).

Listings page: a query that declares the parameters `limit` and `offset` (integers) gets
`LIMIT n OFFSET m` where a line of its text says `# page here` (inside the subquery that
picks the page's rows before their details are fetched), else at its end. A query whose
parameters must reach such a subquery says where with a line `# parameters here` (the
VALUES block goes there instead of opening the first WHERE clause).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
XSD = "http://www.w3.org/2001/XMLSchema#"
_PARAM = re.compile(r"^#\s*param:\s*(\w+)\s+(\w+)(?:\s+(required)\b)?\s*(.*)$")
_FIELD = re.compile(r"^#\s*(title|description|example):\s*(.*)$")
_FAST_PATH = re.compile(r"^#\s*fast path:\s*([\w-]+)(?:\s+unless\s+(.*))?$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
PAGING = ("limit", "offset")  # parameters that page a listing rather than filter it
_PAGE_HERE = re.compile(r"^[ \t]*# page here.*$", re.MULTILINE)
_PARAMETERS_HERE = re.compile(r"^[ \t]*# parameters here.*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str  # iri | date | string | integer
    doc: str
    required: bool = False

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        if self.type == "iri":
            if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$", value):
                raise ValueError(f"parameter {self.name}: not an IRI: {value!r}")
            return ox.NamedNode(value)
        if self.type == "date":
            try:
                if re.fullmatch(r"\d{4}", value):
                    value = f"{value}-01-01"
                elif re.fullmatch(r"\d{4}-\d{2}", value):
                    value = f"{value}-01"
                date.fromisoformat(value)
            except ValueError as error:
                raise ValueError(f"parameter {self.name}: not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}") from error
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))
        if self.type == "integer":
            if not re.fullmatch(r"-?\d+", value):
                raise ValueError(f"parameter {self.name}: not an integer: {value!r}")
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "integer"))
        return ox.Literal(value)


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    example: str = ""
    fast_path: str | None = None  # an equivalent named query ...
    fast_path_unless: tuple[str, ...] = ()  # ... usable when none of these parameters is set

    def validate(self, values: dict[str, str | None] | None = None) -> dict[str, str]:
        """The values that are set, once checked: unknown names, missing required ones and
        values that are not of their parameter's type are errors."""
        values = {k: v for k, v in (values or {}).items() if v not in (None, "")}
        known = {p.name for p in self.params}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"query {self.name!r} has no parameter {', '.join(sorted(unknown))}; "
                             f"it takes: {', '.join(sorted(known)) or 'none'}")
        missing = [p.name for p in self.params if p.required and p.name not in values]
        if missing:
            raise ValueError(f"query {self.name!r} needs the parameter {', '.join(missing)} "
                             f"(e.g. {self.example or ', '.join(m + '=...' for m in missing)})")
        for param in self.params:
            if param.name in values:
                param.term(values[param.name])
                if param.name in PAGING and int(values[param.name]) < 0:
                    raise ValueError(f"parameter {param.name}: must be 0 or more, not {values[param.name]}")
        return values

    @property
    def pages(self) -> bool:
        """Whether the query takes `limit` and `offset`."""
        return {p.name for p in self.params} >= set(PAGING)

    def bind(self, values: dict[str, str | None] | None = None) -> str:
        """The query text with parameters bound; unknown parameter names are an error."""
        values = self.validate(values)
        text = self.text
        if self.pages:
            page = " ".join(f"{name.upper()} {int(values[name])}" for name in PAGING if name in values)
            marked = _PAGE_HERE.search(text)
            text = (text[:marked.start()] + "    " + page + text[marked.end():] if marked
                    else text.rstrip("\n") + ("\n" + page if page else "") + "\n")
        bound = [p for p in self.params if p.name not in PAGING or not self.pages]
        if not bound:
            return text
        row = " ".join(str(p.term(values[p.name])) if p.name in values else "UNDEF" for p in bound)
        head = " ".join(f"?{p.name}" for p in bound)
        block = f"VALUES ({head}) {{ ({row}) }}"
        marked = _PARAMETERS_HERE.search(text)
        if marked:
            return text[:marked.start()] + "  " + block + text[marked.end():]
        match = _WHERE.search(text)
        if not match:
            raise ValueError(f"query {self.name!r} has no WHERE clause to bind parameters in")
        return text[:match.end()] + "\n  " + block + "\n" + text[match.end():]


def with_values(text: str, variable: str, terms: list[ox.NamedNode]) -> str:
    """`text` with `VALUES ?variable { ... }` (terms serialised by pyoxigraph) opening its
    WHERE clause: for the statements below that take a list rather than one value."""
    match = _WHERE.search(text)
    if not match:
        raise ValueError(f"no WHERE clause to bind ?{variable} in")
    return with_block(text, f"VALUES ?{variable} {{ {' '.join(str(t) for t in terms)} }}")


def with_block(text: str, block: str) -> str:
    """`text` with `block` (a VALUES clause whose terms pyoxigraph serialised) opening its WHERE clause."""
    match = _WHERE.search(text)
    if not match:
        raise ValueError("no WHERE clause to bind values in")
    return text[:match.end()] + "\n  " + block + "\n" + text[match.end():]


@lru_cache(maxsize=None)
def statement(name: str, folder: str = "summary") -> str:
    """The text of `queries/FOLDER/NAME` (.rq or .ru): upkeep statements, not named queries
    (`summary/` keeps the met-with summary, `events/` the event graphs)."""
    for suffix in (".rq", ".ru"):
        path = QUERIES_DIR / folder / (name + suffix)
        if path.exists():
            return path.read_text(encoding="utf-8")
    raise KeyError(f"no statement {name!r} in {QUERIES_DIR / folder}")


def _parse(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    params: list[Param] = []
    fast_path, unless = None, ()
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        if m := _PARAM.match(line):
            params.append(Param(m.group(1), m.group(2), m.group(4).strip(), m.group(3) == "required"))
        elif m := _FIELD.match(line):
            fields[m.group(1)] = m.group(2).strip()
        elif m := _FAST_PATH.match(line):
            fast_path, unless = m.group(1), tuple((m.group(2) or "").split())
    return NamedQuery(path.stem, fields.get("title", path.stem), fields.get("description", ""), tuple(params), text,
                      fields.get("example", ""), fast_path, unless)


@lru_cache(maxsize=1)
def catalogue(directory: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    return {p.stem: _parse(p) for p in sorted(directory.glob("*.rq"))}


def get(name: str) -> NamedQuery:
    queries = catalogue()
    if name not in queries:
        raise KeyError(f"no named query {name!r}; available: {', '.join(queries)}")
    return queries[name]

"""The met-with summary: whom each actor met, precomputed, so a relations lookup costs
milliseconds however many meetings the actor has.

`queries/relations.rq` computes an actor's counterparts from the article graphs, at a
cost proportional to the actor's meetings (~70 µs each: 0.2 s for a leader with 2,700
meetings at 100,000 articles). The summary stores each of its rows (one node per actor
and counterpart, see kgo:MetWithSummary) in one named graph; `queries/met-with.rq`
reads them back, ten one-triple lookups per row.

Correctness comes before speed:

- The rows are made by relations.rq itself, one bound actor at a time, so the two paths
  cannot disagree on what a row means.
- The summary graph's node carries kgo:summaryComplete only while the rows match the
  article graphs. Every writer removes it before its first change (`mark_stale`) and
  puts it back after rebuilding (`refresh`); `choose` reads met-with only when it is
  there, otherwise relations.rq runs as before. A run killed half-way therefore leaves a
  summary that is ignored until the next ingest rebuilds it.
- After an ingest only the actors its meetings touched are recomputed (old and new
  participants of replaced articles included); when that is most actors, or the summary
  was not complete before, everything is.
- Each actor also has one row of `actors.rq` (its meetings and statements counted, key,
  label: the actor's kgo:actorRecord), so the `actors` listing reads them (`actor-list.rq`) rather
  than counting every meeting and statement of the store (10 s at 100,000 articles).
  Speakers count as touched like participants. A summary written before these rows
  exists lacks the kgo:summaryCovers mark and counts as incomplete until rebuilt.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg import queries, rdf
from kg.store import GraphStore

WRITE_CHUNK_QUADS = 50_000  # quads held before each write: memory stays flat
FORGET_CHUNK_ACTORS = 200  # actors per delete statement


@dataclass(frozen=True, slots=True)
class State:
    complete: bool  # in line with the article graphs
    rows: int

    def to_dict(self) -> dict:
        return {"complete": self.complete, "rows": self.rows}


@dataclass(frozen=True, slots=True)
class Refresh:
    """What one `refresh` did."""

    full: bool
    actors: int
    rows: int
    seconds: float

    def to_dict(self) -> dict:
        return {"full": self.full, "actors": self.actors, "rows": self.rows, "seconds": round(self.seconds, 3)}


def is_complete(store: GraphStore) -> bool:
    return store.ask(queries.statement("is-complete"))


def state(store: GraphStore) -> State:
    rows = store.select(queries.get("summary-state").bind({}))
    row = rows[0] if rows else {}
    complete = row.get("complete")
    return State(complete is not None and complete.value == "true", int(row["rows"].value) if "rows" in row else 0)


def mark_stale(store: GraphStore) -> None:
    store.update(queries.statement("mark-stale"))


def participants(store: GraphStore, graphs: Iterable[ox.NamedNode] | None = None) -> set[str]:
    """Actor IRIs of every meeting, or of the meetings in `graphs`."""
    return _actors_of(store, "participants", graphs)


def actors(store: GraphStore, graphs: Iterable[ox.NamedNode] | None = None) -> set[str]:
    """Actor IRIs of every meeting and statement, or of those in `graphs`: the actors whose
    summary rows (met-with rows, actor row) a change of those graphs touches."""
    return _actors_of(store, "actors", graphs)


def _actors_of(store: GraphStore, statement: str, graphs: Iterable[ox.NamedNode] | None) -> set[str]:
    text = queries.statement(statement)
    if graphs is not None:
        graphs = list(graphs)
        if not graphs:
            return set()
        text = queries.with_values(text, "g", graphs)
    return {row["actor"].value for row in store.select(text) if "actor" in row}


def choose(store: GraphStore, query: queries.NamedQuery, values: dict[str, str | None],
           complete: bool | None = None) -> tuple[queries.NamedQuery, dict[str, str | None]]:
    """The query to run for `query` with `values`: its fast path when the conditions hold
    and the summary is complete (`complete`, when the caller knows, else asked of the
    store), else itself. Parameters the fast path lacks are unset."""
    if not query.fast_path or any(values.get(name) not in (None, "") for name in query.fast_path_unless):
        return query, values
    fast = queries.get(query.fast_path)
    if not getattr(store, "runs_fast_paths", True) or not (is_complete(store) if complete is None else complete):
        return query, values
    taken = {p.name for p in fast.params}
    return fast, {name: value for name, value in values.items() if name in taken}


def counterpart_rows(store: GraphStore, actor: str, with_: str | None = None) -> list[dict[str, str]]:
    """`met-with`'s rows for `actor` (an IRI) as plain values, in its order, but with the
    record split here: for `kg relations` and the actor API. Only while `is_complete`."""
    text = queries.with_values(queries.statement("rows"), "actor", [ox.NamedNode(actor)])
    found = []
    for row in store.select(text):
        counterpart = row["counterpart"].value
        if with_ and counterpart != with_:
            continue
        values = dict(zip(rdf.SUMMARY_RECORD, row["record"].value.split("\t")))
        plain = {"counterpart": counterpart, **{k: v for k, v in values.items() if v != ""}}
        plain.update({k: row[k].value for k in ("places", "articles") if k in row})
        if "labelEn" in plain or "labelAr" in plain:
            plain["counterpartLabel"] = plain.get("labelEn") or plain["labelAr"]
        found.append(plain)
    return sorted(found, key=lambda r: (-int(r["meetings"]), -int(r["plannedMeetings"]), "labelEn" in r,
                                        r.get("labelEn", ""), "labelAr" in r, r.get("labelAr", ""), r["counterpart"]))


def _rows_of(store: GraphStore, actor: ox.NamedNode) -> list[ox.Quad]:
    relations = queries.get("relations")
    quads: list[ox.Quad] = []
    for row in store.select(relations.bind({"actor": actor.value})):
        if "counterpart" in row:
            # GROUP_CONCAT has no order: sorted, a row is the same whichever engine made it.
            for key, separator in (("places", " "), ("articles", " | ")):
                if isinstance(row.get(key), ox.Literal):
                    row[key] = ox.Literal(separator.join(sorted(row[key].value.split(separator))))
            quads.extend(rdf.summary_quads(actor, row))
    return quads


def _actor_row(store: GraphStore, actor: ox.NamedNode) -> list[ox.Quad]:
    """The actor's row of `actors` (counts, key, label), made by actors.rq for this actor."""
    rows = store.select(queries.get("actors").bind({"actor": actor.value}))
    return rdf.actor_summary_quads(actor, rows[0]) if rows and "key" in rows[0] and "actor" in rows[0] else []


def _forget(store: GraphStore, actors: list[ox.NamedNode]) -> None:
    text = queries.statement("forget")
    for start in range(0, len(actors), FORGET_CHUNK_ACTORS):
        store.update(queries.with_values(text, "actor", actors[start:start + FORGET_CHUNK_ACTORS]))


def refresh(store: GraphStore, touched: Iterable[str] | None = None, *,
            progress: Callable[[int, int], None] | None = None) -> Refresh:
    """Bring the summary in line with the article graphs: the rows of the `touched` actors
    (IRIs), or all rows when `touched` is None, when the summary was not complete before
    the caller's writes (the caller says so by passing None), or when most actors changed.
    `progress(done, total)` is called as actors are done."""
    started = time.monotonic()
    everyone = actors(store)
    full = touched is None or 2 * len(set(touched)) >= max(len(everyone), 1)
    targets = sorted(everyone) if full else sorted(set(touched))
    mark_stale(store)
    if full:
        store.drop_graph(rdf.SUMMARY_GRAPH)
    else:
        _forget(store, [ox.NamedNode(iri) for iri in targets])
    buffer: list[ox.Quad] = []
    rows = 0
    for done, iri in enumerate(targets, 1):
        quads = _rows_of(store, ox.NamedNode(iri))
        rows += sum(1 for q in quads if q.predicate == rdf.KGO.summaryActor)
        quads += _actor_row(store, ox.NamedNode(iri))
        buffer.extend(quads)
        if len(buffer) >= WRITE_CHUNK_QUADS:
            store.add_quads(buffer)
            buffer = []
        if progress:
            progress(done, len(targets))
    if buffer:
        store.add_quads(buffer)
    # Last, and alone: the mark says every row above is there.
    store.add_quads(rdf.summary_complete_quads())
    return Refresh(full, len(targets), rows, time.monotonic() - started)


def bound_text(store: GraphStore, query: queries.NamedQuery | str, values: dict[str, str | None],
               complete: bool | None = None) -> str:
    """A named query's text with `values` bound, through its fast path when that holds
    (`complete`: see `choose`). Validates `values` against `query` first, so errors name
    the query the user asked for."""
    query = queries.get(query) if isinstance(query, str) else query
    chosen, kept = choose(store, query, values, complete)
    if chosen is query:
        return query.bind(values)
    query.validate(values)
    return chosen.bind(kept)

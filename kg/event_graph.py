"""The event graphs: one `kgo:MeetingEvent` per encounter, kept in line with the article
graphs as articles come, change and go (kg.events decides which reports are one event).

Each event lives in a graph of its own (`rdf.event_graph_iri`), replaced or dropped as a
whole. After a write only what it can have changed is recomputed: the reports of the
written graphs, the former reports of replaced or removed graphs (read before the write),
and everything linked to them, transitively (kg.events.components: two shared
participants, meeting date windows). Resolution is a function of each such group of
linked reports, so ingesting in any order, one article at a time or all at once, gives
the same events and the same IRIs; re-ingesting changes nothing.

Like the met-with summary, the graph <id/events/state> carries `kgo:eventsComplete` only
while the events match the article graphs: writers remove it first (`mark_stale`) and
`refresh` puts it back; without it the next refresh rebuilds every event.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import combinations

import pyoxigraph as ox

from kg import queries, rdf
from kg.events import Event, Report, components, linked, reports_of, resolve, resolve_component
from kg.model import Extraction
from kg.store import GraphStore

VALUES_CHUNK = 200  # terms per VALUES block
WRITE_CHUNK_QUADS = 50_000
BULK_QUADS = 2_000  # an incremental write larger than this goes through the bulk loader


@dataclass(frozen=True, slots=True)
class Refresh:
    """What one `refresh` did."""

    full: bool
    reports: int  # reports resolved
    events: int  # events written
    actors: frozenset[str]  # actor IRIs of the reports resolved: their relations may have changed
    seconds: float

    def to_dict(self) -> dict:
        return {"full": self.full, "reports": self.reports, "events": self.events, "seconds": round(self.seconds, 3)}


def _text(name: str) -> str:
    return queries.statement(name, "events")


def is_complete(store: GraphStore) -> bool:
    return store.ask(_text("is-complete"))


def mark_stale(store: GraphStore) -> None:
    store.update(_text("mark-stale"))


def _select_reports(store: GraphStore, variable: str | None = None, terms: list[ox.NamedNode] = (),
                    countries: dict[str, str] | None = None) -> list[Report]:
    """Reports as the store holds them, identified by IRI: participants, place, country.
    `variable` "g": those of some article graphs; "meeting": some reports; None: every report."""
    text = _text("reports-in")
    rows: list[dict] = []
    if variable is None:
        rows = store.select(text)
    else:
        for start in range(0, len(terms), VALUES_CHUNK):
            rows.extend(store.select(queries.with_values(text, variable, terms[start:start + VALUES_CHUNK])))
    if countries is None:
        countries = place_countries(store)
    found: dict[tuple[str, str], dict] = {}
    for row in rows:
        if "meeting" not in row or "doc" not in row or "participant" not in row:
            continue
        key = (row["doc"].value, row["meeting"].value)
        entry = found.get(key)
        if entry is None:
            entry = found[key] = {"row": row, "people": set()}
        entry["people"].add(row["participant"].value)
    reports = []
    for (doc, meeting), entry in found.items():
        row = entry["row"]
        published = row.get("published")
        try:
            day = date.fromisoformat(published.value) if published is not None else None
        except ValueError:
            day = None
        place = row["place"].value if "place" in row else None
        reports.append(Report(article=doc, ref=meeting, participants=frozenset(entry["people"]),
                              status="planned" if row["status"] == rdf.KGO.Planned else "held",
                              date=row["date"].value if "date" in row else None, place=place,
                              place_country=countries.get(place) if place else None, published=day))
    return reports


def place_countries(store: GraphStore) -> dict[str, str]:
    """Place IRI -> country IRI, from the knowledge base."""
    return {row["place"].value: row["country"].value for row in store.select(_text("place-countries"))
            if "place" in row and "country" in row}


def reports_as_stored(extraction: Extraction) -> list[Report]:
    """An extraction's reports identified as the store identifies them (by IRI), so that
    `kg extract --json` gives an event the id it has in the store."""
    return reports_of(extraction, actor=lambda a: rdf.actor_iri(a.key).value,
                      place=lambda p: rdf.place_iri(p.key).value, country=lambda c: rdf.actor_iri(c).value)


def resolve_extractions(extractions: Iterable[Extraction]) -> dict[tuple[str, int], Event]:
    """(article id, meeting position) -> its event, over a set of articles."""
    reports = [r for ex in extractions for r in reports_as_stored(ex)]
    return {(r.article, int(r.ref)): e for e in resolve(reports) for r in e.reports}


def reports_in(store: GraphStore, graphs: Iterable[ox.NamedNode]) -> list[Report]:
    """The reports some article graphs hold (before replacing or removing them: the former ones)."""
    graphs = list(graphs)
    return _select_reports(store, "g", graphs) if graphs else []


def _event_graphs(store: GraphStore) -> set[str]:
    """Every event graph."""
    return {row["eventGraph"].value for row in store.select(_text("event-graphs")) if "eventGraph" in row}


def _old_events(store: GraphStore, refs: Iterable[str]) -> dict[str, frozenset[str]]:
    """The event graphs joining some reports -> every report each joins."""
    terms = [rdf.report_iri(ref) for ref in sorted(set(refs))]
    found: dict[str, set[str]] = {}
    for start in range(0, len(terms), VALUES_CHUNK):
        bound = queries.with_values(_text("event-reports"), "meeting", terms[start:start + VALUES_CHUNK])
        for row in store.select(bound):
            if "eventGraph" in row and "report" in row:
                found.setdefault(row["eventGraph"].value, set()).add(row["report"].value)
    return {graph: frozenset(reports) for graph, reports in found.items()}


class _Neighbourhood:
    """Reports read from the store by pairs of participants, a batch per call: reports can be
    one encounter only if they share two participants, and a pair has few reports however
    busy each of its actors is, so nothing is read by actor or by date range."""

    def __init__(self, store: GraphStore, known: Iterable[Report] = ()) -> None:
        self.store = store
        self.countries = place_countries(store)
        self.by_actor: dict[str, set[Report]] = {}
        self.refs: set[str] = set()
        self.pairs: set[tuple[str, str]] = set()
        for report in known:
            self._add(report)

    def _add(self, report: Report) -> None:
        self.refs.add(report.ref)
        for actor in report.participants:
            self.by_actor.setdefault(actor, set()).add(report)

    def fetch(self, frontier: list[Report]) -> None:
        """Every stored report naming two participants of one of `frontier` (pairs asked
        before are not asked again)."""
        pairs = sorted({pair for r in frontier if r.window is not None
                        for pair in combinations(sorted(r.participants), 2)} - self.pairs)
        self.pairs.update(pairs)
        text = _text("pair-reports")
        refs: set[str] = set()
        for start in range(0, len(pairs), VALUES_CHUNK):
            rows = " ".join(f"({ox.NamedNode(a)} {ox.NamedNode(b)})" for a, b in pairs[start:start + VALUES_CHUNK])
            refs |= {row["meeting"].value for row in self.store.select(queries.with_block(text, f"VALUES (?a ?b) {{ {rows} }}"))
                     if "meeting" in row}
        new = sorted(refs - self.refs)
        for report in _select_reports(self.store, "meeting", [ox.NamedNode(r) for r in new], self.countries):
            self._add(report)

    def linked_to(self, report: Report) -> set[Report]:
        """Among the fetched reports: those linked to `report` (all are, once it was in a fetched frontier)."""
        counts: dict[Report, int] = {}
        for actor in report.participants:
            for other in self.by_actor.get(actor, ()):
                counts[other] = counts.get(other, 0) + 1
        return {other for other, n in counts.items() if n >= 2 and linked(report, other)}


def _write(store: GraphStore, drop: Iterable[str], events: list[Event], *, bulk: bool = False) -> None:
    """Drop the old event graphs, write the new ones and then the completeness mark: one
    update (atomic), unless `bulk` or more than BULK_QUADS quads (then through the bulk
    loader, the mark last: parsing a large update costs more than the write; the mark was
    removed before, so an interruption still leaves the events stale, never wrong)."""
    from kg.store import quads_to_sparql_data

    drops = "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in sorted(set(drop)))
    quads = [q for event in events for q in rdf.event_quads(event)]
    mark = f"INSERT DATA {{\n{quads_to_sparql_data([rdf.events_complete_quad()])}\n}}"
    if bulk or len(quads) > BULK_QUADS:
        if drops:
            store.update(drops.rstrip().rstrip(";"))
        for start in range(0, len(quads), WRITE_CHUNK_QUADS):
            store.add_quads(quads[start:start + WRITE_CHUNK_QUADS])
        store.update(mark)
        return
    data = f"INSERT DATA {{\n{quads_to_sparql_data(quads)}\n}} ;\n" if quads else ""
    store.update(drops + data + mark)


def _actors(reports: Iterable[Report]) -> frozenset[str]:
    return frozenset(k for r in reports for k in r.participants)


def rebuild(store: GraphStore) -> Refresh:
    """Every event from every report."""
    started = time.monotonic()
    mark_stale(store)
    reports = _select_reports(store)
    events = resolve(reports)
    _write(store, _event_graphs(store), events, bulk=True)
    return Refresh(True, len(reports), len(events), _actors(reports), time.monotonic() - started)


def refresh(store: GraphStore, written: Iterable[str] | None, former: Iterable[Report] = ()) -> Refresh:
    """Bring the events in line after the graphs of the `written` articles (ids) were
    written, replaced or removed; `former`: the reports those graphs held before
    (`reports_in`, read before the write). The caller passes None for `written` when the
    events were not complete before its writes (`is_complete`): then everything is rebuilt."""
    if written is None:
        return rebuild(store)
    written = sorted(set(written))
    rows = store.select(_text("article-count"))
    if rows and "articles" in rows[0] and 2 * len(written) >= int(rows[0]["articles"].value):
        return rebuild(store)  # most articles are new: one read of everything beats a neighbourhood per article
    started = time.monotonic()
    mark_stale(store)
    current = reports_in(store, [rdf.graph_iri(a) for a in written])
    former = [r for r in former if r not in set(current)]
    hood = _Neighbourhood(store, current)
    group: set[Report] = set(current)
    frontier = [*current, *former]
    while frontier:  # breadth first, one batch of reads per level
        hood.fetch(frontier)
        reached = []
        for report in frontier:
            for other in hood.linked_to(report):
                if other not in group:
                    group.add(other)
                    reached.append(other)
        frontier = reached
    events = [e for component in components(group) for e in resolve_component(component)]
    # Only what changed is written: an event whose graph already joins exactly its reports,
    # none of them from a written article, stays as it is.
    old = _old_events(store, [r.ref for r in group] + [r.ref for r in former])
    fresh = set(written)
    changed = [e for e in events
               if old.get(rdf.event_graph_iri(e.id).value) != frozenset(r.ref for r in e.reports)
               or any(r.article in fresh for r in e.reports)]
    kept = {rdf.event_graph_iri(e.id).value for e in events} - {rdf.event_graph_iri(e.id).value for e in changed}
    _write(store, set(old) - kept, changed)
    touched = [r for e in changed for r in e.reports]
    return Refresh(False, len(group), len(changed), _actors([*touched, *former]), time.monotonic() - started)


def remove_articles(store: GraphStore, article_ids: Iterable[str]) -> Refresh:
    """Drop some articles' graphs and take their reports out of their events."""
    ids = list(article_ids)
    graphs = [rdf.graph_iri(a) for a in ids]
    complete = is_complete(store)
    former = reports_in(store, graphs) if complete else []
    mark_stale(store)
    if graphs:
        store.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in graphs))
    return refresh(store, ids if complete else None, former)

"""Actor relationships: who met whom, when, where, and what they said.

Shared by the CLI (`kg actor`, `kg relations`, `kg path`, ...) and the HTTP API. Every
fact comes from a named query in queries/ with its parameters bound as RDF terms; this
module only resolves names, shapes rows into records and walks the met-with graph.

Dates: a meeting's `date` is what the text says (a day or a month). Many reports give
none; such a meeting still has `reported`, the publication date of its earliest article,
and date filters and orderings fall back on it. Output keeps the two apart.
"""
from __future__ import annotations

import calendar
import re
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import unquote

from kg import queries, rdf, summary
from kg.extract.normalize import fold_key
from kg.knowledge import KnowledgeBase, default
from kg.lookups import ActorMatch, find_actors, known_actors, normalise_query, resolve_actor
from kg.store import GraphStore

_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------


def check_date(value: str | None, name: str) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as given; ValueError naming the parameter otherwise."""
    if value in (None, ""):
        return None
    value = value.strip()
    try:
        if _YEAR.match(value):
            return value
        if m := _MONTH.match(value):
            date(int(m.group(1)), int(m.group(2)), 1)
            return value
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{name}: not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}") from None


def _until_day(value: str | None) -> str | None:
    """`until 2019` means to the end of 2019, not its first day."""
    if value is None:
        return None
    if _YEAR.match(value):
        return f"{value}-12-31"
    if m := _MONTH.match(value):
        year, month = int(m.group(1)), int(m.group(2))
        return f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return value


def date_bounds(since: str | None, until: str | None) -> dict[str, str | None]:
    """`since` and `until` as the named queries take them: checked, and `until` a whole
    period (`until 2019` is 2019-12-31). For every command, so they all agree."""
    since, until = check_date(since, "since"), check_date(until, "until")
    if since and until and since > _until_day(until):
        raise ValueError(f"since ({since}) is after until ({until})")
    return {"since": since, "until": _until_day(until)}


def _select(store: GraphStore, name: str, params: dict[str, str | None]) -> list[dict[str, str]]:
    """A named query's rows, through its fast path (the met-with summary) when that holds."""
    rows = store.select(summary.bound_text(store, name, params))
    return [{k: v.value for k, v in row.items()} for row in rows]


# ---------------------------------------------------------------------------
# Actors
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Directory:
    """Actor IRI -> ActorMatch, for the knowledge base and the store's local actors."""

    by_iri: dict[str, ActorMatch]
    local: tuple[ActorMatch, ...]  # one per spelling, as lookups want them
    places: dict[str, tuple[str, str | None]]  # place IRI -> (English or only label, Arabic label)

    def actor(self, iri: str, label_en: str | None = None, label_ar: str | None = None) -> ActorMatch:
        known = self.by_iri.get(iri)
        if known:
            return known
        return ActorMatch(iri, label_en or label_ar or iri, "person", None, label_ar)

    def place(self, iri: str | None) -> tuple[str | None, str | None]:
        if not iri:
            return None, None
        return self.places.get(iri) or (unquote(iri.rsplit("/", 1)[-1]), None)


@lru_cache(maxsize=4)
def _kb_by_iri(kb: KnowledgeBase) -> dict[str, ActorMatch]:
    return {match.iri: match for match in known_actors(kb)}


@lru_cache(maxsize=4)
def _kb_places(kb: KnowledgeBase) -> dict[str, tuple[str, str | None]]:
    return {rdf.place_iri(p.id).value: (p.name_en, p.names_ar[0] if p.names_ar else None) for p in kb.places.values()}


def directory(store: GraphStore, kb: KnowledgeBase | None = None) -> Directory:
    kb = kb or default()
    by_iri = dict(_kb_by_iri(kb))
    local = []
    for row in _select(store, "actor-local", {}):
        match = ActorMatch(row["key"], row["label"], "person", None, row["label"])
        local.append(match)
        by_iri.setdefault(row["actor"], match)
    return Directory(by_iri, tuple(local), _kb_places(kb))


def activity(store: GraphStore, actors: Iterable[ActorMatch]) -> dict[str, int]:
    """key -> meetings + statements in the store, for the few candidates of a lookup."""
    counts = {}
    for actor in actors:
        rows = _select(store, "actor-activity", {"actor": actor.iri})
        counts[actor.key] = sum(int(r.get("meetings", 0)) + int(r.get("statements", 0)) for r in rows)
    return counts


def resolve(store: GraphStore, text: str, kb: KnowledgeBase | None = None,
            known: Directory | None = None) -> ActorMatch:
    """One actor from what a user typed; raises UnknownActor or AmbiguousActor."""
    kb = kb or default()
    known = known or directory(store, kb)
    candidates = find_actors(text, kb, limit=40, local=known.local)
    present = activity(store, candidates) if len(candidates) > 1 else None
    return resolve_actor(text, kb, present=present, local=known.local)


def search(store: GraphStore, text: str, kb: KnowledgeBase | None = None, limit: int = 20) -> list[dict]:
    """Every match for a query with how much the store knows of it, busiest first."""
    kb = kb or default()
    known = directory(store, kb)
    found = find_actors(text, kb, limit=limit, local=known.local)
    counts = activity(store, found)
    rows = [{**m.to_dict(), "facts": counts.get(m.key, 0)} for m in found]
    return sorted(rows, key=lambda r: -r["facts"])


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


def _split(value: str | None, separator: str) -> list[str]:
    return [part for part in (value or "").split(separator) if part]


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    """One encounter: an event and all its reports, or a report no event joins."""

    iri: str
    status: str  # held if any report says so
    date: str | None  # as the text gives it
    reported: str | None  # publication date of the earliest article reporting it
    place: str | None
    place_ar: str | None
    participants: tuple[ActorMatch, ...]
    hosts: tuple[ActorMatch, ...]
    articles: tuple[str, ...]
    evidence: str | None
    sources: tuple[str, ...] = ()  # each report's article with its outlet and publication date

    @property
    def when(self) -> str | None:
        return self.date or self.reported

    def others(self, actor: ActorMatch) -> list[ActorMatch]:
        return [p for p in self.participants if p.key != actor.key]

    def to_dict(self) -> dict:
        return {"iri": self.iri, "status": self.status, "date": self.date, "reported": self.reported,
                "place": self.place, "place_ar": self.place_ar,
                "participants": [p.to_dict() for p in self.participants],
                "hosts": [h.to_dict() for h in self.hosts], "articles": list(self.articles),
                "sources": list(self.sources), "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class Counterpart:
    actor: ActorMatch
    meetings: int  # held
    planned: int
    first: str | None
    last: str | None
    first_reported: str | None
    last_reported: str | None
    places: tuple[str, ...]
    articles: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"actor": self.actor.to_dict(), "meetings": self.meetings, "planned": self.planned,
                "first": self.first, "last": self.last, "first_reported": self.first_reported,
                "last_reported": self.last_reported, "places": list(self.places), "articles": list(self.articles)}


@dataclass(frozen=True, slots=True)
class StatementRecord:
    iri: str
    published: str | None
    document_id: str
    url: str | None
    publisher: str | None
    headline: str | None
    verb: str
    content: str
    evidence: str | None
    speakers: tuple[ActorMatch, ...]
    collective: bool

    def to_dict(self) -> dict:
        return {"iri": self.iri, "published": self.published, "article": self.document_id, "url": self.url,
                "publisher": self.publisher, "headline": self.headline, "verb": self.verb, "content": self.content,
                "evidence": self.evidence, "speakers": [s.to_dict() for s in self.speakers],
                "collective": self.collective}


@dataclass(frozen=True, slots=True)
class Edge:
    a: ActorMatch
    b: ActorMatch
    meetings: int
    first: str | None
    last: str | None

    def to_dict(self) -> dict:
        return {"a": self.a.to_dict(), "b": self.b.to_dict(), "meetings": self.meetings,
                "first": self.first, "last": self.last}


# ---------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------


def counterparts(store: GraphStore, actor: ActorMatch, since: str | None = None, until: str | None = None,
                 with_: ActorMatch | None = None, known: Directory | None = None) -> list[Counterpart]:
    known = known or directory(store)
    params = {"actor": actor.iri, "with": with_.iri if with_ else None, **date_bounds(since, until)}
    if params["since"] is None and params["until"] is None and summary.is_complete(store):
        found = summary.counterpart_rows(store, actor.iri, params["with"])
    else:
        found = _select(store, "relations", params)
    return [Counterpart(known.actor(r["counterpart"], r.get("labelEn"), r.get("labelAr")),
                        int(r.get("meetings", 0)), int(r.get("plannedMeetings", 0)), r.get("first"), r.get("last"),
                        r.get("firstReported"), r.get("lastReported"),
                        tuple(known.place(iri)[0] for iri in sorted(_split(r.get("places"), " "))),
                        tuple(sorted(_split(r.get("articles"), " | "))))
            for r in found]


def meetings(store: GraphStore, actor: ActorMatch | None = None, with_: ActorMatch | None = None,
             since: str | None = None, until: str | None = None, status: str | None = None,
             known: Directory | None = None) -> list[MeetingRecord]:
    """Oldest first (by date, else by when reported)."""
    if status not in (None, "held", "planned"):
        raise ValueError(f"status: held or planned, not {status!r}")
    known = known or directory(store)
    params = {"actor": actor.iri if actor else None, "with": with_.iri if with_ else None, **date_bounds(since, until)}
    records = []
    for r in _select(store, "actor-meetings", params):
        if status and r["status"] != status:
            continue
        participants = sorted((known.actor(iri) for iri in _split(r.get("participants"), " ")),
                              key=lambda m: (actor is None or m.key != actor.key, m.label))
        place, place_ar = known.place(r.get("place"))
        records.append(MeetingRecord(
            r["meeting"], r["status"], r.get("date"), r.get("reported"), place, place_ar, tuple(participants), tuple(known.actor(i) for i in _split(r.get("hosts"), " ")),
            tuple(sorted(_split(r.get("articles"), "\n"))), r.get("evidence"), tuple(sorted(_split(r.get("sources"), "\n")))))
    return sorted(records, key=lambda m: (m.when or "9999", m.iri))


def _topic_stems(topic: str) -> list[str]:
    """Folded words of a topic, a trailing vowel letter dropped so سوريا finds سورية and السوري."""
    stems = []
    for word in normalise_query(topic).split():
        if len(word) > 3 and word[-1] in "اهي":
            word = word[:-1]
        stems.append(word)
    return stems


def mentions_topic(text: str, topic: str) -> bool:
    folded = normalise_query(fold_key(text))
    return all(stem in folded for stem in _topic_stems(topic))


def statements(store: GraphStore, actor: ActorMatch, since: str | None = None, until: str | None = None,
               topic: str | None = None, known: Directory | None = None) -> list[StatementRecord]:
    """Oldest first. `topic` matches whatever the spelling (case, hamza, ta marbuta, diacritics)."""
    known = known or directory(store)
    params = {"speaker": actor.iri, **date_bounds(since, until)}
    records = [StatementRecord(r["statement"], r.get("published"), r["documentId"], r.get("url"), r.get("publisher"),
                               r.get("headline"), r.get("verb", ""), r["content"], r.get("evidence"),
                               tuple(known.actor(i) for i in _split(r.get("speakers"), " ")),
                               r.get("collective") == "true")
               for r in _select(store, "actor-statements", params)]
    if topic and topic.strip():
        records = [s for s in records if mentions_topic(f"{s.content} {s.evidence or ''}", topic)]
    return records


def edges(store: GraphStore, since: str | None = None, until: str | None = None,
          known: Directory | None = None) -> list[Edge]:
    """Every pair that met (held meetings), each once."""
    known = known or directory(store)
    return [Edge(known.actor(r["a"]), known.actor(r["b"]), int(r["meetings"]), r.get("first"), r.get("last"))
            for r in _select(store, "relation-edges", date_bounds(since, until))]


# ---------------------------------------------------------------------------
# Derived views
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hop:
    a: ActorMatch
    b: ActorMatch
    meetings: tuple[MeetingRecord, ...]

    def to_dict(self) -> dict:
        return {"from": self.a.to_dict(), "to": self.b.to_dict(), "meetings": [m.to_dict() for m in self.meetings]}


def shortest_chain(adjacency: dict[str, dict[str, int]], start: str, goal: str) -> list[str] | None:
    """Breadth-first over met-with links; among equally short chains, the one through the
    most frequent meetings is explored first. None when no chain exists."""
    if start == goal:
        return [start]
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for neighbour in sorted(adjacency.get(node, {}), key=lambda n: (-adjacency[node][n], n)):
            if neighbour in previous:
                continue
            previous[neighbour] = node
            if neighbour == goal:
                chain = [goal]
                while previous[chain[-1]] is not None:
                    chain.append(previous[chain[-1]])
                return chain[::-1]
            queue.append(neighbour)
    return None


def adjacency_of(found: Iterable[Edge]) -> dict[str, dict[str, int]]:
    adjacency: dict[str, dict[str, int]] = defaultdict(dict)
    for edge in found:
        adjacency[edge.a.iri][edge.b.iri] = edge.meetings
        adjacency[edge.b.iri][edge.a.iri] = edge.meetings
    return adjacency


def path(store: GraphStore, a: ActorMatch, b: ActorMatch, since: str | None = None, until: str | None = None,
         known: Directory | None = None) -> list[Hop] | None:
    """The shortest chain of held meetings from a to b, with those meetings; None if none."""
    known = known or directory(store)
    chain = shortest_chain(adjacency_of(edges(store, since, until, known)), a.iri, b.iri)
    if chain is None:
        return None
    actors = [a, *(known.actor(iri) for iri in chain[1:-1]), b] if len(chain) > 1 else [a]
    return [Hop(x, y, tuple(meetings(store, x, y, since, until, status="held", known=known)))
            for x, y in zip(actors, actors[1:])]


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a timeline: a meeting or a statement."""

    kind: str  # "meeting" | "statement"
    when: str | None
    approximate: bool  # `when` is the publication date, not a date the text gives
    meeting: MeetingRecord | None = None
    statement: StatementRecord | None = None

    def to_dict(self) -> dict:
        body = self.meeting.to_dict() if self.meeting else self.statement.to_dict()
        return {"kind": self.kind, "when": self.when, "approximate": self.approximate, self.kind: body}


def timeline(store: GraphStore, actor: ActorMatch, since: str | None = None, until: str | None = None,
             known: Directory | None = None) -> list[Event]:
    known = known or directory(store)
    events = [Event("meeting", m.when, m.date is None, meeting=m)
              for m in meetings(store, actor, None, since, until, known=known)]
    events += [Event("statement", s.published, True, statement=s)
               for s in statements(store, actor, since, until, known=known)]
    return sorted(events, key=lambda e: (e.when or "9999", e.kind, e.meeting.iri if e.meeting else e.statement.iri))


@dataclass
class Profile:
    actor: ActorMatch
    names_en: list[str]
    names_ar: list[str]
    offices: list[dict]
    meetings: int
    planned: int
    first_meeting: MeetingRecord | None
    last_meeting: MeetingRecord | None
    counterparts: list[Counterpart]
    statements: int
    recent_statements: list[StatementRecord] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"actor": self.actor.to_dict(), "names": {"en": self.names_en, "ar": self.names_ar},
                "offices": self.offices, "meetings": self.meetings, "planned": self.planned,
                "first_meeting": self.first_meeting.to_dict() if self.first_meeting else None,
                "last_meeting": self.last_meeting.to_dict() if self.last_meeting else None,
                "counterparts": [c.to_dict() for c in self.counterparts], "statements": self.statements,
                "recent_statements": [s.to_dict() for s in self.recent_statements]}


def offices(actor: ActorMatch, kb: KnowledgeBase) -> list[dict]:
    """Dated offices from the knowledge base, latest first."""
    person = kb.persons.get(actor.key)
    if not person:
        return []
    rows = []
    for office in person.offices:
        role = kb.roles.get(office.role)
        polity = kb.polities.get(office.of)
        rows.append({"role": office.role, "title": role.en if role else office.role.replace("_", " "),
                     "of": office.of, "of_label": polity.name_en if polity else office.of,
                     "start": office.start.isoformat() if office.start else None,
                     "end": office.end.isoformat() if office.end else None})
    return sorted(rows, key=lambda o: o["start"] or "", reverse=True)


def names(actor: ActorMatch, kb: KnowledgeBase, known: Directory) -> tuple[list[str], list[str]]:
    person, polity = kb.persons.get(actor.key), kb.polities.get(actor.key)
    if person:
        return [person.name_en], list(dict.fromkeys([*person.names_ar, *person.short_ar]))
    if polity:
        return [polity.name_en], list(polity.names_ar)
    spellings = [m.label for m in known.local if m.key == actor.key]
    return [], list(dict.fromkeys(spellings or [actor.label]))


def profile(store: GraphStore, actor: ActorMatch, kb: KnowledgeBase | None = None, top: int = 5,
            known: Directory | None = None) -> Profile:
    kb = kb or default()
    known = known or directory(store, kb)
    found = meetings(store, actor, known=known)
    held = [m for m in found if m.status == "held"]
    said = statements(store, actor, known=known)
    en, ar = names(actor, kb, known)
    return Profile(actor, en, ar, offices(actor, kb), len(held), len(found) - len(held),
                   held[0] if held else None, held[-1] if held else None,
                   counterparts(store, actor, known=known)[:top], len(said),
                   sorted(said, key=lambda s: s.published or "", reverse=True)[:top])


@dataclass(frozen=True, slots=True)
class Network:
    nodes: dict[str, ActorMatch]  # iri -> actor
    weights: dict[str, int]  # iri -> meetings held, at any date
    edges: list[Edge]
    centre: ActorMatch | None = None

    def to_dict(self) -> dict:
        return {"centre": self.centre.to_dict() if self.centre else None,
                "nodes": [{**a.to_dict(), "meetings": self.weights.get(iri, 0)} for iri, a in self.nodes.items()],
                "edges": [e.to_dict() for e in self.edges]}


def network(store: GraphStore, centre: ActorMatch | None = None, depth: int = 1, since: str | None = None,
            until: str | None = None, known: Directory | None = None) -> Network:
    """The met-with graph, or the neighbourhood of `centre` up to `depth` meetings away."""
    if depth < 1:
        raise ValueError("depth: at least 1")
    known = known or directory(store)
    found = edges(store, since, until, known)
    if centre is not None:
        adjacency = adjacency_of(found)
        reach = {centre.iri: 0}
        queue = deque([centre.iri])
        while queue:
            node = queue.popleft()
            if reach[node] >= depth:
                continue
            for neighbour in adjacency.get(node, {}):
                if neighbour not in reach:
                    reach[neighbour] = reach[node] + 1
                    queue.append(neighbour)
        found = [e for e in found if e.a.iri in reach and e.b.iri in reach]
    nodes = {end.iri: end for edge in found for end in (edge.a, edge.b)}
    weights = {r["actor"]: int(r["held"]) for r in _select(store, "actor-activity", {}) if r["actor"] in nodes}
    if centre is not None:
        nodes.setdefault(centre.iri, centre)
    return Network(nodes, dict(weights), found, centre)

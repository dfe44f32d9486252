"""Reports of one encounter in several articles -> one event (no RDF, no IRIs here).

A summit is told by many outlets, each in its own words: one gives the day, another
"اليوم" (resolved by the date finder), a third no date; one names the city, another only
a palace; one lists every attendee, another only the two leaders. Each article's meeting
is a *report*; this module decides which reports are one real-world encounter.

Two reports can be one encounter when

- they share at least two participants (one report may add attendees; reports sharing
  one person, such as a visitor's talks with the president and with the minister, are two
  encounters of one trip);
- their dates are compatible: each report stands for a window of days (a day; a month;
  an undated held report: the days up to its publication, `HELD_LAG_DAYS` back; an
  undated planned report: the days after its publication, `PLANNED_AHEAD_DAYS` ahead)
  and the windows meet. So the same leaders on another day stay apart, as does the
  airport welcome the day before the talks;
- their places do not conflict (a missing place conflicts with none; see `places_conflict`).

Status does not separate reports: a planned report ("سيلتقي ...") whose window holds the
held encounter joins it, keeping its own status in its own report.

Grouping is complete-link (a report joins an event only if compatible with every report
already in it) over the reports in one canonical order (day-dated first, then held before
planned, more participants first, then article id and the report's own id), and a report
that fits several events takes the one nearest its own date (an undated report: nearest
its publication). So the result is a function of the *set* of reports, whatever order
they come in, and each group of linked reports (sharing two participants with meeting
windows) can be resolved on its own: that is what makes incremental ingest possible.

An event's id is derived from its date (the day if any report gives it, else the month,
else the earliest publication date) and the participants every report names. It does not
change when a report joins, unless that report names fewer participants than all the
others or gives the first exact date; then the event gets the new id (documented, tested).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations

from kg.extract.normalize import fold_key
from kg.model import Actor, Extraction, MeetingStatus, Place

HELD_LAG_DAYS = 3  # an undated held report tells of an encounter at most this many days before publication
PLANNED_AHEAD_DAYS = 14  # an undated planned report announces one within this many days after publication


@dataclass(frozen=True, slots=True)
class Report:
    """One article's account of one meeting: only what merging compares."""

    article: str  # article id
    ref: str  # the report within its article (the meeting's position, or its node's IRI): unique per article
    participants: frozenset[str]  # actor keys (local names folded)
    status: MeetingStatus
    date: str | None = None  # "YYYY-MM-DD" or "YYYY-MM" as the text gives it
    place: str | None = None  # knowledge-base place key
    place_country: str | None = None  # the place's country, as the knowledge base gives it
    published: date | None = None  # the article's publication date

    @property
    def day(self) -> date | None:
        return _day(self.date) if self.date and len(self.date) == 10 else None

    @property
    def window(self) -> tuple[int, int] | None:
        """The days (ordinals, inclusive) this report's encounter can be on; None: unknown."""
        if self.date:
            d = _day(self.date)
            if d is not None and len(self.date) == 10:
                return d.toordinal(), d.toordinal()
            first = _day(self.date + "-01") if len(self.date) == 7 else None
            if first is not None:
                last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
                return first.toordinal(), last.toordinal()
        if self.published is None:
            return None
        p = self.published.toordinal()
        return (p, p + PLANNED_AHEAD_DAYS) if self.status == "planned" else (p - HELD_LAG_DAYS, p)

    @property
    def expected(self) -> int | None:
        """The day this report most likely means: its day, else its publication date."""
        day = self.day
        if day is not None:
            return day.toordinal()
        if self.date is None and self.published is not None:
            return self.published.toordinal()
        return None

    @property
    def rank(self) -> tuple:
        """Canonical order: the best-dated, held, fullest reports seed the events."""
        precision = 0 if self.day else 1 if self.date else 2
        return (precision, self.status != "held", -len(self.participants), self.article, self.ref)


@dataclass(frozen=True, slots=True)
class Event:
    """One real-world encounter and every report of it (in canonical order)."""

    id: str
    reports: tuple[Report, ...]
    participants: tuple[str, ...]  # named by every report, sorted
    date: str | None  # the day if a report gives it, else the month, else None
    status: MeetingStatus  # held if any report says held

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(sorted({r.article for r in self.reports}))

    @property
    def places(self) -> tuple[str, ...]:
        return tuple(sorted({r.place for r in self.reports if r.place}))

    @property
    def attendees(self) -> tuple[str, ...]:
        """Everyone any report names (one report may add attendees), sorted."""
        return tuple(sorted(frozenset().union(*(r.participants for r in self.reports))))


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def normal_key(key: str) -> str:
    """Spelling variants of a local name ("local:<name>") are one person, as kg.rdf gives them one IRI."""
    return "local:" + fold_key(key[len("local:"):]) if key.startswith("local:") else key


def actor_key(actor: Actor) -> str:
    return normal_key(actor.key)


def reports_of(extraction: Extraction, *, actor: Callable[[Actor], str] = actor_key,
               place: Callable[[Place], str] = lambda p: p.key,
               country: Callable[[str], str] = lambda code: code) -> list[Report]:
    """The reports of one article; `ref` is the meeting's position in the extraction.
    Actors, places and countries are identified by key, or as the callables say (kg.event_graph
    identifies them by IRI, as it reads them from the store)."""
    article = extraction.article
    return [Report(article=article.id, ref=str(i), participants=frozenset(actor(a) for a in m.participants),
                   status=m.status, date=m.date, place=place(m.place) if m.place else None,
                   place_country=country(m.place.country) if m.place and m.place.country else None,
                   published=article.published)
            for i, m in enumerate(extraction.meetings)]


def linked(a: Report, b: Report) -> bool:
    """Could be one encounter, places aside: two shared participants, meeting windows.
    Groups of linked reports are resolved independently of each other."""
    if len(a.participants & b.participants) < 2:
        return False
    wa, wb = a.window, b.window
    return wa is not None and wb is not None and wa[0] <= wb[1] and wb[0] <= wa[1]


def places_conflict(a: Report, b: Report) -> bool:
    """Two named places conflict when they cannot be one locality as far as the knowledge
    base tells: other countries (or, a country unknown, other places). Two places of one
    country do not (a palace and its city; the capital an article assumed and the city
    another names): the event then shows both, each with its articles."""
    if not (a.place and b.place) or a.place == b.place:
        return False
    return a.place_country is None or b.place_country is None or a.place_country != b.place_country


def compatible(a: Report, b: Report) -> bool:
    return linked(a, b) and not places_conflict(a, b)


def components(reports: Iterable[Report]) -> list[list[Report]]:
    """Groups of linked reports (transitively), each in canonical order, the groups too."""
    items = sorted(set(reports), key=lambda r: r.rank)
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_pair: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(items):
        if r.window is None:
            continue
        for pair in combinations(sorted(r.participants), 2):
            by_pair.setdefault(pair, []).append(i)
    for members in by_pair.values():
        # sweep by window start: only overlapping windows can link
        members.sort(key=lambda i: items[i].window)
        for n, i in enumerate(members):
            hi = items[i].window[1]
            for j in members[n + 1:]:
                if items[j].window[0] > hi:
                    break
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[Report]] = {}
    for i, r in enumerate(items):
        groups.setdefault(find(i), []).append(r)
    return list(groups.values())


@dataclass
class _Group:
    members: list[Report]
    lo: int
    hi: int
    people: set[str] = field(default_factory=set)


def _cluster(component: Sequence[Report]) -> list[list[Report]]:
    """Complete-link grouping of one component, given in canonical order."""
    groups: list[_Group] = []
    for r in component:
        window = r.window
        best, best_score = None, None
        if window is not None:
            for n, g in enumerate(groups):
                lo, hi = max(g.lo, window[0]), min(g.hi, window[1])
                if lo > hi or not all(compatible(r, m) for m in g.members):
                    continue
                x = r.expected
                distance = 0 if x is None or g.lo <= x <= g.hi else min(abs(x - g.lo), abs(x - g.hi))
                score = (distance, -len(r.participants & g.people), n)
                if best_score is None or score < best_score:
                    best, best_score = g, score
        if best is None:
            lo, hi = window if window is not None else (0, -1)
            groups.append(_Group([r], lo, hi, set(r.participants)))
        else:
            best.members.append(r)
            best.lo, best.hi = max(best.lo, window[0]), min(best.hi, window[1])
            best.people |= r.participants
    return [g.members for g in groups]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


def _event(members: list[Report], key: str) -> Event:
    core = frozenset.intersection(*(r.participants for r in members))
    days = sorted({r.date for r in members if r.date and len(r.date) == 10})
    months = sorted({r.date for r in members if r.date and len(r.date) == 7})
    when = days[0] if days else months[0] if months else None
    status = "held" if any(r.status == "held" for r in members) else "planned"
    return Event(id=_digest(key), reports=tuple(members), participants=tuple(sorted(core)), date=when, status=status)


def _key(members: list[Report]) -> str:
    core = sorted(frozenset.intersection(*(r.participants for r in members)))
    days = sorted({r.date for r in members if r.date and len(r.date) == 10})
    months = sorted({r.date for r in members if r.date and len(r.date) == 7})
    published = sorted(r.published for r in members if r.published)
    if days:
        when = days[0]
    elif months:
        when = months[0]
    elif published:
        when = "~" + published[0].isoformat()
    else:  # no time at all: a report of its own
        when = "?" + members[0].article + "\x1f" + members[0].ref
    return "\x1f".join([when, *core])


def resolve_component(component: Sequence[Report]) -> list[Event]:
    """The events of one group of linked reports (see `components`)."""
    clusters = _cluster(sorted(component, key=lambda r: r.rank))
    keyed: dict[str, list[list[Report]]] = {}
    for members in clusters:
        keyed.setdefault(_key(members), []).append(members)
    events = []
    for key, same in keyed.items():
        # the same people the same day, kept apart (places conflict): numbered by places, then first report
        same.sort(key=lambda ms: (sorted({r.place for r in ms if r.place}), ms[0].rank))
        for n, members in enumerate(same):
            events.append(_event(members, key if n == 0 else f"{key}\x1f#{n + 1}"))
    events.sort(key=lambda e: e.reports[0].rank)
    return events


def resolve(reports: Iterable[Report]) -> list[Event]:
    """Every report in exactly one event; the same events and ids for any order of `reports`."""
    events = [e for component in components(reports) for e in resolve_component(component)]
    events.sort(key=lambda e: e.reports[0].rank)
    return events

"""Every named query and relation command against a plain-Python computation of the same answer.

Random small worlds of `kg.model` objects (meetings with and without place and date, held
and planned, reported by one to three articles, articles with and without a publication
date, local actors found by title) are mapped by the real `kg.rdf` into a real pyoxigraph
store; each query, with each parameter and with none, must give exactly the rows that
`Oracle` computes from the objects themselves. The oracle follows the rules the queries
document: a meeting's date is what the text gives, else the publication date of its
article ("when"); a dated meeting is one node however many articles report it, an undated
one stays within its article (rdf.meeting_iri decides which, for both sides).
"""
from __future__ import annotations

import calendar
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kg import rdf, relations, summary
from kg.knowledge import default as default_kb
from kg.model import Actor, Article, Extraction, Meeting, Span, Statement
from kg.store import EmbeddedStore

KB = default_kb()
PERSON_KEYS = ("vladimir-putin", "ali-khamenei", "hassan-rouhani", "ebrahim-raisi", "bashar-al-assad")
PERSONS = tuple(KB.actor_for_person(KB.persons[key]) for key in PERSON_KEYS)
LOCALS = (Actor("local:سعيد الحربي", "person", label_ar="سعيد الحربي"),
          Actor("local:خالد المري", "person", label_ar="خالد المري"))
ACTORS = PERSONS + LOCALS
PLACE_KEYS = tuple(sorted(KB.places))[:3]
PLACES = tuple(KB.place(key) for key in PLACE_KEYS)
DAYS = ("2015-11-23", "2017-11-01", "2017-11-15", "2022-01-20")
MONTHS = ("2017-11", "2022-01")
PUBLISHED = (None, date(2015, 11, 23), date(2017, 11, 1), date(2017, 11, 20), date(2022, 1, 20))
CONTENTS = ("التعاون بين البلدين يتطور", "الوضع في سوريا خطير", "Peace in Syria matters")
# Date bounds around the dates above: a year, a month (which a day of it must pass), a day.
DATES = ((None, None), ("2017-11", None), (None, "2017-11-01"), ("2017-11-15", "2022-01-20"), ("2015", "2016"))


def iri(actor: Actor) -> str:
    return rdf.actor_iri(actor.key).value


def label_en(actor: Actor) -> str | None:
    return None if actor.is_local else actor.label_en


# ---------------------------------------------------------------------------
# Worlds
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """One meeting as it happened; each article that reports it makes a `Meeting`."""

    participants: tuple[Actor, ...]
    status: str
    date: str | None
    place: int | None
    host: bool  # the first participant received the others
    articles: tuple[int, ...]


@dataclass(frozen=True)
class Said:
    speakers: tuple[Actor, ...]
    content: str
    article: int


stories = st.builds(
    Story,
    participants=st.lists(st.sampled_from(ACTORS), min_size=2, max_size=3, unique=True).map(tuple),
    status=st.sampled_from(("held", "held", "planned")),
    date=st.sampled_from((None, None, *DAYS, *MONTHS)),
    place=st.sampled_from((None, 0, 1, 2)),
    host=st.booleans(),
    articles=st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True).map(tuple),
)
saids = st.builds(Said, speakers=st.lists(st.sampled_from(ACTORS), min_size=1, max_size=2, unique=True).map(tuple),
                  content=st.sampled_from(CONTENTS), article=st.integers(0, 3))
worlds = st.tuples(st.lists(st.sampled_from(PUBLISHED), min_size=4, max_size=4),
                   st.lists(stories, min_size=1, max_size=7), st.lists(saids, max_size=4))


def extractions(world) -> list[Extraction]:
    published, told, said = world
    texts: dict[int, str] = defaultdict(str)
    found: dict[int, list] = defaultdict(list)
    statements: dict[int, list] = defaultdict(list)
    for number, story in enumerate(told):
        for index in story.articles:
            names = " و".join(a.label_ar or a.label for a in story.participants)
            sentence = f"({number}) التقى {names}."
            start = len(texts[index])
            texts[index] += sentence + " "
            place = PLACES[story.place] if story.place is not None else None
            found[index].append(Meeting(story.participants, story.status, (Span(start, start + len(sentence), sentence),),
                                        story.date, place, story.participants[0] if story.host else None, "التقى"))
    for item in said:
        sentence = f"وأكد المتحدث أن {item.content}."
        start = len(texts[item.article])
        texts[item.article] += sentence + " "
        offset = sentence.index(item.content)
        statements[item.article].append(Statement(
            item.speakers, Span(start + offset, start + offset + len(item.content), item.content),
            Span(start, start + len(sentence), sentence), "أكد"))
    result = []
    for index in sorted(texts):
        actors = {a.key: a for m in found[index] for a in m.participants}
        actors.update({a.key: a for s in statements[index] for a in s.speakers})
        article = Article(f"a{index}", texts[index], published=published[index], source="Test")
        result.append(Extraction(article, found[index], statements[index], list(actors.values())))
    return result


def build(world) -> tuple[EmbeddedStore, list[Extraction]]:
    raw = ox.Store()
    persons = [p for p in KB.raw["persons"] if p["id"] in PERSON_KEYS]
    places = [p for p in KB.raw["places"] if p["id"] in PLACE_KEYS]
    raw.extend(rdf.knowledge_quads(persons, [], [], places))
    done = extractions(world)
    for extraction in done:
        raw.extend(rdf.extraction_quads(extraction))
    store = EmbeddedStore.wrapping(raw, "memory")
    summary.refresh(store)
    return store, done


# ---------------------------------------------------------------------------
# The oracle: the same answers computed from the objects
# ---------------------------------------------------------------------------


@dataclass
class Fact:
    """A meeting node: what every article reporting it says, and which articles do."""

    iri: str
    status: str
    date: str | None
    place: str | None
    participants: dict[str, Actor]
    hosts: set[str]
    reports: dict[str, date | None]  # article id -> publication date
    quotes: set[str]

    def when(self, article: str) -> str | None:
        published = self.reports[article]
        return self.date or (published.isoformat() if published else None)

    @property
    def reported(self) -> str | None:
        days = [d for d in self.reports.values() if d]
        return min(days).isoformat() if days else None


def _since_ok(when: str | None, since: str | None) -> bool:
    return since is None or (when is not None and when >= since[:len(when)])


def _until_ok(when: str | None, until: str | None) -> bool:
    return until is None or (when is not None and when <= until)


def _day(value: str | None) -> str | None:
    """A date parameter as the named queries bind it (YYYY -> YYYY-01-01)."""
    if value is None:
        return None
    return {4: f"{value}-01-01", 7: f"{value}-01"}.get(len(value), value)


class Oracle:
    def __init__(self, done: list[Extraction]):
        self.articles = {x.article.id: x.article for x in done}
        self.facts: dict[str, Fact] = {}
        self.statements = []  # (iri, article, speakers, content, quote)
        self.actors: dict[str, Actor] = {}
        for x in done:
            for m in x.meetings:
                node = rdf.meeting_iri(m, x.article.id).value
                fact = self.facts.setdefault(node, Fact(
                    node, m.status, m.date, rdf.place_iri(m.place.key).value if m.place else None,
                    {}, set(), {}, set()))
                fact.participants.update({iri(a): a for a in m.participants})
                fact.hosts.update({iri(m.host)} if m.host else set())
                fact.reports[x.article.id] = x.article.published
                fact.quotes.update(s.text for s in m.evidence)
                self.actors.update({iri(a): a for a in m.participants})
            for s in x.statements:
                node = rdf.statement_iri(x.article.id, s.content).value
                self.statements.append((node, x.article, {iri(a): a for a in s.speakers}, s.content.text,
                                        s.evidence.text))
                self.actors.update({iri(a): a for a in s.speakers})

    def rows(self, actor=None, with_=None, since=None, until=None):
        """(fact, article) pairs that pass the filters, as the queries join them."""
        for fact in self.facts.values():
            if actor and actor not in fact.participants or with_ and with_ not in fact.participants:
                continue
            for article in fact.reports:
                when = fact.when(article)
                if _since_ok(when, since) and _until_ok(when, until):
                    yield fact, article

    def encounters(self, actor=None, with_=None, since=None, until=None):
        """Facts that pass the filters, each with all its articles: an encounter's date is its
        own, else its earliest report's publication (no events in these worlds: each report
        is an encounter of its own)."""
        for fact in self.facts.values():
            if actor and actor not in fact.participants or with_ and with_ not in fact.participants:
                continue
            when = fact.date or fact.reported
            if _since_ok(when, since) and _until_ok(when, until):
                yield fact

    def _sources(self, fact: Fact) -> list[str]:
        return sorted(f"{a} (Test, {d.isoformat() if d else 'no date'})" for a, d in fact.reports.items())

    # --- named queries --------------------------------------------------------

    def meetings(self, actor=None, since=None, until=None) -> list[dict]:
        rows = [{"meeting": fact.iri, "date": fact.date, "status": fact.status, "place": fact.place,
                 "placeLabel": _place_label(fact.place), "placesReported": _place_label(fact.place) or "",
                 "participants": sorted(_label(a) for a in fact.participants.values()),
                 "articles": sorted(fact.reports), "reported": fact.reported, "reports": str(len(fact.reports)),
                 "sources": self._sources(fact)}
                for fact in self.encounters(actor, None, _day(since), _day(until))]
        # ORDER BY DESC(COALESCE(date, reported)) ?meeting: unbound sorts lowest, so last
        rows.sort(key=lambda r: r["meeting"])
        rows.sort(key=lambda r: (r["date"] or r["reported"]) is not None and (r["date"] or r["reported"]) or "",
                  reverse=True)
        return rows

    def actor_meetings(self, actor=None, with_=None, since=None, until=None) -> list[dict]:
        rows = [{"meeting": fact.iri, "status": fact.status, "date": fact.date, "place": fact.place,
                 "participants": sorted(fact.participants), "hosts": sorted(fact.hosts),
                 "articles": sorted(fact.reports), "sources": self._sources(fact), "reported": fact.reported}
                for fact in self.encounters(actor, with_, _day(since), _day(until))]
        return sorted(rows, key=lambda r: ((r["date"] is not None, r["date"] or ""),
                                           (r["reported"] is not None, r["reported"] or ""), r["meeting"]))

    def relations(self, actor, since=None, until=None, with_=None) -> list[dict]:
        grouped: dict[str, dict] = {}
        for fact, article in self.rows(actor, None, _day(since), _day(until)):
            for other, who in fact.participants.items():
                if other == actor or with_ and other != with_:
                    continue
                row = grouped.setdefault(other, {"counterpart": other, "held": set(), "planned": set(), "keys": [],
                                                 "places": set(), "articles": set(), "actor": who})
                row["held" if fact.status == "held" else "planned"].add(fact.iri)
                row["places"].update({fact.place} if fact.place else set())
                row["articles"].add(article)
                when = fact.when(article)
                if fact.status == "held" and when:
                    published = fact.reports[article]
                    row["keys"].append((when, fact.date or "", published.isoformat() if published else ""))
        rows = []
        for other, row in grouped.items():
            first = min(row["keys"]) if row["keys"] else ("", "", "")
            last = max(row["keys"]) if row["keys"] else ("", "", "")
            who = row["actor"]
            rows.append({"counterpart": other, "key": who.key, "labelEn": label_en(who), "labelAr": who.label_ar,
                         "meetings": len(row["held"]), "plannedMeetings": len(row["planned"]),
                         "first": first[1] or None, "last": last[1] or None,
                         "firstReported": first[2] or None, "lastReported": last[2] or None,
                         "places": sorted(row["places"]), "articles": sorted(row["articles"])})
        return sorted(rows, key=lambda r: (-r["meetings"], -r["plannedMeetings"],
                                           (r["labelEn"] is not None, r["labelEn"] or ""),
                                           (r["labelAr"] is not None, r["labelAr"] or ""), r["counterpart"]))

    def edges(self, since=None, until=None) -> list[dict]:
        grouped: dict[tuple[str, str], dict] = {}
        for fact, article in self.rows(None, None, _day(since), _day(until)):
            if fact.status != "held":
                continue
            for a in fact.participants:
                for b in fact.participants:
                    if a < b:
                        row = grouped.setdefault((a, b), {"a": a, "b": b, "meetings": set(), "when": []})
                        row["meetings"].add(fact.iri)
                        if fact.when(article):
                            row["when"].append(fact.when(article))
        return sorted(({"a": r["a"], "b": r["b"], "meetings": len(r["meetings"]),
                        "first": min(r["when"]) if r["when"] else None, "last": max(r["when"]) if r["when"] else None}
                       for r in grouped.values()), key=lambda r: (r["a"], r["b"]))

    def said(self, speaker=None, since=None, until=None, topic=None) -> list[tuple]:
        rows = []
        for node, article, speakers, content, quote in self.statements:
            published = article.published.isoformat() if article.published else None
            if speaker and speaker not in speakers:
                continue
            if since and (published is None or published < _day(since)):
                continue
            if until and (published is None or published > _day(until)):
                continue
            if topic and topic.lower() not in content.lower():
                continue
            rows.append((node, article.id, published, content, quote, speakers))
        return rows

    def activity(self, actor=None) -> list[dict]:
        counts: dict[str, dict] = defaultdict(lambda: {"meetings": set(), "held": set(), "statements": set()})
        for fact in self.facts.values():
            for who in fact.participants:
                counts[who]["meetings"].add(fact.iri)
                if fact.status == "held":
                    counts[who]["held"].add(fact.iri)
        for node, _article, speakers, *_ in self.statements:
            for who in speakers:
                counts[who]["statements"].add(node)
        return sorted(({"actor": who, **{k: len(v) for k, v in c.items()}} for who, c in counts.items()
                       if actor is None or who == actor), key=lambda r: r["actor"])


def _label(actor: Actor) -> str:
    return label_en(actor) or actor.label_ar


def _place_label(place: str | None) -> str | None:
    if place is None:
        return None
    key = place.rsplit("/", 1)[-1]
    return next(p.label_en for p in PLACES if rdf.place_iri(p.key).value == place) if key else None


# ---------------------------------------------------------------------------
# The store's answers, plainly
# ---------------------------------------------------------------------------


def select(store, name: str, **params) -> list[dict]:
    text = summary.bound_text(store, name, {k: v for k, v in params.items() if v is not None})
    return [{k: v.value for k, v in row.items()} for row in store.select(text)]


def _split(value: str | None, separator: str) -> list[str]:
    return sorted(part for part in (value or "").split(separator) if part)


def _actor_params():
    return [None, *(iri(a) for a in ACTORS)]


# Bounded and deterministic: the same examples on every run, no shrinking (a failure prints
# its world, which is small), no example database.
SETTINGS = settings(max_examples=10, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(worlds)
def test_named_queries_equal_the_oracle(world):
    store, done = build(world)
    oracle = Oracle(done)
    # meetings: each actor and none, each date bound and none
    for actor in _actor_params():
        for since, until in DATES:
            got = [{**r, "date": r.get("date"), "reported": r.get("reported"), "place": r.get("place"),
                    "placeLabel": r.get("placeLabel"), "participants": _split(r.get("participants"), " | "),
                    "articles": _split(r.get("articles"), " | "), "sources": _split(r.get("sources"), " | ")}
                   for r in select(store, "meetings", actor=actor, since=since, until=until)]
            for row in got:
                assert row.pop("evidence") in oracle.facts[row["meeting"]].quotes
            assert got == oracle.meetings(actor, since, until), (actor, since, until)
            got = [{"meeting": r["meeting"], "status": r["status"], "date": r.get("date"), "place": r.get("place"),
                    "participants": _split(r.get("participants"), " "), "hosts": _split(r.get("hosts"), " "),
                    "articles": _split(r.get("articles"), "\n"), "sources": _split(r.get("sources"), "\n"),
                    "reported": r.get("reported")}
                   for r in select(store, "actor-meetings", actor=actor, since=since, until=until)]
            assert got == oracle.actor_meetings(actor, None, since, until), (actor, since, until)
        for with_ in _actor_params()[1:4]:
            got = [r["meeting"] for r in select(store, "actor-meetings", actor=actor, **{"with": with_})]
            assert got == [r["meeting"] for r in oracle.actor_meetings(actor, with_)]
    # relations (required actor), met-with (the summary), each date and counterpart
    for actor in _actor_params()[1:]:
        expected = oracle.relations(actor)
        for name in ("relations", "met-with"):
            got = [_relation_row(r) for r in select(store, name, actor=actor)]
            assert got == expected, (name, actor)
        for since, until in DATES[1:]:
            got = [_relation_row(r) for r in select(store, "relations", actor=actor, since=since, until=until)]
            assert got == oracle.relations(actor, since, until), (actor, since, until)
        for with_ in _actor_params()[1:4]:
            for name in ("relations", "met-with"):
                got = [_relation_row(r) for r in select(store, name, actor=actor, **{"with": with_})]
                assert got == oracle.relations(actor, with_=with_), (name, actor, with_)
    for name, needed in (("relations", "actor"), ("met-with", "actor"), ("actor-statements", "speaker")):
        with pytest.raises(ValueError, match=f"needs the parameter {needed}"):
            select(store, name)
    # relation-edges
    for since, until in DATES:
        got = sorted(({"a": r["a"], "b": r["b"], "meetings": int(r["meetings"]), "first": r.get("first"),
                       "last": r.get("last")} for r in select(store, "relation-edges", since=since, until=until)),
                     key=lambda r: (r["a"], r["b"]))
        assert got == oracle.edges(since, until), (since, until)
    # statements, actor-statements
    for speaker in _actor_params():
        for since, topic in ((None, None), (None, "سوريا"), (None, "syria"), ("2017-11", None), ("2022", "syria")):
                got = sorted((r["statement"], r["documentId"], r.get("published"), r["content"])
                             for r in select(store, "statements", speaker=speaker, since=since, topic=topic))
                assert got == sorted(row[:4] for row in oracle.said(speaker, since, None, topic))
                labels = {r["statement"]: sorted(r["speakerLabel"].split(" | "))
                          for r in select(store, "statements", speaker=speaker, since=since, topic=topic)}
                for node, _a, _p, _c, _q, speakers in oracle.said(speaker, since, None, topic):
                    shown = [_label(speakers[speaker])] if speaker else sorted({_label(a) for a in speakers.values()})
                    assert labels[node] == shown
        if speaker is None:
            continue
        for since, until in DATES:
            got = [(r["statement"], r["documentId"], r.get("published"), r["content"], r["evidence"],
                    _split(r.get("speakers"), " "))
                   for r in select(store, "actor-statements", speaker=speaker, since=since, until=until)]
            want = sorted(((n, a, p, c, q, sorted(s)) for n, a, p, c, q, s in
                           oracle.said(speaker, since, until)),
                          key=lambda r: ((r[2] is not None, r[2] or ""), r[1], r[0]))
            assert got == want, (speaker, since, until)
    # activity, actors, articles, stats, local actors, summary state
    for actor in _actor_params():
        got = sorted(({"actor": r["actor"], "meetings": int(r["meetings"]), "held": int(r["held"]),
                       "statements": int(r["statements"])} for r in select(store, "actor-activity", actor=actor)),
                     key=lambda r: r["actor"])
        assert got == oracle.activity(actor)
    active = oracle.activity()
    got = [(r["actor"], r["key"], r.get("label"), int(r["meetings"]), int(r["statements"]))
           for r in select(store, "actors")]
    want = sorted(((a["actor"], oracle.actors[a["actor"]].key, _label(oracle.actors[a["actor"]]), a["meetings"],
                    a["statements"]) for a in active), key=lambda r: (-r[3], -r[4], r[0]))
    assert got == want
    got = [(r["documentId"], r.get("published"), int(r["meetings"]), int(r["statements"]))
           for r in select(store, "articles")]
    per_article = {x.article.id: (len({rdf.meeting_iri(m, x.article.id).value for m in x.meetings}),
                                  len({rdf.statement_iri(x.article.id, s.content).value for s in x.statements}))
                   for x in done}
    want = sorted(((i, a.published.isoformat() if a.published else None, *per_article[i])
                   for i, a in oracle.articles.items()), key=lambda r: r[0])
    want.sort(key=lambda r: r[1] or "", reverse=True)  # DESC(published): unbound last
    assert got == want
    stats = {k: int(v) for k, v in select(store, "stats")[0].items()}
    assert stats == {"articles": len(done), "meetings": len(oracle.facts),
                     "statements": len({row[0] for row in oracle.statements}),
                     "persons": len({who for f in oracle.facts.values() for who in f.participants}),
                     "places": len({f.place for f in oracle.facts.values() if f.place})}
    local = sorted({(iri(a), a.key, a.label_ar) for a in oracle.actors.values() if a.is_local}, key=lambda r: r[1:])
    assert [(r["actor"], r["key"], r["label"]) for r in select(store, "actor-local")] == local
    assert select(store, "summary-state") == [{"complete": "true",
                                                "rows": str(sum(len(oracle.relations(a)) for a in
                                                                {w for f in oracle.facts.values()
                                                                 for w in f.participants}))}]


def _relation_row(r: dict) -> dict:
    return {"counterpart": r["counterpart"], "key": r["key"], "labelEn": r.get("labelEn"), "labelAr": r.get("labelAr"),
            "meetings": int(r["meetings"]), "plannedMeetings": int(r["plannedMeetings"]), "first": r.get("first"),
            "last": r.get("last"), "firstReported": r.get("firstReported"), "lastReported": r.get("lastReported"),
            "places": _split(r.get("places"), " "), "articles": _split(r.get("articles"), " | ")}


# ---------------------------------------------------------------------------
# The relation commands (kg relations, actor, path, timeline, positions, network; /api)
# ---------------------------------------------------------------------------


def _until_day(value: str | None) -> str | None:
    """What `kg relations --until` means: to the end of that year or month."""
    if value is None or len(value) == 10:
        return value
    if len(value) == 4:
        return f"{value}-12-31"
    return f"{value}-{calendar.monthrange(int(value[:4]), int(value[5:]))[1]:02d}"


@SETTINGS
@given(worlds)
def test_relation_commands_equal_the_oracle(world):
    store, done = build(world)
    oracle = Oracle(done)
    known = relations.directory(store)
    for actor in ACTORS:
        me = known.actor(iri(actor))
        for since, until in [(None, None), ("2017", None), (None, "2017-11"), ("2017-11-15", "2022")]:
            want = oracle.relations(iri(actor), since, _until_day(until))
            got = relations.counterparts(store, me, since, until, known=known)
            assert [(c.actor.iri, c.meetings, c.planned, c.first, c.last, c.first_reported, c.last_reported,
                     list(c.articles)) for c in got] == \
                   [(r["counterpart"], r["meetings"], r["plannedMeetings"], r["first"], r["last"], r["firstReported"],
                     r["lastReported"], r["articles"]) for r in want], (actor.key, since, until)
            assert [sorted(c.places) for c in got] == [sorted(known.place(p)[0] for p in r["places"]) for r in want]
            for status in (None, "held", "planned"):
                found = relations.meetings(store, me, None, since, until, status, known=known)
                expected = [r for r in oracle.actor_meetings(iri(actor), None, since, _until_day(until))
                            if status is None or r["status"] == status]
                expected.sort(key=lambda r: (r["date"] or r["reported"] or "9999", r["meeting"]))
                assert [(m.iri, m.status, m.date, m.reported, sorted(p.iri for p in m.participants), list(m.articles))
                        for m in found] == \
                       [(r["meeting"], r["status"], r["date"], r["reported"], r["participants"], r["articles"])
                        for r in expected]
            for other in ACTORS[:3]:  # --with: one counterpart, and the meetings of the two
                you = known.actor(iri(other))
                got = relations.counterparts(store, me, since, until, you, known=known)
                assert [(c.actor.iri, c.meetings, c.planned, c.first, c.last) for c in got] == [
                    (r["counterpart"], r["meetings"], r["plannedMeetings"], r["first"], r["last"])
                    for r in want if r["counterpart"] == iri(other)]
                found = relations.meetings(store, me, you, since, until, known=known)
                assert sorted(m.iri for m in found) == sorted(
                    r["meeting"] for r in oracle.actor_meetings(iri(actor), iri(other), since, _until_day(until)))
            said = relations.statements(store, me, since, until, known=known)
            assert sorted(s.iri for s in said) == sorted(r[0] for r in oracle.said(iri(actor), since, _until_day(until)))
            on_syria = relations.statements(store, me, since, until, "سوريا", known=known)
            assert sorted(s.iri for s in on_syria) == sorted(
                r[0] for r in oracle.said(iri(actor), since, _until_day(until)) if "سوريا" in r[3])
            events = relations.timeline(store, me, since, until, known=known)
            assert sorted((e.kind, e.meeting.iri if e.meeting else e.statement.iri) for e in events) == sorted(
                [("meeting", m.iri) for m in relations.meetings(store, me, None, since, until, known=known)]
                + [("statement", s.iri) for s in said])
            assert [e.when or "9999" for e in events] == sorted(e.when or "9999" for e in events)
        profile = relations.profile(store, me, top=100, known=known)
        held = [r for r in oracle.actor_meetings(iri(actor)) if r["status"] == "held"]
        held.sort(key=lambda r: (r["date"] or r["reported"] or "9999", r["meeting"]))
        assert (profile.meetings, profile.planned) == (
            len(held), len([r for r in oracle.actor_meetings(iri(actor)) if r["status"] == "planned"]))
        assert (profile.first_meeting.iri if profile.first_meeting else None) == (held[0]["meeting"] if held else None)
        assert (profile.last_meeting.iri if profile.last_meeting else None) == (held[-1]["meeting"] if held else None)
        assert [c.actor.iri for c in profile.counterparts] == [r["counterpart"] for r in oracle.relations(iri(actor))]
        assert profile.statements == len(oracle.said(iri(actor)))
    for since, until in [(None, None), ("2017", "2017")]:
        want = oracle.edges(since, _until_day(until))
        got = sorted(((e.a.iri, e.b.iri, e.meetings, e.first, e.last) for e in relations.edges(store, since, until,
                                                                                               known=known)))
        assert got == [(r["a"], r["b"], r["meetings"], r["first"], r["last"]) for r in want]
    # path: the length of a shortest chain of held meetings, by breadth-first search here
    adjacency = defaultdict(set)
    for r in oracle.edges():
        adjacency[r["a"]].add(r["b"])
        adjacency[r["b"]].add(r["a"])
    for a in ACTORS:
        for b in ACTORS:
            hops = relations.path(store, known.actor(iri(a)), known.actor(iri(b)), known=known)
            distance = _distance(adjacency, iri(a), iri(b))
            assert (None if hops is None else len(hops)) == distance, (a.key, b.key)
            for hop in hops or []:
                assert hop.meetings and all(m.status == "held" and {hop.a.iri, hop.b.iri} <= {p.iri for p in m.participants}
                                            for m in hop.meetings)
    network = relations.network(store, known=known)
    assert sorted(network.nodes) == sorted({end for r in oracle.edges() for end in (r["a"], r["b"])})
    assert network.weights == {r["actor"]: r["held"] for r in oracle.activity() if r["actor"] in network.nodes}


def _distance(adjacency, start: str, goal: str) -> int | None:
    if start == goal:
        return 0
    seen = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in adjacency[node]:
            if nxt not in seen:
                seen[nxt] = seen[node] + 1
                if nxt == goal:
                    return seen[nxt]
                queue.append(nxt)
    return None

"""RDF terms and quads: the only module that knows IRIs.

Everything else hands model objects in and gets pyoxigraph quads (or IRIs to bind in a
query) out. The vocabulary is documented in `ontology/kg.ttl`; its shapes in
`ontology/shapes.ttl`.

Why the IRIs look the way they do:

- No blank nodes anywhere, so re-ingesting an article yields exactly the same quads and
  the store stays the same (quads are a set).
- Resource IRIs are derived from content, not counters: an actor from its
  knowledge-base key, a meeting as one article reports it (a *report*) from (article,
  participants, date, place, status). Reports of one encounter in several articles are
  joined by an event (`kg.events` decides which): a `kgo:MeetingEvent` in a graph of its
  own, pointing at each report (`kgo:report`) and article, its IRI derived from the
  event's day and common participants (see `kg.events`).
- Each article's facts (including the descriptions of the actors and places it
  mentions) live in that article's named graph, so an article can be replaced or
  removed by graph. The knowledge base and the ontology live in the default graph.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, parse

from kg.extract.normalize import fold_key
from kg.model import Actor, Article, Extraction, Meeting, Place, Span, Statement

ONTOLOGY_PATH = Path(__file__).resolve().parent.parent / "ontology" / "kg.ttl"
SHAPES_PATH = Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl"

BASE = "https://w3id.org/kg-meetings/"
ONTOLOGY_IRI = BASE + "ontology"
KGO_NS = BASE + "ontology#"
ID_NS = BASE + "id/"

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCT_NS = "http://purl.org/dc/terms/"
SCHEMA_NS = "https://schema.org/"  # https, as rdflib's SDO; not http://schema.org/
SEM_NS = "http://semanticweb.cs.vu.nl/2009/11/sem/"
PROV_NS = "http://www.w3.org/ns/prov#"
ORG_NS = "http://www.w3.org/ns/org#"
TIME_NS = "http://www.w3.org/2006/time#"
OA_NS = "http://www.w3.org/ns/oa#"
WIKIDATA_NS = "http://www.wikidata.org/entity/"

PREFIXES: dict[str, str] = {
    "kgo": KGO_NS,
    "id": ID_NS,
    "rdf": RDF_NS,
    "rdfs": RDFS_NS,
    "owl": OWL_NS,
    "xsd": XSD_NS,
    "skos": SKOS_NS,
    "dct": DCT_NS,
    "schema": SCHEMA_NS,
    "sem": SEM_NS,
    "prov": PROV_NS,
    "org": ORG_NS,
    "time": TIME_NS,
    "oa": OA_NS,
    "wd": WIKIDATA_NS,
}
SPARQL_PREFIXES = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in PREFIXES.items())


class RDF:
    type = NamedNode(RDF_NS + "type")
    value = NamedNode(RDF_NS + "value")
    langString = NamedNode(RDF_NS + "langString")


class RDFS:
    label = NamedNode(RDFS_NS + "label")


class OWL:
    sameAs = NamedNode(OWL_NS + "sameAs")


class XSD:
    string = NamedNode(XSD_NS + "string")
    boolean = NamedNode(XSD_NS + "boolean")
    date = NamedNode(XSD_NS + "date")
    gYearMonth = NamedNode(XSD_NS + "gYearMonth")
    gYear = NamedNode(XSD_NS + "gYear")
    anyURI = NamedNode(XSD_NS + "anyURI")
    integer = NamedNode(XSD_NS + "integer")


class SKOS:
    prefLabel = NamedNode(SKOS_NS + "prefLabel")
    altLabel = NamedNode(SKOS_NS + "altLabel")
    hiddenLabel = NamedNode(SKOS_NS + "hiddenLabel")


class DCT:
    source = NamedNode(DCT_NS + "source")


class SCHEMA:
    startDate = NamedNode(SCHEMA_NS + "startDate")
    location = NamedNode(SCHEMA_NS + "location")
    headline = NamedNode(SCHEMA_NS + "headline")
    publisher = NamedNode(SCHEMA_NS + "publisher")
    url = NamedNode(SCHEMA_NS + "url")
    datePublished = NamedNode(SCHEMA_NS + "datePublished")
    inLanguage = NamedNode(SCHEMA_NS + "inLanguage")


class PROV:
    wasDerivedFrom = NamedNode(PROV_NS + "wasDerivedFrom")


class ORG:
    Membership = NamedNode(ORG_NS + "Membership")
    Role = NamedNode(ORG_NS + "Role")
    member = NamedNode(ORG_NS + "member")
    organization = NamedNode(ORG_NS + "organization")
    role = NamedNode(ORG_NS + "role")
    memberDuring = NamedNode(ORG_NS + "memberDuring")


class TIME:
    Interval = NamedNode(TIME_NS + "Interval")
    Instant = NamedNode(TIME_NS + "Instant")
    hasBeginning = NamedNode(TIME_NS + "hasBeginning")
    hasEnd = NamedNode(TIME_NS + "hasEnd")
    inXSDDate = NamedNode(TIME_NS + "inXSDDate")
    inXSDgYearMonth = NamedNode(TIME_NS + "inXSDgYearMonth")
    inXSDgYear = NamedNode(TIME_NS + "inXSDgYear")


class OA:
    SpecificResource = NamedNode(OA_NS + "SpecificResource")
    TextPositionSelector = NamedNode(OA_NS + "TextPositionSelector")
    TextQuoteSelector = NamedNode(OA_NS + "TextQuoteSelector")
    hasSource = NamedNode(OA_NS + "hasSource")
    hasSelector = NamedNode(OA_NS + "hasSelector")
    start = NamedNode(OA_NS + "start")
    end = NamedNode(OA_NS + "end")
    exact = NamedNode(OA_NS + "exact")


class KGO:
    """Terms of `ontology/kg.ttl`."""

    Meeting = NamedNode(KGO_NS + "Meeting")
    Statement = NamedNode(KGO_NS + "Statement")
    Actor = NamedNode(KGO_NS + "Actor")
    Person = NamedNode(KGO_NS + "Person")
    Country = NamedNode(KGO_NS + "Country")
    Organisation = NamedNode(KGO_NS + "Organisation")
    Place = NamedNode(KGO_NS + "Place")
    Article = NamedNode(KGO_NS + "Article")
    Office = NamedNode(KGO_NS + "Office")
    MeetingStatus = NamedNode(KGO_NS + "MeetingStatus")
    Held = NamedNode(KGO_NS + "Held")
    Planned = NamedNode(KGO_NS + "Planned")
    participant = NamedNode(KGO_NS + "participant")
    host = NamedNode(KGO_NS + "host")
    status = NamedNode(KGO_NS + "status")
    trigger = NamedNode(KGO_NS + "trigger")
    speaker = NamedNode(KGO_NS + "speaker")
    content = NamedNode(KGO_NS + "content")
    contentSpan = NamedNode(KGO_NS + "contentSpan")
    reportingVerb = NamedNode(KGO_NS + "reportingVerb")
    collective = NamedNode(KGO_NS + "collective")
    evidence = NamedNode(KGO_NS + "evidence")
    documentId = NamedNode(KGO_NS + "documentId")
    contentHash = NamedNode(KGO_NS + "contentHash")
    key = NamedNode(KGO_NS + "key")
    wikidata = NamedNode(KGO_NS + "wikidata")
    localActor = NamedNode(KGO_NS + "localActor")
    country = NamedNode(KGO_NS + "country")
    capital = NamedNode(KGO_NS + "capital")
    MetWithSummary = NamedNode(KGO_NS + "MetWithSummary")
    summaryActor = NamedNode(KGO_NS + "summaryActor")
    summaryCounterpart = NamedNode(KGO_NS + "summaryCounterpart")
    ActorSummary = NamedNode(KGO_NS + "ActorSummary")
    actorRecord = NamedNode(KGO_NS + "actorRecord")
    summaryCovers = NamedNode(KGO_NS + "summaryCovers")
    counterpartKey = NamedNode(KGO_NS + "counterpartKey")
    counterpartName = NamedNode(KGO_NS + "counterpartName")
    heldMeetingCount = NamedNode(KGO_NS + "heldMeetingCount")
    plannedMeetingCount = NamedNode(KGO_NS + "plannedMeetingCount")
    firstMeetingDate = NamedNode(KGO_NS + "firstMeetingDate")
    lastMeetingDate = NamedNode(KGO_NS + "lastMeetingDate")
    firstReportedDate = NamedNode(KGO_NS + "firstReportedDate")
    lastReportedDate = NamedNode(KGO_NS + "lastReportedDate")
    placeList = NamedNode(KGO_NS + "placeList")
    articleList = NamedNode(KGO_NS + "articleList")
    summaryComplete = NamedNode(KGO_NS + "summaryComplete")
    summaryRecord = NamedNode(KGO_NS + "summaryRecord")
    MeetingEvent = NamedNode(KGO_NS + "MeetingEvent")
    ReportedValue = NamedNode(KGO_NS + "ReportedValue")
    report = NamedNode(KGO_NS + "report")
    reportCount = NamedNode(KGO_NS + "reportCount")
    reportedPlace = NamedNode(KGO_NS + "reportedPlace")
    reportedDate = NamedNode(KGO_NS + "reportedDate")
    eventsComplete = NamedNode(KGO_NS + "eventsComplete")


ACTOR_CLASS: dict[str, NamedNode] = {
    "person": KGO.Person,
    "country": KGO.Country,
    "organisation": KGO.Organisation,
}
STATUS: dict[str, NamedNode] = {"held": KGO.Held, "planned": KGO.Planned}
LOCAL_PREFIX = "local:"

_TRUE = Literal(True)
_DEFAULT_GRAPH = DefaultGraph()
_WIKIDATA_ID = re.compile(r"Q[1-9][0-9]*")
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEAR_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
_YEAR = re.compile(r"[0-9]{4}")


# ---------------------------------------------------------------------------
# IRIs
# ---------------------------------------------------------------------------


def _segment(value: str) -> str:
    """One IRI path segment from any string: ids may hold '/', ':', spaces or Arabic."""
    return quote(value, safe="-._~")


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=10).hexdigest()


@lru_cache(maxsize=65536)
def article_iri(article_id: str) -> NamedNode:
    return NamedNode(f"{ID_NS}article/{_segment(article_id)}")


@lru_cache(maxsize=65536)
def graph_iri(article_id: str) -> NamedNode:
    """Name of the graph holding everything extracted from one article."""
    return NamedNode(f"{ID_NS}graph/{_segment(article_id)}")


def article_graph(article: Article) -> NamedNode:
    return graph_iri(article.id)


@lru_cache(maxsize=65536)
def local_actor_iri(name: str) -> NamedNode:
    """Spelling variants of one local name (hamza, ta marbuta, diacritics) share an IRI."""
    folded = fold_key(name)
    return NamedNode(f"{ID_NS}actor/local/{_digest(folded)}")


@lru_cache(maxsize=65536)
def actor_iri(key: str) -> NamedNode:
    """A knowledge-base actor (person id, country or organisation code), or `local:<name>`."""
    if key.startswith(LOCAL_PREFIX):
        return local_actor_iri(key[len(LOCAL_PREFIX):])
    return NamedNode(f"{ID_NS}actor/{_segment(key)}")


@lru_cache(maxsize=65536)
def place_iri(key: str) -> NamedNode:
    return NamedNode(f"{ID_NS}place/{_segment(key)}")


@lru_cache(maxsize=1024)
def role_iri(key: str) -> NamedNode:
    return NamedNode(f"{ID_NS}role/{_segment(key)}")


@lru_cache(maxsize=65536)
def wikidata_iri(qid: str) -> NamedNode:
    if not _WIKIDATA_ID.fullmatch(qid):
        raise ValueError(f"not a Wikidata item id: {qid!r}")
    return NamedNode(WIKIDATA_NS + qid)


def instant_iri(value: str) -> NamedNode:
    """A day (or month, or year) as a time:Instant, shared by every interval it bounds."""
    return NamedNode(f"{ID_NS}instant/{_segment(value)}")


def office_iri(person_key: str, role: str, of: str, start: str | None) -> NamedNode:
    parts = (person_key, role, of, start or "undated")
    return NamedNode(f"{ID_NS}office/" + "/".join(_segment(part) for part in parts))


def meeting_iri(meeting: Meeting, article_id: str) -> NamedNode:
    """One article's report of a meeting: a dated one is identified by what it says (so an
    article repeating it gives one node), an undated one also by where it is first
    mentioned. Reports of one encounter in several articles meet in an event (`event_iri`)."""
    participants = sorted(actor_iri(actor.key).value for actor in meeting.participants)
    if meeting.date:
        place = meeting.place.key if meeting.place else ""
        digest = _digest("report", article_id, *participants, meeting.date, place, meeting.status)
    else:
        first = min((span.start for span in meeting.evidence), default=0)
        digest = _digest("undated", article_id, *participants, meeting.status, str(first))
    return NamedNode(f"{ID_NS}meeting/{digest}")


EVENT_GRAPH_PREFIX = f"{ID_NS}event-graph/"
EVENTS_STATE_GRAPH = NamedNode(f"{ID_NS}events/state")  # holds the mark that the events are complete


def is_derived_graph(graph: str) -> bool:
    """Graphs ingest derives from the article graphs (events, the met-with summary), not articles."""
    return graph.startswith(EVENT_GRAPH_PREFIX) or graph in (EVENTS_STATE_GRAPH.value, f"{ID_NS}summary/met-with")


def event_iri(event_id: str) -> NamedNode:
    """One real-world encounter (`kg.events.Event.id`), joining its reports."""
    return NamedNode(f"{ID_NS}event/{_segment(event_id)}")


def event_graph_iri(event_id: str) -> NamedNode:
    """The graph of one event, replaced or dropped as a whole when its reports change."""
    return NamedNode(EVENT_GRAPH_PREFIX + _segment(event_id))


def report_iri(ref: str) -> NamedNode:
    """A report's node from the `ref` kg.event_graph gave it (its IRI as read from the store)."""
    return NamedNode(ref)


SUMMARY_GRAPH = NamedNode(f"{ID_NS}summary/met-with")  # the graph of the met-with summary (kg.summary)
# Where a remote server with no stored default graph (Virtuoso) keeps what the embedded store
# keeps in the default graph: ontology and knowledge base (kg.remote maps it back on export).
DEFAULT_GRAPH_STANDIN = NamedNode(f"{ID_NS}graph/default")


def summary_row_iri(actor: NamedNode, counterpart: NamedNode) -> NamedNode:
    """One row of the met-with summary: the actor's side of its meetings with the counterpart."""
    return NamedNode(f"{ID_NS}met-with/{_digest(actor.value, counterpart.value)}")


def statement_iri(article_id: str, content: Span) -> NamedNode:
    return NamedNode(f"{ID_NS}article/{_segment(article_id)}/statement/{content.start}-{content.end}")


def span_iri(article_id: str, start: int, end: int) -> NamedNode:
    return NamedNode(f"{ID_NS}article/{_segment(article_id)}/span/{start}-{end}")


# ---------------------------------------------------------------------------
# Literals
# ---------------------------------------------------------------------------


def _text(value: str, language: str | None) -> Literal:
    return Literal(value, language=language) if language else Literal(value)


def date_literal(value: str, *, allow_year: bool = False) -> Literal:
    """'YYYY-MM-DD' -> xsd:date, 'YYYY-MM' -> xsd:gYearMonth (and 'YYYY' -> xsd:gYear
    for office dates): the precision the source gives, never padded to a false day."""
    if _FULL_DATE.fullmatch(value):
        return Literal(value, datatype=XSD.date)
    if _YEAR_MONTH.fullmatch(value):
        return Literal(value, datatype=XSD.gYearMonth)
    if allow_year and _YEAR.fullmatch(value):
        return Literal(value, datatype=XSD.gYear)
    raise ValueError(f"not an ISO date or year-month: {value!r}")


# ---------------------------------------------------------------------------
# One article
# ---------------------------------------------------------------------------


class _ArticleQuads:
    """Collects the quads of one article in its graph, describing each node once."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.node = article_iri(article.id)
        self.graph = graph_iri(article.id)
        self.language = article.language or None
        self.quads: list[Quad] = []
        self._described: set[str] = set()

    def add(self, subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        self.quads.append(Quad(subject, predicate, obj, self.graph))

    def _first_time(self, iri: NamedNode) -> bool:
        if iri.value in self._described:
            return False
        self._described.add(iri.value)
        return True

    def article_node(self) -> None:
        article, node, add = self.article, self.node, self.add
        add(node, RDF.type, KGO.Article)
        add(node, KGO.documentId, Literal(article.id))
        add(node, KGO.contentHash, Literal(article.content_hash))
        add(node, SCHEMA.inLanguage, Literal(article.language))
        if article.title:
            add(node, SCHEMA.headline, _text(article.title, self.language))
        if article.source:
            add(node, SCHEMA.publisher, Literal(article.source))
        if article.url:
            add(node, SCHEMA.url, Literal(article.url, datatype=XSD.anyURI))
        if article.published:
            add(node, SCHEMA.datePublished, Literal(article.published.isoformat(), datatype=XSD.date))

    def span(self, span: Span) -> NamedNode:
        """Evidence as a Web Annotation target; refuses offsets that do not give its text."""
        node = span_iri(self.article.id, span.start, span.end)
        if not self._first_time(node):
            return node
        if not 0 <= span.start < span.end or self.article.text[span.start:span.end] != span.text:
            raise ValueError(
                f"{self.article.id}: span [{span.start}, {span.end}) does not hold {span.text!r}"
            )
        position = NamedNode(node.value + "/position")
        quote_selector = NamedNode(node.value + "/quote")
        add = self.add
        add(node, RDF.type, OA.SpecificResource)
        add(node, OA.hasSource, self.node)
        add(node, OA.hasSelector, position)
        add(node, OA.hasSelector, quote_selector)
        add(position, RDF.type, OA.TextPositionSelector)
        # xsd:integer, not the Web Annotation context's nonNegativeInteger: Oxigraph stores
        # derived integer types as xsd:integer, and a quad must read back as it was written.
        add(position, OA.start, Literal(span.start))
        add(position, OA.end, Literal(span.end))
        add(quote_selector, RDF.type, OA.TextQuoteSelector)
        add(quote_selector, OA.exact, Literal(span.text))
        return node

    def actor(self, actor: Actor) -> NamedNode:
        """Knowledge-base actors are described once, in the default graph; repeating their
        names in every article graph would multiply query rows in the union view. Local
        actors (found by title, not in the knowledge base) are described in their article."""
        node = actor_iri(actor.key)
        if not actor.is_local or not self._first_time(node):
            return node
        add = self.add
        add(node, RDF.type, ACTOR_CLASS[actor.kind])
        add(node, KGO.key, Literal(actor.key))
        add(node, KGO.localActor, _TRUE)
        name = actor.label_ar or actor.label_en or actor.key[len(LOCAL_PREFIX):]
        add(node, RDFS.label, Literal(name, language="ar" if actor.label_ar else None))
        add(node, SKOS.prefLabel, Literal(name, language="ar" if actor.label_ar else None))
        if actor.wikidata:
            add(node, KGO.wikidata, Literal(actor.wikidata))
            add(node, OWL.sameAs, wikidata_iri(actor.wikidata))
        return node

    def place(self, place: Place) -> NamedNode:
        """Places all come from the knowledge base, described in the default graph."""
        return place_iri(place.key)

    def meeting(self, meeting: Meeting) -> NamedNode:
        node = meeting_iri(meeting, self.article.id)
        add = self.add
        add(node, RDF.type, KGO.Meeting)
        for participant in meeting.participants:
            add(node, KGO.participant, self.actor(participant))
        add(node, KGO.status, STATUS[meeting.status])
        if meeting.date:
            add(node, SCHEMA.startDate, date_literal(meeting.date))
        if meeting.place:
            add(node, SCHEMA.location, self.place(meeting.place))
        if meeting.host:
            add(node, KGO.host, self.actor(meeting.host))
        if meeting.trigger:
            add(node, KGO.trigger, _text(meeting.trigger, self.language))
        for span in meeting.evidence:
            add(node, KGO.evidence, self.span(span))
        add(node, PROV.wasDerivedFrom, self.node)
        return node

    def statement(self, statement: Statement) -> NamedNode:
        node = statement_iri(self.article.id, statement.content)
        add = self.add
        add(node, RDF.type, KGO.Statement)
        for speaker in statement.speakers:
            add(node, KGO.speaker, self.actor(speaker))
        add(node, KGO.content, _text(statement.content.text, self.language))
        add(node, KGO.contentSpan, self.span(statement.content))
        add(node, KGO.reportingVerb, _text(statement.verb, self.language))
        if statement.collective:
            add(node, KGO.collective, _TRUE)
        add(node, KGO.evidence, self.span(statement.evidence))
        add(node, PROV.wasDerivedFrom, self.node)
        return node


def extraction_quads(extraction: Extraction) -> list[Quad]:
    """All quads of one article, in its graph; the same extraction always gives the same quads.

    Raises ValueError when a span's offsets do not give its text, or a date or Wikidata id
    is malformed: a fact pointing at the wrong words is worse than no fact.
    """
    quads = _ArticleQuads(extraction.article)
    quads.article_node()
    for meeting in extraction.meetings:
        quads.meeting(meeting)
    for statement in extraction.statements:
        quads.statement(statement)
    for actor in extraction.actors:
        quads.actor(actor)
    return quads.quads


# ---------------------------------------------------------------------------
# Events (see kg.events and kg.event_graph)
# ---------------------------------------------------------------------------


_PLACE_NS = f"{ID_NS}place/"


def event_quads(event) -> list[Quad]:
    """One `kg.events.Event` as `kg.event_graph` makes it (reports, actors and places
    identified by their IRIs), in its own graph: every
    report and article, everyone any report names, the agreed date and status, and each
    place and date reported with the articles reporting it (two places: both, no
    schema:location), so a disagreement is visible rather than silently settled."""
    node = event_iri(event.id)
    graph = event_graph_iri(event.id)
    quads: dict[Quad, None] = {}

    def add(subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        quads[Quad(subject, predicate, obj, graph)] = None

    add(node, RDF.type, KGO.MeetingEvent)
    add(node, KGO.status, STATUS[event.status])
    if event.date:
        add(node, SCHEMA.startDate, date_literal(event.date))
    for actor in event.attendees:
        add(node, KGO.participant, NamedNode(actor))
    for report in event.reports:
        add(node, KGO.report, report_iri(report.ref))
        add(node, PROV.wasDerivedFrom, article_iri(report.article))
    add(node, KGO.reportCount, Literal(len(event.reports)))
    places = event.places
    if len(places) == 1:
        add(node, SCHEMA.location, NamedNode(places[0]))
    for place in places:
        local = place[len(_PLACE_NS):] if place.startswith(_PLACE_NS) else _digest(place)
        value = NamedNode(f"{node.value}/place/{local}")
        add(node, KGO.reportedPlace, value)
        add(value, RDF.type, KGO.ReportedValue)
        add(value, RDF.value, NamedNode(place))
        for report in event.reports:
            if report.place == place:
                add(value, PROV.wasDerivedFrom, article_iri(report.article))
    for day in sorted({r.date for r in event.reports if r.date}):
        value = NamedNode(f"{node.value}/date/{_segment(day)}")
        add(node, KGO.reportedDate, value)
        add(value, RDF.type, KGO.ReportedValue)
        add(value, RDF.value, date_literal(day))
        for report in event.reports:
            if report.date == day:
                add(value, PROV.wasDerivedFrom, article_iri(report.article))
    return list(quads)


def events_complete_quad() -> Quad:
    """The mark that the event graphs match the article graphs."""
    return Quad(EVENTS_STATE_GRAPH, KGO.eventsComplete, _TRUE, EVENTS_STATE_GRAPH)


# ---------------------------------------------------------------------------
# Knowledge base (default graph)
# ---------------------------------------------------------------------------


class _KnowledgeQuads:
    def __init__(self) -> None:
        self.quads: dict[Quad, None] = {}  # ordered set: shared roles and dates appear once

    def add(self, subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        self.quads[Quad(subject, predicate, obj, _DEFAULT_GRAPH)] = None

    def source(self, node: NamedNode, source: str | None) -> None:
        """'wikidata:Q…' becomes a link to the item; anything else stays the text it is."""
        if not source:
            return
        if source.startswith("wikidata:") and _WIKIDATA_ID.fullmatch(source[len("wikidata:"):]):
            self.add(node, PROV.wasDerivedFrom, wikidata_iri(source[len("wikidata:"):]))
        elif source.startswith(("http://", "https://")) and " " not in source:
            self.add(node, PROV.wasDerivedFrom, NamedNode(source))
        else:
            self.add(node, DCT.source, Literal(source))

    def names(self, node: NamedNode, entry: dict) -> None:
        """Every name is an rdfs:label; SKOS says which is canonical per language."""
        add = self.add
        name_en = entry.get("name_en")
        if name_en:
            add(node, RDFS.label, Literal(name_en, language="en"))
            add(node, SKOS.prefLabel, Literal(name_en, language="en"))
        names_ar = list(dict.fromkeys(entry.get("names_ar") or []))
        for name in names_ar:
            add(node, RDFS.label, Literal(name, language="ar"))
        if names_ar:
            add(node, SKOS.prefLabel, Literal(names_ar[0], language="ar"))
        used = set(names_ar[:1])
        for name in [*names_ar[1:], *(entry.get("short_ar") or [])]:
            if name not in used:
                used.add(name)
                add(node, SKOS.altLabel, Literal(name, language="ar"))
        for name in entry.get("short_ar_context") or []:  # only meaningful in context
            if name not in used:
                used.add(name)
                add(node, SKOS.hiddenLabel, Literal(name, language="ar"))

    def identified(self, node: NamedNode, cls: NamedNode, key: str, entry: dict) -> None:
        add = self.add
        add(node, RDF.type, cls)
        add(node, KGO.key, Literal(key))
        self.names(node, entry)
        wikidata = entry.get("wikidata")
        if wikidata:
            add(node, KGO.wikidata, Literal(wikidata))
            add(node, OWL.sameAs, wikidata_iri(wikidata))
        self.source(node, entry.get("source"))

    def instant(self, value: str) -> NamedNode:
        node = instant_iri(value)
        literal = date_literal(value, allow_year=True)
        precision = {XSD.date: TIME.inXSDDate, XSD.gYearMonth: TIME.inXSDgYearMonth}
        self.add(node, RDF.type, TIME.Instant)
        self.add(node, precision.get(literal.datatype, TIME.inXSDgYear), literal)
        return node

    def office(self, person: NamedNode, person_key: str, office: dict) -> None:
        role, of, start, end = office["role"], office["of"], office.get("start"), office.get("end")
        node = office_iri(person_key, role, of, start)
        interval = NamedNode(node.value + "/interval")
        add = self.add
        add(node, RDF.type, ORG.Membership)
        add(node, RDF.type, KGO.Office)
        add(node, ORG.member, person)
        add(node, ORG.organization, actor_iri(of))
        add(node, ORG.role, role_iri(role))
        add(role_iri(role), RDF.type, ORG.Role)
        add(role_iri(role), KGO.key, Literal(role))
        add(role_iri(role), RDFS.label, Literal(role.replace("_", " "), language="en"))
        add(node, ORG.memberDuring, interval)
        add(interval, RDF.type, TIME.Interval)
        if start:
            add(interval, TIME.hasBeginning, self.instant(start))
        if end:
            add(interval, TIME.hasEnd, self.instant(end))
        self.source(node, office.get("source"))


def knowledge_quads(
    persons: Iterable[dict],
    countries: Iterable[dict],
    organisations: Iterable[dict],
    places: Iterable[dict],
) -> list[Quad]:
    """The knowledge base (entries exactly as in kg/knowledge/*.json) in the default graph."""
    kb = _KnowledgeQuads()
    for country in countries:
        node = actor_iri(country["code"])
        kb.identified(node, KGO.Country, country["code"], country)
        if country.get("capital"):
            kb.add(node, KGO.capital, place_iri(country["capital"]))
    for organisation in organisations:
        kb.identified(actor_iri(organisation["code"]), KGO.Organisation, organisation["code"], organisation)
    for person in persons:
        node = actor_iri(person["id"])
        kb.identified(node, KGO.Person, person["id"], person)
        for office in person.get("offices") or []:
            kb.office(node, person["id"], office)
    for place in places:
        node = place_iri(place["id"])
        kb.identified(node, KGO.Place, place["id"], place)
        if place.get("country"):
            kb.add(node, KGO.country, actor_iri(place["country"]))
            if place.get("capital") is True:
                kb.add(actor_iri(place["country"]), KGO.capital, node)
    return list(kb.quads)


# ---------------------------------------------------------------------------
# Ontology
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _ontology() -> tuple[Quad, ...]:
    return tuple(parse(path=ONTOLOGY_PATH, format=RdfFormat.TURTLE))


def ontology_quads() -> list[Quad]:
    """kg.ttl in the default graph, so the store documents its own vocabulary."""
    return list(_ontology())


# ---------------------------------------------------------------------------
# The met-with summary (see ontology/kg.ttl and kg/summary.py)
# ---------------------------------------------------------------------------

# Columns of queries/relations.rq -> the summary predicate keeping each one.
SUMMARY_COLUMNS: dict[str, NamedNode] = {
    "key": KGO.counterpartKey,
    "labelEn": KGO.counterpartName,
    "labelAr": KGO.counterpartName,
    "meetings": KGO.heldMeetingCount,
    "plannedMeetings": KGO.plannedMeetingCount,
    "first": KGO.firstMeetingDate,
    "last": KGO.lastMeetingDate,
    "firstReported": KGO.firstReportedDate,
    "lastReported": KGO.lastReportedDate,
    "places": KGO.placeList,
    "articles": KGO.articleList,
}


# The short columns again, in one tab-separated literal (kgo:summaryRecord) that
# queries/met-with.rq splits: reading one stored term costs a few microseconds, and the
# busiest actors have hundreds of rows.
SUMMARY_RECORD = ("meetings", "plannedMeetings", "first", "last", "firstReported", "lastReported",
                  "key", "labelEn", "labelAr")


def summary_quads(actor: NamedNode, row: dict) -> list[Quad]:
    """One relations.rq row (terms keyed by column) of `actor` as summary quads; empty
    values (no places, no date) are left out, as the query leaves them unbound."""
    counterpart = row["counterpart"]
    node = summary_row_iri(actor, counterpart)
    graph = SUMMARY_GRAPH
    quads = [Quad(node, RDF.type, KGO.MetWithSummary, graph), Quad(node, KGO.summaryActor, actor, graph),
             Quad(node, KGO.summaryCounterpart, counterpart, graph)]
    for column, predicate in SUMMARY_COLUMNS.items():
        value = row.get(column)
        if value is not None and value.value != "":
            quads.append(Quad(node, predicate, value, graph))
    record = "\t".join(row[c].value.replace("\t", " ") if row.get(c) is not None else "" for c in SUMMARY_RECORD)
    quads.append(Quad(node, KGO.summaryRecord, Literal(record), graph))
    return quads


# An actor's row (kgo:actorRecord): counts, key and label in one literal, which
# queries/actor-list.rq splits; the label's language tag is a field of its own.
ACTOR_RECORD = ("meetings", "statements", "key", "labelLanguage", "label")


def actor_summary_quads(actor: NamedNode, row: dict) -> list[Quad]:
    """One actors.rq row (terms keyed by column) of `actor` as summary quads: one triple,
    the actor's own kgo:actorRecord in the summary graph (one stored term to read per actor,
    where a row node of its own would cost two)."""
    graph = SUMMARY_GRAPH
    label = row.get("label")
    fields = {"meetings": row["meetings"].value, "statements": row["statements"].value, "key": row["key"].value,
              "labelLanguage": (label.language or "") if isinstance(label, Literal) else "",
              "label": label.value if label is not None else ""}
    record = "\t".join(fields[c].replace("\t", " ") for c in ACTOR_RECORD)
    return [Quad(actor, KGO.actorRecord, Literal(record), graph)]


def summary_complete_quads() -> list[Quad]:
    """The marks that the summary matches the article graphs, and that it holds the actor
    rows (a summary written before them lacks this mark, and so counts as incomplete)."""
    return [Quad(SUMMARY_GRAPH, KGO.summaryCovers, KGO.ActorSummary, SUMMARY_GRAPH),
            Quad(SUMMARY_GRAPH, KGO.summaryComplete, _TRUE, SUMMARY_GRAPH)]

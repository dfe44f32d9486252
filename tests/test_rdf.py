"""The RDF layer against a real pyoxigraph store, SHACL (pyshacl) and rdflib."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, Variable, serialize
from pyshacl import validate

from kg import event_graph, events, rdf
from kg.model import Actor, Article, Extraction, Meeting, Place, Span, Statement

PUTIN = Actor("vladimir-putin", "person", "Vladimir Putin", "فلاديمير بوتين", "Q7747")
ARAGHCHI = Actor("abbas-araghchi", "person", "Abbas Araghchi", "عباس عراقجي")
LAVROV = Actor("sergey-lavrov", "person", "Sergey Lavrov", "سيرغي لافروف")
GOVERNOR = Actor("local:محافظ موسكو", "person", label_ar="محافظ موسكو")
RUSSIA = Actor("RUS", "country", "Russia", "روسيا", "Q159")
MOSCOW = Place("moscow", "Moscow", "موسكو", "Q649", "RUS")
TEHRAN = Place("tehran", "Tehran", "طهران", "Q3616", "IRN")

TEXT_A = (
    "استقبل الرئيس الروسي فلاديمير بوتين وزير الخارجية الإيراني عباس عراقجي في موسكو "
    "يوم الأربعاء 12 مارس 2025. وأكد بوتين أن العلاقات بين البلدين تشهد تطورا ملحوظا. "
    "كما التقى عراقجي نظيره الروسي سيرغي لافروف ومحافظ موسكو. "
    "ومن المقرر أن يلتقي لافروف عراقجي في طهران الشهر المقبل."
)
TEXT_B = "التقى وزير الخارجية الإيراني عباس عراقجي الرئيس فلاديمير بوتين في موسكو الأربعاء."


def span(text: str, words: str, upto: str | None = None) -> Span:
    """The span of `words` in `text` (through `upto` when given), as the extractor gives it."""
    start = text.index(words)
    end = text.index(upto, start) + len(upto) if upto else start + len(words)
    return Span(start, end, text[start:end])


def article_a() -> Extraction:
    article = Article(
        "a/001 موسكو.txt", TEXT_A, published=date(2025, 3, 13), source="IRNA",
        url="https://example.org/news?id=1&lang=ar", title="بوتين يستقبل عراقجي",
    )
    reception = Meeting(
        (PUTIN, ARAGHCHI), "held", (span(TEXT_A, "استقبل", "عباس عراقجي"),),
        date="2025-03-12", place=MOSCOW, host=PUTIN, trigger="استقبل",
    )
    trio = Meeting(
        (ARAGHCHI, LAVROV, GOVERNOR), "held", (span(TEXT_A, "التقى", "ومحافظ موسكو"),),
        trigger="التقى",
    )
    planned = Meeting(
        (LAVROV, ARAGHCHI), "planned", (span(TEXT_A, "يلتقي", "الشهر المقبل"),),
        date="2025-04", place=TEHRAN, trigger="يلتقي",
    )
    content = span(TEXT_A, "العلاقات", "ملحوظا")
    said = Statement((PUTIN,), content, span(TEXT_A, "أكد", "ملحوظا"), "أكد")
    return Extraction(article, [reception, trio, planned], [said], [PUTIN, ARAGHCHI, LAVROV, GOVERNOR, RUSSIA])


def article_b() -> Extraction:
    article = Article("b-002", TEXT_B, published=date(2025, 3, 12))
    meeting = Meeting(
        (ARAGHCHI, PUTIN), "held", (span(TEXT_B, "التقى", "بوتين"),),
        date="2025-03-12", place=MOSCOW, trigger="التقى",
    )
    return Extraction(article, [meeting], [], [ARAGHCHI, PUTIN])


PERSONS = [
    {"id": "vladimir-putin", "name_en": "Vladimir Putin", "wikidata": "Q7747",
     "names_ar": ["فلاديمير بوتين", "فلاديمير بوتن"], "short_ar": ["بوتين", "بوتن"],
     "short_ar_context": [], "gender": "m",
     "offices": [
         {"role": "president", "of": "RUS", "start": "2012-05-07", "end": None, "source": "wikidata:Q7747"},
         {"role": "prime_minister", "of": "RUS", "start": "2008-05-08", "end": "2012-05-07",
          "source": "wikidata:Q7747"},
     ],
     "source": "wikidata:Q7747"},
    {"id": "abbas-araghchi", "name_en": "Abbas Araghchi", "wikidata": None,
     "names_ar": ["عباس عراقجي", "عباس عراقچی"], "short_ar": ["عراقجي"], "short_ar_context": [],
     "gender": "m",
     "offices": [{"role": "foreign_minister", "of": "IRN", "start": "2024-08", "end": None,
                  "source": "checked on the ministry's site"}],
     "source": "hand-made test entry"},
]
PERSONS.append(
    {"id": "sergey-lavrov", "name_en": "Sergey Lavrov", "wikidata": None, "names_ar": ["سيرغي لافروف"],
     "short_ar": ["لافروف"], "short_ar_context": [], "gender": "m",
     "offices": [{"role": "foreign_minister", "of": "RUS", "start": "2004-03-09", "end": None, "source": "test"}],
     "source": "hand-made test entry"})
COUNTRIES = [
    {"code": "RUS", "kind": "country", "name_en": "Russia", "wikidata": "Q159",
     "names_ar": ["روسيا", "روسيا الاتحادية"], "demonym_ar": ["روسي"], "capital": "moscow",
     "source": "wikidata:Q159"},
    {"code": "IRN", "kind": "country", "name_en": "Iran", "wikidata": "Q794",
     "names_ar": ["إيران"], "demonym_ar": ["إيراني"], "capital": "tehran", "source": "wikidata:Q794"},
]
ORGANISATIONS = [
    {"code": "ARAB_LEAGUE", "kind": "organisation", "name_en": "Arab League", "wikidata": None,
     "names_ar": ["جامعة الدول العربية", "الجامعة العربية"], "demonym_ar": [], "source": None},
]
PLACES = [
    {"id": "moscow", "name_en": "Moscow", "wikidata": "Q649", "names_ar": ["موسكو"],
     "country": "RUS", "capital": True, "source": "wikidata:Q649"},
    {"id": "tehran", "name_en": "Tehran", "wikidata": "Q3616", "names_ar": ["طهران"],
     "country": "IRN", "capital": True, "source": "wikidata:Q3616"},
]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(rdf.SHAPES_PATH, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(rdf.ONTOLOGY_PATH, format="turtle")


def as_rdflib(quads: list[Quad]) -> rdflib.Graph:
    """The union of the quads' graphs, as SHACL sees one data graph."""
    ntriples = serialize([quad.triple for quad in quads], format=RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=ntriples, format="nt")


def shacl(quads: list[Quad], shapes: rdflib.Graph, ontology: rdflib.Graph) -> tuple[bool, str]:
    """Validate as the store holds it: article graphs refer to knowledge-base actors and places,
    which are described once, in the default graph."""
    knowledge = rdf.knowledge_quads(PERSONS, COUNTRIES, ORGANISATIONS, PLACES)
    conforms, _, text = validate(as_rdflib(quads + knowledge), shacl_graph=shapes, ont_graph=ontology,
                                 inference="none")
    return conforms, text


def meeting_nodes(store: Store) -> set[str]:
    return {q.subject.value for q in store.quads_for_pattern(None, rdf.RDF.type, rdf.KGO.Meeting, None)}


# ---------------------------------------------------------------------------
# SHACL
# ---------------------------------------------------------------------------


def test_extractions_conform_in_the_store(shapes, ontology):
    store = Store()
    store.extend(rdf.extraction_quads(article_a()))
    store.extend(rdf.extraction_quads(article_b()))
    conforms, text = shacl(list(store), shapes, ontology)
    assert conforms, text


@pytest.mark.parametrize("extraction", [article_a(), article_b()], ids=["a", "b"])
def test_each_article_graph_conforms_on_its_own(extraction, shapes, ontology):
    quads = rdf.extraction_quads(extraction)
    assert {q.graph_name for q in quads} == {rdf.article_graph(extraction.article)}
    conforms, text = shacl(quads, shapes, ontology)
    assert conforms, text


def test_meeting_with_one_participant_does_not_conform(shapes, ontology):
    quads = rdf.extraction_quads(article_b())
    araghchi = rdf.actor_iri(ARAGHCHI.key)
    broken = [q for q in quads if not (q.predicate == rdf.KGO.participant and q.object == araghchi)]
    assert len(broken) == len(quads) - 1
    conforms, text = shacl(broken, shapes, ontology)
    assert not conforms
    assert "two or more participants" in text


def test_span_starting_after_its_end_does_not_conform(shapes, ontology):
    quads = rdf.extraction_quads(article_b())
    position = next(q.subject for q in quads if q.predicate == rdf.OA.start)
    start = next(q for q in quads if q.subject == position and q.predicate == rdf.OA.start)
    end = next(q for q in quads if q.subject == position and q.predicate == rdf.OA.end)
    swapped = [q for q in quads if q not in (start, end)] + [
        Quad(position, rdf.OA.start, end.object, start.graph_name),
        Quad(position, rdf.OA.end, start.object, end.graph_name),
    ]
    conforms, text = shacl(swapped, shapes, ontology)
    assert not conforms
    assert "below its end" in text


def test_meeting_without_status_or_source_does_not_conform(shapes, ontology):
    quads = rdf.extraction_quads(article_b())
    broken = [q for q in quads if q.predicate not in (rdf.KGO.status, rdf.PROV.wasDerivedFrom)]
    conforms, text = shacl(broken, shapes, ontology)
    assert not conforms
    assert "exactly one status" in text and "derived from at least one Article" in text


def test_knowledge_base_conforms_alone_and_with_articles(shapes, ontology):
    knowledge = rdf.knowledge_quads(PERSONS, COUNTRIES, ORGANISATIONS, PLACES)
    assert {q.graph_name for q in knowledge} == {rdf._DEFAULT_GRAPH}
    conforms, text = shacl(knowledge, shapes, ontology)
    assert conforms, text
    conforms, text = shacl(knowledge + rdf.extraction_quads(article_a()), shapes, ontology)
    assert conforms, text


def test_office_without_beginning_does_not_conform(shapes, ontology):
    undated = [{**PERSONS[0], "offices": [{**PERSONS[0]["offices"][0], "start": None}]}]
    conforms, text = shacl(rdf.knowledge_quads(undated, COUNTRIES, [], []), shapes, ontology)
    assert not conforms
    assert "interval with a beginning date" in text


# ---------------------------------------------------------------------------
# identity, idempotence, provenance
# ---------------------------------------------------------------------------


def test_no_blank_nodes_and_deterministic():
    first = rdf.extraction_quads(article_a())
    again = rdf.extraction_quads(article_a())
    assert first == again
    terms = [t for q in first for t in (q.subject, q.object)]
    assert all(isinstance(t, (NamedNode, Literal)) for t in terms)
    assert all(isinstance(t, (NamedNode, Literal)) for q in rdf.ontology_quads() for t in (q.subject, q.object))


def test_reingest_adds_nothing():
    extraction = article_a()
    store = Store()
    quads = rdf.extraction_quads(extraction)
    store.extend(quads)
    assert set(store) == set(quads)  # every term reads back as written (no literal rewriting)
    count = len(store)
    store.extend(rdf.extraction_quads(extraction))
    assert len(store) == count
    store.remove_graph(rdf.article_graph(extraction.article))
    assert len(store) == 0
    store.extend(rdf.extraction_quads(extraction))
    assert len(store) == count


def test_same_dated_meeting_from_two_articles_is_two_reports_joined_by_one_event():
    store = Store()
    store.extend(rdf.extraction_quads(article_a()))
    store.extend(rdf.extraction_quads(article_b()))
    report_a = rdf.meeting_iri(article_a().meetings[0], article_a().article.id)
    report_b = rdf.meeting_iri(article_b().meetings[0], article_b().article.id)
    assert report_a != report_b  # each article keeps its own report
    assert len(meeting_nodes(store)) == 4  # reception twice, trio, planned
    for report, extraction in ((report_a, article_a()), (report_b, article_b())):
        graphs = {q.graph_name for q in store.quads_for_pattern(report, None, None, None)}
        assert graphs == {rdf.article_graph(extraction.article)}
    reports = event_graph.reports_as_stored(article_a()) + event_graph.reports_as_stored(article_b())
    joined = [e for e in events.resolve(reports) if len(e.reports) > 1]
    assert [[(r.article, r.ref) for r in e.reports] for e in joined] == [[("a/001 موسكو.txt", "0"), ("b-002", "0")]]
    store.extend(rdf.event_quads(replace(joined[0], reports=tuple(
        replace(r, ref=rdf.meeting_iri(x.meetings[int(r.ref)], r.article).value)
        for r, x in zip(joined[0].reports, (article_a(), article_b()))))))
    event = rdf.event_iri(joined[0].id)
    assert {q.object for q in store.quads_for_pattern(event, rdf.KGO.report, None, None)} == {report_a, report_b}
    assert {q.object for q in store.quads_for_pattern(event, rdf.PROV.wasDerivedFrom, None, None)} == {
        rdf.article_iri("a/001 موسكو.txt"), rdf.article_iri("b-002")}

    store.remove_graph(rdf.article_graph(article_a().article))
    participants = {q.object for q in store.quads_for_pattern(report_b, rdf.KGO.participant, None, None)}
    assert participants == {rdf.actor_iri(PUTIN.key), rdf.actor_iri(ARAGHCHI.key)}


def test_event_graphs_conform_and_an_event_without_reports_does_not(shapes, ontology):
    quads = rdf.extraction_quads(article_a()) + rdf.extraction_quads(article_b())
    extractions = {"a/001 موسكو.txt": article_a(), "b-002": article_b()}
    for event in events.resolve(event_graph.reports_as_stored(article_a()) + event_graph.reports_as_stored(article_b())):
        as_stored = tuple(replace(r, ref=rdf.meeting_iri(extractions[r.article].meetings[int(r.ref)], r.article).value)
                          for r in event.reports)
        quads += rdf.event_quads(replace(event, reports=as_stored))
    conforms, text = shacl(quads, shapes, ontology)
    assert conforms, text
    broken = [q for q in quads if q.predicate != rdf.KGO.report]
    conforms, text = shacl(broken, shapes, ontology)
    assert not conforms
    assert "An event joins at least one report" in text


def test_undated_meetings_stay_apart_and_status_splits_nodes():
    trio = article_a().meetings[1]
    assert rdf.meeting_iri(trio, "x") != rdf.meeting_iri(trio, "y")
    reception = article_a().meetings[0]
    assert rdf.meeting_iri(reception, "x") != rdf.meeting_iri(replace(reception, status="planned"), "x")


def test_local_actor_spellings_share_an_iri_and_live_in_their_graph():
    assert rdf.actor_iri("local:محافظ موسكو") == rdf.actor_iri("local:مُحافظ موسكو")
    assert rdf.actor_iri("local:محافظ موسكو") != rdf.actor_iri("local:محافظ طهران")
    quads = rdf.extraction_quads(article_a())
    governor = rdf.actor_iri(GOVERNOR.key)
    local = [q for q in quads if q.subject == governor and q.predicate == rdf.KGO.localActor]
    assert [q.object for q in local] == [Literal(True)]
    assert Quad(governor, rdf.RDFS.label, Literal("محافظ موسكو", language="ar"),
                rdf.article_graph(article_a().article)) in quads


def test_ids_become_safe_distinct_iris():
    ids = ["a/001 موسكو.txt", "a%2F001 موسكو.txt", "a:001", "a_001"]
    iris = [rdf.article_iri(i).value for i in ids]
    assert len(set(iris)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9:/._~%-]+", iri) for iri in iris)
    assert rdf.graph_iri(ids[0]) != rdf.article_iri(ids[0])


def test_span_that_misses_its_words_is_refused():
    extraction = article_b()
    meeting = extraction.meetings[0]
    shifted = Span(meeting.evidence[0].start + 1, meeting.evidence[0].end + 1, meeting.evidence[0].text)
    extraction.meetings[0] = replace(meeting, evidence=(shifted,))
    with pytest.raises(ValueError, match="does not hold"):
        rdf.extraction_quads(extraction)


def test_dates_keep_their_precision():
    assert rdf.date_literal("2025-03-12").datatype == rdf.XSD.date
    assert rdf.date_literal("2025-04").datatype == rdf.XSD.gYearMonth
    with pytest.raises(ValueError):
        rdf.date_literal("2025")
    assert rdf.date_literal("2025", allow_year=True).datatype == rdf.XSD.gYear


def test_knowledge_offices_are_dated_memberships():
    store = Store()
    store.extend(rdf.knowledge_quads(PERSONS, COUNTRIES, ORGANISATIONS, PLACES))
    rows = list(store.query(rdf.SPARQL_PREFIXES + """
        SELECT ?p ?c ?role ?begin ?end WHERE {  # pyoxigraph substitutes projected variables only
          ?m org:member ?p ; org:organization ?c ; org:role/kgo:key ?role ; org:memberDuring ?i .
          ?i time:hasBeginning/time:inXSDDate ?begin .
          OPTIONAL { ?i time:hasEnd/time:inXSDDate ?end }
        } ORDER BY ?begin""", substitutions={Variable("p"): rdf.actor_iri("vladimir-putin"), Variable("c"): rdf.actor_iri("RUS")}))
    assert [(r["role"].value, r["begin"].value, r["end"].value if r["end"] else None) for r in rows] == [
        ("prime_minister", "2008-05-08", "2012-05-07"),
        ("president", "2012-05-07", None),
    ]
    month = store.query(rdf.SPARQL_PREFIXES + 'ASK { ?i time:hasBeginning/time:inXSDgYearMonth "2024-08"^^xsd:gYearMonth }')
    assert bool(month)
    capital = list(store.quads_for_pattern(rdf.actor_iri("IRN"), rdf.KGO.capital, None, None))
    assert [q.object for q in capital] == [rdf.place_iri("tehran")]


def test_knowledge_labels_are_skos_consistent():
    quads = rdf.knowledge_quads(PERSONS, [], [], [])
    putin = rdf.actor_iri("vladimir-putin")
    labels = {(q.predicate, q.object.value, q.object.language) for q in quads
              if q.subject == putin and isinstance(q.object, Literal) and q.object.language}
    assert (rdf.SKOS.prefLabel, "فلاديمير بوتين", "ar") in labels
    assert (rdf.SKOS.altLabel, "فلاديمير بوتن", "ar") in labels
    assert (rdf.RDFS.label, "فلاديمير بوتن", "ar") in labels
    assert (rdf.SKOS.altLabel, "فلاديمير بوتين", "ar") not in labels
    assert (rdf.OWL.sameAs, rdf.wikidata_iri("Q7747")) in {(q.predicate, q.object) for q in quads if q.subject == putin}


# ---------------------------------------------------------------------------
# serialisations and the ontology
# ---------------------------------------------------------------------------


def test_trig_export_round_trips_through_rdflib():
    store = Store()
    store.extend(rdf.ontology_quads())
    store.extend(rdf.knowledge_quads(PERSONS, COUNTRIES, ORGANISATIONS, PLACES))
    store.extend(rdf.extraction_quads(article_a()))
    store.extend(rdf.extraction_quads(article_b()))
    dataset = rdflib.Dataset()
    dataset.parse(data=store.dump(format=RdfFormat.TRIG), format="trig")
    assert len(list(dataset.quads((None, None, None, None)))) == len(store)
    assert len(list(store.named_graphs())) == 2


def test_every_kgo_term_is_defined_with_english_and_arabic_labels(ontology):
    kgo = rdflib.Namespace(rdf.KGO_NS)
    kinds = {rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty, rdflib.OWL.NamedIndividual}
    defined = {s for s, _, o in ontology.triples((None, rdflib.RDF.type, None)) if o in kinds and s.startswith(kgo)}
    used = {rdflib.URIRef(v.value) for k, v in vars(rdf.KGO).items() if isinstance(v, NamedNode)}
    assert used <= defined, used - defined
    for term in defined:
        for prop in (rdflib.RDFS.label, rdflib.RDFS.comment):
            languages = {o.language for o in ontology.objects(term, prop)}
            assert {"en", "ar"} <= languages, (term, prop)


def test_ontology_aligns_to_established_vocabularies(ontology):
    sdo, sem = rdflib.Namespace(rdf.SCHEMA_NS), rdflib.Namespace(rdf.SEM_NS)
    kgo = rdflib.Namespace(rdf.KGO_NS)
    supers = set(ontology.objects(kgo.Meeting, rdflib.RDFS.subClassOf))
    assert {sem.Event, sdo.Event} <= supers
    assert {sem.hasActor, sdo.attendee} <= set(ontology.objects(kgo.participant, rdflib.RDFS.subPropertyOf))
    assert rdflib.URIRef(rdf.ONTOLOGY_IRI) in set(ontology.subjects(rdflib.RDF.type, rdflib.OWL.Ontology))

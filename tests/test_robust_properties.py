"""Property-based tests of the extractor and the date resolver on hostile text.

The text mixes random Unicode with the very fragments the extractor looks for (titles,
names, demonyms, trigger words, reporting verbs, quotes, Arabic-Indic digits, diacritics,
tatweel, date phrases), so the rules fire on broken, overlapping and nonsensical input.
Whatever comes in: no exception, every span slices back to its text, every meeting has
two participants or more, dates are real, and the RDF mapping accepts the result.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import rdf
from kg.extract import Extractor
from kg.extract.dates import find_dates
from kg.knowledge import KNOWLEDGE_DIR
from kg.model import Article, Extraction, Span

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MONTH = re.compile(r"(\d{4})-(\d{2})")
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _load(name: str):
    return json.loads((KNOWLEDGE_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, list[str]]:
    """Words the extractor reacts to, straight from the knowledge files (no hand-picked list)."""
    roles = _load("roles.json")
    triggers = _load("triggers.json")
    persons = [p for f in sorted((KNOWLEDGE_DIR / "persons").glob("*.json"))
               for p in json.loads(f.read_text(encoding="utf-8"))]
    countries = _load("countries.json") + _load("organisations.json")
    return {
        "title": sorted({t for role in roles["roles"].values() for t in role.get("titles_ar", [])}),
        "honorific": list(roles["honorifics_ar"]) + list(roles["counterpart_ar"]),
        "name": sorted({n for p in persons for n in p.get("names_ar", []) + p.get("short_ar", [])}),
        "demonym": sorted({"ال" + d for c in countries for d in c.get("demonym_ar", [])}),
        "country": sorted({n for c in countries for n in c.get("names_ar", [])}),
        "place": sorted({n for p in _load("places.json") for n in p.get("names_ar", [])}),
        "trigger": sorted({w for group in triggers["meeting"].values() for w in group}
                          | set(triggers["planned_markers"]) | set(triggers["remote_markers"])),
        "reporting": sorted({w for group in triggers["reporting"].values() for w in group}),
        "group": list(triggers["group_references"]),
    }


DATE_PHRASES = ["اليوم", "أمس", "أمس الأربعاء", "غدا", "الخميس", "يوم الاثنين المقبل", "الأسبوع الماضي",
                "الشهر المقبل", "العام الماضي", "15 مارس 2024", "١٥ آذار ٢٠٢٤", "٢٠ شوال ١٤٤٥ هـ",
                "في 31 فبراير", "في 0 يناير 0000", "9999-12-31", "أول أمس", "مطلع الشهر الجاري"]
PUNCTUATION = ["،", ".", "؛", ":", "«", "»", "“", "”", '"', "(", ")", "-", "\n", "\n\n", "؟", "!", " ", "\u200f", "\xa0"]
DIACRITICS = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0640", "\u0670"]  # harakat, tatweel, dagger alef
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"


def _sprinkle(word: str, marks: list[str]) -> str:
    """A word with diacritics or tatweel after some letters, as hostile typesetting does."""
    if not marks or not word:
        return word
    out = []
    for index, char in enumerate(word):
        out.append(char)
        if index < len(marks) and marks[index]:
            out.append(marks[index])
    return "".join(out)


@st.composite
def fragments(draw) -> str:
    kind = draw(st.sampled_from(["title", "honorific", "name", "name", "demonym", "country", "place", "trigger",
                                 "trigger", "reporting", "group", "date", "punct", "digits", "unicode", "quote"]))
    if kind == "date":
        word = draw(st.sampled_from(DATE_PHRASES))
    elif kind == "punct":
        return draw(st.sampled_from(PUNCTUATION))
    elif kind == "digits":
        return draw(st.text(alphabet=ARABIC_DIGITS + "0123456789/-", min_size=1, max_size=10))
    elif kind == "unicode":
        return draw(st.text(max_size=12))
    elif kind == "quote":
        inner = draw(st.lists(st.sampled_from(vocabulary()["country"] + vocabulary()["trigger"]), max_size=4))
        opening, closing = draw(st.sampled_from([("«", "»"), ("“", "”"), ('"', '"'), ("«", ""), ("", "”")]))
        return opening + " ".join(inner) + closing
    else:
        word = draw(st.sampled_from(vocabulary()[kind]))
    prefix = draw(st.sampled_from(["", "", "", "و", "ف", "ب", "ل", "وال"]))
    marks = draw(st.lists(st.sampled_from([""] * 6 + DIACRITICS), max_size=4))
    return prefix + _sprinkle(word, marks)


@st.composite
def meeting_like(draw) -> str:
    """A sentence shaped like a wire report of a meeting, so meetings and statements are
    actually found, with noise dropped in between its parts."""
    words = vocabulary()
    parts = [draw(st.sampled_from(words["title"])), draw(st.sampled_from(words["demonym"])),
             draw(st.sampled_from(words["name"])), draw(st.sampled_from(words["trigger"])),
             draw(st.sampled_from(words["honorific"] + words["title"])), draw(st.sampled_from(words["demonym"])),
             draw(st.sampled_from(words["name"])), "في", draw(st.sampled_from(words["place"])),
             draw(st.sampled_from(DATE_PHRASES)), "،", draw(st.sampled_from(words["reporting"])), "أن",
             "«" + draw(st.sampled_from(words["country"])) + " " + draw(st.text(max_size=8)) + "»", "."]
    noise = draw(st.lists(st.tuples(st.integers(0, len(parts)), fragments()), max_size=3))
    for position, fragment in sorted(noise, reverse=True):
        parts.insert(position, fragment)
    return " ".join(parts)


article_texts = st.lists(st.one_of(fragments(), meeting_like()), min_size=1, max_size=40).map(" ".join)
publication_dates = st.one_of(st.none(), st.dates(), st.dates(dt.date(2010, 1, 1), dt.date(2026, 12, 31)))


@lru_cache(maxsize=1)
def extractor() -> Extractor:
    return Extractor()


def assert_span(span: Span, text: str) -> None:
    assert 0 <= span.start <= span.end <= len(text), span
    assert text[span.start:span.end] == span.text, span


def assert_date_value(value: str | None) -> None:
    if value is None:
        return
    if DAY.fullmatch(value):
        dt.date.fromisoformat(value)
        return
    match = MONTH.fullmatch(value)
    assert match and 1 <= int(match.group(2)) <= 12, value


def check_extraction(extraction: Extraction) -> None:
    text = extraction.article.text
    for meeting in extraction.meetings:
        assert len(meeting.participants) >= 2, meeting
        assert len({actor.key for actor in meeting.participants}) == len(meeting.participants), meeting
        assert meeting.status in ("held", "planned")
        assert meeting.evidence
        for span in meeting.evidence:
            assert_span(span, text)
        assert_date_value(meeting.date)
    for statement in extraction.statements:
        assert statement.speakers, statement
        assert_span(statement.content, text)
        assert_span(statement.evidence, text)
    quads = rdf.extraction_quads(extraction)
    assert quads and all(quad.graph_name == rdf.article_graph(extraction.article) for quad in quads)


@PROFILE
@given(text=article_texts, published=publication_dates)
def test_extractor_survives_hostile_arabic(text: str, published: dt.date | None) -> None:
    article = Article(id="fuzz.txt", text=text, published=published)
    check_extraction(extractor().extract(article))


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=400), published=publication_dates)
def test_extractor_survives_arbitrary_unicode(text: str, published: dt.date | None) -> None:
    check_extraction(extractor().extract(Article(id="u", text=text, published=published)))


@settings(max_examples=50, deadline=None)
@given(sentences=st.lists(meeting_like(), min_size=1, max_size=6), published=publication_dates)
def test_meeting_shaped_text_keeps_the_invariants(sentences: list[str], published: dt.date | None) -> None:
    """Mostly well-formed reports: here meetings are found, so the invariants bite."""
    check_extraction(extractor().extract(Article(id="m", text="\n".join(sentences), published=published)))


@PROFILE
@given(text=article_texts, published=publication_dates)
def test_dates_slice_back_and_are_real(text: str, published: dt.date | None) -> None:
    mentions = find_dates(text, published)
    previous_end = 0
    for mention in mentions:
        assert previous_end <= mention.start, mentions  # sorted, non-overlapping
        previous_end = mention.end
        assert_span(Span(mention.start, mention.end, mention.text), text)
        assert_date_value(mention.value)
        assert mention.value is not None or mention.problem, mention


def test_the_generators_reach_the_rules() -> None:
    """Guards the properties against vacuity: the meeting-shaped text really yields facts."""
    words = vocabulary()
    assert all(words.values())
    text = ("استقبل الرئيس الروسي فلاديمير بوتين اليوم في موسكو الرئيس التركي رجب طيب أردوغان، "
            "وأكد بوتين أن «روسيا تريد السلام».")
    extraction = extractor().extract(Article(id="probe", text=text, published=dt.date(2024, 3, 5)))
    check_extraction(extraction)
    assert extraction.meetings and extraction.statements


# Found by tests/fuzz/fuzz_extract.py: a group word that names nobody used to crash _from_verb.
@pytest.mark.parametrize("text", ["استقبل المجتمعين المجتمعين", "يستقبل الزعماء القادة"])
def test_reception_of_group_words_without_actors(text: str) -> None:
    check_extraction(extractor().extract(Article(id="group", text=text, published=dt.date(2024, 3, 5))))

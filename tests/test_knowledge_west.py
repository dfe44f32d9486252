"""The Europe, Americas and Oceania person files: well formed, and titles and names in
Arabic text resolve to the office holder of the article's day.

The resolution checks go through the real extractor over the whole base, so they also
catch a new person shadowing an old one (same name, another country)."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from kg.extract import Extractor
from kg.extract.normalize import fold
from kg.knowledge import default

KNOWLEDGE = Path(__file__).resolve().parents[1] / "kg" / "knowledge"
FILES = ("europe.json", "americas.json", "oceania.json")
ROLE_KEYS = {spec.get("alias_of", key) for key, spec in json.loads(
    (KNOWLEDGE / "roles.json").read_text(encoding="utf-8"))["roles"].items()}
COUNTRY_CODES = {c["code"] for c in json.loads((KNOWLEDGE / "countries.json").read_text(encoding="utf-8"))}
ARABIC_ONLY = re.compile("[\u0621-\u064a][\u0621-\u064a \\-]*")
ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


@pytest.fixture(scope="module")
def persons() -> list[dict]:
    found = []
    for name in FILES:
        found += json.loads((KNOWLEDGE / "persons" / name).read_text(encoding="utf-8"))
    return found


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def test_records_have_the_documented_fields_and_arabic_only_spellings(persons):
    fields = {"id", "name_en", "wikidata", "names_ar", "short_ar", "short_ar_context", "gender", "offices", "source"}
    bad = []
    for p in persons:
        if set(p) != fields or p["gender"] not in {"m", "f"} or not p["names_ar"] or not p["source"].strip():
            bad.append(p["id"])
        for name in p["names_ar"] + p["short_ar"] + p["short_ar_context"]:
            if not ARABIC_ONLY.fullmatch(name):
                bad.append((p["id"], name))
    assert bad == []


def test_offices_name_known_roles_and_countries_with_day_dates_and_sources(persons):
    bad = []
    for p in persons:
        for o in p["offices"]:
            dates_ok = ISO_DAY.fullmatch(o["start"]) and (o["end"] is None or (ISO_DAY.fullmatch(o["end"]) and o["end"] >= o["start"]))
            if o["role"] not in ROLE_KEYS or o["of"] not in COUNTRY_CODES or not dates_ok or not o["source"].strip():
                bad.append((p["id"], o))
    assert bad == []


@pytest.mark.parametrize(("role", "of", "day", "expected"), [
    ("president", "ARG", date(2024, 5, 1), ["javier-milei"]),
    ("president", "ARG", date(2017, 5, 1), ["mauricio-macri"]),
    ("foreign_minister", "ARG", date(2024, 11, 10), ["gerardo-werthein"]),
    ("president", "MEX", date(2025, 3, 1), ["claudia-sheinbaum"]),
    ("prime_minister", "GRC", date(2023, 6, 1), ["ioannis-sarmas"]),
    ("foreign_minister", "POL", date(2024, 6, 1), ["radoslaw-sikorski"]),
    ("chancellor", "AUT", date(2025, 2, 1), ["alexander-schallenberg"]),
    ("king", "DNK", date(2024, 6, 1), ["frederik-x-of-denmark"]),
    ("president", "CHE", date(2025, 6, 1), ["karin-keller-sutter"]),
    ("defence_minister", "NLD", date(2023, 1, 1), ["kajsa-ollongren"]),
    ("foreign_minister", "NLD", date(2025, 9, 1), ["ruben-brekelmans"]),
    ("prime_minister", "NZL", date(2024, 1, 1), ["christopher-luxon"]),
    ("foreign_minister", "CZE", date(2013, 10, 1), ["jan-kohout"]),
    ("foreign_minister", "BGR", date(2012, 1, 1), ["nickolay-mladenov"]),
])
def test_office_holder_on_a_day(role, of, day, expected):
    assert [p.id for p in default().holders(role, of, day)] == expected


def _people(extractor: Extractor, text: str, day: date) -> list[str]:
    folded = fold(text)
    resolved = extractor.resolver.resolve(folded.text, day, None, original=lambda s, e: text[slice(*folded.span(s, e))])
    return [m.actors[0].key for m in resolved.mentions if m.kind == "person"]


def test_titles_and_names_resolve_in_arabic_text(extractor):
    assert _people(extractor, "استقبل الرئيس الأرجنتيني ضيفه", date(2024, 3, 1)) == ["javier-milei"]
    assert _people(extractor, "التقى رئيس الوزراء اليوناني كيرياكوس ميتسوتاكيس", date(2024, 3, 1)) == ["kyriakos-mitsotakis"]
    assert _people(extractor, "وصرح ميتسوتاكيس", date(2024, 3, 1)) == ["kyriakos-mitsotakis"]
    # the Colombian defence minister of 2025 shares a name with Spain's prime minister: two persons
    assert _people(extractor, "قال وزير الدفاع الكولومبي", date(2025, 6, 1)) == ["pedro-arnulfo-sanchez"]
    assert _people(extractor, "قال رئيس الوزراء الإسباني", date(2025, 6, 1)) == ["pedro-sanchez"]


def test_surnames_that_are_arabic_words_do_not_name_anyone(extractor):
    # روسي (Rossi) and كيني (Kenny) are demonyms, كوريا (Correa) a country
    assert _people(extractor, "أكد مسؤول روسي وآخر كيني أن كوريا", date(2020, 1, 1)) == []

"""The country, organisation and place files must hang together, because the extractor
trusts them blindly: a capital that is no place, a place in an unknown country or one
Arabic spelling shared by two places would silently attach facts to the wrong entity."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kg.extract.normalize import fold_key

KNOWLEDGE = Path(__file__).resolve().parents[1] / "kg" / "knowledge"
DEV_ENTITIES = Path(__file__).resolve().parent / "data" / "dev" / "entities.json"
ARABIC_LETTER = re.compile("[\u0621-\u064a]")
WIKIDATA_ID = re.compile(r"^Q[1-9][0-9]*$")


def _load(name: str) -> list[dict[str, Any]]:
    return json.loads((KNOWLEDGE / name).read_text(encoding="utf-8"))


COUNTRIES = _load("countries.json")
ORGANISATIONS = _load("organisations.json")
PLACES = _load("places.json")
ACTORS = COUNTRIES + ORGANISATIONS
COUNTRY_CODES = {country["code"] for country in COUNTRIES}
PLACE_IDS = {place["id"] for place in PLACES}


def _duplicates(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def _entry_label(entry: dict[str, Any]) -> str:
    return entry.get("code") or entry["id"]


def test_codes_and_ids_are_unique() -> None:
    assert _duplicates([actor["code"] for actor in ACTORS]) == []
    assert _duplicates([place["id"] for place in PLACES]) == []


def test_kinds_match_their_file() -> None:
    assert {country["kind"] for country in COUNTRIES} == {"country"}
    assert {organisation["kind"] for organisation in ORGANISATIONS} == {"organisation"}


def test_country_codes_are_iso_alpha3() -> None:
    assert [c["code"] for c in COUNTRIES if not re.fullmatch(r"[A-Z]{3}", c["code"])] == []


def test_every_capital_is_a_place_of_that_country_marked_capital() -> None:
    places = {place["id"]: place for place in PLACES}
    for country in COUNTRIES:
        capital = places.get(country["capital"])
        assert capital is not None, f"{country['code']}: capital {country['capital']!r} is no place"
        assert capital["country"] == country["code"], country["code"]
    seats = {"PSE": "ramallah"}  # the seat of government; Jerusalem is the proclaimed capital
    for country in COUNTRIES:
        if seats.get(country["code"]) != country["capital"]:
            assert places[country["capital"]]["capital"] is True, country["code"]


def test_every_place_lies_in_a_known_country() -> None:
    assert [p["id"] for p in PLACES if p["country"] not in COUNTRY_CODES] == []


def test_places_flagged_capital_are_the_capital_of_their_country() -> None:
    capitals = {country["capital"] for country in COUNTRIES}
    assert [p["id"] for p in PLACES if p["capital"] and p["id"] not in capitals] == []


@pytest.mark.parametrize("entry", ACTORS + PLACES, ids=_entry_label)
def test_entry_has_english_and_arabic_names(entry: dict[str, Any]) -> None:
    assert entry["name_en"].strip()
    assert entry["names_ar"], "at least one Arabic name"
    assert all(ARABIC_LETTER.search(name) for name in entry["names_ar"])
    assert entry["source"].strip()


@pytest.mark.parametrize("entry", ACTORS + PLACES, ids=_entry_label)
def test_wikidata_ids_are_well_formed_and_sourced(entry: dict[str, Any]) -> None:
    qid = entry["wikidata"]
    if qid is None:
        assert not entry["source"].startswith("wikidata:")
    else:
        assert WIKIDATA_ID.match(qid), qid
        assert entry["source"].startswith(f"wikidata:{qid}")


def test_demonyms_are_given_without_the_article() -> None:
    demonyms = [d for actor in ACTORS for d in actor["demonym_ar"]]
    assert demonyms and [d for d in demonyms if d.startswith("ال")] == []
    assert all(ARABIC_LETTER.search(d) for d in demonyms)


def test_no_two_places_share_an_arabic_name() -> None:
    owners: dict[str, set[str]] = {}
    for place in PLACES:
        for name in place["names_ar"]:
            owners.setdefault(fold_key(name), set()).add(place["id"])
    assert {name: ids for name, ids in owners.items() if len(ids) > 1} == {}


def test_no_two_countries_or_organisations_share_an_arabic_name() -> None:
    owners: dict[str, set[str]] = {}
    for actor in ACTORS:
        for name in actor["names_ar"]:
            owners.setdefault(fold_key(name), set()).add(actor["code"])
    assert {name: codes for name, codes in owners.items() if len(codes) > 1} == {}


def test_tripoli_is_libyan_unless_the_text_says_lebanese() -> None:
    places = {place["id"]: place for place in PLACES}
    assert "طرابلس" in places["tripoli-libya"]["names_ar"]
    assert places["tripoli-lebanon"]["names_ar"] == ["طرابلس اللبنانية"]


def test_wikidata_ids_are_not_reused_within_a_file() -> None:
    for entries in (ACTORS, PLACES):
        assert _duplicates([e["wikidata"] for e in entries if e["wikidata"]]) == []


def test_evaluation_entities_agree_with_the_knowledge_base() -> None:
    """The evaluation's own Wikidata ids and Arabic aliases count as verified facts."""
    entities = json.loads(DEV_ENTITIES.read_text(encoding="utf-8"))
    by_label = {entry["name_en"]: entry for entry in ACTORS + PLACES}
    checked = 0
    for label, entity in entities.items():
        entry = by_label.get(label)
        if entry is None:
            continue
        checked += 1
        if entity["wikidata"] and entry["wikidata"]:
            assert entity["wikidata"] == entry["wikidata"], label
        known = {fold_key(name) for name in entry["names_ar"]}
        arabic_aliases = [a for a in entity["aliases"] if ARABIC_LETTER.search(a)]
        assert [a for a in arabic_aliases if fold_key(a) not in known] == [], label
    assert checked >= 20

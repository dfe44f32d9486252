"""Structural checks for the world-powers and international-bodies person file.

The extractor trusts these records blindly (names decide who is meant, dates decide which
office a role-only mention refers to), so malformed or ambiguous entries must fail here.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from kg.extract.normalize import fold_key

PERSONS_FILE = Path(__file__).resolve().parents[1] / "kg" / "knowledge" / "persons" / "world_and_organisations.json"

# every office key the title table knows (roles.json is the single list of offices)
ROLE_KEYS = {spec.get("alias_of", key) for key, spec in json.loads(
    (Path(__file__).resolve().parent.parent / "kg/knowledge/roles.json").read_text(encoding="utf-8"))["roles"].items()}
# every international body the knowledge base names (UN agencies such as UNHCR and OCHA included)
ORGANISATION_CODES = {org["code"] for org in json.loads(
    (Path(__file__).resolve().parent.parent / "kg/knowledge/organisations.json").read_text(encoding="utf-8"))}
ISO_ALPHA3 = re.compile(r"[A-Z]{3}")
ARABIC_LETTER = re.compile("[\u0621-\u064a]")
LATIN_LETTER = re.compile("[A-Za-z]")
WIKIDATA_ID = re.compile(r"Q[1-9][0-9]*")


@pytest.fixture(scope="module")
def persons() -> list[dict]:
    return json.loads(PERSONS_FILE.read_text(encoding="utf-8"))


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def test_file_is_a_non_empty_list(persons):
    assert isinstance(persons, list) and len(persons) > 100


def test_ids_are_unique_slugs_of_the_english_label(persons):
    ids = [person["id"] for person in persons]
    assert len(ids) == len(set(ids))
    assert [p["id"] for p in persons if p["id"] != _slug(p["name_en"])] == []


def test_every_person_has_the_documented_fields(persons):
    expected = {"id", "name_en", "wikidata", "names_ar", "short_ar", "short_ar_context",
                "gender", "offices", "source"}
    optional = {"short_ar_country"}
    for person in persons:
        assert expected <= set(person) <= expected | optional, person["id"]
        assert person["gender"] in {"m", "f"}, person["id"]
        assert person["source"].strip(), person["id"]
        assert person["wikidata"] is None or WIKIDATA_ID.fullmatch(person["wikidata"]), person["id"]


def test_wikidata_ids_are_not_shared(persons):
    qids = [p["wikidata"] for p in persons if p["wikidata"]]
    assert len(qids) == len(set(qids))


def test_every_person_has_an_arabic_name_and_only_arabic_spellings(persons):
    for person in persons:
        assert person["names_ar"], person["id"]
        for field in ("names_ar", "short_ar", "short_ar_context"):
            for name in person[field]:
                assert ARABIC_LETTER.search(name) and not LATIN_LETTER.search(name), (person["id"], name)


def test_offices_use_known_roles_and_codes(persons):
    for person in persons:
        assert person["offices"], person["id"]
        for office in person["offices"]:
            assert office["role"] in ROLE_KEYS, (person["id"], office["role"])
            assert office["of"] in ORGANISATION_CODES or ISO_ALPHA3.fullmatch(office["of"]), (person["id"], office["of"])
            assert office["source"].strip(), person["id"]


def test_office_dates_are_iso_and_ordered(persons):
    for person in persons:
        for office in person["offices"]:
            start = date.fromisoformat(office["start"])
            if office["end"] is not None:
                assert start <= date.fromisoformat(office["end"]), (person["id"], office)


def test_every_person_held_office_in_the_covered_window(persons):
    window_start = date(2010, 1, 1)
    for person in persons:
        ends = [o["end"] for o in person["offices"]]
        assert any(end is None or date.fromisoformat(end) >= window_start for end in ends), person["id"]


def test_same_office_terms_of_one_person_do_not_overlap(persons):
    for person in persons:
        terms: dict[tuple[str, str], list[tuple[date, date]]] = defaultdict(list)
        for office in person["offices"]:
            end = date.fromisoformat(office["end"]) if office["end"] else date.max
            terms[(office["role"], office["of"])].append((date.fromisoformat(office["start"]), end))
        for key, spans in terms.items():
            spans.sort()
            for (_, previous_end), (next_start, _) in zip(spans, spans[1:]):
                assert previous_end <= next_start, (person["id"], key)


def test_identifying_names_are_never_shared_between_persons(persons):
    """A full name or a stand-alone short form must point at exactly one person, after the
    same folding the matcher applies; shared forms belong in short_ar_context."""
    owners: dict[str, set[str]] = defaultdict(set)
    for person in persons:
        for field in ("names_ar", "short_ar"):
            for name in person[field]:
                owners[fold_key(name)].add(person["id"])
    shared = {name: ids for name, ids in owners.items() if len(ids) > 1}
    assert shared == {}


def test_context_only_forms_are_not_another_persons_identifying_name(persons):
    strong = {fold_key(n): p["id"] for p in persons for f in ("names_ar", "short_ar") for n in p[f]}
    clashes = [(p["id"], n) for p in persons for n in p["short_ar_context"]
               if strong.get(fold_key(n), p["id"]) != p["id"]]
    assert clashes == []


def test_eval_entity_labels_are_reused_with_their_arabic_aliases(persons):
    """People already labelled in the evaluation material keep that label and its spellings
    (honorific forms such as الملك / السير aside, which the title patterns handle)."""
    entities_file = Path("/work/shared/eval/dev/entities.json")
    if not entities_file.exists():
        pytest.skip("evaluation entities not available")
    entities = json.loads(entities_file.read_text(encoding="utf-8"))
    by_label = {p["name_en"]: p for p in persons}
    honorific = re.compile(r"^(الملك|السير|الأمير|الشيخ) ")
    missing = []
    for label, entity in entities.items():
        person = by_label.get(label)
        if person is None:
            continue
        known = {fold_key(n) for f in ("names_ar", "short_ar", "short_ar_context") for n in person[f]}
        missing += [(label, alias) for alias in entity["aliases"]
                    if ARABIC_LETTER.search(alias) and not honorific.match(alias) and fold_key(alias) not in known]
    assert missing == []

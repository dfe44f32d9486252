"""Structural checks for the Levant / North Africa / Horn / Turkey / Israel persons file.

Names in this file become match patterns and office dates decide who held a title on an
article's date, so a malformed or ambiguous entry must fail here, not surface later as a
wrong participant in a meeting.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from kg.extract.normalize import fold_key

KNOWLEDGE = Path(__file__).resolve().parents[1] / "kg" / "knowledge"
PERSONS_DIR = KNOWLEDGE / "persons"
PERSONS_FILE = PERSONS_DIR / "levant_africa_turkey_israel.json"

STATES = {"SYR", "LBN", "JOR", "PSE", "EGY", "LBY", "TUN", "DZA", "MAR", "SDN", "MRT",
          "SOM", "DJI", "COM", "TUR", "ISR"}
WINDOW_START = date(2010, 1, 1)
WIKIDATA_ID = re.compile(r"^Q[1-9][0-9]*$")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
ARABIC_LETTER = re.compile("[\u0621-\u064a]")

# Offices that one person holds at a time, so title resolution by date is unambiguous.
SOLE_OFFICES = {"president", "prime_minister", "king", "crown_prince", "supreme_leader",
                "presidential_council_chair", "foreign_minister", "defence_minister",
                "speaker_of_parliament", "foreign_ministry_spokesperson"}
# Rival claimants that really did hold the same title at once (documented in their sources):
# Libya's rival governments after 2014, the Hamas-led cabinet in Gaza beside the PA's, and
# the PA's prime minister keeping the foreign portfolio while a minister of state ran it.
PARALLEL_CLAIMS = {("prime_minister", "LBY"), ("prime_minister", "PSE"),
                   ("foreign_minister", "PSE")}


def _load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def persons() -> list[dict]:
    return _load(PERSONS_FILE)


@pytest.fixture(scope="module")
def role_keys() -> set[str]:
    return set(_load(KNOWLEDGE / "roles.json")["roles"])


@pytest.fixture(scope="module")
def actor_codes() -> set[str]:
    codes = {c["code"] for c in _load(KNOWLEDGE / "countries.json")}
    return codes | {o["code"] for o in _load(KNOWLEDGE / "organisations.json")}


def test_file_covers_the_region(persons):
    assert isinstance(persons, list) and len(persons) >= 150
    states = {o["of"] for p in persons for o in p["offices"]}
    assert STATES <= states, STATES - states


def test_ids_are_unique_slugs_across_all_person_files(persons):
    ids = [p["id"] for p in persons]
    assert len(ids) == len(set(ids))
    assert all(SLUG.fullmatch(pid) for pid in ids)
    for other in PERSONS_DIR.glob("*.json"):
        if other != PERSONS_FILE:
            clash = set(ids) & {p["id"] for p in _load(other)}
            assert not clash, (other.name, clash)


def test_person_fields(persons):
    for p in persons:
        assert p["name_en"].strip() and p["source"].strip(), p["id"]
        assert p["gender"] in {"m", "f"}, p["id"]
        assert p["wikidata"] is None or WIKIDATA_ID.fullmatch(p["wikidata"]), p["id"]
        assert p["names_ar"], f"{p['id']} has no Arabic full name"
        for key in ("names_ar", "short_ar", "short_ar_context"):
            for name in p[key]:
                assert name == name.strip() and ARABIC_LETTER.search(name), (p["id"], key, name)


def test_offices_use_known_roles_codes_and_ordered_iso_dates(persons, role_keys, actor_codes):
    for p in persons:
        assert p["offices"], p["id"]
        for office in p["offices"]:
            where = (p["id"], office)
            assert office["role"] in role_keys, where
            assert office["of"] in actor_codes, where
            assert office["source"].strip(), where
            start = date.fromisoformat(office["start"])
            if office["end"] is not None:
                end = date.fromisoformat(office["end"])
                assert start <= end, where
                assert end >= WINDOW_START, f"{where}: ended before the 2010 window"


def test_terms_of_one_person_in_one_role_do_not_overlap(persons):
    for p in persons:
        terms = defaultdict(list)
        for office in p["offices"]:
            terms[(office["role"], office["of"])].append(office)
        for offices in terms.values():
            offices.sort(key=lambda o: o["start"])
            for earlier, later in zip(offices, offices[1:]):
                assert earlier["end"] is not None and earlier["end"] <= later["start"], p["id"]


def test_one_holder_of_each_sole_office_per_day(persons):
    spans = defaultdict(list)
    for p in persons:
        for office in p["offices"]:
            key = (office["role"], office["of"])
            if office["role"] in SOLE_OFFICES and key not in PARALLEL_CLAIMS:
                spans[key].append((office["start"], office["end"] or "9999-12-31", p["id"]))
    for key, items in spans.items():
        items.sort()
        for (_, end, first), (start, _, second) in zip(items, items[1:]):
            assert end <= start, (key, first, second)


def test_strong_arabic_names_belong_to_one_person(persons):
    """names_ar and short_ar identify a person alone; a form two people share must be in
    short_ar_context of both instead."""
    owner: dict[str, str] = {}
    context_owners: dict[str, set[str]] = defaultdict(set)
    for p in persons:
        for name in p["names_ar"] + p["short_ar"]:
            key = fold_key(name)
            assert owner.setdefault(key, p["id"]) == p["id"], (name, owner[key], p["id"])
        for name in p["short_ar_context"]:
            context_owners[fold_key(name)].add(p["id"])
    for key, pid in owner.items():
        assert not context_owners.get(key, set()) - {pid}, (key, pid, context_owners[key])


def test_no_honorifics_in_names(persons):
    honorifics = ("الرئيس ", "الملك ", "جلالة ", "الشيخ ", "الأمير ", "سمو ")
    for p in persons:
        for name in p["names_ar"] + p["short_ar"]:
            assert not name.startswith(honorifics), (p["id"], name)


def test_eval_labels_are_reused(persons):
    labels = {p["name_en"] for p in persons}
    for expected in ("Bashar al-Assad", "Ahmed al-Sharaa", "Asaad al-Shaibani", "Joseph Aoun",
                     "Nabih Berri", "Nawaf Salam", "Ayman Safadi", "Abdullah II of Jordan",
                     "Sameh Shoukry", "Ahmed Aboul Gheit", "Nabil Elaraby", "Ahmed Abu Zeid"):
        assert expected in labels, expected


def test_heads_and_ministers_present_for_every_state(persons):
    roles = defaultdict(set)
    for p in persons:
        for office in p["offices"]:
            roles[office["of"]].add(office["role"])
    for state in STATES:
        assert "foreign_minister" in roles[state], state
        assert roles[state] & {"president", "king", "presidential_council_chair"}, state

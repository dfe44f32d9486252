"""Structural checks for the Gulf / Iraq / Yemen / Iran persons file.

The extractor trusts this data blindly (names become match patterns, dates decide who held
a title on an article's date), so malformed entries must fail here rather than in a
silently wrong meeting.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

KNOWLEDGE = Path(__file__).resolve().parents[1] / "kg" / "knowledge"
PERSONS_FILE = KNOWLEDGE / "persons" / "gulf_iraq_yemen_iran.json"

# every office key the title table knows (roles.json is the single list of offices)
ROLE_KEYS = {spec.get("alias_of", key) for key, spec in json.loads(
    (Path(__file__).resolve().parent.parent / "kg/knowledge/roles.json").read_text(encoding="utf-8"))["roles"].items()}
STATES = {"SAU", "ARE", "QAT", "KWT", "BHR", "OMN", "IRQ", "YEM", "IRN"}
WIKIDATA_ID = re.compile(r"^Q[1-9][0-9]*$")
ARABIC_LETTERS = re.compile(r"[\u0621-\u064A\u067E\u0686\u06A9\u06AF\u06CC]")

_DIACRITICS = re.compile(r"[\u064B-\u0652\u0670\u0640]")
_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك"})


def fold(name: str) -> str:
    """Approximates the extractor's normaliser, so variants it merges count as one name."""
    return " ".join(_DIACRITICS.sub("", name).translate(_FOLDS).split())


@pytest.fixture(scope="module")
def persons() -> list[dict]:
    return json.loads(PERSONS_FILE.read_text(encoding="utf-8"))


def test_file_is_a_nonempty_list(persons):
    assert isinstance(persons, list)
    assert len(persons) >= 100


def test_ids_are_unique_slugs(persons):
    ids = [p["id"] for p in persons]
    assert len(ids) == len(set(ids))
    for pid in ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", pid), pid


def test_person_fields(persons):
    for p in persons:
        assert p["name_en"].strip(), p["id"]
        assert p["gender"] in {"m", "f"}, p["id"]
        assert p["source"].strip(), p["id"]
        assert p["wikidata"] is None or WIKIDATA_ID.match(p["wikidata"]), p["id"]
        if p["wikidata"]:
            assert p["wikidata"] in p["source"], f"{p['id']}: a Wikidata id needs its source"
        for key in ("names_ar", "short_ar", "short_ar_context"):
            assert isinstance(p[key], list), (p["id"], key)
            for name in p[key]:
                assert name == name.strip() and ARABIC_LETTERS.search(name), (p["id"], name)


ORGANISATIONS = {o["code"] for o in json.loads((Path(__file__).resolve().parent.parent / "kg/knowledge/organisations.json").read_text(encoding="utf-8"))}


def test_every_person_has_an_arabic_full_name(persons):
    for p in persons:
        assert p["names_ar"], p["id"]


def test_offices_have_known_roles_states_and_ordered_iso_dates(persons):
    for p in persons:
        for office in p["offices"]:
            where = (p["id"], office)
            assert office["role"] in ROLE_KEYS, where
            # regional bodies too: a Gulf minister may earlier have led the GCC
            assert office["of"] in STATES or office["of"] in ORGANISATIONS, where
            assert office["source"].strip(), where
            start = date.fromisoformat(office["start"])
            if office["end"] is not None:
                assert start <= date.fromisoformat(office["end"]), where


def test_each_state_has_its_head_of_state_and_ministers(persons):
    roles_by_state = defaultdict(set)
    for p in persons:
        for office in p["offices"]:
            roles_by_state[office["of"]].add(office["role"])
    heads = {"SAU": "king", "ARE": "president", "QAT": "emir", "KWT": "emir", "BHR": "king",
             "OMN": "sultan", "IRQ": "president", "YEM": "president", "IRN": "supreme_leader"}
    for state, head in heads.items():
        assert {head, "foreign_minister", "defence_minister"} <= roles_by_state[state], state


def test_terms_of_one_person_in_one_role_do_not_overlap(persons):
    for p in persons:
        terms = defaultdict(list)
        for office in p["offices"]:
            terms[(office["role"], office["of"])].append(office)
        for (role, state), offices in terms.items():
            offices.sort(key=lambda o: o["start"])
            for earlier, later in zip(offices, offices[1:]):
                assert earlier["end"] is not None and earlier["end"] <= later["start"], (
                    p["id"], role, state)


def test_arabic_names_are_not_shared_unless_context_only(persons):
    """A full or distinctive name must point to one person; ambiguous short forms belong in
    short_ar_context of every person who carries them."""
    strong_owner: dict[str, str] = {}
    context_owners: dict[str, set[str]] = defaultdict(set)
    for p in persons:
        for name in p["names_ar"] + p["short_ar"]:
            key = fold(name)
            assert strong_owner.setdefault(key, p["id"]) == p["id"], (name, strong_owner[key], p["id"])
        for name in p["short_ar_context"]:
            context_owners[fold(name)].add(p["id"])
    for key, owner in strong_owner.items():
        others = context_owners.get(key, set()) - {owner}
        assert not others, (key, owner, others)


def test_eval_labels_are_reused(persons):
    """People already in the evaluation entity lists keep exactly those English labels."""
    labels = {p["name_en"] for p in persons}
    for expected in ("Ali Khamenei", "Hassan Rouhani", "Ebrahim Raisi", "Ali Larijani",
                     "Mohammad Javad Zarif", "Hossein Amir-Abdollahian", "Mohammad Eslami",
                     "Mohammad-Reza Ashtiani", "Ali Akbar Ahmadian", "Mohamed bin Zayed Al Nahyan",
                     "Haitham bin Tariq", "Tamim bin Hamad Al Thani", "Faisal bin Farhan Al Saud",
                     "Mohammed bin Abdulrahman Al Thani", "Badr Albusaidi",
                     "Nawaf Al-Ahmad Al-Jaber Al-Sabah", "Mohammed bin Salman", "Abbas Araghchi",
                     "Masoud Pezeshkian"):
        assert expected in labels, expected


def test_one_holder_of_each_sole_office_per_day(persons):
    """Title resolution picks the holder on the article's date; two holders of a single-seat
    office on the same day would make that choice arbitrary."""
    sole = {"president", "prime_minister", "king", "emir", "sultan", "supreme_leader",
            "foreign_minister", "speaker_of_parliament", "presidential_council_chair",
            "security_council_secretary", "foreign_ministry_spokesperson", "crown_prince"}
    spans = defaultdict(list)
    for p in persons:
        for office in p["offices"]:
            if office["role"] in sole:
                end = office["end"] or "9999-12-31"
                spans[(office["role"], office["of"])].append((office["start"], end, p["id"]))
    for key, items in spans.items():
        items.sort()
        for (s1, e1, a), (s2, e2, b) in zip(items, items[1:]):
            assert e1 <= s2, (key, a, b)

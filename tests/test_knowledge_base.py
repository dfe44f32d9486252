"""Checks of the whole knowledge base (every persons/*.json file together).

Title resolution asks "who held this office on the article's date?". That answer is only
right when each single-seat office passes from one holder to the next without a hole or a
double seat, so each hand-over is checked here. Real gaps and overlaps (acting periods,
vacancies, rival governments) are listed with their justification in
kg/knowledge/office_exceptions.json; anything unlisted fails with the exact office and
persons, and so does an exception that no longer matches the data.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from kg.extract.normalize import fold_key

KNOWLEDGE = Path(__file__).resolve().parents[1] / "kg" / "knowledge"
EXCEPTIONS_FILE = KNOWLEDGE / "office_exceptions.json"
CHECK_FROM = date(2010, 1, 1)  # offices before 2010 may be omitted (kg/knowledge/README.md)

# Single-seat offices: one holder at a time per country/body. Movement leaders are not
# (several movements per country), nor are deputies, spokespersons or envoys.
SOLE_ROLES = frozenset({
    "president", "prime_minister", "chancellor", "king", "queen", "emir", "sultan", "supreme_leader",
    "presidential_council_chair", "regional_president", "regional_prime_minister", "pope",
    "crown_prince", "foreign_minister", "defence_minister", "au_chair",
})


def _load_persons() -> list[tuple[str, dict]]:
    found = []
    for path in sorted((KNOWLEDGE / "persons").glob("*.json")):
        for person in json.loads(path.read_text(encoding="utf-8")):
            found.append((path.name, person))
    return found


PERSONS = _load_persons()
ROLES = json.loads((KNOWLEDGE / "roles.json").read_text(encoding="utf-8"))["roles"]
CODES = {c["code"] for c in json.loads((KNOWLEDGE / "countries.json").read_text(encoding="utf-8"))} | {
    o["code"] for o in json.loads((KNOWLEDGE / "organisations.json").read_text(encoding="utf-8"))}
EXCEPTIONS = json.loads(EXCEPTIONS_FILE.read_text(encoding="utf-8"))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _terms(persons: list[tuple[str, dict]]) -> dict[tuple[str, str], list[tuple[date, date | None, str]]]:
    """(role, of) -> [(start, end, person id)] sorted, with one person's back-to-back terms
    merged so that a re-appointment is not read as a hand-over."""
    spans: dict[tuple[str, str], list[tuple[date, date | None, str]]] = defaultdict(list)
    for _, person in persons:
        for office in person["offices"]:
            if office["role"] in SOLE_ROLES:
                spans[(office["role"], office["of"])].append(
                    (_day(office["start"]), _day(office.get("end")), person["id"]))
    merged: dict[tuple[str, str], list[tuple[date, date | None, str]]] = {}
    for key, items in spans.items():
        items.sort(key=lambda t: (t[0], t[1] or date.max))
        out: list[tuple[date, date | None, str]] = []
        for start, end, pid in items:
            if out and out[-1][2] == pid and out[-1][1] is not None and start <= out[-1][1] + timedelta(days=1):
                prev = out[-1]
                out[-1] = (prev[0], None if end is None else max(prev[1], end), pid)
            else:
                out.append((start, end, pid))
        merged[key] = out
    return merged


def handover_problems(persons: list[tuple[str, dict]] = PERSONS) -> set[tuple[str, str, str, str, str]]:
    """Every (kind, role, of, before, after) where an office does not pass cleanly from one
    holder to the next: 'gap' (successor starts more than a day after the end), 'overlap'
    (successor starts before the predecessor's end, or while the predecessor has no end),
    'no_successor' (a term ended since 2010 and nobody follows)."""
    problems: set[tuple[str, str, str, str, str]] = set()
    for (role, of), terms in _terms(persons).items():
        for (_, end, before), (start, _, after) in zip(terms, terms[1:]):
            if start < CHECK_FROM:
                continue
            if end is None or start < end:
                problems.add(("overlap", role, of, before, after))
            elif start > end + timedelta(days=1):
                problems.add(("gap", role, of, before, after))
        last_start, last_end, last = terms[-1]
        if last_end is not None and last_end >= CHECK_FROM:
            problems.add(("no_successor", role, of, last, ""))
    return problems


def _listed() -> dict[tuple[str, str, str, str, str], str]:
    listed = {}
    for e in EXCEPTIONS["handovers"]:
        listed[(e["kind"], e["role"], e["of"], e["before"], e.get("after", ""))] = e["why"]
    return listed


def test_exceptions_file_is_well_formed():
    keys = ("kind", "role", "of", "before", "after", "why")
    for e in EXCEPTIONS["handovers"]:
        assert set(e) == set(keys), f"handover exception needs exactly {keys}: {e}"
        assert e["kind"] in {"gap", "overlap", "no_successor"}, e
        assert e["role"] in SOLE_ROLES, f"not a single-seat role: {e}"
        assert len(e["why"].strip()) >= 15, f"justify the exception: {e}"
    for e in EXCEPTIONS["shared_names"]:
        assert set(e) == {"name", "persons", "why"} and len(e["persons"]) >= 2 and e["why"].strip(), e
    assert len(_listed()) == len(EXCEPTIONS["handovers"]), "an exception is listed twice"


def test_single_seat_offices_pass_from_holder_to_holder():
    found = handover_problems()
    listed = _listed()
    unlisted = sorted(found - set(listed))
    stale = sorted(set(listed) - found)
    lines = [f"  {kind}: {role} of {of}: {before} -> {after or '(nobody)'}" for kind, role, of, before, after in unlisted]
    lines += [f"  stale exception (no longer in the data): {k}" for k in stale]
    assert not lines, ("hand-over problems not listed in kg/knowledge/office_exceptions.json "
                       "(fix the dates or add a justified exception):\n" + "\n".join(lines))


def test_person_ids_are_unique_across_files():
    owners = defaultdict(list)
    for filename, person in PERSONS:
        owners[person["id"]].append(filename)
    dup = {pid: files for pid, files in owners.items() if len(files) > 1}
    assert not dup, f"person ids used more than once: {dup}"


def test_no_two_persons_share_an_english_name():
    owners = defaultdict(list)
    for _, person in PERSONS:
        owners[person["name_en"].strip().casefold()].append(person["id"])
    allowed = {frozenset(e["persons"]) for e in EXCEPTIONS["shared_names"]}
    dup = {n: ids for n, ids in owners.items() if len(ids) > 1 and frozenset(ids) not in allowed}
    assert not dup, f"name_en shared by several persons: {dup}"


def test_no_two_persons_share_an_arabic_full_name():
    """Compared after the extractor's own folding: names it merges would be one pattern."""
    owners = defaultdict(set)
    for _, person in PERSONS:
        for name in person.get("names_ar", []):
            owners[fold_key(name)].add(person["id"])
    allowed = {(fold_key(e["name"]), frozenset(e["persons"])) for e in EXCEPTIONS["shared_names"]}
    dup = {n: sorted(ids) for n, ids in owners.items() if len(ids) > 1 and (n, frozenset(ids)) not in allowed}
    assert not dup, f"names_ar shared by several persons: {dup}"


def test_every_person_and_office_has_a_source():
    missing = []
    for filename, person in PERSONS:
        if not str(person.get("source") or "").strip():
            missing.append(f"{filename}: {person['id']}")
        for office in person["offices"]:
            if not str(office.get("source") or "").strip():
                missing.append(f"{filename}: {person['id']} {office['role']} {office['of']} {office.get('start')}")
    assert not missing, "no source:\n" + "\n".join(missing)


def test_offices_use_known_roles_and_polities():
    bad = []
    for filename, person in PERSONS:
        for office in person["offices"]:
            if office["role"] not in ROLES:
                bad.append(f"{filename}: {person['id']}: unknown role {office['role']!r}")
            if office["of"] not in CODES:
                bad.append(f"{filename}: {person['id']}: unknown country/body {office['of']!r}")
    assert not bad, "\n".join(bad)


def test_office_dates_parse_and_are_ordered():
    bad = []
    for filename, person in PERSONS:
        for office in person["offices"]:
            where = f"{filename}: {person['id']} {office['role']} {office['of']}"
            try:
                start = date.fromisoformat(office["start"])
                end = _day(office.get("end"))
            except (TypeError, ValueError, KeyError) as exc:
                bad.append(f"{where}: {exc}")
                continue
            if end is not None and end < start:
                bad.append(f"{where}: ends {end} before it starts {start}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("kind, terms, expected", [
    ("clean", [("2010-01-01", "2012-05-01", "a"), ("2012-05-01", None, "b")], set()),
    ("day after", [("2010-01-01", "2012-05-01", "a"), ("2012-05-02", None, "b")], set()),
    ("gap", [("2010-01-01", "2012-05-01", "a"), ("2012-05-03", None, "b")], {("gap", "a", "b")}),
    ("overlap", [("2010-01-01", "2012-05-01", "a"), ("2012-04-30", None, "b")], {("overlap", "a", "b")}),
    ("open overlap", [("2010-01-01", None, "a"), ("2012-04-30", None, "b")], {("overlap", "a", "b")}),
    ("reappointed", [("2010-01-01", "2011-01-01", "a"), ("2011-01-01", None, "a")], set()),
    ("vacant now", [("2010-01-01", "2011-01-01", "a")], {("no_successor", "a", "")}),
])
def test_handover_rules_on_a_made_up_office(kind, terms, expected):
    """The checker itself: each rule fires exactly where it should."""
    made_up = [("made_up.json", {"id": pid, "offices": [{"role": "president", "of": "ZZZ", "start": s, "end": e}]})
               for s, e, pid in terms]
    assert {(k, b, a) for k, _, _, b, a in handover_problems(made_up)} == expected, kind

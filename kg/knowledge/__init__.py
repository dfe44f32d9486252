"""Load the versioned knowledge files (persons with dated offices, countries, bodies,
places, titles, trigger words) into typed, indexed form.

The JSON files are the source of truth (see README.md beside this file); this module
only reads them and answers "who held this office on that day?".
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from kg.model import Actor, Place

KNOWLEDGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Office:
    role: str
    of: str
    start: date | None
    end: date | None
    source: str | None = None

    def covers(self, day: date | None) -> bool:
        if day is None:
            return self.end is None
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name_en: str
    wikidata: str | None
    names_ar: tuple[str, ...]
    short_ar: tuple[str, ...]
    short_ar_context: tuple[str, ...]
    gender: str
    offices: tuple[Office, ...]
    short_ar_country: tuple[str, ...] = ()

    @property
    def label_ar(self) -> str | None:
        return self.names_ar[0] if self.names_ar else (self.short_ar[0] if self.short_ar else None)

    def offices_on(self, day: date | None) -> list[Office]:
        return [o for o in self.offices if o.covers(day)]

    def active_around(self, day: date | None, slack_days: int = 400) -> bool:
        """Held some office near `day`: a guard against matching a namesake from another era."""
        if day is None or not self.offices:
            return True
        for o in self.offices:
            start = o.start.toordinal() - slack_days if o.start else -10**9
            end = o.end.toordinal() + slack_days if o.end else 10**9
            if start <= day.toordinal() <= end:
                return True
        return False


@dataclass(frozen=True, slots=True)
class Polity:
    """A country or an international body."""

    code: str
    kind: str  # "country" | "organisation"
    name_en: str
    wikidata: str | None
    names_ar: tuple[str, ...]
    demonyms_ar: tuple[str, ...]  # every derived form: روسي روسية الروسي الروسية
    capital: str | None


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    id: str
    name_en: str
    wikidata: str | None
    names_ar: tuple[str, ...]
    country: str | None
    capital: bool


@dataclass(frozen=True, slots=True)
class Role:
    key: str  # the canonical role key used by offices
    en: str
    role_class: str
    titles_ar: tuple[str, ...]
    home_titles_ar: tuple[str, ...] = ()
    implies: str | None = None
    needs_qualifier: bool = False
    in_kb: bool = True


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def demonym_forms(base: str) -> list[str]:
    """The four forms of a demonym adjective Arabic news uses: روسي، روسية، الروسي، الروسية."""
    forms = {base}
    if base.endswith("ي"):
        forms.add(base + "ة")
    for form in list(forms):
        if not form.startswith("ال"):
            forms.add("ال" + form)
    return sorted(forms)


@dataclass(eq=False)  # identity equality: hashable, cached per instance
class KnowledgeBase:
    persons: dict[str, Person]
    polities: dict[str, Polity]
    places: dict[str, PlaceEntry]
    roles: dict[str, Role]  # keyed by role-table key (aliases included)
    honorifics: tuple[str, ...]
    counterparts: tuple[str, ...]
    triggers: dict
    common_words: tuple[str, ...] = ()
    landmarks: dict[str, str] = field(default_factory=dict)  # Arabic name -> place id of its city
    raw: dict[str, list[dict]] = field(repr=False, default_factory=dict)
    _by_office: dict[tuple[str, str], list[tuple[Office, Person]]] = field(repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], list[tuple[Office, Person]]] = defaultdict(list)
        for person in self.persons.values():
            for office in person.offices:
                index[(office.role, office.of)].append((office, person))
        self._by_office = dict(index)

    def holders(self, role: str, of: str, day: date | None) -> list[Person]:
        """Who held `role` of `of` on `day` (several when terms overlap on a hand-over day)."""
        found = [p for o, p in self._by_office.get((role, of), []) if o.covers(day)]
        return list(dict.fromkeys(found))

    def actor_for_person(self, person: Person) -> Actor:
        return Actor(key=person.id, kind="person", label_en=person.name_en,
                     label_ar=person.label_ar, wikidata=person.wikidata)

    def actor_for_polity(self, polity: Polity) -> Actor:
        return Actor(key=polity.code, kind="organisation" if polity.kind == "organisation" else "country",
                     label_en=polity.name_en, label_ar=polity.names_ar[0] if polity.names_ar else None,
                     wikidata=polity.wikidata)

    def place(self, place_id: str) -> Place:
        entry = self.places[place_id]
        return Place(key=entry.id, label_en=entry.name_en, label_ar=entry.names_ar[0] if entry.names_ar else None,
                     wikidata=entry.wikidata, country=entry.country)

    def all_names(self, actor: Actor) -> list[str]:
        """Every name we know for an actor: English label first, then Arabic spellings."""
        names = [actor.label_en] if actor.label_en else []
        person = self.persons.get(actor.key)
        if person:
            names += list(person.names_ar) + list(person.short_ar)
        polity = self.polities.get(actor.key)
        if polity:
            names += list(polity.names_ar)
        if actor.label_ar and actor.label_ar not in names:
            names.append(actor.label_ar)
        return names


def _read_list(path: Path) -> list[dict]:
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [item for item in data if isinstance(item, dict)]


def _load_roles(table: dict) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    for key, spec in table["roles"].items():
        canonical = spec.get("alias_of", key)
        base = table["roles"].get(canonical, spec)
        roles[key] = Role(
            key=canonical,
            en=base.get("en", canonical),
            role_class=base.get("class", "official"),
            titles_ar=tuple(spec.get("titles_ar", [])),
            home_titles_ar=tuple(spec.get("home_titles_ar", [])),
            implies=spec.get("implies"),
            needs_qualifier=bool(spec.get("needs_qualifier", False)),
            in_kb=bool(base.get("kb", True)),
        )
    return roles


def load(directory: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    raw_persons: list[dict] = []
    for path in sorted((directory / "persons").glob("*.json")):
        raw_persons += _read_list(path)
    persons = {}
    for p in raw_persons:
        persons[p["id"]] = Person(
            id=p["id"], name_en=p["name_en"], wikidata=p.get("wikidata"),
            names_ar=tuple(p.get("names_ar", [])), short_ar=tuple(p.get("short_ar", [])),
            short_ar_context=tuple(p.get("short_ar_context", [])), gender=p.get("gender", "m"),
            short_ar_country=tuple(p.get("short_ar_country", [])),
            offices=tuple(Office(o["role"], o["of"], _day(o.get("start")), _day(o.get("end")), o.get("source"))
                          for o in p.get("offices", [])),
        )
    raw_countries = _read_list(directory / "countries.json")
    raw_orgs = _read_list(directory / "organisations.json")
    polities = {}
    for c in raw_countries + raw_orgs:
        demonyms: list[str] = []
        for base in c.get("demonym_ar", []) or []:
            demonyms += demonym_forms(base)
        polities[c["code"]] = Polity(
            code=c["code"], kind=c.get("kind", "country"), name_en=c["name_en"], wikidata=c.get("wikidata"),
            names_ar=tuple(c.get("names_ar", [])), demonyms_ar=tuple(dict.fromkeys(demonyms)),
            capital=c.get("capital"),
        )
    raw_places = _read_list(directory / "places.json")
    places = {
        pl["id"]: PlaceEntry(id=pl["id"], name_en=pl["name_en"], wikidata=pl.get("wikidata"),
                             names_ar=tuple(pl.get("names_ar", [])), country=pl.get("country"),
                             capital=bool(pl.get("capital")))
        for pl in raw_places
    }
    role_table = json.loads((directory / "roles.json").read_text(encoding="utf-8"))
    triggers = json.loads((directory / "triggers.json").read_text(encoding="utf-8"))
    common = directory / "common_words.json"
    common_words = tuple(json.loads(common.read_text(encoding="utf-8"))["words"]) if common.exists() else ()
    landmark_file = directory / "landmarks.json"
    landmarks = {name: entry["place"] for entry in json.loads(landmark_file.read_text(encoding="utf-8"))["landmarks"]
                 for name in entry["names_ar"]} if landmark_file.exists() else {}
    unknown = sorted(set(landmarks.values()) - set(places))
    if unknown:
        raise ValueError(f"landmarks.json names places that places.json lacks: {', '.join(unknown)}")
    return KnowledgeBase(
        persons=persons, polities=polities, places=places, roles=_load_roles(role_table),
        honorifics=tuple(role_table.get("honorifics_ar", [])), counterparts=tuple(role_table.get("counterpart_ar", [])),
        triggers=triggers, common_words=common_words, landmarks=landmarks,
        raw={"persons": raw_persons, "countries": raw_countries, "organisations": raw_orgs, "places": raw_places},
    )


@lru_cache(maxsize=1)
def default() -> KnowledgeBase:
    """The packaged knowledge base, loaded once per process."""
    return load()

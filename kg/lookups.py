"""From what a user types to an actor: English or Arabic names, parts of names, Wikidata
ids; insensitive to case, diacritics and Arabic letter variants. Shared by CLI and HTTP."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kg import rdf
from kg.extract.normalize import fold_key
from kg.knowledge import KnowledgeBase, default


@dataclass(frozen=True, slots=True)
class ActorMatch:
    key: str
    label: str
    kind: str
    wikidata: str | None
    label_ar: str | None = None

    @property
    def iri(self) -> str:
        return rdf.actor_iri(self.key).value


class UnknownActor(LookupError):
    def __init__(self, query: str, suggestions: list[str]):
        super().__init__(f"no actor matches {query!r}")
        self.suggestions = suggestions


class AmbiguousActor(LookupError):
    def __init__(self, query: str, candidates: list[ActorMatch]):
        super().__init__(f"{query!r} matches {len(candidates)} actors")
        self.candidates = candidates


def _latin_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[-'’.,]", " ", stripped).lower().split())


def normalise_query(text: str) -> str:
    return _latin_key(fold_key(text.strip()))


@dataclass(frozen=True, slots=True)
class _Entry:
    match: ActorMatch
    names: tuple[str, ...]  # normalised


@lru_cache(maxsize=4)
def _index(kb: KnowledgeBase) -> tuple[_Entry, ...]:
    entries = []
    for p in kb.persons.values():
        names = {normalise_query(n) for n in (p.name_en, *p.names_ar, *p.short_ar, *p.short_ar_context)}
        entries.append(_Entry(ActorMatch(p.id, p.name_en, "person", p.wikidata, p.label_ar), tuple(sorted(names))))
    for c in kb.polities.values():
        names = {normalise_query(n) for n in (c.name_en, c.code, *c.names_ar)}
        kind = "organisation" if c.kind == "organisation" else "country"
        entries.append(_Entry(ActorMatch(c.code, c.name_en, kind, c.wikidata, c.names_ar[0] if c.names_ar else None),
                              tuple(sorted(names))))
    return tuple(entries)


def find_actors(query: str, kb: KnowledgeBase | None = None, limit: int = 20) -> list[ActorMatch]:
    """Best matches first: exact names, then whole-word parts, then substrings."""
    kb = kb or default()
    entries = _index(kb)
    q = query.strip()
    if re.fullmatch(r"[Qq]\d+", q):
        return [e.match for e in entries if (e.match.wikidata or "").upper() == q.upper()][:limit]
    nq = normalise_query(q)
    if not nq:
        return []
    exact = [e.match for e in entries if nq in e.names]
    if exact:
        return exact[:limit]
    words = [e.match for e in entries if any(re.search(rf"(?:^| ){re.escape(nq)}(?: |$)", n) for n in e.names)]
    if words:
        return words[:limit]
    return [e.match for e in entries if any(nq in n for n in e.names)][:limit]


def resolve_actor(query: str, kb: KnowledgeBase | None = None, present: set[str] | None = None) -> ActorMatch:
    """Exactly one actor, or UnknownActor (with suggestions) / AmbiguousActor (with choices).

    `present`: keys of actors the store holds facts about; among several matches, those win.
    """
    kb = kb or default()
    found = find_actors(query, kb)
    if present and len(found) > 1:
        found = [m for m in found if m.key in present] or found
    persons = [m for m in found if m.kind == "person"]
    if len(found) == 1:
        return found[0]
    if len(persons) == 1 and len(found) > 1 and all(m.kind != "person" for m in found if m is not persons[0]):
        return persons[0]
    if found:
        raise AmbiguousActor(query, found)
    all_names = {n: e.match.label for e in _index(kb) for n in e.names}
    close = difflib.get_close_matches(normalise_query(query), list(all_names), n=5, cutoff=0.6)
    raise UnknownActor(query, list(dict.fromkeys(all_names[c] for c in close)))

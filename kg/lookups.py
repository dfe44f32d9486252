"""From what a user types to an actor: English or Arabic names, parts of names, Wikidata
ids, knowledge-base keys or actor IRIs; insensitive to case, diacritics and Arabic letter
variants. Shared by CLI and HTTP.

Matching is tiered so that a precise query never drowns in loose ones: a whole name beats
all its words given in any order, which beats word beginnings, which beats a substring.
Among equally good matches, actors the store has facts about win; if several remain, the
caller gets them all to choose from, busiest first.
"""
from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache

from kg import rdf
from kg.extract.normalize import fold_key
from kg.knowledge import KnowledgeBase, default

_WIKIDATA = re.compile(r"^(?:wd:|https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/)?(Q[1-9]\d*)$", re.IGNORECASE)
_ARABIC_ARTICLE = "ال"


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

    @property
    def is_local(self) -> bool:
        """Found in articles by title, absent from the knowledge base."""
        return self.key.startswith(rdf.LOCAL_PREFIX)

    def to_dict(self) -> dict:
        return {**asdict(self), "iri": self.iri, "local": self.is_local}


class UnknownActor(LookupError):
    """`suggestions`: labels of near misses; `matches`: the same actors, for links."""

    def __init__(self, query: str, suggestions: list[str], matches: list[ActorMatch] | None = None):
        super().__init__(f"no actor matches {query!r}")
        self.query = query
        self.suggestions = suggestions
        self.matches = matches or []


class AmbiguousActor(LookupError):
    def __init__(self, query: str, candidates: list[ActorMatch]):
        super().__init__(f"{query!r} matches {len(candidates)} actors")
        self.query = query
        self.candidates = candidates


def _latin_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]", " ", stripped).lower().split())  # punctuation separates words


def normalise_query(text: str) -> str:
    return _latin_key(fold_key(text.strip()))


def _token_forms(token: str) -> tuple[str, ...]:
    """A word as written and without the Arabic article: الخامنئي is also خامنئي."""
    if token.startswith(_ARABIC_ARTICLE) and len(token) > len(_ARABIC_ARTICLE) + 2:
        return token, token[len(_ARABIC_ARTICLE):]
    return (token,)


@dataclass(frozen=True, slots=True)
class _Entry:
    match: ActorMatch
    names: tuple[str, ...]  # normalised
    tokens: frozenset[str]  # every word of every name, with and without the Arabic article


def _entry(match: ActorMatch, names: Iterable[str]) -> _Entry:
    normalised = tuple(sorted({n for n in (normalise_query(name) for name in names if name) if n}))
    tokens = frozenset(form for name in normalised for token in name.split() for form in _token_forms(token))
    return _Entry(match, normalised, tokens)


@lru_cache(maxsize=4)
def _index(kb: KnowledgeBase) -> tuple[_Entry, ...]:
    entries = []
    for p in kb.persons.values():
        match = ActorMatch(p.id, p.name_en, "person", p.wikidata, p.label_ar)
        entries.append(_entry(match, (p.name_en, p.id, *p.names_ar, *p.short_ar, *p.short_ar_context)))
    for c in kb.polities.values():
        kind = "organisation" if c.kind == "organisation" else "country"
        match = ActorMatch(c.code, c.name_en, kind, c.wikidata, c.names_ar[0] if c.names_ar else None)
        entries.append(_entry(match, (c.name_en, c.code, *c.names_ar)))
    return tuple(entries)


def known_actors(kb: KnowledgeBase | None = None) -> list[ActorMatch]:
    """Every person, country and body of the knowledge base."""
    return [entry.match for entry in _index(kb or default())]


def _local_entries(local: Iterable[ActorMatch]) -> list[_Entry]:
    """One entry per local actor, whatever number of spellings the articles gave it."""
    names: dict[str, list[str]] = {}
    first: dict[str, ActorMatch] = {}
    for match in local:
        first.setdefault(match.key, match)
        names.setdefault(match.key, []).extend(n for n in (match.label, match.label_ar) if n)
    return [_entry(first[key], spellings) for key, spellings in names.items()]


def _tier(query: str, words: list[str], entry: _Entry) -> int | None:
    """0 whole name or key, 1 all words, 2 all word beginnings, 3 substring; None: no match."""
    if query in entry.names:
        return 0
    query_forms = [_token_forms(w) for w in words]
    if all(any(f in entry.tokens for f in forms) for forms in query_forms):
        return 1
    if all(len(w) >= 2 for w in words) and all(
            any(t.startswith(f) for f in forms for t in entry.tokens) for forms in query_forms):
        return 2
    if len(query) >= 3 and any(query in name for name in entry.names):
        return 3
    return None


def _ranked(query: str, kb: KnowledgeBase, local: Iterable[ActorMatch]) -> list[tuple[int, ActorMatch]]:
    entries = [*_index(kb), *_local_entries(local)]
    q = query.strip()
    if wikidata := _WIKIDATA.match(q):
        qid = wikidata.group(1).upper()
        return [(0, e.match) for e in entries if (e.match.wikidata or "").upper() == qid]
    if q.startswith(("http://", "https://")):
        return [(0, e.match) for e in entries if e.match.iri == q]
    nq = normalise_query(q)
    if not nq:
        return []
    words = nq.split()
    found = []
    for entry in entries:
        tier = _tier(nq, words, entry)
        if tier is not None:
            found.append((tier, entry.match))
    found.sort(key=lambda item: (item[0], item[1].kind != "person", item[1].label))
    return found


def find_actors(query: str, kb: KnowledgeBase | None = None, limit: int = 20,
                local: Iterable[ActorMatch] = ()) -> list[ActorMatch]:
    """Best matches first. `local`: actors found in the store but absent from the knowledge
    base (one ActorMatch per spelling is fine)."""
    return [match for _, match in _ranked(query, kb or default(), local)][:limit]


def _facts(present: Mapping[str, int] | set[str] | None, key: str) -> int:
    if not present:
        return 0
    if isinstance(present, Mapping):
        return int(present.get(key, 0))
    return 1 if key in present else 0


_NEAR = 0.7


def _similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < _NEAR or matcher.quick_ratio() < _NEAR:
        return 0.0
    prefix = len(os.path.commonprefix([a, b]))
    return matcher.ratio() + 0.1 * prefix / len(a)  # typos sit more often at the end of a word


def suggestions(query: str, kb: KnowledgeBase | None = None, local: Iterable[ActorMatch] = (),
                limit: int = 5) -> list[ActorMatch]:
    """Near misses for a typo, most alike first: whole names, or single words of names."""
    nq = normalise_query(query)
    if not nq:
        return []
    words = nq.split()
    scored: list[tuple[float, ActorMatch]] = []
    for entry in [*_index(kb or default()), *_local_entries(local)]:
        pairs = [(nq, name) for name in entry.names if len(name) >= 3]
        pairs += [(word, token) for word in words for token in entry.tokens if len(token) >= 3]
        score = max((_similarity(a, b) for a, b in pairs), default=0.0)
        if score >= _NEAR:
            scored.append((score, entry.match))
    scored.sort(key=lambda item: (-item[0], item[1].label))
    return list({m.key: m for _, m in scored}.values())[:limit]


def resolve_actor(query: str, kb: KnowledgeBase | None = None, present: Mapping[str, int] | set[str] | None = None,
                  local: Iterable[ActorMatch] = ()) -> ActorMatch:
    """Exactly one actor, or UnknownActor (with suggestions) / AmbiguousActor (with choices).

    `present`: keys of actors the store holds facts about, or key -> number of facts;
    among equally good matches those win, and choices are offered busiest first.
    """
    kb = kb or default()
    local = list(local)
    ranked = _ranked(query, kb, local)
    if not ranked:
        near = suggestions(query, kb, local)
        raise UnknownActor(query, [m.label for m in near], near)
    best_tier = ranked[0][0]
    best = [m for tier, m in ranked if tier == best_tier]
    best = list({m.key: m for m in best}.values())
    if len(best) > 1 and present:
        known = [m for m in best if _facts(present, m.key) > 0]
        best = known or best
    if len(best) == 1:
        return best[0]
    persons = [m for m in best if m.kind == "person"]
    if len(persons) == 1:  # "Assad" the person, not a body that carries the name
        return persons[0]
    best.sort(key=lambda m: (-_facts(present, m.key), m.kind != "person", m.label))
    raise AmbiguousActor(query, best)

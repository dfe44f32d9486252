"""One pass of an Aho-Corasick automaton over folded text finds every name, title,
demonym, place and honorific the knowledge base knows, clitic-aware.

Patterns are folded the same way as the text, so spelling variants that differ only in
hamza, ta marbuta, alef maqsura or diacritics need no separate entries.
"""
from __future__ import annotations

from dataclasses import dataclass

import ahocorasick

from kg.extract.normalize import fold_key, is_letter
from kg.knowledge import KnowledgeBase

# Proclitics that may precede a word: conjunctions, prepositions, and their pairs.
_PROCLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك", "فك")


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # person | person_short | person_context | title | home_title | polity | demonym | place | honorific | counterpart | group
    ref: str  # person id, role-table key, polity code, place id, or the word itself


@dataclass(frozen=True, slots=True)
class Hit:
    start: int  # folded offsets of the word itself, clitics excluded
    end: int
    entries: tuple[Entry, ...]
    clitic: str = ""

    def first(self, *kinds: str) -> Entry | None:
        for entry in self.entries:
            if entry.kind in kinds:
                return entry
        return None

    @property
    def kinds(self) -> set[str]:
        return {e.kind for e in self.entries}


class Gazetteer:
    """Built once per knowledge base; `find` is the hot path."""

    def __init__(self, kb: KnowledgeBase):
        table: dict[str, list[Entry]] = {}

        def add(text: str, entry: Entry) -> None:
            key = fold_key(text)
            if len(key) < 2:
                return
            bucket = table.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)
            if entry.kind.startswith("person") and "الرحمن" in key:
                add(key.replace("الرحمن", "الرحمان"), entry)  # the Maghrebi spelling of the same name

        for person in kb.persons.values():
            for name in person.names_ar:
                add(name, Entry("person", person.id))
            for name in person.short_ar:
                add(name, Entry("person_short", person.id))
            for name in person.short_ar_context + person.short_ar_country:
                add(name, Entry("person_context", person.id))
            for name in person.names_ar:
                words = name.split()
                # "خالد بن أحمد بن محمد آل خليفة": Gulf names carry more or fewer ancestors than
                # the knowledge base lists; first name and father identify the person
                # a compound given name is one name: "محمد بن عبد الرحمن", not "محمد بن عبد"
                father = 4 if len(words) >= 4 and words[2] in ("عبد", "أبو", "ابو") else 3
                if len(words) > father and words[1] in ("بن", "ابن"):
                    add(" ".join(words[:father]), Entry("person_short", person.id))
                    # the first "بن" is often left out: "الأمير سلمان حمد بن عيسى آل خليفة"
                    if len(words) >= 5 and "بن" in words[3:]:
                        add(" ".join(words[:1] + words[2:]), Entry("person", person.id))
                # "بن فرحان", "ابن فرحان", "الأمير فيصل": the father's name or the given name of a
                # Gulf-style name, once the person was named in full
                if len(words) >= 3 and words[1] in ("بن", "ابن"):
                    for short in ("بن " + words[2], "ابن " + words[2], words[0]):
                        if not any(e.kind in ("person", "person_short") for e in table.get(fold_key(short), [])):
                            add(short, Entry("person_context", person.id))
                # the family name of a full name refers back to the person once named in full
                # ("رئيس وزراء باكستان شهباز شريف ... وقال شريف")
                for short in _surnames(name):
                    if Entry("person", person.id) not in table.get(fold_key(short), []) and \
                            Entry("person_short", person.id) not in table.get(fold_key(short), []):
                        add(short, Entry("person_context", person.id))
        for polity in kb.polities.values():
            for name in polity.names_ar:
                add(name, Entry("polity", polity.code))
            for form in polity.demonyms_ar:
                add(form, Entry("demonym", polity.code))
        for place in kb.places.values():
            for name in place.names_ar:
                add(name, Entry("place", place.id))
        for name, place_id in kb.landmarks.items():
            add(name, Entry("place", place_id))  # "في البيت الأبيض": the city that holds it
        for key, role in kb.roles.items():
            for title in role.titles_ar:
                add(title, Entry("title", key))
            for title in role.home_titles_ar:
                add(title, Entry("home_title", key))
        for word in kb.honorifics:
            add(word, Entry("honorific", fold_key(word)))
        for word in kb.counterparts:
            add(word, Entry("counterpart", fold_key(word)))
        for word in kb.triggers.get("group_references", []):
            add(word, Entry("group", fold_key(word)))

        # a short name that is also a place or a country ("سوتشي" the city, not Suu Kyi) only
        # refers to the person once named in full
        for key, entries in table.items():
            if any(e.kind in ("place", "polity", "demonym") for e in entries):
                table[key] = [Entry("person_context", e.ref) if e.kind == "person_short" else e for e in entries]
        automaton = ahocorasick.Automaton()
        for key, entries in table.items():
            automaton.add_word(key, (key, tuple(entries), ""))
            if key.startswith("ال") and len(key) > 3:
                # ل + ال contracts to لل: للرياض، للأمم المتحدة
                automaton.add_word("لل" + key[2:], ("لل" + key[2:], tuple(entries), "ل"))
        automaton.make_automaton()
        self._automaton = automaton
        self.table = table

    def lookup(self, phrase: str) -> tuple[Entry, ...]:
        return tuple(self.table.get(fold_key(phrase), ()))

    def find(self, text: str) -> list[Hit]:
        """Leftmost-longest, non-overlapping hits in folded `text`."""
        candidates: list[Hit] = []
        for start, end, (key, entries, built_in_clitic), clitic in whole_words(self._automaton, text):
            word_start = start + len(built_in_clitic)
            candidates.append(Hit(word_start, end, entries, clitic + built_in_clitic))
        candidates.sort(key=lambda h: (h.start - len(h.clitic), -(h.end - h.start)))
        chosen: list[Hit] = []
        taken_until = -1
        for hit in candidates:
            if hit.start - len(hit.clitic) >= taken_until:
                chosen.append(hit)
                taken_until = hit.end
        return chosen


# Family names that are mostly given names: too common to point back at one person.
_GIVEN_NAMES = {fold_key(w) for w in ("محمد", "أحمد", "محمود", "حسين", "إبراهيم", "يوسف", "صالح", "عبدالله", "خالد",
                                       "سالم", "عثمان", "مصطفى", "سليمان", "جعفر", "عباس", "حسن", "كمال", "جمال")}
_LINKS = {"بن", "بنت", "ابن", "آل", "ال", "أبو", "ابو", "عبد"}


# ruling families: hundreds of sheikhs and princes share them, so they name nobody alone
DYNASTIES = {fold_key(w) for w in ("الصباح", "آل خليفة", "آل ثاني", "آل نهيان", "آل سعود", "آل مكتوم", "آل سعيد",
                                    "آل الشيخ", "آل القاسمي", "القاسمي", "آل النعيمي", "آل المعلا", "آل الشرقي",
                                    "الهاشمي", "آل بوسعيد", "البوسعيدي")}


def _surnames(name: str) -> list[str]:
    """"عبد الفتاح السيسي" -> السيسي; "محمد بن سلمان" -> بن سلمان; "أحمد أبو الغيط" -> أبو الغيط."""
    words = name.split()
    if len(words) < 2:
        return []
    if words[-2] in _LINKS:
        common = fold_key(words[-1]) in _GIVEN_NAMES or fold_key(words[-1]) in {"محمد", "علي", "احمد", "حسن"}
        dynasty = fold_key(" ".join(words[-2:])) in DYNASTIES
        return [" ".join(words[-2:])] if len(words) > 2 and not common and not dynasty else []
    last = words[-1]
    return [last] if len(fold_key(last)) >= 4 and fold_key(last) not in DYNASTIES else []


def whole_words(automaton: ahocorasick.Automaton, text: str):
    """(start, end, value, proclitic) of every automaton key found in `text` as a whole word,
    possibly behind proclitics; the value's first item must be the key."""
    n = len(text)
    for end_index, value in automaton.iter(text):
        end = end_index + 1
        start = end - len(value[0])
        if end < n and is_letter(text[end]):
            continue
        clitic = _clitic_before(text, start)
        if clitic is not None:
            yield start, end, value, clitic


def _clitic_before(text: str, start: int) -> str | None:
    """The proclitic letters glued before `start`, "" at a word boundary, None inside a word."""
    if start == 0 or not text[start - 1].isalnum():
        return ""
    one = text[start - 1]
    if one not in _CLITIC_LETTERS:
        return None
    if start == 1 or not text[start - 2].isalnum():
        return one
    two = text[start - 2:start]
    if two in _TWO_LETTER_CLITICS and (start == 2 or not text[start - 3].isalnum()):
        return two
    return None


_CLITIC_LETTERS = frozenset("وفبلك")
_TWO_LETTER_CLITICS = frozenset(c for c in _PROCLITICS if len(c) == 2)

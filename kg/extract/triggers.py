"""Every trigger word of `knowledge/triggers.json` (meeting verbs and nouns, reporting verbs
and participles, planned and remote markers) found in one Aho-Corasick pass.

Long alternations compiled into Python regexes scan each position once per word list;
one automaton over all lists is several times faster and keeps extraction above the
speed target. Hits behave like regex matches (`start()`, `end()`, `group("w")`, `group("s")`)
so the finders read naturally.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

import ahocorasick

from kg.extract.gazetteer import whole_words
from kg.extract.normalize import fold_key
from kg.knowledge import KnowledgeBase

_SUFFIXES = ("هما", "هم", "ها", "ه")
_VERB_KINDS = {"meeting_verb_object", "agreement", "dual", "participle", "verb", "meeting_verb", "support_verb", "planned"}
SUPPORT_VERBS = ("عقد", "عقدت", "عقدا", "أجرى", "أجرت", "أجريا", "جرى", "جرت", "أجراها", "عقدها", "أجراه", "عقده",
                 "شارك", "شاركت", "حضر", "حضرت", "ترأس", "ترأست", "أقام", "أقامت", "استضاف", "استضافت", "احتضن",
                 "احتضنت", "رأس", "ترأسا", "جمع", "جمعت", "ضم", "ضمت",
                 # present and future: "يجري وزيرا الخارجية ... محادثات", "سيعقد الجانبان اجتماعا"
                 "يجري", "تجري", "يجريان", "سيجري", "ستجري", "يعقد", "تعقد", "يعقدان", "سيعقد", "ستعقد",
                 "سيعقدان")
TALK_VERBS = ("بحث", "بحثت", "تباحث", "تباحثا", "بحثا", "ناقش", "ناقشت", "ناقشا")
# a signing is an encounter of its signatories: "وقّع X ونظيره Y إعلان ..." / "وقّع X مع نظيره Y على ..."
SIGN_VERBS = ("وقع", "وقعا", "وقعت", "يوقع", "يوقعان", "سيوقع", "سيوقعان", "توقع")


@dataclass(frozen=True, slots=True)
class TriggerHit:
    begin: int  # including a proclitic (و، ف، ب، ل ...)
    word_start: int
    finish: int  # after any attached pronoun
    core: str  # the trigger word as listed, folded
    suffix: str | None
    kind: str
    text: str  # the folded text of the whole hit

    def start(self, group: int | str = 0) -> int:
        return self.word_start if group == "w" else self.begin

    def end(self, group: int | str = 0) -> int:
        return self.finish

    def group(self, name: int | str = 0) -> str | None:
        if name == "w":
            return self.core
        if name == "s":
            return self.suffix
        return self.text


class TriggerIndex:
    def __init__(self, kb: KnowledgeBase):
        t = kb.triggers
        r = t["reporting"]
        lists: dict[str, list[str]] = {
            "agreement": r["agreement_verbs"],
            "dual": r["dual_verbs"],
            "participle": r["participles"],
            "verb": r["verbs"] + r["present_verbs"] + ["بالقول"],
            "meeting_verb": t["meeting"]["strong_verbs"] + t["meeting"].get("visit_verbs", []) + list(TALK_VERBS)
            + list(SIGN_VERBS),
            "meeting_verb_object": t["meeting"].get("verbs_with_object", []),
            "planned": t["planned_markers"],
            "remote": t["remote_markers"],
            "support_verb": list(SUPPORT_VERBS),
        }
        table: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
        for kind, words in lists.items():
            for word in words:
                key = fold_key(word)
                table[key].append((kind, key, None))
        nouns = t["meeting"]["strong_nouns"] + ["مراسم استقبال", "لقاءين"]
        for noun in nouns:
            key = fold_key(noun)
            table[key].append(("meeting_noun", key, None))
            # attached pronouns; a final hamza sits on ya before them: لقاء -> لقائه (folded لقايه)
            stems = [key] + ([fold_key(noun[:-1] + "ئ")] if noun.endswith("اء") else [])
            for stem in stems:
                for suffix in _SUFFIXES:
                    if stem == key and key.endswith("ه"):
                        continue
                    table[stem + suffix].append(("meeting_noun", key, suffix))
        automaton = ahocorasick.Automaton()
        for key, entries in table.items():
            automaton.add_word(key, (key, tuple(dict.fromkeys(entries))))
        automaton.make_automaton()
        self._automaton = automaton

    def find(self, text: str) -> "Triggers":
        by_kind: dict[str, list[TriggerHit]] = defaultdict(list)
        for start, end, (_key, entries), clitic in whole_words(self._automaton, text):
            begin = start - len(clitic)
            for kind, core, suffix in entries:
                if kind in _VERB_KINDS and clitic not in ("", "و", "ف"):
                    continue  # a verb takes only و/ف: "كيري" is not ك + يرى
                by_kind[kind].append(TriggerHit(begin, start, end, core, suffix, kind, text[begin:end]))
        for hits in by_kind.values():
            hits.sort(key=lambda h: (h.begin, -h.finish))
        return Triggers(dict(by_kind))


class Triggers:
    """Trigger hits of one article by kind, with window queries."""

    def __init__(self, by_kind: dict[str, list[TriggerHit]]):
        self.by_kind = by_kind
        self._starts = {kind: [h.begin for h in hits] for kind, hits in by_kind.items()}

    def of(self, *kinds: str) -> list[TriggerHit]:
        hits = [h for kind in kinds for h in self.by_kind.get(kind, [])]
        return sorted(hits, key=lambda h: (h.begin, -h.finish)) if len(kinds) > 1 else hits

    def within(self, kind: str, start: int, end: int) -> list[TriggerHit]:
        hits = self.by_kind.get(kind, [])
        i = bisect_left(self._starts.get(kind, []), start)
        out = []
        while i < len(hits) and hits[i].begin < end:
            if hits[i].finish <= end:
                out.append(hits[i])
            i += 1
        return out

    def any_within(self, kind: str, start: int, end: int) -> bool:
        return bool(self.within(kind, start, end))

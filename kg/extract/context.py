"""What the meeting and statement finders share about one article: folded text, sentences,
clause boundaries, resolved mentions, places, dates, quotes and the headline zone."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache

from kg.extract.mentions import Mention, Resolved
from kg.extract.normalize import Folded, fold_key
from kg.extract.sentences import Sentences
from kg.extract.triggers import Triggers
from kg.knowledge import KnowledgeBase

_OPEN_QUOTES = "“«\""
_QUOTE_OPEN = re.compile('[“«"]')
_CLOSE_FOR = {"“": "”", "«": "»", '"': '"'}


def word_regex(words: list[str], proclitics: str = "", suffixes: str = "", *, suffix_required: bool = False) -> re.Pattern:
    """Whole-word matcher over folded text for a word list, longest first; the word is group
    "w" and an attached pronoun group "s". Compiled once per word list."""
    return _compiled_word_regex(tuple(words), proclitics, suffixes, suffix_required)


@lru_cache(maxsize=512)
def _compiled_word_regex(words: tuple[str, ...], proclitics: str, suffixes: str, suffix_required: bool) -> re.Pattern:
    forms = sorted({fold_key(w) for w in words if w}, key=len, reverse=True)
    body = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
    pre = f"(?:{proclitics})?" if proclitics else ""
    suf = f"(?P<s>{suffixes}){'' if suffix_required else '?'}" if suffixes else ""
    return re.compile(rf"(?<![\w\u0621-\u064a]){pre}(?P<w>{body}){suf}(?![\w\u0621-\u064a])")


@dataclass
class ArticleContext:
    kb: KnowledgeBase
    folded: Folded
    day: date | None
    home: str | None
    resolved: Resolved
    dates: list  # kg.extract.dates.DateMention over folded text
    headline_end: int  # statements and meetings in the headline zone are not extracted
    triggers: "Triggers" = None  # trigger words found in the folded text
    clause_cuts: list[int] = field(default_factory=list)  # sorted folded offsets where clauses break

    @property
    def text(self) -> str:
        return self.folded.text

    @cached_property
    def sentences(self) -> Sentences:
        return Sentences(self.text)

    @cached_property
    def quotes(self) -> list[tuple[int, int]]:
        """Quoted stretches (an unclosed quote runs to the end of its paragraph)."""
        spans = []
        text = self.text
        pos = 0
        while True:
            match = _QUOTE_OPEN.search(text, pos)
            if not match:
                break
            i = match.start()
            close = _CLOSE_FOR[match.group()]
            para_end = text.find("\n", i)
            para_end = len(text) if para_end < 0 else para_end
            j = text.find(close, i + 1, para_end)
            end = para_end if j < 0 else j + 1
            if j < 0 or not self._quoted_name(i + 1, j):
                spans.append((i, end))  # '"كاتالين نوفاك" رئيسة المجر': a quoted name is no quotation
            pos = end
        return spans

    def _quoted_name(self, start: int, end: int) -> bool:
        """Short quoted words, or a quoted span that is mostly a person's name ("اية الله السيد علي الخامنئي")."""
        words = len(self.text[start:end].split())
        if words <= 4:
            return True
        if words > 7:
            return False
        covered = max((min(end, m.end) - max(start, m.start) for m in self.resolved.mentions
                       if m.kind == "person" and m.start < end and m.end > start), default=0)
        return covered >= 0.6 * (end - start)  # one person's name, not a quoted list of people

    @cached_property
    def _quote_starts(self) -> list[int]:
        return [a for a, _ in self.quotes]

    def in_quote(self, pos: int) -> bool:
        k = bisect_left(self._quote_starts, pos) - 1
        return k >= 0 and self.quotes[k][0] < pos < self.quotes[k][1]

    def quote_starting_at(self, pos: int) -> tuple[int, int] | None:
        for a, b in self.quotes:
            if a == pos:
                return a, b
        return None

    def clause(self, pos: int) -> tuple[int, int]:
        """The clause around `pos`: between clause cuts, inside its sentence."""
        sentence = self.sentences.at(pos)
        k = bisect_left(self.clause_cuts, pos + 1)
        start = self.clause_cuts[k - 1] if k > 0 else 0
        end = self.clause_cuts[k] if k < len(self.clause_cuts) else len(self.text)
        return max(start, sentence.start), min(end, sentence.end)

    def persons_between(self, start: int, end: int, *, outside_quotes: bool = True) -> list[Mention]:
        found = []
        for m in self.resolved.mentions:
            if m.start >= start and m.end <= end and m.kind in ("person", "group"):
                if outside_quotes and self.in_quote(m.start):
                    continue
                found.append(m)
        return found

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.folded.span(start, end)

"""Sentence and paragraph boundaries on folded text: the unit within which a trigger
finds its participants, place and date, and a reporting verb its content."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# A sentence ends at . ! ? ؟ followed by space or line end (not inside numbers such as 83.7),
# and always at a line break.
_END = re.compile(r"(?<!\d)[.!?؟…]+(?=\s|$)|\n+")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    paragraph: int


class Sentences:
    def __init__(self, text: str):
        spans: list[Sentence] = []
        start = 0
        paragraph = 0
        # Where blank lines separate paragraphs, a single line break inside one is a wrap,
        # not the end of a sentence ("... أن التجربة\nالجيدة للتعاون ...").
        wrapped = text.count("\n\n") >= 2
        for match in _END.finditer(text):
            if wrapped and match.group() == "\n" and match.start() > 0 and text[match.start() - 1] not in ".!?؟:»”\"":
                continue
            end = match.end()
            if text[start:end].strip():
                spans.append(Sentence(start, end, paragraph))
            if "\n" in match.group():
                paragraph += 1
            start = end
        if text[start:].strip():
            spans.append(Sentence(start, len(text), paragraph))
        self.spans = spans
        self._starts = [s.start for s in spans]

    def index_at(self, pos: int) -> int:
        return max(0, bisect_right(self._starts, pos) - 1)

    def at(self, pos: int) -> Sentence:
        return self.spans[self.index_at(pos)]

    def paragraph_end(self, pos: int) -> int:
        i = self.index_at(pos)
        paragraph = self.spans[i].paragraph
        while i + 1 < len(self.spans) and self.spans[i + 1].paragraph == paragraph:
            i += 1
        return self.spans[i].end

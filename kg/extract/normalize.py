"""Arabic letter folding that remembers where every folded character came from.

Matching runs on folded text (one spelling per name), but every fact must point at the
original words, so `Folded.to_original` maps folded offsets back to the raw text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

# One character in, one character out: hamza carriers, alef maqsura, ta marbuta, Persian
# letters, Arabic-Indic and Persian digits, ASCII case.
_ONE_TO_ONE = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
        "ى": "ي", "ئ": "ي", "ی": "ي", "ې": "ي",
        "ة": "ه", "ۀ": "ه", "ؤ": "و",
        "ک": "ك", "گ": "ك", "پ": "ب", "چ": "ج", "ژ": "ز", "ڤ": "ف",
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
        "\u00a0": " ", "\u202f": " ", "\u2009": " ",
        "٫": ".", "٬": ",",
    }
)

# As a sequence indexed by code point, str.translate avoids a dict lookup per character;
# characters outside the Basic Multilingual Plane fall through unchanged.
_TABLE = "".join(chr(_ONE_TO_ONE.get(i, i)) if isinstance(_ONE_TO_ONE.get(i, i), int) else _ONE_TO_ONE[i]
                 for i in range(0x10000))

# Dropped entirely: harakat, dagger alef, Quranic marks, tatweel, zero-width and bidi controls.
_DROPPED = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text plus what is needed to map its offsets back to the original."""

    text: str
    original: str
    _cuts: tuple[int, ...]  # folded offsets at which one more dropped character lies behind

    def to_original(self, index: int) -> int:
        """Original offset of folded position `index`."""
        return index + bisect_right(self._cuts, index) if self._cuts else index

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering folded [start, end), with the marks (harakat) that sit
        on its last letter."""
        if not self._cuts:
            return start, end
        if end <= start:
            o = self.to_original(start)
            return o, o
        return self.to_original(start), self.to_original(end)


def fold(text: str) -> Folded:
    """Fold `text` for matching; `Folded.span` recovers original offsets."""
    one_to_one = text.translate(_TABLE)
    dropped = [m.start() for m in _DROPPED.finditer(one_to_one)]
    if not dropped:
        return Folded(one_to_one, text, ())
    cuts = tuple(position - k for k, position in enumerate(dropped))
    return Folded(_DROPPED.sub("", one_to_one), text, cuts)


@lru_cache(maxsize=1 << 16)
def fold_key(text: str) -> str:
    """Folded form of a name or phrase for dictionary keys: also squeezes whitespace."""
    return " ".join(fold(text).text.replace("-", " ").split())


_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3]")


def is_letter(ch: str) -> bool:
    """Word characters for boundary checks (Arabic letters are Unicode letters: isalnum is enough)."""
    return ch.isalnum()

"""Arabic letter folding that remembers where every folded character came from.

Matching runs on folded text (one spelling per name), but every fact must point at the
original words, so `Folded.to_original` maps folded offsets back to the raw text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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

# Dropped entirely: harakat, dagger alef, Quranic marks, tatweel, zero-width and bidi controls.
_DROPPED = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text plus the original offset of each of its characters."""

    text: str
    original: str
    _positions: tuple[int, ...] | None  # None: same length, offsets unchanged

    def to_original(self, index: int) -> int:
        """Original offset of folded position `index` (an end offset maps past its character)."""
        if self._positions is None:
            return index
        if index >= len(self._positions):
            return len(self.original)
        return self._positions[index]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering folded [start, end)."""
        if self._positions is None:
            return start, end
        if end <= start:
            o = self.to_original(start)
            return o, o
        return self._positions[start], self._positions[end - 1] + 1


def fold(text: str) -> Folded:
    """Fold `text` for matching; `Folded.span` recovers original offsets."""
    one_to_one = text.translate(_ONE_TO_ONE)
    if not _DROPPED.search(one_to_one):
        return Folded(one_to_one, text, None)
    positions = tuple(i for i, ch in enumerate(one_to_one) if not _DROPPED.match(ch))
    folded = _DROPPED.sub("", one_to_one)
    return Folded(folded, text, positions)


def fold_key(text: str) -> str:
    """Folded form of a name or phrase for dictionary keys: also squeezes whitespace."""
    return " ".join(fold(text).text.replace("-", " ").split())


_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3]")


def is_letter(ch: str) -> bool:
    """Word characters for boundary checks (Arabic or Latin letters and digits)."""
    return ch.isalnum() or bool(_ARABIC_LETTER.match(ch))

"""Coverage-guided fuzzing of the extractor and the date resolver (atheris / libFuzzer).

    python tests/fuzz/fuzz_extract.py -runs=20000 -max_total_time=30 [corpus_dir]

The input bytes choose a publication date (or none) and build a text from knowledge-base
fragments (titles, names, triggers, date phrases) and raw fuzzed Unicode; a crash is any
exception, or a broken invariant (span offsets, participants, dates, RDF mapping).
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests folder: shared checks
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project, when not installed

with atheris.instrument_imports(include=["kg.extract"]):
    from kg.extract import Extractor
    from kg.extract.dates import find_dates
    from kg.model import Article, Span

from test_robust_properties import DATE_PHRASES, PUNCTUATION, assert_date_value, assert_span, check_extraction, vocabulary

EXTRACTOR = Extractor()
POOLS = [words for words in vocabulary().values()] + [DATE_PHRASES, PUNCTUATION]


def _published(data: atheris.FuzzedDataProvider) -> dt.date | None:
    if data.ConsumeBool():
        return None
    return dt.date.fromordinal(data.ConsumeIntInRange(1, dt.date.max.toordinal()))


def _text(data: atheris.FuzzedDataProvider) -> str:
    parts = []
    for _ in range(data.ConsumeIntInRange(0, 40)):
        if data.ConsumeBool():
            pool = POOLS[data.ConsumeIntInRange(0, len(POOLS) - 1)]
            parts.append(pool[data.ConsumeIntInRange(0, len(pool) - 1)])
        else:
            parts.append(data.ConsumeUnicodeNoSurrogates(data.ConsumeIntInRange(0, 16)))
    return " ".join(parts)


def test_one_input(raw: bytes) -> None:
    data = atheris.FuzzedDataProvider(raw)
    published = _published(data)
    text = _text(data)
    check_extraction(EXTRACTOR.extract(Article(id="fuzz", text=text, published=published)))
    for mention in find_dates(text, published):
        assert_span(Span(mention.start, mention.end, mention.text), text)
        assert_date_value(mention.value)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()

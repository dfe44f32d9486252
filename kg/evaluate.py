"""Score extracted meetings and statements against gold annotations.

The rules are those of GUIDELINES.md "Scoring" and the README's matching rules; the
figures equal the reference scorer (tests/reference/score.py) on the same input, so a
number from `kg evaluate` can be compared with one published by the benchmark. The
prediction format is the benchmark's JSON (README.md "Prediction format"), not our model
classes: the same scorer then judges our output and anybody else's.

    python -m kg.evaluate GOLD_DIR PREDICTIONS.json [--entities entities.json] [--json]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_STATEMENT_CHARS = 800  # a longer predicted text is a paragraph, not a statement's content
MIN_PAIR_OVERLAP = 0.5  # participant F1 below which a predicted meeting is another encounter
MIN_PARTICIPANTS = 2  # a "meeting" of one person cannot be an encounter
ENTITY_LABEL_KEYS = ("label", "label_en", "label_ar", "name")

# Arabic harakat, Quranic marks, superscript alef and tatweel: spelling noise, not letters.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_HAMZA_AND_ENDINGS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
_PERSIAN_LETTERS = {"ک": "ك", "ی": "ي", "پ": "ب", "چ": "ج", "گ": "ك", "ژ": "ز"}
_QUOTES = {mark: "" for mark in "“”«»\"‘’'"}
_ARABIC_INDIC_DIGITS = {chr(0x0660 + value): str(value) for value in range(10)}
_DASHES = {dash: " " for dash in "-‐–—"}
_LETTER_FOLDS = str.maketrans(
    _HAMZA_AND_ENDINGS | _PERSIAN_LETTERS | _QUOTES | _ARABIC_INDIC_DIGITS | _DASHES
)


def normalise(text: str | None) -> str:
    """Fold the spellings under which the same Arabic words are printed, so that evidence
    copied from one edition of a text is found in a prediction copied from another."""
    folded = unicodedata.normalize("NFKC", text or "")
    folded = _ARABIC_MARKS.sub("", folded).translate(_LETTER_FOLDS).lower()
    return " ".join(folded.split())


# --------------------------------------------------------------------------- entities


@dataclass(frozen=True)
class Entities:
    """Canonical names with their Wikidata ids and aliases: decides whether an entity a
    system predicted is a given gold entity, however the system chose to name it."""

    wikidata: Mapping[str, str | None]
    names: Mapping[str, frozenset[str]]

    @classmethod
    def from_table(cls, table: Mapping[str, Mapping[str, Any]]) -> Entities:
        wikidata = {name: entry.get("wikidata") or None for name, entry in table.items()}
        names = {
            name: frozenset({normalise(name)} | {normalise(alias) for alias in entry.get("aliases", [])})
            for name, entry in table.items()
        }
        return cls(wikidata, names)

    def matches(self, predicted: Any, gold_name: str) -> bool:
        """A predicted entity (a label or an object with labels and a Wikidata id) is the gold
        one by equal Wikidata id or by any label equal to a known name after normalisation."""
        if predicted is None:
            return False
        if isinstance(predicted, str):
            predicted = {"label": predicted}
        if self._same_wikidata(predicted.get("wikidata"), gold_name):
            return True
        known = self.names.get(gold_name, frozenset({normalise(gold_name)}))
        return any(normalise(label) in known for label in _predicted_labels(predicted))

    def _same_wikidata(self, predicted_id: Any, gold_name: str) -> bool:
        """Ids may come as full entity IRIs; only the final Q-number is compared."""
        gold_id = self.wikidata.get(gold_name)
        if not predicted_id or not gold_id:
            return False
        return str(predicted_id).rsplit("/", 1)[-1] == gold_id


def _predicted_labels(predicted: Mapping[str, Any]) -> list[str]:
    labels = [predicted.get(key) for key in ENTITY_LABEL_KEYS]
    labels += list(predicted.get("labels", []) or [])
    return [label for label in labels if label and isinstance(label, str)]


def load_entities(path: Path) -> Entities:
    """Read an entities.json: {canonical name: {"wikidata": id or null, "aliases": [...]}}."""
    return Entities.from_table(json.loads(Path(path).read_text(encoding="utf-8")))


def load_gold(gold_dir: Path) -> list[dict]:
    """One gold document per JSON file, in file-name order so per-document rows are stable."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(Path(gold_dir).glob("*.json"))]


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1, rounded as published."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def from_counts(cls, true_positives: int, predicted: int, gold: int) -> PRF:
        precision, recall = _ratio(true_positives, predicted), _ratio(true_positives, gold)
        return cls(round(precision, 3), round(recall, 3), round(_f1(precision, recall), 3))

    def to_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class DocumentScore:
    """One article's row: what the reader should look at first when a total drops."""

    document: str
    gold_meetings: int
    paired: int
    exact: int
    gold_statements: int
    statements_found: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "gold_meetings": self.gold_meetings,
            "paired": self.paired,
            "exact": self.exact,
            "gold_statements": self.gold_statements,
            "statements_found": self.statements_found,
        }


@dataclass(frozen=True)
class Report:
    """Every figure of one evaluation; `to_dict()` has the reference scorer's JSON layout."""

    documents: int
    gold_meetings: int
    predicted_meetings: int
    meeting_detection: PRF
    participants: PRF
    date_accuracy: float
    location_accuracy: float
    meeting_exact: PRF
    gold_statements: int
    predicted_statements: int
    statements: PRF
    speaker_accuracy: float
    per_document: tuple[DocumentScore, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "meetings": {
                "gold": self.gold_meetings,
                "predicted": self.predicted_meetings,
                "detection": self.meeting_detection.to_dict(),
                "participants": self.participants.to_dict(),
                "date_accuracy": self.date_accuracy,
                "location_accuracy": self.location_accuracy,
                "exact": self.meeting_exact.to_dict(),
            },
            "statements": {
                "gold": self.gold_statements,
                "predicted": self.predicted_statements,
                "matched": self.statements.to_dict(),
                "speaker_accuracy": self.speaker_accuracy,
            },
            "per_document": [row.to_dict() for row in self.per_document],
        }


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# --------------------------------------------------------------------------- counting


@dataclass
class _MeetingCounts:
    gold: int = 0
    predicted: int = 0
    paired: int = 0
    exact: int = 0
    gold_participants: int = 0
    predicted_participants: int = 0
    participant_hits: int = 0
    dates_scored: int = 0
    dates_right: int = 0
    locations_scored: int = 0
    locations_right: int = 0

    def add(self, other: _MeetingCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _StatementCounts:
    gold: int = 0  # required statements only: optional ones are never owed
    predicted: int = 0
    found: int = 0
    optional_found: int = 0  # excused from the precision denominator
    attributable: int = 0  # required statements whose content some prediction holds
    speaker_right: int = 0

    def add(self, other: _StatementCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _belongs_to(documents: Any, gold_document: str) -> bool:
    """A prediction names its article by file name, path or id; the gold file's stem inside
    it is enough, so "d01_x", "d01_x.txt" and "corpus/d01_x.txt" all point to d01_x.txt."""
    if isinstance(documents, str):
        documents = [documents]
    stem = Path(gold_document).stem
    return any(stem in str(document) for document in documents or [])


# --------------------------------------------------------------------------- meetings


@dataclass(frozen=True, order=True)
class _Candidate:
    """A possible gold/prediction pair, ordered so that the best pair sorts first: higher
    participant F1, then more agreeing date and location, then more shared participants,
    then document order (so ties break the same way on every run)."""

    sort_key: tuple[float, int, int, int, int]
    gold_index: int = field(compare=False)
    predicted_index: int = field(compare=False)
    participant_f1: float = field(compare=False)
    shared: int = field(compare=False)


def _shared_participants(predicted: Sequence[Any], gold: Sequence[str], entities: Entities) -> int:
    """Each gold participant takes the first still-unused predicted one that is them, so a
    prediction listing the same person twice earns that person once."""
    used: set[int] = set()
    for gold_name in gold:
        for index, person in enumerate(predicted):
            if index not in used and entities.matches(person, gold_name):
                used.add(index)
                break
    return len(used)


def _date_right(predicted: Any, gold: str) -> bool:
    """A day-precise prediction is right for a month-precise gold date in that month."""
    return isinstance(predicted, str) and predicted.startswith(gold)


def _date_agrees(meeting: Mapping[str, Any], gold: Mapping[str, Any]) -> bool:
    return gold.get("date") is None or _date_right(meeting.get("date"), gold["date"])


def _location_agrees(meeting: Mapping[str, Any], gold: Mapping[str, Any], entities: Entities) -> bool:
    return gold.get("location") is None or entities.matches(meeting.get("location"), gold["location"])


def _meeting_candidates(gold_meetings: Sequence[dict], predicted: Sequence[dict], entities: Entities) -> list[_Candidate]:
    candidates = []
    for gold_index, gold in enumerate(gold_meetings):
        for predicted_index, meeting in enumerate(predicted):
            shared = _shared_participants(meeting["participants"], gold["participants"], entities)
            overlap = _f1(_ratio(shared, len(meeting["participants"])), _ratio(shared, len(gold["participants"])))
            if overlap < MIN_PAIR_OVERLAP:
                continue
            agreeing = int(_date_agrees(meeting, gold)) + int(_location_agrees(meeting, gold, entities))
            key = (-overlap, -agreeing, -shared, gold_index, predicted_index)
            candidates.append(_Candidate(key, gold_index, predicted_index, overlap, shared))
    return sorted(candidates)


def _score_meetings(gold_meetings: Sequence[dict], predicted: Sequence[dict], entities: Entities) -> _MeetingCounts:
    """Pair greedily, best pair first: a gold meeting and a prediction are used once each."""
    counts = _MeetingCounts(
        gold=len(gold_meetings),
        predicted=len(predicted),
        gold_participants=sum(len(gold["participants"]) for gold in gold_meetings),
        predicted_participants=sum(len(meeting["participants"]) for meeting in predicted),
    )
    paired_gold: set[int] = set()
    paired_predicted: set[int] = set()
    for candidate in _meeting_candidates(gold_meetings, predicted, entities):
        if candidate.gold_index in paired_gold or candidate.predicted_index in paired_predicted:
            continue
        paired_gold.add(candidate.gold_index)
        paired_predicted.add(candidate.predicted_index)
        gold, meeting = gold_meetings[candidate.gold_index], predicted[candidate.predicted_index]
        _count_pair(counts, gold, meeting, candidate, entities)
    return counts


def _count_pair(counts: _MeetingCounts, gold: Mapping[str, Any], meeting: Mapping[str, Any],
                candidate: _Candidate, entities: Entities) -> None:
    """Null gold dates and places are not scored: the text gave no cue to get right."""
    date_right = _date_agrees(meeting, gold)
    location_right = _location_agrees(meeting, gold, entities)
    counts.paired += 1
    counts.participant_hits += candidate.shared
    if gold.get("date") is not None:
        counts.dates_scored += 1
        counts.dates_right += date_right
    if gold.get("location") is not None:
        counts.locations_scored += 1
        counts.locations_right += location_right
    if candidate.participant_f1 == 1.0 and date_right and location_right:
        counts.exact += 1


# --------------------------------------------------------------------------- statements


class _BipartiteMatching:
    """Maximum matching by augmenting paths (Kuhn), gold items tried in order: one long
    prediction holding two gold contents may serve only one of them, and should serve
    the one no other prediction can."""

    def __init__(self, options: Mapping[int, Sequence[int]]):
        self._options = options
        self.owner_of: dict[int, int] = {}  # predicted index -> gold index
        for gold_index in options:
            self._augment(gold_index, set())

    def _augment(self, gold_index: int, visited: set[int]) -> bool:
        for predicted_index in self._options.get(gold_index, ()):
            if predicted_index in visited:
                continue
            visited.add(predicted_index)
            holder = self.owner_of.get(predicted_index)
            if holder is None or self._augment(holder, visited):
                self.owner_of[predicted_index] = gold_index
                return True
        return False

    @property
    def size(self) -> int:
        return len(self.owner_of)


def _speakers_of(gold_statement: Mapping[str, Any]) -> list[str]:
    speaker = gold_statement["speaker"]
    return speaker if isinstance(speaker, list) else [speaker]


def _comparable_text(statement: Mapping[str, Any]) -> str:
    """Over-long texts become empty, so they contain no evidence and match nothing."""
    text = normalise(statement.get("text", ""))
    return text if len(text) <= MAX_STATEMENT_CHARS else ""


def _has_right_speaker(statement: Mapping[str, Any], gold_speakers: Iterable[str], entities: Entities) -> bool:
    """A joint position is found when any one of its speakers is credited."""
    gold_speakers = list(gold_speakers)
    return any(entities.matches(speaker, gold_name)
               for speaker in statement.get("speakers", []) for gold_name in gold_speakers)


def _score_statements(gold_statements: Sequence[dict], predicted: Sequence[dict], entities: Entities) -> _StatementCounts:
    """Required statements are matched first; optional ones may then use what is left, and
    each such match only forgives a prediction rather than earning recall."""
    counts = _StatementCounts(gold=sum(not gold.get("optional") for gold in gold_statements), predicted=len(predicted))
    texts = [_comparable_text(statement) for statement in predicted]
    required: dict[int, list[int]] = {}
    optional: dict[int, list[int]] = {}
    for gold_index, gold in enumerate(gold_statements):
        evidence = normalise(gold["evidence"])
        holding = [index for index, text in enumerate(texts) if evidence in text]
        speakers = _speakers_of(gold)
        right = [index for index in holding if _has_right_speaker(predicted[index], speakers, entities)]
        if gold.get("optional"):
            optional[gold_index] = right
            continue
        required[gold_index] = right
        if holding:
            counts.attributable += 1
            counts.speaker_right += bool(right)
    required_matching = _BipartiteMatching(required)
    counts.found = required_matching.size
    taken = set(required_matching.owner_of)
    leftovers = {gold_index: [index for index in options if index not in taken] for gold_index, options in optional.items()}
    counts.optional_found = _BipartiteMatching(leftovers).size
    return counts


# --------------------------------------------------------------------------- errors


ERROR_KINDS = ("missed meeting", "extra meeting", "wrong participants", "wrong date", "wrong place",
               "missed statement", "wrong speaker", "extra statement")


@dataclass(frozen=True)
class Error:
    """One disagreement with the gold, with the words of the article it is about: the unit of
    the study loop (what was missed, where, and what the extractor said instead)."""

    kind: str
    document: str
    detail: str
    sentence: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "document": self.document, "detail": self.detail, "sentence": self.sentence}


def _label(entity: Any) -> str:
    if isinstance(entity, str):
        return entity
    if not entity:
        return "-"
    return str(entity.get("label_ar") or entity.get("label") or "?")


def _sentence_around(text: str, needle_start: int, needle_end: int, limit: int = 400) -> str:
    """The sentence holding a span: from the last full stop or line break before it to the next."""
    if needle_start < 0:
        return ""
    starts = [text.rfind(mark, 0, needle_start) for mark in (".", "\n", "؟", "!")]
    start = max(starts) + 1
    ends = [i for i in (text.find(mark, needle_end) for mark in (".", "\n", "؟", "!")) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    return " ".join(text[start:end].split())[:limit]


def _find_folded(text: str, needle: str) -> tuple[int, int]:
    """Where a gold string stands in the article, found through the scorer's folding."""
    folded_needle = normalise(needle)
    if not folded_needle:
        return -1, -1
    # normalise() changes lengths only by dropping marks and spaces; search word by word instead
    words = text.split(" ")
    positions, cursor = [], 0
    for word in words:
        positions.append(cursor)
        cursor += len(word) + 1
    folded_words = [normalise(word) for word in words]
    target = folded_needle.split(" ")
    for i in range(len(folded_words)):
        window = " ".join(w for w in folded_words[i:i + len(target) + 3] if w)
        if window.startswith(" ".join(target)):
            return positions[i], positions[i] + len(needle)
    return -1, -1


def _meeting_sentence(text: str, meeting: Mapping[str, Any], entities: Entities) -> str:
    evidence = meeting.get("evidence") or []
    if evidence and isinstance(evidence[0], Mapping) and "start" in evidence[0]:
        return _sentence_around(text, evidence[0]["start"], evidence[0]["end"])
    for name in meeting.get("participants", []):
        for alias in sorted(entities.names.get(name, ()), key=len, reverse=True):
            start, end = _find_folded(text, alias)
            if start >= 0:
                return _sentence_around(text, start, end)
    return ""


def diagnose(gold_docs: list[dict], predictions: dict, entities: Entities,
             texts: Mapping[str, str] | None = None) -> list[Error]:
    """Every disagreement with the gold, paired as score() pairs them, by kind."""
    texts = texts or {}
    found: list[Error] = []
    usable_meetings = _usable_meetings(predictions)
    for gold_doc in gold_docs:
        name = gold_doc["document"]
        text = texts.get(name, "")
        doc_meetings = [m for m in usable_meetings if _belongs_to(m.get("documents", []), name)]
        paired_gold: dict[int, int] = {}
        for candidate in _meeting_candidates(gold_doc["meetings"], doc_meetings, entities):
            if candidate.gold_index in paired_gold or candidate.predicted_index in paired_gold.values():
                continue
            paired_gold[candidate.gold_index] = candidate.predicted_index
        for gold_index, gold in enumerate(gold_doc["meetings"]):
            people = " + ".join(gold["participants"])
            if gold_index not in paired_gold:
                found.append(Error("missed meeting", name, f"{people} ({gold.get('date')}, {gold.get('location')})",
                                   _meeting_sentence(text, gold, entities)))
                continue
            meeting = doc_meetings[paired_gold[gold_index]]
            sentence = _meeting_sentence(text, meeting, entities)
            predicted = meeting["participants"]
            missing = [p for p in gold["participants"] if not any(entities.matches(q, p) for q in predicted)]
            extra = [_label(q) for q in predicted if not any(entities.matches(q, p) for p in gold["participants"])]
            if missing or extra:
                found.append(Error("wrong participants", name,
                                   f"gold {people}; missing {missing or '-'}; extra {extra or '-'}", sentence))
            if not _date_agrees(meeting, gold):
                found.append(Error("wrong date", name, f"{people}: gold {gold['date']}, predicted {meeting.get('date')}",
                                   sentence))
            if not _location_agrees(meeting, gold, entities):
                found.append(Error("wrong place", name, f"{people}: gold {gold['location']}, predicted "
                                   f"{_label(meeting.get('location'))}", sentence))
        for index, meeting in enumerate(doc_meetings):
            if index not in paired_gold.values():
                people = " + ".join(_label(p) for p in meeting["participants"])
                found.append(Error("extra meeting", name, f"{people} ({meeting.get('date')}, "
                                   f"{_label(meeting.get('location'))})", _meeting_sentence(text, meeting, entities)))
        doc_statements = [s for s in predictions.get("statements", []) if _belongs_to(_statement_documents(s), name)]
        found.extend(_statement_errors(name, text, gold_doc["statements"], doc_statements, entities))
    return found


def _statement_errors(name: str, text: str, gold_statements: Sequence[dict], predicted: Sequence[dict],
                      entities: Entities) -> list[Error]:
    found = []
    texts = [_comparable_text(statement) for statement in predicted]
    used: set[int] = set()
    for gold in gold_statements:
        evidence = normalise(gold["evidence"])
        holding = [index for index, t in enumerate(texts) if evidence in t]
        right = [index for index in holding if _has_right_speaker(predicted[index], _speakers_of(gold), entities)]
        used.update(right or holding)
        if gold.get("optional") or right:
            continue
        start, end = _find_folded(text, gold["evidence"])
        sentence = _sentence_around(text, start, end)
        speakers = " + ".join(_speakers_of(gold))
        if holding:
            said = ", ".join(_label(s) for s in predicted[holding[0]].get("speakers", []))
            found.append(Error("wrong speaker", name, f"gold {speakers}, predicted {said}: {gold['evidence']}", sentence))
        else:
            found.append(Error("missed statement", name, f"{speakers}: {gold['evidence']}", sentence))
    for index, statement in enumerate(predicted):
        if index not in used:
            said = ", ".join(_label(s) for s in statement.get("speakers", []))
            found.append(Error("extra statement", name, f"{said}: {statement.get('text', '')[:160]}"))
    return found


def render_errors(errors: Sequence[Error]) -> str:
    lines = []
    for kind in ERROR_KINDS:
        of_kind = [e for e in errors if e.kind == kind]
        if not of_kind:
            continue
        lines.append(f"== {kind} ({len(of_kind)})")
        for error in of_kind:
            lines.append(f"  {error.document}: {error.detail}")
            if error.sentence:
                lines.append(f"      | {error.sentence}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- report


def _usable_meetings(predictions: Mapping[str, Any]) -> list[dict]:
    return [meeting for meeting in predictions.get("meetings", [])
            if len(meeting.get("participants", [])) >= MIN_PARTICIPANTS]


def _statement_documents(statement: Mapping[str, Any]) -> Any:
    return statement.get("documents") or [statement.get("document", "")]


def score(gold_docs: list[dict], predictions: dict, entities: Entities) -> Report:
    """Score one prediction set against gold documents; predictions for articles without a
    gold file are not counted, so one prediction file can serve several gold sets."""
    meetings, statements = _MeetingCounts(), _StatementCounts()
    rows = []
    usable_meetings = _usable_meetings(predictions)
    for gold_doc in gold_docs:
        name = gold_doc["document"]
        doc_meetings = [meeting for meeting in usable_meetings if _belongs_to(meeting.get("documents", []), name)]
        doc_statements = [statement for statement in predictions.get("statements", [])
                          if _belongs_to(_statement_documents(statement), name)]
        meeting_counts = _score_meetings(gold_doc["meetings"], doc_meetings, entities)
        statement_counts = _score_statements(gold_doc["statements"], doc_statements, entities)
        meetings.add(meeting_counts)
        statements.add(statement_counts)
        rows.append(DocumentScore(name, meeting_counts.gold, meeting_counts.paired, meeting_counts.exact,
                                  statement_counts.gold, statement_counts.found))
    return _report(len(gold_docs), meetings, statements, tuple(rows))


def _report(documents: int, meetings: _MeetingCounts, statements: _StatementCounts,
            rows: tuple[DocumentScore, ...]) -> Report:
    return Report(
        documents=documents,
        gold_meetings=meetings.gold,
        predicted_meetings=meetings.predicted,
        meeting_detection=PRF.from_counts(meetings.paired, meetings.predicted, meetings.gold),
        participants=PRF.from_counts(meetings.participant_hits, meetings.predicted_participants,
                                     meetings.gold_participants),
        date_accuracy=round(_ratio(meetings.dates_right, meetings.dates_scored), 3),
        location_accuracy=round(_ratio(meetings.locations_right, meetings.locations_scored), 3),
        meeting_exact=PRF.from_counts(meetings.exact, meetings.predicted, meetings.gold),
        gold_statements=statements.gold,
        predicted_statements=statements.predicted,
        statements=PRF.from_counts(statements.found, statements.predicted - statements.optional_found,
                                   statements.gold),
        speaker_accuracy=round(_ratio(statements.speaker_right, statements.attributable), 3),
        per_document=rows,
    )


def render_table(report: Report) -> str:
    """Per-article counts, then the totals a reader compares between runs."""
    width = max([len("document"), *(len(row.document) for row in report.per_document)])
    header = f"{'document':<{width}}  {'meetings':>8} {'paired':>6} {'exact':>5}  {'statements':>10} {'found':>5}"
    lines = [header, "-" * len(header)]
    for row in report.per_document:
        lines.append(f"{row.document:<{width}}  {row.gold_meetings:>8} {row.paired:>6} {row.exact:>5}  "
                     f"{row.gold_statements:>10} {row.statements_found:>5}")
    lines.append("-" * len(header))
    lines.append(f"{report.documents} documents; meetings: {report.gold_meetings} gold, "
                 f"{report.predicted_meetings} predicted; statements: {report.gold_statements} gold (required), "
                 f"{report.predicted_statements} predicted")
    lines.append(f"meetings    detection {_prf_text(report.meeting_detection)}")
    lines.append(f"            participants {_prf_text(report.participants)}")
    lines.append(f"            date accuracy {report.date_accuracy:.3f}  location accuracy "
                 f"{report.location_accuracy:.3f}  exact {_prf_text(report.meeting_exact)}")
    lines.append(f"statements  {_prf_text(report.statements)}  speaker accuracy {report.speaker_accuracy:.3f}")
    return "\n".join(lines)


def _prf_text(figures: PRF) -> str:
    return f"P {figures.precision:.3f} R {figures.recall:.3f} F1 {figures.f1:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold_dir", type=Path)
    parser.add_argument("predictions", type=Path)
    parser.add_argument("--entities", type=Path, help="default: entities.json beside GOLD_DIR")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    args = parser.parse_args(argv)
    entities = load_entities(args.entities or args.gold_dir.parent / "entities.json")
    predictions = json.loads(args.predictions.read_text(encoding="utf-8"))
    report = score(load_gold(args.gold_dir), predictions, entities)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""kg.evaluate must give the reference scorer's figures, and the gold sets must be sound.

The agreement tests run the reference scorer (tests/reference/score.py, a verbatim copy
of the benchmark's) as a separate process on the same files, so a figure that differs
in any field or any rounding fails. The predictions are the gold itself, nothing, and
seeded random corruptions of the gold that exercise every matching rule.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kg.evaluate import Entities, Report, load_entities, load_gold, normalise, render_table, score

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
REFERENCE_SCORER = Path(__file__).resolve().parent / "reference" / "score.py"
GOLD_SETS = sorted(path.parent for path in DATA.glob("*/gold"))
PERTURBATION_SEEDS = range(8)


def _entities_path(gold_set: Path) -> Path:
    return gold_set / "entities.json"


def _article_path(gold_set: Path, document: str) -> Path:
    """Dev and extra sets keep their articles beside the gold; the samples are the seeds."""
    beside = gold_set / "articles" / document
    return beside if beside.exists() else ROOT / "seeds" / document


def _reference_figures(gold_set: Path, predictions: dict, tmp_path: Path) -> dict:
    prediction_file = tmp_path / "predictions.json"
    prediction_file.write_text(json.dumps(predictions, ensure_ascii=False), encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(REFERENCE_SCORER), str(gold_set / "gold"), str(prediction_file),
         "--entities", str(_entities_path(gold_set)), "--json"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return json.loads(completed.stdout)


def _our_figures(gold_set: Path, predictions: dict) -> dict:
    # A JSON round trip, as the reference's figures went through one.
    report = score(load_gold(gold_set / "gold"), predictions, load_entities(_entities_path(gold_set)))
    return json.loads(json.dumps(report.to_dict()))


# --------------------------------------------------------------------------- predictions


def perfect_predictions(gold_docs: list[dict]) -> dict:
    """The gold itself in the prediction format: every figure must be 1.0."""
    meetings = [{"participants": [{"label": name} for name in meeting["participants"]],
                 "date": meeting["date"],
                 "location": {"label": meeting["location"]} if meeting["location"] else None,
                 "status": meeting["status"], "documents": [doc["document"]]}
                for doc in gold_docs for meeting in doc["meetings"]]
    statements = [{"speakers": [{"label": name} for name in _speakers(statement)],
                   "text": statement["evidence"], "document": doc["document"]}
                  for doc in gold_docs for statement in doc["statements"] if not statement.get("optional")]
    return {"meetings": meetings, "statements": statements}


def _speakers(statement: dict) -> list[str]:
    return statement["speaker"] if isinstance(statement["speaker"], list) else [statement["speaker"]]


class Perturber:
    """Seeded corruptions of the gold: each one aims at a rule of the scorer (pairing,
    ties, null dates, month precision, aliases and Wikidata ids, maximum matching,
    optional statements, the 800-character limit, document naming, normalisation)."""

    def __init__(self, entities_table: dict[str, dict], seed: int):
        self.rng = random.Random(seed)
        self.table = entities_table
        self.names = sorted(entities_table)

    def predictions(self, gold_docs: list[dict]) -> dict:
        meetings: list[dict] = []
        statements: list[dict] = []
        for doc in gold_docs:
            for meeting in doc["meetings"]:
                meetings.extend(self._meeting_variants(meeting, doc["document"]))
            statements.extend(self._statements(doc))
            meetings.extend(self._junk_meetings(doc["document"]))
        meetings.append(self._stray_meeting(gold_docs))
        self.rng.shuffle(meetings)
        self.rng.shuffle(statements)
        return {"meetings": meetings, "statements": statements}

    # entities ------------------------------------------------------------------------

    def entity(self, name: str) -> Any:
        """The same entity written the many ways a system may write it."""
        entry = self.table.get(name, {})
        aliases = list(entry.get("aliases", [])) or [name]
        choice = self.rng.randrange(8)
        if choice == 0:
            return name
        if choice == 1:
            return {"label": self.decorate(self.rng.choice(aliases))}
        if choice == 2:
            return {"label_ar": self.rng.choice(aliases), "label_en": "unknown spelling"}
        if choice == 3:
            return {"labels": ["nobody", self.rng.choice(aliases)]}
        if choice == 4 and entry.get("wikidata"):
            return {"label": "a label the gold does not know", "wikidata": f"http://www.wikidata.org/entity/{entry['wikidata']}"}
        if choice == 5:
            return {"name": name.upper()}
        return {"label": name, "wikidata": entry.get("wikidata")}

    def other_entity(self, avoid: list[str]) -> Any:
        candidates = [name for name in self.names if name not in avoid] or self.names
        return self.entity(self.rng.choice(candidates))

    def decorate(self, text: str) -> str:
        """Spelling noise the normaliser must fold: diacritics, tatweel, hamza forms, taa
        marbuta, Persian letters, quotes, Arabic-Indic digits, dashes, odd spacing."""
        noise = [
            lambda t: t.replace("ا", "أ", 1),
            lambda t: t.replace("ي ", "ى ", 1),
            lambda t: t.replace("ة", "ه", 1),
            lambda t: t.replace("ك", "ک", 1).replace("ي", "ی", 1),
            lambda t: t[:1] + "\u064e" + t[1:],
            lambda t: t.replace("ل", "لـ", 1),
            lambda t: "«" + t + "»",
            lambda t: t.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
            lambda t: t.replace(" ", "  \n", 1),
            lambda t: t.replace(" ", " - ", 1),
            lambda t: t,
        ]
        for change in self.rng.sample(noise, 2):
            text = change(text)
        return text

    # meetings ------------------------------------------------------------------------

    def _meeting_variants(self, gold: dict, document: str) -> list[dict]:
        action = self.rng.choice(["keep", "keep", "drop", "duplicate", "swap", "extra", "fewer",
                                  "date", "month", "no_date", "location", "no_location", "single"])
        if action == "drop":
            return []
        names = list(gold["participants"])
        participants = [self.entity(name) for name in names]
        if action == "swap":
            participants[self.rng.randrange(len(participants))] = self.other_entity(names)
        elif action == "extra":
            participants.append(self.other_entity(names))
        elif action == "fewer":
            participants.pop(self.rng.randrange(len(participants)))
        elif action == "single":
            participants = participants[:1]
        meeting = {"participants": participants, "date": self._date(gold["date"], action),
                   "location": self._location(gold["location"], action), "status": gold["status"],
                   "documents": self._document_name(document)}
        return [meeting, dict(meeting)] if action == "duplicate" else [meeting]

    def _date(self, gold: str | None, action: str) -> str | None:
        if action == "no_date" or gold is None:
            return self.rng.choice([None, "2020-01-01"])
        if action == "month":
            return gold[:7]
        if action == "date":
            return gold[:8] + ("28" if not gold.endswith("28") else "27") if len(gold) == 10 else gold + "-31"
        return gold + "-15" if len(gold) == 7 else gold

    def _location(self, gold: str | None, action: str) -> Any:
        if action == "no_location":
            return None
        if action == "location" or gold is None:
            return self.other_entity([gold] if gold else [])
        return self.entity(gold)

    def _document_name(self, document: str) -> Any:
        stem = Path(document).stem
        return self.rng.choice([[document], [stem], f"corpus/{document}", ["other.txt", document], document])

    def _stray_meeting(self, gold_docs: list[dict]) -> dict:
        """A right meeting filed under an article without gold: it must not be counted."""
        gold = next(meeting for doc in gold_docs for meeting in doc["meetings"])
        return {"participants": [self.entity(name) for name in gold["participants"]], "date": gold["date"],
                "location": None, "status": "held", "documents": ["not_in_gold.txt"]}

    def _junk_meetings(self, document: str) -> list[dict]:
        return [{"participants": [self.other_entity([]), self.other_entity([])],
                 "date": None, "location": None, "status": "held", "documents": [document]}
                for _ in range(self.rng.randrange(2))]

    # statements ----------------------------------------------------------------------

    def _statements(self, doc: dict) -> list[dict]:
        predicted: list[dict] = []
        gold_statements = doc["statements"]
        for index, gold in enumerate(gold_statements):
            action = self.rng.choice(["keep", "keep", "extend", "truncate", "speaker", "long", "skip",
                                      "merge", "duplicate", "strings", "decorate"])
            if action == "skip":
                continue
            speakers = [self.entity(name) for name in _speakers(gold)]
            text = gold["evidence"]
            if action == "extend":
                text = "وقال إن " + text + " في المرحلة المقبلة"
            elif action == "truncate":
                text = " ".join(text.split()[:-1])
            elif action == "speaker":
                speakers = [self.other_entity(_speakers(gold))]
            elif action == "long":
                text = text + " " + "كلام " * 200
            elif action == "merge" and index + 1 < len(gold_statements):
                text = text + " ثم " + gold_statements[index + 1]["evidence"]
            elif action == "strings":
                speakers = list(_speakers(gold))
            elif action == "decorate":
                text = self.decorate(text)
            statement = {"speakers": speakers, "text": text, **self._statement_document(doc["document"])}
            predicted.append(statement)
            if action == "duplicate":
                predicted.append(dict(statement))
        predicted.extend({"speakers": [self.other_entity([])], "text": "كلام لا يرد في أي مقال",
                          "document": doc["document"]} for _ in range(self.rng.randrange(2)))
        return predicted

    def _statement_document(self, document: str) -> dict:
        if self.rng.random() < 0.3:
            return {"documents": [document]}
        return {"document": self.rng.choice([document, Path(document).stem])}


# --------------------------------------------------------------------------- agreement


@pytest.mark.parametrize("gold_set", GOLD_SETS, ids=lambda path: path.name)
def test_perfect_predictions_score_one_and_agree(gold_set: Path, tmp_path: Path) -> None:
    predictions = perfect_predictions(load_gold(gold_set / "gold"))
    ours = _our_figures(gold_set, predictions)
    assert ours == _reference_figures(gold_set, predictions, tmp_path)
    assert ours["meetings"]["exact"]["f1"] == 1.0
    assert ours["statements"]["matched"]["f1"] == 1.0


@pytest.mark.parametrize("gold_set", GOLD_SETS, ids=lambda path: path.name)
def test_empty_predictions_agree(gold_set: Path, tmp_path: Path) -> None:
    predictions: dict = {"meetings": [], "statements": []}
    ours = _our_figures(gold_set, predictions)
    assert ours == _reference_figures(gold_set, predictions, tmp_path)
    assert ours["meetings"]["detection"]["recall"] == 0.0


@pytest.mark.parametrize("seed", PERTURBATION_SEEDS)
@pytest.mark.parametrize("gold_set", GOLD_SETS, ids=lambda path: path.name)
def test_perturbed_predictions_agree(gold_set: Path, seed: int, tmp_path: Path) -> None:
    table = json.loads(_entities_path(gold_set).read_text(encoding="utf-8"))
    predictions = Perturber(table, seed).predictions(load_gold(gold_set / "gold"))
    ours = _our_figures(gold_set, predictions)
    assert ours == _reference_figures(gold_set, predictions, tmp_path)
    assert 0.0 < ours["statements"]["matched"]["f1"] < 1.0  # the corruption did bite, and not everywhere


# --------------------------------------------------------------------------- rules

ENTITIES = Entities.from_table({
    "Vladimir Putin": {"wikidata": "Q7747", "aliases": ["بوتين", "فلاديمير بوتين"]},
    "Ali Khamenei": {"wikidata": "Q57336", "aliases": ["خامنئي"]},
    "Hassan Rouhani": {"wikidata": None, "aliases": ["روحاني"]},
    "Tehran": {"wikidata": "Q3616", "aliases": ["طهران"]},
    "Moscow": {"wikidata": "Q649", "aliases": ["موسكو"]},
})


def _gold_doc(meetings: list[dict] | None = None, statements: list[dict] | None = None) -> dict:
    return {"document": "t01_test.txt", "published": "2017-11-01",
            "meetings": meetings or [], "statements": statements or []}


def _meeting(participants: list[str], date: str | None, location: str | None) -> dict:
    return {"participants": participants, "date": date, "location": location, "status": "held",
            "documents": ["t01_test.txt"]}


def _statement(speaker: str, text: str) -> dict:
    return {"speakers": [{"label": speaker}], "text": text, "document": "t01_test.txt"}


def test_tied_pairing_prefers_the_meeting_whose_date_and_place_agree() -> None:
    gold = _gold_doc(meetings=[_meeting(["Vladimir Putin", "Ali Khamenei"], "2017-11-01", "Tehran"),
                               _meeting(["Vladimir Putin", "Ali Khamenei"], "2015-11-23", "Moscow")])
    predicted = {"meetings": [_meeting(["بوتين", "خامنئي"], "2015-11-23", "موسكو")]}
    report = score([gold], predicted, ENTITIES)
    assert report.meeting_exact.f1 == pytest.approx(2 / 3, abs=1e-3)  # paired with the second gold meeting
    assert (report.date_accuracy, report.location_accuracy) == (1.0, 1.0)


def test_better_participant_overlap_wins_over_agreeing_date() -> None:
    gold = _gold_doc(meetings=[_meeting(["Vladimir Putin", "Ali Khamenei"], "2017-11-01", None),
                               _meeting(["Vladimir Putin", "Ali Khamenei", "Hassan Rouhani"], "2015-11-23", None)])
    predicted = {"meetings": [_meeting(["Vladimir Putin", "Ali Khamenei", "Hassan Rouhani"], "2017-11-01", None)]}
    report = score([gold], predicted, ENTITIES)
    assert report.date_accuracy == 0.0  # paired by overlap 1.0 with the second, whose date differs


def test_statements_use_a_maximum_matching() -> None:
    gold = _gold_doc(statements=[{"speaker": ["Vladimir Putin"], "evidence": "التعاون بين البلدين يتطور"},
                                 {"speaker": ["Vladimir Putin"], "evidence": "الحل في سوريا سياسي"}])
    both = _statement("Vladimir Putin", "التعاون بين البلدين يتطور و الحل في سوريا سياسي")
    first_only = _statement("Vladimir Putin", "التعاون بين البلدين يتطور")
    report = score([gold], {"statements": [both, first_only]}, ENTITIES)
    assert (report.statements.recall, report.statements.precision) == (1.0, 1.0)
    assert report.per_document[0].statements_found == 2


def test_optional_statements_neither_add_recall_nor_cost_precision() -> None:
    gold = _gold_doc(statements=[{"speaker": ["Vladimir Putin"], "evidence": "التعاون بين البلدين يتطور"},
                                 {"speaker": ["Russia"], "evidence": "تدعو موسكو إلى الحوار", "optional": True}])
    required = _statement("Vladimir Putin", "التعاون بين البلدين يتطور")
    optional = _statement("Russia", "تدعو موسكو إلى الحوار")
    with_optional = score([gold], {"statements": [required, optional]}, ENTITIES)
    without_optional = score([gold], {"statements": [required]}, ENTITIES)
    only_optional = score([gold], {"statements": [optional]}, ENTITIES)
    assert with_optional.statements == without_optional.statements
    assert with_optional.statements.precision == 1.0 and with_optional.gold_statements == 1
    assert only_optional.statements.recall == 0.0


def test_optional_statement_cannot_take_a_prediction_a_required_one_needs() -> None:
    gold = _gold_doc(statements=[{"speaker": ["Vladimir Putin"], "evidence": "الحل في سوريا سياسي", "optional": True},
                                 {"speaker": ["Vladimir Putin"], "evidence": "الحل في سوريا سياسي وسلمي"}])
    report = score([gold], {"statements": [_statement("بوتين", "الحل في سوريا سياسي وسلمي")]}, ENTITIES)
    assert report.statements.f1 == 1.0


def test_over_long_text_matches_nothing_even_with_the_evidence() -> None:
    gold = _gold_doc(statements=[{"speaker": ["Vladimir Putin"], "evidence": "الحل في سوريا سياسي"}])
    padded = _statement("Vladimir Putin", "الحل في سوريا سياسي " + "و" * 800)
    assert score([gold], {"statements": [padded]}, ENTITIES).statements.recall == 0.0


def test_wrong_speaker_finds_nothing_but_counts_for_speaker_accuracy() -> None:
    gold = _gold_doc(statements=[{"speaker": ["Vladimir Putin"], "evidence": "الحل في سوريا سياسي"}])
    report = score([gold], {"statements": [_statement("Ali Khamenei", "إن الحل في سوريا سياسي")]}, ENTITIES)
    assert (report.statements.recall, report.speaker_accuracy) == (0.0, 0.0)


def test_entities_match_by_wikidata_iri_alias_and_folded_spelling() -> None:
    assert ENTITIES.matches({"label": "?", "wikidata": "http://www.wikidata.org/entity/Q7747"}, "Vladimir Putin")
    assert ENTITIES.matches("فَلاديمـير  بوتين", "Vladimir Putin")
    assert ENTITIES.matches({"labels": ["x", "طهران"]}, "Tehran")
    assert not ENTITIES.matches({"label": "?", "wikidata": "Q1"}, "Hassan Rouhani")
    assert not ENTITIES.matches(None, "Tehran")


def test_meetings_with_one_participant_are_ignored() -> None:
    gold = _gold_doc(meetings=[_meeting(["Vladimir Putin", "Ali Khamenei"], None, None)])
    report = score([gold], {"meetings": [_meeting(["Vladimir Putin"], None, None)]}, ENTITIES)
    assert report.predicted_meetings == 0


def test_month_precision_gold_accepts_a_day_in_that_month() -> None:
    gold = _gold_doc(meetings=[_meeting(["Vladimir Putin", "Ali Khamenei"], "2025-02", None)])
    report = score([gold], {"meetings": [_meeting(["Vladimir Putin", "Ali Khamenei"], "2025-02-11", None)]}, ENTITIES)
    assert report.date_accuracy == 1.0


def test_normalise_folds_print_variants() -> None:
    assert normalise("«أكَّد» الرئيـس إنّ ٢٠١٧–غدا\u00a0 ") == "اكد الرييس ان 2017 غدا"
    assert normalise("مدرسة مستشفى") == "مدرسه مستشفي"
    assert normalise("پ گ ک ی ژ چ") == "ب ك ك ي ز ج"


def test_render_table_lists_every_document_and_the_totals() -> None:
    gold_set = DATA / "dev"
    report: Report = score(load_gold(gold_set / "gold"), {}, load_entities(gold_set / "entities.json"))
    table = render_table(report)
    assert all(row.document in table for row in report.per_document)
    assert "statements  P 0.000 R 0.000 F1 0.000" in table


# --------------------------------------------------------------------------- gold sets


@pytest.mark.parametrize("gold_set", GOLD_SETS, ids=lambda path: path.name)
def test_gold_evidence_is_in_its_article_and_names_are_known_entities(gold_set: Path) -> None:
    """Hand-written sets quote their articles exactly; the samples are real pages whose line
    breaks and spacing the annotators smoothed, so there only the normalised text must hold it."""
    entities = json.loads(_entities_path(gold_set).read_text(encoding="utf-8"))
    hand_written = (gold_set / "articles").is_dir()
    for gold in load_gold(gold_set / "gold"):
        article = _article_path(gold_set, gold["document"]).read_text(encoding="utf-8")
        for statement in gold["statements"]:
            assert normalise(statement["evidence"]) in normalise(article), (gold["document"], statement["evidence"])
            assert statement["evidence"] in article or not hand_written, (gold["document"], statement["evidence"])
            assert set(_speakers(statement)) <= set(entities), (gold["document"], statement["speaker"])
        for meeting in gold["meetings"]:
            assert len(meeting["participants"]) >= 2 and meeting["status"] in ("held", "planned")
            assert set(meeting["participants"]) <= set(entities), (gold["document"], meeting["participants"])
            assert meeting["location"] is None or meeting["location"] in entities, (gold["document"], meeting)


def test_extra_set_is_complete_and_evidence_is_five_to_twelve_words() -> None:
    extra = DATA / "extra"
    metadata = json.loads((extra / "metadata.json").read_text(encoding="utf-8"))
    articles = sorted(path.name for path in (extra / "articles").glob("*.txt"))
    golds = load_gold(extra / "gold")
    assert len(articles) >= 15
    assert articles == sorted(gold["document"] for gold in golds) == sorted(k for k in metadata if not k.startswith("_"))
    for gold in golds:
        assert gold["published"] == metadata[gold["document"]]["published"]
        for statement in gold["statements"]:
            assert 5 <= len(statement["evidence"].split()) <= 12, (gold["document"], statement["evidence"])

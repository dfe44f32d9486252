"""Finding and resolving mentions: folding with offsets, clitics, names, titles by date,
counterparts, local actors and knowledge-base integrity across all files."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kg.extract import Extractor
from kg.extract.normalize import fold, fold_key
from kg.knowledge import KNOWLEDGE_DIR, default

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def resolve(extractor: Extractor, text: str, day: date, home: str | None = None) -> list[tuple[str, str]]:
    folded = fold(text)
    resolved = extractor.resolver.resolve(folded.text, day, home, original=lambda s, e: text[slice(*folded.span(s, e))])
    return [(m.actors[0].label, m.via) for m in resolved.mentions if m.kind == "person"]


def test_fold_maps_every_character_back_to_the_original():
    text = "أكّدَ الرئيسُ ــ بوتين «اليوم» ٢٠٢٤ مُشيراً"
    folded = fold(text)
    assert folded.text == "اكد الرييس  بوتين «اليوم» 2024 مشيرا"
    start = folded.text.index("بوتين")
    s, e = folded.span(start, start + len("بوتين"))
    assert text[s:e] == "بوتين"
    s, e = folded.span(0, 3)
    assert text[s:e] == "أكّدَ"


def test_fold_key_unifies_spelling_variants():
    assert fold_key("إبراهيم رئيسي") == fold_key("ابراهيم  رئيسى")
    assert fold_key("الرئاسة") == fold_key("الرئاسه")


def test_names_with_clitics_are_found(extractor):
    found = resolve(extractor, "التقى لافروف وبوتين ولبوتين رسالة", date(2020, 1, 1))
    assert [label for label, _ in found] == ["Sergey Lavrov", "Vladimir Putin", "Vladimir Putin"]


def test_names_inside_other_words_are_not_found(extractor):
    assert resolve(extractor, "البوتينية مصطلح", date(2020, 1, 1)) == []


def test_title_resolves_to_the_holder_on_the_day(extractor):
    assert resolve(extractor, "قال وزير الخارجية الأمريكي", date(2018, 2, 1))[0][0] == "Rex Tillerson"
    assert resolve(extractor, "قال وزير الخارجية الأمريكي", date(2019, 2, 1))[0][0] == "Mike Pompeo"
    assert resolve(extractor, "قال المتحدث باسم الكرملين", date(2019, 2, 1))[0][0] == "Dmitry Peskov"


def test_bare_title_prefers_the_reporting_agency_state(extractor):
    found = resolve(extractor, "التقى وزير الخارجية اليوم نظيره القطري", date(2024, 4, 29), home="SAU")
    assert found[0][0] == "Faisal bin Farhan Al Saud"
    assert found[1][0] == "Mohammed bin Abdulrahman Al Thani"


def test_name_wins_over_an_outdated_title(extractor):
    found = resolve(extractor, "وزير الدفاع الروسي سيرغي شويغو", date(2023, 9, 20))
    assert found == [("Sergei Shoigu", "name")]


def test_common_word_surnames_need_a_full_mention_first(extractor):
    assert resolve(extractor, "وقال الأسد إن الغابة كبيرة", date(2022, 5, 8)) == []
    found = resolve(extractor, "التقى الرئيس السوري بشار الأسد. وقال الأسد إن", date(2022, 5, 8))
    assert [label for label, _ in found] == ["Bashar al-Assad", "Bashar al-Assad"]


def test_adjective_is_not_a_title(extractor):
    assert resolve(extractor, "مشكلة العدو الرئيسة هي الحصار", date(2023, 9, 21), home="IRN") == []


def test_unknown_person_after_title_is_kept_with_the_name_as_written(extractor):
    found = resolve(extractor, "استقبل الوزير سفير جمهورية البرازيل لدى الأردن كارلوس ريبيرو أمس", date(2023, 1, 1))
    assert ("كارلوس ريبيرو", "local") in found


def test_knowledge_base_is_consistent_across_files():
    kb = default()
    ids = [p["id"] for p in kb.raw["persons"]]
    assert len(ids) == len(set(ids)) > 800
    owners: dict[str, str] = {}
    for person in kb.persons.values():
        for name in (*person.names_ar, *person.short_ar):
            key = fold_key(name)
            assert owners.setdefault(key, person.id) == person.id, (name, owners[key], person.id)
        for office in person.offices:
            assert office.role in {r.key for r in kb.roles.values()}, (person.id, office.role)
            assert office.of in kb.polities, (person.id, office.of)
            assert office.start is None or office.end is None or office.start <= office.end
    roles = json.loads((KNOWLEDGE_DIR / "roles.json").read_text(encoding="utf-8"))
    assert all(spec.get("titles_ar") for spec in roles["roles"].values())


def test_eval_command_agrees_with_the_reference_scorer(tmp_path):
    kg = str(Path(sys.executable).parent / "kg")
    gold, entities = ROOT / "tests/data/dev/gold", ROOT / "tests/data/dev/entities.json"
    predictions = tmp_path / "pred.json"
    predictions.write_text(subprocess.run(
        [kg, "extract", str(ROOT / "tests/data/dev/articles"), "--metadata", str(ROOT / "tests/data/dev/metadata.json"), "--json"],
        capture_output=True, text=True, check=True).stdout, encoding="utf-8")
    ours = subprocess.run([kg, "eval", str(gold), "--predictions", str(predictions), "--entities", str(entities), "--json"],
                          capture_output=True, text=True, check=True).stdout
    reference = subprocess.run([sys.executable, str(ROOT / "tests/reference/score.py"), str(gold), str(predictions),
                                "--entities", str(entities), "--json"], capture_output=True, text=True, check=True).stdout
    assert json.loads(ours) == json.loads(reference)

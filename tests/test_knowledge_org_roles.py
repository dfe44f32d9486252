"""Titles of international officials resolve to the holder of the day.

UN agency heads, the AU's annual chair and deputy commission chair, the European Parliament's
president, deputy and assistant secretaries-general each have their own role in roles.json, so a
bare title ("المفوض العام للأونروا") names the person who held it on the article's date. The
sentences are the project's own writing."""
from __future__ import annotations

from datetime import date

import pytest

from kg.extract import Extractor
from kg.extract.normalize import fold
from kg.knowledge import load


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _people(extractor: Extractor, text: str, day: date) -> list[str]:
    folded = fold(text)
    resolved = extractor.resolver.resolve(folded.text, day, None, original=lambda s, e: text[slice(*folded.span(s, e))])
    return [m.actors[0].key for m in resolved.mentions if m.kind == "person"]


@pytest.mark.parametrize("title, day, expected", [
    ("المفوض السامي للأمم المتحدة لشؤون اللاجئين", "2020-05-01", "filippo-grandi"),
    ("مفوض الأمم المتحدة السامي لشؤون اللاجئين", "2026-03-01", "barham-salih"),
    ("المفوض العام لوكالة الأونروا", "2024-01-10", "philippe-lazzarini"),
    ("المديرة التنفيذية لبرنامج الأغذية العالمي", "2024-01-10", "cindy-mccain"),
    ("المديرة التنفيذية لليونيسف", "2024-01-10", "catherine-russell"),
    ("وكيل الأمين العام للشؤون الإنسانية", "2023-03-01", "martin-griffiths"),
    ("نائبة الأمين العام للأمم المتحدة", "2024-01-10", "amina-j-mohammed"),
    ("الأمين العام المساعد لجامعة الدول العربية", "2024-01-10", "hossam-zaki"),
    ("الرئيس الدوري للاتحاد الأفريقي", "2024-06-01", "mohamed-ould-ghazouani"),
    ("رئيس الاتحاد الأفريقي", "2019-06-01", "abdel-fattah-el-sisi"),
    ("نائبة رئيس مفوضية الاتحاد الأفريقي", "2025-06-01", "selma-malika-haddadi"),
    ("رئيس مفوضية الاتحاد الأفريقي", "2025-03-01", "moussa-faki"),
    ("رئيس مفوضية الاتحاد الأفريقي", "2025-03-20", "mahmoud-ali-youssouf"),
    ("رئيسة البرلمان الأوروبي", "2024-01-10", "roberta-metsola"),
])
def test_a_bare_title_names_the_holder_of_the_day(extractor, title, day, expected):
    text = f"استقبل وزير الخارجية المصري سامح شكري اليوم {title}، وبحث معه الأوضاع الإقليمية."
    assert _people(extractor, text, date.fromisoformat(day)) == ["sameh-shoukry", expected]


def test_a_named_deputy_secretary_general_of_a_movement_is_read_with_the_title(extractor):
    text = "قال نائب الأمين العام لحزب الله نعيم قاسم في كلمة متلفزة إن الحزب لن يتراجع."
    assert _people(extractor, text, date(2015, 3, 1)) == ["naim-qassem"]


def test_new_roles_are_single_holder_offices_with_clean_hand_overs():
    kb = load()
    for role, of, day, holder in [("au_chair", "AU", "2014-06-01", "mohamed-ould-abdel-aziz"),
                                  ("au_chair", "AU", "2023-06-01", "azali-assoumani"),
                                  ("refugees_high_commissioner", "UNHCR", "2025-12-31", "filippo-grandi"),
                                  ("refugees_high_commissioner", "UNHCR", "2026-01-01", "barham-salih"),
                                  ("secretary_general", "GCC", "2020-01-31", "abdullatif-bin-rashid-al-zayani"),
                                  ("secretary_general", "GCC", "2020-02-01", "nayef-falah-mubarak-al-hajraf")]:
        assert [p.id for p in kb.holders(role, of, date.fromisoformat(day))] == [holder], (role, day)

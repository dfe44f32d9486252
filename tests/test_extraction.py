"""Extraction quality and behaviour: scores on the annotated sets stay at their targets, and
the rules the guidelines state hold on small articles written for each rule."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kg import evaluate
from kg.extract import Extractor
from kg.model import Article
from kg.predictions import to_predictions
from kg.sources import read_articles

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def score_set(extractor: Extractor, articles: Path, metadata: Path, gold: Path) -> dict:
    items = [a for a in read_articles([str(articles)], metadata=metadata) if isinstance(a, Article)]
    predictions = to_predictions([extractor.extract(a) for a in items], extractor.kb)
    report = evaluate.score(evaluate.load_gold(gold), predictions, evaluate.load_entities(gold.parent / "entities.json"))
    return report.to_dict()


def test_sample_scores_meet_the_targets(extractor):
    """The issue's targets with the reference scorer's figures on the five real articles."""
    result = score_set(extractor, ROOT / "seeds", ROOT / "seeds" / "metadata.json", DATA / "samples" / "gold")
    meetings, statements = result["meetings"], result["statements"]
    assert meetings["exact"]["f1"] >= 0.90
    assert meetings["participants"]["f1"] >= 0.95
    assert meetings["date_accuracy"] == 1.0
    assert meetings["location_accuracy"] == 1.0
    assert statements["matched"]["f1"] >= 0.85
    assert statements["speaker_accuracy"] >= 0.95


def test_development_set_scores(extractor):
    result = score_set(extractor, DATA / "dev" / "articles", DATA / "dev" / "metadata.json", DATA / "dev" / "gold")
    assert result["meetings"]["exact"]["f1"] >= 0.90
    assert result["statements"]["matched"]["f1"] >= 0.85
    assert result["statements"]["speaker_accuracy"] >= 0.95


def test_own_test_articles_scores(extractor):
    """Sixteen articles of our own, other actors and phrasings: reported separately, with a floor."""
    result = score_set(extractor, DATA / "extra" / "articles", DATA / "extra" / "metadata.json", DATA / "extra" / "gold")
    assert result["meetings"]["exact"]["f1"] >= 0.85
    assert result["statements"]["matched"]["f1"] >= 0.85


def test_holdout_articles_scores(extractor):
    """Fifteen more articles written by someone who never saw the extractor; not tuned on."""
    result = score_set(extractor, DATA / "holdout" / "articles", DATA / "holdout" / "metadata.json",
                       DATA / "holdout" / "gold")
    assert result["meetings"]["exact"]["f1"] >= 0.80
    assert result["statements"]["matched"]["f1"] >= 0.85
    assert result["statements"]["speaker_accuracy"] >= 0.90


@pytest.mark.parametrize("name, meetings_floor, statements_floor",
                         [("blind", 0.78, 0.88), ("blind2", 0.70, 0.88), ("blind3", 0.88, 0.88), ("blind4", 0.78, 0.88)])
def test_blind_sets_do_not_regress(extractor, name, meetings_floor, statements_floor):
    """Floors a little under today's figures: a change that loses generality fails here."""
    result = score_set(extractor, DATA / name / "articles", DATA / name / "metadata.json", DATA / name / "gold")
    assert result["meetings"]["exact"]["f1"] >= meetings_floor
    assert result["statements"]["matched"]["f1"] >= statements_floor


def extract(extractor: Extractor, body: str, published: str = "2024-05-15") -> tuple[list, list]:
    article = Article(id="t.txt", text="عنوان\n\n" + body, published=date.fromisoformat(published))
    found = extractor.extract(article)
    for item in found.meetings:
        for span in item.evidence:
            assert article.text[span.start:span.end] == span.text
    for item in found.statements:
        assert article.text[item.content.start:item.content.end] == item.content.text
    return found.meetings, found.statements


def names(meeting) -> set[str]:
    return {a.label for a in meeting.participants}


def test_role_resolved_by_date(extractor):
    m2017, _ = extract(extractor, "استقبل الرئيس الإيراني في طهران اليوم وزير الخارجية الروسي.", "2017-06-01")
    m2022, _ = extract(extractor, "استقبل الرئيس الإيراني في طهران اليوم وزير الخارجية الروسي.", "2022-06-01")
    assert names(m2017[0]) == {"Hassan Rouhani", "Sergey Lavrov"}
    assert names(m2022[0]) == {"Ebrahim Raisi", "Sergey Lavrov"}


def test_counterpart_is_the_same_office_of_the_other_state(extractor):
    meetings, _ = extract(extractor, "التقى وزير الدفاع الروسي سيرغي شويغو في موسكو اليوم نظيره الصيني.", "2021-04-28")
    assert names(meetings[0]) == {"Sergei Shoigu", "Wei Fenghe"}


def test_phone_call_is_not_a_meeting(extractor):
    meetings, statements = extract(
        extractor, "تلقى الرئيس المصري عبد الفتاح السيسي اليوم اتصالا هاتفيا من الرئيس الفرنسي إيمانويل ماكرون، "
                   "وأكد السيسي خلال الاتصال أهمية التهدئة في المنطقة.", "2023-10-20")
    assert meetings == []
    assert statements and statements[0].speakers[0].label == "Abdel Fattah el-Sisi"


def test_planned_meeting_with_tomorrow(extractor):
    meetings, _ = extract(extractor, "ومن المقرر أن يلتقي وزير الخارجية التركي هاكان فيدان غدا الخميس في أنقرة "
                                     "نظيره الإيراني عباس عراقجي.", "2025-01-15")
    assert len(meetings) == 1
    assert meetings[0].status == "planned" and meetings[0].date == "2025-01-16" and meetings[0].place.label == "Ankara"


def test_unknown_name_after_a_title_becomes_a_local_actor(extractor):
    meetings, _ = extract(extractor, "استقبل وزير الخارجية العماني بدر البوسعيدي في مسقط اليوم سفير جمهورية البرازيل "
                                     "لدى سلطنة عمان كارلوس ألبرتو ريبيرو بمناسبة انتهاء فترة عمله.", "2023-02-02")
    local = [a for a in meetings[0].participants if a.is_local]
    assert len(local) == 1 and local[0].label_ar == "كارلوس ألبرتو ريبيرو"


def test_continuation_verbs_keep_the_last_speaker(extractor):
    _, statements = extract(extractor, "وقال وزير الخارجية السعودي فيصل بن فرحان إن المملكة تدعم الحل السياسي. "
                                       "وأضاف أن الحوار هو الطريق الوحيد. بدوره قال وزير الخارجية الأمريكي إن واشنطن "
                                       "تشارك هذا الرأي. وتابع أن بلاده ستواصل التنسيق.", "2024-04-29")
    speakers = [s.speakers[0].label for s in statements]
    assert speakers == ["Faisal bin Farhan Al Saud", "Faisal bin Farhan Al Saud", "Antony Blinken", "Antony Blinken"]


def test_media_reports_are_not_statements(extractor):
    _, statements = extract(extractor, "وقالت وكالة الأنباء الرسمية إن الرئيس السوري بشار الأسد وصل إلى موسكو.", "2021-09-14")
    assert statements == []


def test_place_can_differ_from_the_dateline(extractor):
    meetings, _ = extract(extractor, "الرياض - واس\nالتقى وزير الخارجية الأمير فيصل بن فرحان على هامش مؤتمر ميونخ للأمن "
                                     "في ميونخ اليوم وزير الخارجية الأمريكي.", "2024-02-17")
    assert meetings[0].place.label == "Munich"
    assert names(meetings[0]) == {"Faisal bin Farhan Al Saud", "Antony Blinken"}


def test_summit_with_three_leaders_is_one_meeting(extractor):
    meetings, _ = extract(extractor, "عقد الرئيس المصري عبد الفتاح السيسي والعاهل الأردني الملك عبدالله الثاني والرئيس "
                                     "الفلسطيني محمود عباس قمة ثلاثية في القاهرة اليوم.", "2023-08-14")
    assert len(meetings) == 1
    assert names(meetings[0]) == {"Abdel Fattah el-Sisi", "Abdullah II of Jordan", "Mahmoud Abbas"}


def test_extraction_is_deterministic_and_offsets_point_at_the_words(extractor):
    text = (ROOT / "seeds" / "000_498fb477b4349d6f.txt").read_text(encoding="utf-8")
    article = Article(id="000.txt", text=text, published=date(2017, 11, 1))
    first, second = extractor.extract(article), extractor.extract(article)
    assert first.meetings == second.meetings and first.statements == second.statements
    for statement in first.statements:
        assert text[statement.evidence.start:statement.evidence.end] == statement.evidence.text
        assert statement.evidence.start <= statement.content.start < statement.content.end <= statement.evidence.end


def test_people_present_at_a_reception_are_participants(extractor):
    meetings, _ = extract(extractor, "استقبل الملك عبدالله الثاني في عمان اليوم وزير الخارجية البريطاني ديفيد لامي، "
                                     "وذلك في حضور وزير الخارجية أيمن الصفدي.", "2024-08-06")
    assert len(meetings) == 1
    assert names(meetings[0]) == {"Abdullah II of Jordan", "David Lammy", "Ayman Safadi"}


def test_a_next_sentence_saying_who_attended_joins_the_meeting_but_not_the_video_guest(extractor):
    meetings, _ = extract(extractor, "استقبل الرئيس التونسي قيس سعيد في تونس اليوم وزير الخارجية الجزائري أحمد عطاف.\n\n"
                                     "وحضر اللقاء وزير الخارجية التونسي نبيل عمار، فيما شارك عبر الفيديو رئيس "
                                     "الحكومة أحمد الحشاني.", "2023-11-09")
    assert len(meetings) == 1
    assert names(meetings[0]) == {"Kais Saied", "Ahmed Attaf", "Nabil Ammar"}


def test_the_place_before_where_and_a_capital_named_by_its_state_place_the_meeting(extractor):
    meetings, _ = extract(extractor, "وصل وزير الخارجية الأمريكي أنتوني بلينكن إلى الدوحة قادما من القاهرة، حيث التقى "
                                     "أمس الرئيس المصري عبد الفتاح السيسي.", "2024-02-07")
    assert [(names(m), m.place.label if m.place else None) for m in meetings] == [
        ({"Antony Blinken", "Abdel Fattah el-Sisi"}, "Cairo")]
    meetings, _ = extract(extractor, "التقى الرئيس الفلسطيني محمود عباس اليوم في العاصمة الأردنية عمان "
                                     "وزير الخارجية الصيني وانغ يي.", "2023-04-18")
    assert meetings[0].place.label == "Amman"


def test_the_un_chiefs_special_representative_is_not_the_un_chief(extractor):
    meetings, _ = extract(extractor, "استقبل رئيس الوزراء العراقي محمد شياع السوداني في بغداد اليوم الممثلة الخاصة "
                                     "للأمين العام للأمم المتحدة رئيسة بعثة يونامي جينين هينيس بلاسخارت.", "2023-03-02")
    assert len(meetings) == 1
    assert names(meetings[0]) == {"Mohammed Shia' Al Sudani", "Jeanine Hennis-Plasschaert"}


def test_visiting_a_person_is_a_meeting_and_visiting_a_city_is_not(extractor):
    meetings, _ = extract(extractor, "زار وزير الخارجية الروسي سيرغي لافروف اليوم الرئيس اللبناني ميشال عون في بعبدا.",
                          "2019-07-01")
    assert [names(m) for m in meetings] == [{"Sergey Lavrov", "Michel Aoun"}]
    meetings, _ = extract(extractor, "زار وزير الخارجية الروسي سيرغي لافروف اليوم بيروت.", "2019-07-01")
    assert meetings == []


def test_a_surname_that_is_also_a_given_name_refers_back_to_the_person_named_in_full(extractor):
    _, statements = extract(extractor, "استقبل وزير الخارجية العراقي فؤاد حسين في بغداد اليوم نظيره الإيراني.\n\n"
                                       "وقال حسين إن \"العلاقات بين البلدين متينة\".", "2021-01-18")
    assert [s.speakers[0].label for s in statements] == ["Fuad Hussein"]


def test_an_earlier_meeting_the_same_day_happens_where_the_visit_is(extractor):
    meetings, _ = extract(extractor, "أجرى رئيس الوزراء الأردني بشر الخصاونة اليوم في عمان مباحثات مع رئيس الوزراء "
                                     "العراقي مصطفى الكاظمي.\n\nوكان الكاظمي قد التقى في وقت سابق اليوم العاهل الأردني "
                                     "الملك عبدالله الثاني.", "2021-06-27")
    found = {frozenset(names(m)): (m.date, m.place.label if m.place else None) for m in meetings}
    assert found[frozenset({"Mustafa Al-Kadhimi", "Abdullah II of Jordan"})] == ("2021-06-27", "Amman")

"""Phrasings of real Arabic news that clean wire copy lacks, each on a small article of our own
writing (imitating real reports, never copied from them), with the whole expected answer; and a
score floor on the shared set of real reports (../shared/eval/real) where it is present."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kg import evaluate
from kg.extract import Extractor
from kg.model import Article
from kg.predictions import to_predictions
from kg.sources import read_articles

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "real"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def meetings_of(extractor: Extractor, text: str, published: str) -> list[tuple]:
    """Each meeting as (participant labels, date, place label, status), in text order."""
    found = extractor.extract(Article(id="t.txt", text=text, published=date.fromisoformat(published)))
    return [(sorted(a.label for a in m.participants), m.date, m.place.label if m.place else None, m.status)
            for m in found.meetings]


def statements_of(extractor: Extractor, text: str, published: str) -> list[tuple]:
    found = extractor.extract(Article(id="t.txt", text=text, published=date.fromisoformat(published)))
    return [(sorted(a.label for a in s.speakers), s.verb) for s in found.statements]


def test_a_report_without_a_headline_starts_with_its_lead(extractor):
    text = ("استقبل وزير الخارجية سامح شكري، الثلاثاء، وزير الخارجية الأردني أيمن الصفدي، حيث بحث الجانبان "
            "التطورات الإقليمية والعلاقات الثنائية بين البلدين الشقيقين.\n\n"
            "وأكد شكري خلال اللقاء أهمية التنسيق المستمر بين القاهرة وعمّان.")
    assert meetings_of(extractor, text, "2021-03-09") == [
        (["Ayman Safadi", "Sameh Shoukry"], "2021-03-09", None, "held")]


def test_a_name_set_off_by_commas_after_its_title(extractor):
    text = ("استقبل وزير الخارجية العماني بدر البوسعيدي، اليوم، السفير البلغاري، نيكولاي ديميتروف، "
            "بمناسبة انتهاء فترة عمله في مسقط.")
    assert meetings_of(extractor, text, "2023-02-02") == [
        (["Badr Albusaidi", "نيكولاي ديميتروف"], "2023-02-02", "Muscat", "held")]


def test_a_name_printed_before_its_title(extractor):
    text = ('استقبل وزير الخارجية العماني بدر البوسعيدي، اليوم، بديوان عام الوزارة "ماريا سيلفا" سفيرة البرازيل '
            "لدى السلطنة، وجرى خلال المقابلة استعراض العلاقات الثنائية.")
    assert meetings_of(extractor, text, "2023-02-02") == [
        (["Badr Albusaidi", "ماريا سيلفا"], "2023-02-02", None, "held")]



def test_a_line_of_hosts_continued_with_thumma_is_one_farewell(extractor):
    # "ثم" orders a line of hosts at one farewell; after a meeting verb it would separate encounters
    text = ("غادر وزير الخارجية المغربي ناصر بوريطة العاصمة الموريتانية نواكشوط مساء اليوم الأربعاء.\n\n"
            "وكان في وداع بوريطة، سفير المملكة لدى نواكشوط حميد الزياني، ثم وزير الشؤون الخارجية والتعاون "
            "والموريتانيين في الخارج، إسماعيل ولد الشيخ أحمد.")
    assert meetings_of(extractor, text, "2020-02-19") == [
        (["Ismail Ould Cheikh Ahmed", "Nasser Bourita", "حميد الزياني"], "2020-02-19", "Nouakchott", "held")]


def test_talks_in_the_company_of_a_list_include_their_owner(extractor):
    text = ("وصل وزير الخارجية المغربي ناصر بوريطة إلى نواكشوط في زيارة عمل.\n\n"
            "وسبق لبوريطة إجراء مباحثات موسعة بمعية الرئيس الموريتاني محمد ولد الشيخ الغزواني، "
            "ووزير الشؤون الخارجية، إسماعيل ولد الشيخ أحمد.")
    assert meetings_of(extractor, text, "2020-02-19") == [
        (["Ismail Ould Cheikh Ahmed", "Mohamed Ould Ghazouani", "Nasser Bourita"], None, "Nouakchott", "held")]


def test_a_speakers_own_account_in_quotes_makes_the_speaker_a_participant(extractor):
    text = ('قال الأمين العام لجامعة الدول العربية أحمد أبو الغيط في تغريدة اليوم الخميس: "استقبلت الأمين العام '
            'للأمم المتحدة أنطونيو غوتيريش قبل بدء أعمال القمة، وتحدثنا عن الأوضاع في غزة".')
    assert meetings_of(extractor, text, "2024-05-16") == [
        (["Ahmed Aboul Gheit", "António Guterres"], "2024-05-16", None, "held")]


def test_a_gulf_name_without_its_first_bin_at_a_landmark(extractor):
    # the White House places the meeting in Washington
    text = ("استقبل الرئيس الأمريكي دونالد ترامب ولي العهد البحريني صاحب السمو الملكي الأمير سلمان حمد بن عيسى "
            "آل خليفة في البيت الأبيض أمس.")
    assert meetings_of(extractor, text, "2025-07-17") == [
        (["Donald Trump", "Salman bin Hamad Al Khalifa"], "2025-07-16", "Washington, D.C.", "held")]


def test_an_envoy_with_a_long_gulf_name_after_his_complement(extractor):
    text = ("استقبل رئيس الحكومة اللبنانية نجيب ميقاتي اليوم الموفد السعودي إلى لبنان الأمير سعد بن خالد بن "
            "سلطان آل مقرن في السراي الكبير.")
    assert meetings_of(extractor, text, "2023-05-04") == [
        (["Najib Mikati", "سعد بن خالد بن سلطان آل مقرن"], "2023-05-04", "Beirut", "held")]


def test_a_common_short_name_counts_once_the_report_names_its_country(extractor):
    # "شي" alone names Xi Jinping in a report about China, with no full name anywhere
    text = ("وصل الرئيس الصيني إلى كازاخستان أمس.\n\n"
            "وفي مطار العاصمة كان في استقبال شي الذي وصل في زيارة دولة، الرئيس الكازاخي، قاسم جومارت توكايف، "
            "ثم توجه الزعيمان إلى قصر الرئاسة لبحث العلاقات بين كازاخستان والصين.")
    assert meetings_of(extractor, text, "2022-09-14") == [
        (["Kassym-Jomart Tokayev", "Xi Jinping"], "2022-09-13", None, "held")]  # welcomed on arrival, "أمس"



def test_a_series_of_side_meetings_is_one_meeting_with_each(extractor):
    text = ("عقد الرئيس عبد الفتاح السيسي، اليوم السبت، عددا من اللقاءات الجانبية على هامش قمة مجموعة العشرين "
            "في نيودلهي.\n\nوقال المتحدث باسم الرئاسة إن الرئيس السيسي التقى مع كل من فوميو كيشيدا، رئيس الوزراء "
            "الياباني، وسيريل رامافوزا، رئيس جنوب إفريقيا، ولولا دا سيلفا، رئيس البرازيل.")
    assert meetings_of(extractor, text, "2023-09-09") == [
        (["Abdel Fattah el-Sisi", "Fumio Kishida"], "2023-09-09", "New Delhi", "held"),
        (["Abdel Fattah el-Sisi", "Cyril Ramaphosa"], "2023-09-09", "New Delhi", "held"),
        (["Abdel Fattah el-Sisi", "Luiz Inácio Lula da Silva"], "2023-09-09", "New Delhi", "held")]


def test_an_airport_welcome_by_several_is_one_encounter(extractor):
    # "كل من" before a list is a series of meetings, but not at one welcome on arrival
    text = ("استقبل الرئيس عبد المجيد تبون لدى عودته إلى أرض الوطن بمطار هواري بومدين الدولي، كل من الوزير الأول "
            "أيمن بن عبد الرحمان، ورئيس أركان الجيش الفريق أول السعيد شنقريحة، ووزير الخارجية رمطان لعمامرة.")
    assert meetings_of(extractor, text, "2022-11-08") == [
        (["Abdelmadjid Tebboune", "Aymen Benabderrahmane", "Ramtane Lamamra", "Saïd Chengriha"], None, "Algiers", "held")]


def test_who_attended_is_read_after_wa_qad_and_wa_kadha_and_a_bare_hadara(extractor):
    text = ("تحادث الرئيس عبد المجيد تبون، الاثنين في نيويورك، مع نظيره الإيراني إبراهيم رئيسي.\n"
            "وقد حضر هذا اللقاء وزير الخارجية أحمد عطاف وكذا المندوب الدائم للجزائر لدى الأمم المتحدة السيد عمار بن جامع.")
    assert meetings_of(extractor, text, "2023-09-19") == [
        (["Abdelmadjid Tebboune", "Ahmed Attaf", "Ebrahim Raisi", "عمار بن جامع"], "2023-09-18", "New York City",
         "held")]
    text = ("التقى رئيس مجلس القيادة الرئاسي رشاد العليمي اليوم في نيويورك وزير الخارجية الأمريكي أنتوني بلينكن.\n"
            "حضر المبعوث الأمريكي الخاص إلى اليمن تيم ليندركينغ، ومسؤولون أمريكيون آخرون.")
    assert meetings_of(extractor, text, "2022-09-19") == [
        (["Antony Blinken", "Rashad al-Alimi", "Tim Lenderking"], "2022-09-19", "New York City", "held")]
    text = ("التقى رئيس مجلس القيادة الرئاسي رشاد العليمي اليوم في نيويورك وزير الخارجية الأمريكي أنتوني بلينكن.\n"
            "وحضر المبعوث الأمريكي الخاص إلى اليمن تيم ليندركينغ حفل افتتاح أعمال الدورة.")
    assert meetings_of(extractor, text, "2022-09-19") == [
        (["Antony Blinken", "Rashad al-Alimi"], "2022-09-19", "New York City", "held")]


def test_attendees_of_both_sides(extractor):
    text = ("أجرى الملك محمد السادس اليوم الأربعاء بالرباط مباحثات مع الملك فيليبي السادس عاهل إسبانيا.\n"
            "وحضر هذه المباحثات عن الجانب الإسباني وزير الخارجية جوزيب بوريل، وعن الجانب المغربي، وزير الخارجية "
            "ناصر بوريطة.")
    assert meetings_of(extractor, text, "2019-02-13") == [
        (["Felipe VI", "Josep Borrell", "Mohammed VI of Morocco", "Nasser Bourita"], "2019-02-13", "Rabat", "held")]



def test_a_line_of_welcomers_with_titles_after_their_names(extractor):
    text = ("وكان في استقبال وزير الخارجية الكويتي لدى وصوله إلى مطار الملك خالد الدولي أمس، صاحب السمو الملكي "
            "الأمير فهد بن تركي بن سعد نائب وزير الخارجية، ووكيل وزارة الخارجية لشؤون المراسم سالم بن راشد "
            "العتيبي، وسفير دولة الكويت لدى المملكة الشيخ ناصر الجابر الصباح.")
    assert meetings_of(extractor, text, "2013-11-01") == [
        (["Sabah Al-Khalid Al-Sabah", "سالم بن راشد العتيبي", "فهد بن تركي بن سعد", "ناصر الجابر الصباح"],
         "2013-10-31", "Riyadh", "held")]


def test_the_subject_at_the_head_of_the_welcomers(extractor):
    text = ("ذكرت وكالة الأنباء السعودية اليوم الأربعاء أن الأمير محمد بن سلمان ولي العهد كان في مقدمة مستقبلي "
            "رئيس الوزراء العراقي مصطفى الكاظمي لدى وصوله إلى الرياض.")
    assert meetings_of(extractor, text, "2021-03-31") == [
        (["Mohammed bin Salman", "Mustafa Al-Kadhimi"], "2021-03-31", "Riyadh", "held")]


def test_attendees_after_kull_min_with_royal_honorifics(extractor):
    text = ("عقد ولي العهد السعودي الأمير محمد بن سلمان في الرياض اليوم لقاء أخويا تشاوريا مع الرئيس المصري "
            "عبد الفتاح السيسي.\n"
            "وحضر اللقاء التشاوري، كل من: صاحب السمو الشيخ محمد بن زايد آل نهيان رئيس دولة الإمارات، وصاحب السمو "
            "الشيخ تميم بن حمد آل ثاني أمير دولة قطر.")
    assert meetings_of(extractor, text, "2025-02-21") == [
        (["Abdel Fattah el-Sisi", "Mohamed bin Zayed Al Nahyan", "Mohammed bin Salman", "Tamim bin Hamad Al Thani"],
         "2025-02-21", "Riyadh", "held")]



def test_a_pronoun_in_a_new_sentence_is_the_last_sentences_subject(extractor):
    text = ("التقى رئيس الحكومة اللبنانية نجيب ميقاتي في لندن وزير الخارجية الأمريكي أنتوني بلينكن.\n\n"
            "وفور وصوله إلى إيرلندا استقبله رئيس الوزراء الإيرلندي سايمون هاريس.")
    assert meetings_of(extractor, text, "2024-10-25") == [
        (["Antony Blinken", "Najib Mikati"], None, "London", "held"),
        (["Najib Mikati", "Simon Harris"], None, "Dublin", "held")]  # a visit to a country: its capital


def test_a_known_name_inside_someone_elses_lineage_is_the_father(extractor):
    # "سلطان بن عبدالعزيز" after "سلمان بن" is the father's name; "محمد بن عبد" is not a short form
    # of "محمد بن عبد الرحمن": a compound given name is one name
    text = ("وكان في استقبال الرئيس اللبناني ميشال عون لدى وصوله إلى الرياض الأمير سلمان بن سلطان بن عبدالعزيز "
            "آل سعود نائب وزير الدفاع، ووزير الدولة الأمير محمد بن عبد الملك آل الشيخ.")
    assert meetings_of(extractor, text, "2017-01-09") == [
        (["Michel Aoun", "سلمان بن سلطان بن عبدالعزيز آل سعود", "محمد بن عبد الملك آل الشيخ"], None, "Riyadh",
         "held")]


def test_the_talks_a_visit_is_for_are_the_visits_meeting(extractor):
    text = ("استقبل الرئيس عبد الفتاح السيسي اليوم الأربعاء الرئيس التركي رجب طيب أردوغان لدى وصوله إلى "
            "القاهرة.\n\nومن المقرر أن يعقد الرئيسان جلسة مباحثات تتناول العلاقات الثنائية.")
    assert meetings_of(extractor, text, "2024-02-14") == [
        (["Abdel Fattah el-Sisi", "Recep Tayyip Erdoğan"], "2024-02-14", "Cairo", "held")]
    text = ("استقبل الرئيس عبد الفتاح السيسي اليوم الأربعاء الرئيس التركي رجب طيب أردوغان في القاهرة.\n\n"
            "ومن المقرر أن يلتقي الرئيسان مجددا في أنقرة.")
    assert meetings_of(extractor, text, "2024-02-14") == [
        (["Abdel Fattah el-Sisi", "Recep Tayyip Erdoğan"], "2024-02-14", "Cairo", "held"),
        (["Abdel Fattah el-Sisi", "Recep Tayyip Erdoğan"], None, "Ankara", "planned")]



def test_also_met_with_an_official_whose_complement_names_his_state(extractor):
    text = ("التقى المبعوث الأممي إلى اليمن هانس غروندبرغ في مسقط وزير الخارجية العماني بدر البوسعيدي.\n\n"
            "كما التقى مع نائب وزير الخارجية وشؤون المغتربين في اليمن مصطفى نعمان.")
    assert meetings_of(extractor, text, "2025-06-01") == [
        (["Badr Albusaidi", "Hans Grundberg"], None, "Muscat", "held"),
        (["Hans Grundberg", "مصطفى نعمان"], None, "Muscat", "held")]  # the report's venue


def test_the_same_speaker_named_by_his_role_and_dhatuhu(extractor):
    text = ("قال الرئيس التونسي قيس سعيد إن العلاقات مع مصر متينة.\n"
            "وشدد المتحدث ذاته على أن أمن مصر واستقرارها من أمن واستقرار تونس.")
    assert statements_of(extractor, text, "2023-01-01") == [(["Kais Saied"], "قال"), (["Kais Saied"], "شدد")]
    assert meetings_of(extractor, text, "2023-01-01") == []



def test_a_meeting_a_day_before_the_arrival_where_it_was_held(extractor):
    text = ("ووصل وزير الخارجية الأمريكي، مايك بومبيو، الخرطوم الثلاثاء في أول رحلة مباشرة من تل أبيب إلى "
            "الخرطوم، بعد يوم من اجتماعه مع رئيس الوزراء الإسرائيلي، بنيامين نتنياهو في القدس.")
    assert meetings_of(extractor, text, "2020-08-25") == [
        (["Benjamin Netanyahu", "Mike Pompeo"], "2020-08-24", "Jerusalem", "held")]


def test_a_first_line_with_a_day_set_off_by_commas_is_the_lead(extractor):
    text = ("استقبل الرئيس السوري أحمد الشرع نظيره الفلسطيني محمود عباس، اليوم الجمعة، في دمشق، في أول زيارة "
            "للأخير منذ سنوات\n"
            "وقالت الرئاسة السورية إن الشرع عقد اجتماعا مع عباس، بحضور وزير الخارجية السوري أسعد الشيباني.")
    assert meetings_of(extractor, text, "2025-04-18") == [
        (["Ahmed al-Sharaa", "Asaad al-Shaibani", "Mahmoud Abbas"], "2025-04-18", "Damascus", "held")]


def test_talks_planned_for_a_visit_already_reported_are_its_meeting_unless_again(extractor):
    text = ("استقبل الرئيس العراقي عبد اللطيف رشيد اليوم الاثنين في بغداد الرئيس التركي رجب طيب أردوغان.\n\n"
            "وقال مسؤول عراقي إن الزيارة تتناول ملفات المياه والأمن.\n\n"
            "وخلال زيارته، من المقرر أن يعقد أردوغان اجتماعات مع نظيره العراقي عبد اللطيف رشيد ورئيس الوزراء "
            "محمد شياع السوداني.")
    assert meetings_of(extractor, text, "2024-04-22") == [
        (["Abdul Latif Rashid", "Recep Tayyip Erdoğan"], "2024-04-22", "Baghdad", "held"),
        (["Mohammed Shia' Al Sudani", "Recep Tayyip Erdoğan"], None, "Baghdad", "planned")]



def test_talks_chaired_by_two_leaders_with_attendees(extractor):
    # "برئاسة A وB" names the talks' parties; "الصباح" names no one on its own; a short form of
    # the holder's name after the title belongs to the title; "وبحضور" takes the conjunction
    text = ("برئاسة أمير الكويت الشيخ مشعل الصباح والرئيس المصري عبد الفتاح السيسي، عقدت بقصر بيان، الثلاثاء، "
            "جلسة المباحثات الرسمية بين البلدين، وبحضور ولي العهد الكويتي الشيخ صباح خالد الصباح، ورئيس مجلس "
            "الوزراء بالإنابة الشيخ فهد يوسف سعود الصباح.\n\n"
            "وقال وزير شؤون الديوان الأميري الشيخ محمد عبد الله المبارك الصباح، إن المباحثات تناولت العلاقات "
            "الأخوية، لا سيما فيما يتعلق في قطاع غزة.")
    assert meetings_of(extractor, text, "2025-04-15") == [
        (["Abdel Fattah el-Sisi", "Fahad Yousef Saud Al-Sabah", "Mishal Al-Ahmad Al-Jaber Al-Sabah",
          "Sabah Al-Khalid Al-Sabah"], "2025-04-15", None, "held")]
    assert statements_of(extractor, text, "2025-04-15") == [(["محمد عبد الله المبارك الصباح"], "قال")]



def test_met_with_bi_after_haythu_takes_the_sentences_subject(extractor):
    text = ("وصل وزير الخارجية السعودي، الأمير فيصل بن فرحان، إلى طهران يوم السبت، حيث التقى بالرئيس الإيراني "
            "إبراهيم رئيسي.")
    assert meetings_of(extractor, text, "2023-06-17") == [
        (["Ebrahim Raisi", "Faisal bin Farhan Al Saud"], "2023-06-17", "Tehran", "held")]


def test_a_prince_who_is_a_minister_has_a_ministers_counterpart(extractor):
    # "الأمير" is his style, not his office; "بأنها" is no name
    text = 'وصف الأمير فيصل بن فرحان محادثاته مع نظيره الإيراني بأنها "إيجابية"، وقال إنها مثمرة.'
    assert meetings_of(extractor, text, "2023-06-17") == [
        (["Faisal bin Farhan Al Saud", "Hossein Amir-Abdollahian"], None, None, "held")]
    assert statements_of(extractor, text, "2023-06-17") == [
        (["Faisal bin Farhan Al Saud"], "وصف"), (["Faisal bin Farhan Al Saud"], "قال")]



def test_meetings_a_visit_is_to_bring_are_planned(extractor):
    text = ("وصل وزير الخارجية السعودي الأمير فيصل بن فرحان، اليوم السبت، إلى طهران في زيارة رسمية يلتقي خلالها "
            "الرئيس الإيراني إبراهيم رئيسي.")
    assert meetings_of(extractor, text, "2023-06-17") == [
        (["Ebrahim Raisi", "Faisal bin Farhan Al Saud"], "2023-06-17", "Tehran", "planned")]
    text = ("في ظل أوضاع مضطربة ينتظر العراقيون لقاء رئيس الوزراء محمد شياع السوداني بالرئيس الأمريكي جو بايدن "
            "خلال زيارته لواشنطن.")
    assert meetings_of(extractor, text, "2024-04-14") == [
        (["Joe Biden", "Mohammed Shia' Al Sudani"], None, "Washington, D.C.", "planned")]


def test_one_of_several_deputies_named_before_his_title(extractor):
    text = ('ولفت علي رضا عنايتي مساعد وزير الخارجية الإيراني، في مذكرة خاصة، إلى أن "العلاقات مع السعودية '
            'تتطور".')
    assert statements_of(extractor, text, "2023-06-17") == [(["علي رضا عنايتي"], "لفت")]



def test_credentials_received_and_presented_are_meetings_one_per_ambassador(extractor):
    text = ("تسلم الرئيس عبد المجيد تبون اليوم أوراق اعتماد سفير إيطاليا الجديد جوفاني بوليتزي وسفيرة كندا "
            "الجديدة ماري لافوا.")
    assert meetings_of(extractor, text, "2022-03-01") == [
        (["Abdelmadjid Tebboune", "جوفاني بوليتزي"], "2022-03-01", None, "held"),
        (["Abdelmadjid Tebboune", "ماري لافوا"], "2022-03-01", None, "held")]
    text = ("تسلم رئيس الجمهورية الدكتور عبد اللطيف جمال رشيد، اليوم الأربعاء في قصر بغداد، أوراق اعتماد عدد من "
            "السفراء الجدد، وهم سفيرة سويسرا السيدة إميليا جورجيفا، وسفير جمهورية مالي السيد بو بكر ديالو.\n"
            "وبيّن رئيس الجمهورية أن العراق يتطلع لبناء أفضل العلاقات، وأكد أهمية مواجهة أزمة المناخ والمحافظة على البيئة.")
    assert meetings_of(extractor, text, "2022-12-14") == [
        (["Abdul Latif Rashid", "إميليا جورجيفا"], "2022-12-14", "Baghdad", "held"),
        (["Abdul Latif Rashid", "بو بكر ديالو"], "2022-12-14", "Baghdad", "held")]
    text = ("وصل الرئيس عبد المجيد تبون إلى مقر الرئاسة.\n\n"
            "وبعد تسليمه لأوراق اعتماده للرئيس تبون، صرح سفير فيتنام، السيد نغوين تان فين، أن العلاقات ممتازة.")
    assert meetings_of(extractor, text, "2020-01-23") == [
        (["Abdelmadjid Tebboune", "نغوين تان فين"], None, None, "held")]



def test_a_call_that_agrees_to_meet_plans_a_meeting_with_no_day(extractor):
    text = ("تلقى الرئيس الجزائري عبد المجيد تبون اليوم الخميس اتصالا هاتفيا من نظيره التونسي قيس سعيد حيث اتفقا "
            "خلاله على اللقاء فور عودة الرئيس تبون إلى الجزائر.")
    assert meetings_of(extractor, text, "2020-12-17") == [
        (["Abdelmadjid Tebboune", "Kais Saied"], None, None, "planned")]


def test_a_venue_named_with_its_city(extractor):
    text = ("وكان الرئيس عبد المجيد تبون قد استقبل بمركز شرم الشيخ الدولي للمؤتمرات من قبل الرئيس المصري عبد "
            "الفتاح السيسي.")
    assert meetings_of(extractor, text, "2022-11-07") == [
        (["Abdel Fattah el-Sisi", "Abdelmadjid Tebboune"], None, "Sharm El Sheikh", "held")]



def test_military_ranks_before_a_name_in_apposition(extractor):
    text = ("استقبل وكيل وزارة الخارجية، السفير محمد حسين بحر العلوم، اليوم الجمعة، عضو مجلس السيادة في جمهورية "
            "السودان، الفريق أول ركن المهندس إبراهيم جابر، لدى وصوله إلى مطار بغداد الدولي.")
    assert meetings_of(extractor, text, "2025-05-16") == [
        (["إبراهيم جابر", "محمد حسين بحر العلوم"], "2025-05-16", "Baghdad", "held")]



def test_ali_spelt_with_alif_maqsura_is_a_name_but_ala_ma_is_not(extractor):
    text = ("استقبل رئيس مجلس الوزراء محمد شياع السوداني، اليوم الخميس، سفراء عدد من الدول، كلٌّ على حدة.\n"
            "حيث استقبل السوداني كلا من: سفير دولة الكويت طارق الفرج، وسفير الجمهورية التركية على رضا غوناي.\n"
            "وفي بداية اللقاء ثمن السفير على ما توليه الحكومة العراقية من دعم.")
    assert meetings_of(extractor, text, "2022-11-03") == [
        (["Mohammed Shia' Al Sudani", "طارق الفرج"], "2022-11-03", None, "held"),
        (["Mohammed Shia' Al Sudani", "على رضا غوناي"], "2022-11-03", None, "held")]



def test_the_spokesman_named_once_then_by_his_office(extractor):
    # "علي تدعيم" in an Egyptian spelling of على is a preposition before a verbal noun, no name
    text = ("استقبل الرئيس عبد الفتاح السيسي اليوم في جدة الرئيس التونسي قيس سعيد.\n"
            "وصرح المستشار أحمد فهمي، المتحدث الرسمي باسم رئاسة الجمهورية، أن مشاركة الرئيس بالقمة تأتي في إطار "
            "حرص مصر الدائم علي تدعيم العلاقات.\n"
            "وأضاف المتحدث الرسمي أن قمة جدة تهدف إلى تعزيز التشاور بين الدول العربية.")
    assert statements_of(extractor, text, "2023-05-19") == [(["أحمد فهمي"], "صرح"), (["أحمد فهمي"], "اضاف")]



def test_the_next_item_of_a_list_named_before_its_title(extractor):
    text = ("التقى الرئيس السوري أحمد الشرع، الخميس، وزيرة خارجية ألمانيا أنالينا بيربوك، وآرمين لاشيت نائب رئيس "
            "البرلمان الأوروبي.")
    assert meetings_of(extractor, text, "2025-01-03") == [
        (["Ahmed al-Sharaa", "Annalena Baerbock", "Armin Laschet"], "2025-01-02", None, "held")]



def test_spouses_meet_too_and_a_city_named_with_a_palace_wins(extractor):
    text = ("التقى الرئيس الصيني شي جين بينغ وزوجته بنغ لي يوان الرئيس الفرنسي إيمانويل ماكرون وزوجته بريجيت "
            "ماكرون في قصر الشعب بالعاصمة بكين.")
    assert meetings_of(extractor, text, "2023-04-06") == [
        (["Emmanuel Macron", "Xi Jinping", "بريجيت ماكرون", "بنغ لي يوان"], None, "Beijing", "held")]


def test_a_spouse_is_not_one_of_the_two_presidents(extractor):
    text = ("استقبل الرئيس عبد الفتاح السيسي اليوم في القاهرة الرئيس التركي رجب طيب أردوغان وزوجته أمينة "
            "أردوغان.\n\nومن المقرر أن يعقد الرئيسان جلسة مباحثات رسمية.")
    assert meetings_of(extractor, text, "2024-02-14") == [
        (["Abdel Fattah el-Sisi", "Recep Tayyip Erdoğan", "أمينة أردوغان"], "2024-02-14", "Cairo", "held")]


def test_the_head_of_the_welcomers_with_a_space_after_wa(extractor):
    text = ("وصل الرئيس التركي رجب طيب أردوغان إلى الجزائر اليوم، وكان في مقدمة المستقبلين الرئيس عبد المجيد "
            "تبون.\nو حضر هذا اللقاء وزير الخارجية أحمد عطاف.")
    assert meetings_of(extractor, text, "2023-07-10") == [
        (["Abdelmadjid Tebboune", "Ahmed Attaf", "Recep Tayyip Erdoğan"], "2023-07-10", None, "held")]



def test_a_proposed_meeting_is_no_meeting_and_ends_the_list_of_those_met(extractor):
    text = ("وكان ويتكوف قد التقى بوتين في موسكو مؤخرا، واقترح عقد اجتماع ثلاثي يضم الرئيس الأوكراني فولوديمير "
            "زيلينسكي، إلا أن بوتين أبدى تحفظا على عقد لقاء مباشر مع زيلينسكي.")
    assert meetings_of(extractor, text, "2025-08-10") == [
        (["Steve Witkoff", "Vladimir Putin"], None, "Moscow", "held")]


def test_the_subject_before_a_khilal_ma_phrase_speaks(extractor):
    text = ("من جهته الرئيس بشار الأسد خلال المحادثات الموسعة مع الرئيس الإيراني إبراهيم رئيسي أكد أن العلاقات "
            "متينة.")
    assert statements_of(extractor, text, "2023-05-03") == [(["Bashar al-Assad"], "اكد")]



def test_one_welcome_told_in_two_sentences_with_sumuwuhu_as_the_guest(extractor):
    text = ("وصل صاحب السمو الأمير الشيخ مشعل الأحمد عصر أمس إلى الرياض في زيارة رسمية.\n"
            "وكان في مقدمة مستقبلي سموه على أرض المطار الأمير محمد بن سلمان ولي العهد.\n"
            "كما كان في استقبال سموه الأمير عبدالله بن خالد بن سعود أمير المنطقة، والشيخ ناصر الجابر الصباح "
            "سفير دولة الكويت لدى المملكة.")
    assert meetings_of(extractor, text, "2024-01-31") == [
        (["Mishal Al-Ahmad Al-Jaber Al-Sabah", "Mohammed bin Salman", "عبدالله بن خالد بن سعود",
          "ناصر الجابر الصباح"], "2024-01-30", "Riyadh", "held")]



def test_then_held_meetings_with_a_quoted_list_on_a_forums_sidelines(extractor):
    text = ('التقى وزير الخارجية الإيراني "عباس عراقجي"، اليوم السبت، وزير خارجية تركيا "هاكان فيدان"، على هامش '
            'منتدى الدوحة.\n'
            'وزار عراقجي العراق أمس الجمعة وتشاور أولا مع نظيره العراقي "فؤاد حسين"، ثم عقد اجتماعات مع رئيس '
            'الوزراء العراقي "محمد شياع السوداني"، والرئيس العراقي "عبد اللطيف رشيد".')
    assert meetings_of(extractor, text, "2024-12-07") == [
        (["Abbas Araghchi", "Hakan Fidan"], "2024-12-07", "Doha", "held"),
        (["Abbas Araghchi", "Fuad Hussein"], "2024-12-06", "Baghdad", "held"),
        (["Abbas Araghchi", "Mohammed Shia' Al Sudani"], "2024-12-06", "Baghdad", "held"),
        (["Abbas Araghchi", "Abdul Latif Rashid"], "2024-12-06", "Baghdad", "held")]



def test_statements_relayed_in_a_quoted_release_and_by_a_woman_the_base_lacks(extractor):
    text = ('وأضاف البيان: "أشارت السيدة بلاسخارت إلى أنها ستقدم إفادة أمام مجلس الأمن الدولي".\n'
            "من جانبها، أشادت سفيرة جمهورية تركيا، السيدة ماهينور أوزديمير، بالعلاقات التاريخية بين البلدين، "
            "داعية إلى تعميق هذه العلاقات.")
    assert statements_of(extractor, text, "2022-07-21") == [
        (["Jeanine Hennis-Plasschaert"], "اشارت"), (["ماهينور أوزديمير"], "داعيه")]


def test_bayna_before_a_dual_in_the_oblique_case_is_between(extractor):
    text = ("يعقد خلالها الرئيس محمد مرسي مع نظيره السوداني عمر البشير جلسة مباحثات مشتركة بين الجانبين ويحضران "
            "اجتماع رجال الأعمال.")
    assert statements_of(extractor, text, "2013-04-04") == []



def test_a_kings_name_that_names_an_institution_is_no_participant(extractor):
    text = ("زار الأمير سلمان بن حمد آل خليفة ولي عهد مملكة البحرين صباح أمس دارة الملك عبدالعزيز في الرياض، "
            "والتقى هناك وزير الخارجية السعودي الأمير سعود الفيصل.")
    assert meetings_of(extractor, text, "2015-03-02") == [
        (["Salman bin Hamad Al Khalifa", "Saud bin Faisal bin Abdulaziz Al Saud"], "2015-03-01", "Riyadh", "held")]



def test_the_head_of_general_intelligence_named_after_a_comma_and_his_rank(extractor):
    text = ("التقى رئيس حكومة الوحدة الوطنية الليبية، عبد الحميد الدبيبة، في طرابلس رئيس المخابرات العامة "
            "المصرية، اللواء عباس كامل، وذلك ضمن زيارة غير معلنة.")
    assert meetings_of(extractor, text, "2021-06-17") == [
        (["Abdul Hamid Dbeibeh", "عباس كامل"], None, "Tripoli", "held")]



def test_the_purpose_of_a_journey_to_come_is_a_planned_meeting_of_the_traveller(extractor):
    text = ("استقبل الرئيس العراقي برهم صالح الرئيس الإيراني حسن روحاني في بغداد، وسيلتقي روحاني الرئاسات الثلاث "
            "قبل أن يتوجه إلى النجف للقاء المرجع الديني السيد علي السيستاني.")
    assert meetings_of(extractor, text, "2019-03-11") == [
        (["Barham Salih", "Hassan Rouhani"], None, "Baghdad", "held"),
        (["Ali al-Sistani", "Hassan Rouhani"], None, "Najaf", "planned")]



def test_a_spokesman_named_before_speaking_for_his_principal(extractor):
    text = ("قال أجوري نجيلالي المتحدث باسم الرئيس النيجيري بولا تينوبو، اليوم السبت، إن الرئيس تينوبو سيلتقي مع "
            "نظيره الأمريكي جو بايدن.")
    assert statements_of(extractor, text, "2023-08-26") == [(["Ajuri Ngelale"], "قال")]
    assert meetings_of(extractor, text, "2023-08-26") == [
        (["Bola Tinubu", "Joe Biden"], "2023-08-26", None, "planned")]



def test_the_two_leaders_are_never_the_spokesman_who_reports_them(extractor):
    text = ("التقى الرئيس عبد الفتاح السيسي أمير الكويت الشيخ مشعل الأحمد الجابر الصباح.\n"
            "وصرح السفير محمد الشناوي، المتحدث الرسمي باسم رئاسة الجمهورية، بأن الاجتماع شمل جلسة موسعة ومباحثات "
            "ثنائية بين الزعيمين.")
    assert meetings_of(extractor, text, "2025-04-15") == [
        (["Abdel Fattah el-Sisi", "Mishal Al-Ahmad Al-Jaber Al-Sabah"], None, None, "held")]



def test_a_host_welcoming_a_list_of_arrivals(extractor):
    text = ("ولدى وصول القادة إلى مقر انعقاد القمة في المنامة اليوم، كان في استقبالهم ملك البحرين الملك حمد بن عيسى "
            "آل خليفة، حيث وصل كل من: صاحب الجلالة السلطان هيثم بن طارق سلطان عمان، وصاحب السمو الشيخ مشعل الأحمد "
            "الجابر الصباح أمير دولة الكويت.")
    assert meetings_of(extractor, text, "2025-12-03") == [
        (["Haitham bin Tariq", "Hamad bin Isa Al Khalifa", "Mishal Al-Ahmad Al-Jaber Al-Sabah"], "2025-12-03",
         "Manama", "held")]



def test_talks_during_the_visit_take_the_visits_city_and_day_when_held(extractor):
    # planned talks "during the visit" may come on any of its days: the city, no day
    text = ("في أول زيارة خارجية له منذ اندلاع الحرب، ناقش رئيس مجلس السيادة السوداني عبد الفتاح البرهان الأوضاع.\n\n"
            "وكان الفريق البرهان قد وصل العلمين، صباح اليوم الثلاثاء، على رأس وفد رفيع.\n\n"
            "وقال بيان لمجلس السيادة إن البرهان سيجري خلال الزيارة مباحثات مع الرئيس المصري عبد الفتاح السيسي.")
    assert meetings_of(extractor, text, "2023-08-29") == [
        (["Abdel Fattah al-Burhan", "Abdel Fattah el-Sisi"], None, "El Alamein", "planned")]



def test_an_envoy_then_the_head_he_will_meet_are_two_people(extractor):
    text = ("وصل المبعوث الأممي إلى اليمن هانس غروندبرغ إلى مسقط.\n"
            "ومن المقرر أن يلتقي المبعوث الأممي رئيس المجلس السياسي الأعلى مهدي المشاط في صنعاء.")
    assert meetings_of(extractor, text, "2023-04-10") == [
        (["Hans Grundberg", "Mahdi al-Mashat"], None, "Sanaa", "planned")]



def test_a_meeting_planned_for_a_month_named_twice(extractor):
    # "مايو أيار": the Western and the Levantine name of one month; a planned meeting takes the coming one
    text = ("قال وزير الخارجية التركي مولود تشاووش أوغلو الأربعاء، إن الرئيس رجب طيب أردوغان سيلتقي مع الرئيس "
            "الأمريكي دونالد ترامب في مارس آذار قبل اجتماع لحلف شمال الأطلسي.")
    assert meetings_of(extractor, text, "2017-04-19") == [
        (["Donald Trump", "Recep Tayyip Erdoğan"], "2018-03", None, "planned")]



def test_those_who_come_forward_to_greet_a_guest(extractor):
    text = ("وصل الملك محمد السادس إلى الدوحة اليوم الأحد في زيارة رسمية.\n"
            "إثر ذلك، تقدم للسلام على الملك عدد من الشخصيات القطرية، من بينها رئيس مجلس الوزراء القطري الشيخ "
            "محمد بن عبد الرحمن آل ثاني، ووزير الدولة للشؤون الخارجية سلطان بن سعد المريخي.")
    assert meetings_of(extractor, text, "2017-11-12") == [
        (["Mohammed VI of Morocco", "Mohammed bin Abdulrahman Al Thani", "سلطان بن سعد المريخي"], "2017-11-12", "Doha",
         "held")]



def test_talks_with_a_guest_on_a_visit_take_the_visits_day(extractor):
    text = ("تحادث رئيس الجمهورية، عبد المجيد تبون، بمقر رئاسة الجمهورية، مع نظيره الفرنسي، إيمانويل ماكرون، الذي "
            "يقوم بزيارة رسمية إلى الجزائر.\n\n"
            "وشرع الرئيس ماكرون، عصر اليوم الخميس، في زيارة رسمية إلى الجزائر العاصمة على رأس وفد.")
    assert meetings_of(extractor, text, "2022-08-25") == [
        (["Abdelmadjid Tebboune", "Emmanuel Macron"], "2022-08-25", "Algiers", "held")]



def test_two_leaders_who_discussed_on_a_first_visit_met_that_day_where_he_arrived(extractor):
    text = ("في أول زيارة خارجية له منذ اندلاع الحرب، ناقش رئيس مجلس السيادة السوداني عبد الفتاح البرهان والرئيس "
            "المصري عبد الفتاح السيسي سبل وقف إطلاق النار.\n\n"
            "وكان الفريق البرهان قد وصل العلمين، صباح اليوم الثلاثاء، على رأس وفد رفيع.")
    assert meetings_of(extractor, text, "2023-08-29") == [
        (["Abdel Fattah al-Burhan", "Abdel Fattah el-Sisi"], "2023-08-29", "El Alamein", "held")]



def test_a_body_is_never_a_persons_name_and_the_name_after_its_comma_is(extractor):
    text = ("وصل رئيس جنوب السودان سلفاكير ميارديت إلى بورتسودان اليوم في زيارة رسمية، وكان في استقباله بمطار "
            "بورتسودان الدولي، نائب رئيس مجلس السيادة الانتقالي، مالك عقار إير.")
    assert meetings_of(extractor, text, "2023-09-04") == [
        (["Salva Kiir Mayardit", "مالك عقار إير"], "2023-09-04", "Port Sudan", "held")]



def test_attendees_joined_by_wa_alone_with_long_titles(extractor):
    text = ("بحث وزير الخارجية الكويتي الشيخ صباح الخالد مع الأمين العام لمنظمة التعاون الإسلامي الدكتور إياد أمين "
            "مدني أمس في جدة الاستحقاقات القادمة.\n"
            "حضر الاجتماع نائب وزير الخارجية السفير خالد سليمان الجارالله ومساعد وزير الخارجية لشؤون مكتب النائب "
            "الأول السفير الشيخ أحمد ناصر المحمد الصباح والوزير المفوض ناصر محارب الهين.")
    assert meetings_of(extractor, text, "2016-03-03") == [
        (["Ahmad Nasser al-Mohammed al-Sabah", "Iyad Madani", "Sabah Al-Khalid Al-Sabah", "خالد سليمان الجارالله",
          "ناصر محارب الهين"], "2016-03-02", "Jeddah", "held")]



def test_the_representative_of_the_secretary_general_is_not_the_secretary_general(extractor):
    text = ("بحث رئيس مجلس السيادة الانتقالي الفريق أول عبد الفتاح البرهان، مع ممثل الأمين العام للأمم المتحدة رئيس "
            "بعثة يونيتامس فولكر بيترس، الأوضاع السياسية في البلاد.")
    assert meetings_of(extractor, text, "2021-05-10") == [
        (["Abdel Fattah al-Burhan", "Volker Perthes"], None, None, "held")]


def test_a_titled_phrase_of_another_state_never_refers_back_to_our_president(extractor):
    text = ("استقبل رئيس الجمهورية، عبد المجيد تبون، اليوم بالجزائر العاصمة السفير البلغاري.\n\n"
            "وأكد الرئيس تبون خلال اللقاء متانة العلاقات.")
    found = meetings_of(extractor, text, "2023-02-02")
    assert found == []  # the ambassador is unnamed: no second person, no meeting


def test_also_received_keeps_the_sentence_subject(extractor):
    text = ("استقبل الرئيس عبد المجيد تبون، على هامش القمة بمدينة شرم الشيخ، رئيس الوزراء الهولندي مارك روته، "
            "كما استقبل رئيسة الوزراء الإيطالية جورجيا ميلوني.")
    assert meetings_of(extractor, text, "2022-11-08") == [
        (["Abdelmadjid Tebboune", "Mark Rutte"], None, "Sharm El Sheikh", "held"),
        (["Abdelmadjid Tebboune", "Giorgia Meloni"], None, "Sharm El Sheikh", "held")]


def test_present_tense_talks_with_a_dual_subject(extractor):
    text = ("يجري وزيرا الخارجية الروسي سيرغي لافروف، والسوري أسعد الشيباني محادثات في العاصمة الروسية موسكو، "
            "اليوم الأربعاء.\n\nوتتناول المحادثات العلاقات الثنائية.")
    assert meetings_of(extractor, text, "2025-12-24") == [
        (["Asaad al-Shaibani", "Sergey Lavrov"], "2025-12-24", "Moscow", "held")]


def test_a_meeting_recounted_in_a_quotation(extractor):
    text = ("أجرى وزير الخارجية الروسي سيرغي لافروف محادثات مع نظيره السوري أسعد الشيباني في موسكو اليوم الأربعاء.\n\n"
            'وقال لافروف إن "الرئيس بوتين التقى وزير الخارجية السوري أمس، والمحادثات كانت جيدة".')
    assert meetings_of(extractor, text, "2025-12-24") == [
        (["Asaad al-Shaibani", "Sergey Lavrov"], "2025-12-24", "Moscow", "held"),
        (["Asaad al-Shaibani", "Vladimir Putin"], "2025-12-23", "Moscow", "held")]


def test_an_airport_welcome_is_an_encounter(extractor):
    text = ("وصل رئيس الوزراء العراقي مصطفى الكاظمي إلى الرياض اليوم الأربعاء في زيارة رسمية.\n\n"
            "وكان ولي العهد السعودي الأمير محمد بن سلمان في مقدمة مستقبلي الكاظمي لدى وصوله إلى مطار الملك خالد الدولي.")
    assert meetings_of(extractor, text, "2021-03-31") == [
        (["Mohammed bin Salman", "Mustafa Al-Kadhimi"], "2021-03-31", "Riyadh", "held")]


def test_a_joint_press_conference_after_talks_is_part_of_the_talks(extractor):
    text = ("التقى وزير الخارجية التركي هاكان فيدان في أنقرة اليوم الأربعاء نظيره المصري بدر عبد العاطي.\n\n"
            "وقال فيدان في مؤتمر صحفي مشترك مع عبد العاطي إن البلدين يعملان على تعزيز التعاون.")
    assert meetings_of(extractor, text, "2025-11-12") == [
        (["Badr Abdelatty", "Hakan Fidan"], "2025-11-12", "Ankara", "held")]


def test_a_joint_press_conference_alone_is_a_meeting(extractor):
    text = ("قال وزير الخارجية التركي هاكان فيدان، اليوم الأربعاء، في مؤتمر صحفي مشترك مع نظيره المصري "
            "بدر عبد العاطي في أنقرة، إن البلدين يعملان على تعزيز التعاون.")
    assert meetings_of(extractor, text, "2025-11-12") == [
        (["Badr Abdelatty", "Hakan Fidan"], "2025-11-12", "Ankara", "held")]


def test_the_one_city_of_the_report_places_an_unplaced_meeting(extractor):
    text = ("التقى الرئيس السوري أحمد الشرع، الخميس، وزيرة خارجية ألمانيا أنالينا بيربوك.\n\n"
            "وكانت بيربوك قد أعادت افتتاح سفارة بلادها في دمشق رسميا.")
    assert meetings_of(extractor, text, "2025-03-20") == [
        (["Ahmed al-Sharaa", "Annalena Baerbock"], "2025-03-20", "Damascus", "held")]


def test_a_planned_meeting_takes_the_future_date_not_the_day_of_speaking(extractor):
    text = ("قال المتحدث باسم الرئاسة التركية، اليوم السبت، إن الرئيس رجب طيب أردوغان سيلتقي نظيره الأمريكي "
            "جو بايدن، على هامش اجتماعات الجمعية العامة للأمم المتحدة في نيويورك الشهر المقبل.")
    assert meetings_of(extractor, text, "2023-08-26") == [
        (["Joe Biden", "Recep Tayyip Erdoğan"], "2023-09", "New York City", "planned")]


def test_a_bare_royal_title_refers_back_to_a_royal_not_a_president(extractor):
    text = ("استقبل الرئيس الأمريكي دونالد ترامب، أمس، ولي عهد البحرين الأمير سلمان بن حمد آل خليفة في البيت الأبيض.\n\n"
            "وأكد الأمير خلال اللقاء عمق العلاقات بين البلدين.")
    speakers = statements_of(extractor, text, "2025-07-17")
    assert speakers == [(["Salman bin Hamad Al Khalifa"], "اكد")]


def test_a_participle_speaks_for_the_subject_of_the_verb_it_follows(extractor):
    text = ("استقبل الرئيس عبد الفتاح السيسي، اليوم، بقصر الاتحادية رئيس الوزراء الأردني بشر الخصاونة.\n\n"
            "وتناول اللقاء الأوضاع الإقليمية، حيث استعرض الرئيس الجهود المصرية لوقف إطلاق النار، مشددا على أهمية "
            "إدخال المساعدات الإنسانية.")
    assert statements_of(extractor, text, "2023-11-27") == [(["Abdel Fattah el-Sisi"], "مشددا")]


def test_a_preposition_with_an_article_ends_an_unknown_name(extractor):
    text = ("استقبل وزير الخارجية العماني بدر البوسعيدي اليوم السفير كارلوس ريبيرو بالضيوف المرافقين له.")
    found = meetings_of(extractor, text, "2023-02-02")
    assert found == [(["Badr Albusaidi", "كارلوس ريبيرو"], "2023-02-02", None, "held")]


def test_a_governor_and_an_ambassador_the_base_does_not_know(extractor):
    text = ("التقى محافظ عدن سالم عبد الرحمن الحداد اليوم بالسفير الأمريكي لدى اليمن جوناثان ميلر في مدينة عدن.\n\n"
            "وأكد السفير جوناثان ميلر دعم بلاده لجهود التنمية.")
    assert meetings_of(extractor, text, "2019-05-10") == [
        (["جوناثان ميلر", "سالم عبد الرحمن الحداد"], "2019-05-10", "Aden", "held")]


def test_a_name_before_its_local_title_set_off_by_a_comma_keeps_ali(extractor):
    text = ("التقى علي حسن باعوم، محافظ محافظة المهرة، في العاصمة السعودية الرياض، الثلاثاء، "
            "السفير الأمريكي لدى اليمن جوناثان ميلر.")
    assert meetings_of(extractor, text, "2020-01-15") == [
        (["جوناثان ميلر", "علي حسن باعوم"], "2020-01-14", "Riyadh", "held")]


def test_a_feminine_title_never_refers_back_to_a_man(extractor):
    text = ("استقبل وزير الخارجية السعودي الأمير فيصل بن فرحان، في مقر الوزارة بالرياض اليوم، وزيرة الخارجية "
            "والتعاون الدولي في مملكة إسواتيني السيدة نوما ماسيكو.")
    assert meetings_of(extractor, text, "2022-02-14") == [
        (["Faisal bin Farhan Al Saud", "نوما ماسيكو"], "2022-02-14", "Riyadh", "held")]


def test_attendees_named_in_a_later_sentence_join_the_meeting(extractor):
    text = ("استقبل وزير الخارجية الروسي سيرغي لافروف اليوم في موسكو وزير الخارجية السعودي عادل الجبير.\n\n"
            "وعقدت جلسة مباحثات تناولت العلاقات الثنائية.\n\n"
            "حضر جلسة المباحثات مدير الإدارة الإعلامية بوزارة الخارجية السفير أسامة نقلي.")
    assert meetings_of(extractor, text, "2017-10-04") == [
        (["Adel al-Jubeir", "Sergey Lavrov", "أسامة نقلي"], "2017-10-04", "Moscow", "held")]


def test_separate_meetings_with_a_list_and_the_attendee_of_all_of_them(extractor):
    text = ("وعقد الرئيس التركي رجب طيب أردوغان في أنقرة، أمس الأربعاء، لقاءات منفصلة مع وزير الخارجية الأمريكي "
            "أنتوني بلينكن، ووزير الخارجية الروسي سيرغي لافروف.\n\n"
            "وجرى التأكيد خلال اللقاءات، بحضور وزير الخارجية التركي هاكان فيدان، على أهمية الحوار.")
    assert meetings_of(extractor, text, "2024-01-11") == [
        (["Antony Blinken", "Hakan Fidan", "Recep Tayyip Erdoğan"], "2024-01-10", "Ankara", "held"),
        (["Hakan Fidan", "Recep Tayyip Erdoğan", "Sergey Lavrov"], "2024-01-10", "Ankara", "held")]


def test_consultations_between_two_leaders_with_courtesies_between_their_names(extractor):
    text = ("وقال وزير الخارجية العماني بدر البوسعيدي إن المشاورات بين السلطان هيثم بن طارق المعظم حفظه الله "
            "وأخيه فخامة الرئيس الإيراني إبراهيم رئيسي في طهران اليوم أكدت عمق العلاقات.")
    assert meetings_of(extractor, text, "2023-05-29") == [
        (["Ebrahim Raisi", "Haitham bin Tariq"], "2023-05-29", "Tehran", "held")]


def test_a_signing_by_two_named_counterparts_is_an_encounter_and_a_decree_is_not(extractor):
    text = ("وقع الرئيس الجزائري عبد المجيد تبون ونظيره الفرنسي إيمانويل ماكرون، اليوم السبت، بالجزائر العاصمة "
            "إعلانا من أجل شراكة متجددة.\n\n"
            "ووقع الرئيس تبون أمس مرسوما بتعيين السفير الجزائري الجديد لدى باريس.")
    assert meetings_of(extractor, text, "2022-08-27") == [
        (["Abdelmadjid Tebboune", "Emmanuel Macron"], "2022-08-27", "Algiers", "held")]


def test_who_publishes_pictures_of_a_reception_or_reports_the_talks_is_not_in_them(extractor):
    text = ("نشر المتحدث الرسمي باسم الرئاسة المصرية صور استقبال الرئيس عبد الفتاح السيسي، اليوم، بقصر الاتحادية "
            "الرئيس الصومالي حسن شيخ محمود.\n\n"
            "وصرح وزير الخارجية المصري سامح شكري بأن الاجتماع شمل مباحثات ثنائية بين الزعيمين.")
    assert meetings_of(extractor, text, "2022-07-18") == [
        (["Abdel Fattah el-Sisi", "Hassan Sheikh Mohamud"], "2022-07-18", "Cairo", "held")]  # قصر الاتحادية


def test_a_name_after_the_words_of_an_office_and_a_comma(extractor):
    text = ("استقبل الرئيس عبد المجيد تبون، اليوم، بمقر رئاسة الجمهورية، مدير الديوان برئاسة الجمهورية، "
            "نور الدين بلقاسم.")
    assert meetings_of(extractor, text, "2023-05-16") == [
        (["Abdelmadjid Tebboune", "نور الدين بلقاسم"], "2023-05-16", None, "held")]


def test_whoever_accompanies_the_guest_takes_part(extractor):
    text = ("استقبل وزير الخارجية المصري سامح شكري في القاهرة أمس الأمين العام للجامعة العربية أحمد أبو الغيط "
            "وبصحبته المبعوث الأممي إلى ليبيا عبد الله باتيلي.")
    assert meetings_of(extractor, text, "2023-05-16") == [
        (["Abdoulaye Bathily", "Ahmed Aboul Gheit", "Sameh Shoukry"], "2023-05-15", "Cairo", "held")]


def test_the_outlet_country_in_the_metadata_names_the_home_president(extractor):
    text = ("استقبل رئيس الجمهورية، اليوم الأحد، بمقر الرئاسة وزير الخارجية الفرنسي جان نويل بارو.\n\n"
            "وأكد رئيس الجمهورية خلال اللقاء حرص بلاده على علاقات متوازنة.")
    article = Article(id="t.txt", text=text, published=date(2025, 4, 6), source="Echaab (echaab.dz), Algeria")
    found = extractor.extract(article)
    assert [(sorted(a.label for a in m.participants), m.date) for m in found.meetings] == [
        (["Abdelmadjid Tebboune", "Jean-Noël Barrot"], "2025-04-06")]
    assert [([a.label for a in s.speakers], s.verb) for s in found.statements] == [(["Abdelmadjid Tebboune"], "اكد")]


def test_a_maghrebi_name_with_the_article_and_ould_after_an_honorific(extractor):
    text = ("استقبل رئيس المجلس الشعبي الوطني السيد الهادي ولد خليفة أمس الاثنين بالجزائر العاصمة "
            "رئيس الوزراء الفرنسي جان مارك إيرولت الذي يقوم بزيارة رسمية للجزائر.")
    assert meetings_of(extractor, text, "2013-12-17") == [
        (["Jean-Marc Ayrault", "الهادي ولد خليفة"], "2013-12-16", "Algiers", "held")]


def test_a_bare_title_is_not_the_holder_named_right_after_it(extractor):
    text = ("استقبل الرئيس عبد الفتاح السيسي، اليوم، بقصر الاتحادية الرئيس الصومالي حسن شيخ محمود.\n\n"
            "وصرح المتحدث الرسمي بأن اللقاء شهد مباحثات موسعة؛ حيث رحب الرئيس بأخيه الرئيس الصومالي، "
            "مؤكدا اعتزاز مصر بعلاقاتها التاريخية مع الصومال.")
    assert statements_of(extractor, text, "2022-07-18") == [
        (["Abdel Fattah el-Sisi"], "رحب"), (["Abdel Fattah el-Sisi"], "موكدا")]


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/eval/real is not beside this clone (CI has it)")
def test_real_reports_do_not_regress():
    """Floors a little under today's figures on 45 real reports: the measure that matters."""
    extractor = Extractor()
    items = [a for a in read_articles([str(REAL / "articles")], metadata=REAL / "metadata.json")
             if isinstance(a, Article)]
    assert len(items) == 45
    predictions = to_predictions([extractor.extract(a) for a in items], extractor.kb)
    report = evaluate.score(evaluate.load_gold(REAL / "gold"), predictions,
                            evaluate.load_entities(REAL / "entities.json")).to_dict()
    meetings, statements = report["meetings"], report["statements"]
    assert meetings["detection"]["f1"] >= 0.93
    assert meetings["detection"]["precision"] >= 0.95
    assert meetings["exact"]["f1"] >= 0.78
    assert meetings["participants"]["f1"] >= 0.92
    assert meetings["date_accuracy"] >= 0.92
    assert meetings["location_accuracy"] >= 0.90
    assert statements["matched"]["f1"] >= 0.87
    assert statements["speaker_accuracy"] >= 0.96

"""A synthetic corpus of Arabic wire-style articles with their ground truth, for checking
speed and quality together at any size.

Every article is built from the knowledge base: real persons holding a real office on a
random day of 2010-2025, named by title and demonym as agencies do ("وزير الخارجية
الروسي سيرغي لافروف"), meeting in their capital. Templates vary the trigger (استقبل،
التقى، بحث مع، عقد مباحثات), held versus planned meetings, phone calls (which are not
meetings), reporting verbs and participles (أكد، قال، أضاف، مشيرا ...) and date phrases
(اليوم، أمس الأربعاء، a bare weekday, an explicit date, غدا). The gold is written while
the text is, in the evaluation format (shared/eval/README.md), so `kg.evaluate` scores an
extraction of the corpus directly.

    python bench/corpus.py 1000 --out /tmp/corpus.jsonl    (or: kg bench-corpus 1000 --out ...)

writes corpus.jsonl (id, text, published, source, url), corpus.gold.jsonl (one gold
document per line) and corpus.entities.json (canonical names, Wikidata ids, aliases).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.knowledge import KnowledgeBase, Office, Person, default  # noqa: E402

FIRST_DAY, LAST_DAY = date(2010, 1, 1), date(2025, 12, 31)
WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]  # date.weekday() order
MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
AGENCIES = ["كونا", "واس", "وام", "قنا", "بنا", "بترا", "سانا", "إرنا", "واع", "الأناضول", "تاس", "شينخوا"]

# role -> (masculine title, feminine title, how the polity follows: "demonym" or "name")
TITLES = {
    "president": ("الرئيس", "الرئيسة", "demonym"),
    "prime_minister": ("رئيس الوزراء", "رئيسة الوزراء", "demonym"),
    "foreign_minister": ("وزير الخارجية", "وزيرة الخارجية", "demonym"),
    "defence_minister": ("وزير الدفاع", "وزيرة الدفاع", "demonym"),
    "king": ("ملك", "ملكة", "name"),
    "emir": ("أمير", "أميرة", "name"),
    "crown_prince": ("ولي عهد", "ولية عهد", "name"),
}
TOPICS = [
    "سبل تعزيز العلاقات الثنائية في مختلف المجالات",
    "آخر مستجدات الأوضاع في المنطقة",
    "فرص التعاون في مجالات الطاقة والاستثمار والنقل",
    "الملفات الإقليمية والدولية ذات الاهتمام المشترك",
    "تطورات الأزمة الإنسانية وسبل إيصال المساعدات",
]
# Contents of stated positions; {other} is the counterpart's country.
CLAUSES = [
    "العلاقات مع {other} تشهد تطورا مستمرا على الصعيدين السياسي والاقتصادي",
    "بلاده تدعم كل الجهود الرامية إلى تحقيق الاستقرار الدائم في المنطقة",
    "الحوار هو السبيل الوحيد لتسوية الخلافات الإقليمية بالطرق السلمية",
    "التعاون الاقتصادي مع {other} يمثل أولوية لحكومة بلاده في المرحلة المقبلة",
    "المرحلة المقبلة ستشهد توقيع اتفاقيات جديدة في مجالي الطاقة والنقل",
    "أمن المنطقة مسؤولية مشتركة تتطلب تضافر جهود جميع الأطراف المعنية",
    "بلاده ترفض أي تدخل خارجي في الشؤون الداخلية لدول المنطقة",
    "حجم التبادل التجاري مع {other} لا يرقى إلى مستوى الإمكانات المتاحة",
    "الشراكة مع {other} قائمة على الاحترام المتبادل وتبادل المنافع",
    "المجتمع الدولي مطالب بتحمل مسؤولياته تجاه المدنيين في مناطق النزاع",
]
QUOTES = [
    "نحن مستعدون للعمل مع شركائنا من أجل مستقبل أفضل لشعوب المنطقة كلها",
    "هذه الزيارة تفتح صفحة جديدة في تاريخ علاقاتنا الثنائية الممتدة",
    "لن نقبل بحلول تفرض من الخارج على شعوب المنطقة مهما كانت الظروف",
    "ما تحقق حتى الآن خطوة أولى على طريق طويل من العمل المشترك",
]
CALLS_FOR = [
    "تكثيف الجهود الدولية لإيصال المساعدات الإنسانية إلى المتضررين دون عوائق",
    "وقف التصعيد فورا والعودة إلى طاولة المفاوضات دون شروط مسبقة",
    "تفعيل اللجان المشتركة لمتابعة تنفيذ ما تم الاتفاق عليه من مشاريع",
]
HOPES = [
    "أن تسهم هذه المباحثات في دفع العلاقات الثنائية إلى آفاق أرحب",
    "أن تتوج الجهود الحالية باتفاق شامل يلبي تطلعات شعوب المنطقة",
]
FILLER = [
    "وتأتي هذه الخطوة في إطار الحرص المشترك على تطوير العلاقات وتوسيع آفاق التعاون الثنائي.",
    "ويرتبط البلدان بعلاقات تاريخية تمتد لعقود طويلة، ويسعيان إلى رفع مستوى التبادل التجاري خلال السنوات المقبلة.",
    "وتشهد المنطقة منذ أشهر حراكا دبلوماسيا مكثفا في ظل التطورات المتسارعة على أكثر من صعيد.",
    "وتعد هذه المحطة الثالثة في جولة إقليمية تشمل عددا من العواصم العربية والأجنبية.",
    "وتناولت المحادثات كذلك ملفات الأمن الغذائي وأمن الطاقة وتغير المناخ وانعكاساتها على اقتصادات المنطقة.",
    "ويتوقع مراقبون أن تشهد الأسابيع المقبلة خطوات عملية لترجمة التفاهمات الأخيرة على أرض الواقع.",
    "وتحتل ملفات إعادة الإعمار وعودة اللاجئين ومكافحة الإرهاب موقعا متقدما على جدول أعمال الجانبين منذ سنوات.",
    "ويأتي ذلك وسط تحذيرات أممية من تفاقم الأوضاع المعيشية في عدد من دول المنطقة بفعل الأزمات المتلاحقة.",
    "وتمثل الاستثمارات المشتركة في قطاعات البنية التحتية والزراعة والسياحة محورا رئيسيا في خطط التنمية للبلدين.",
]


@dataclass(frozen=True)
class Holder:
    """A person in an office on a given day, with the words that name them there."""

    person: Person
    office: Office
    title: str  # "وزير الخارجية الروسي"
    polity: str  # country code
    country_ar: str  # "روسيا"

    @property
    def full(self) -> str:
        return f"{self.title} {self.person.names_ar[0]}"

    def verb(self, masculine: str, feminine: str) -> str:
        """A verb before its subject agrees in gender: استقبل / استقبلت."""
        return feminine if self.person.gender == "f" else masculine

    @property
    def short(self) -> str:
        return (self.person.short_ar or self.person.names_ar)[0]


def _title(kb: KnowledgeBase, person: Person, office: Office) -> str | None:
    masculine, feminine, how = TITLES[office.role]
    polity = kb.polities.get(office.of)
    if polity is None or polity.kind != "country" or not polity.names_ar:
        return None
    female = person.gender == "f"
    if how == "name":
        return f"{feminine if female else masculine} {polity.names_ar[0]}"
    bases = [d for d in polity.demonyms_ar if d.startswith("ال") and not d.endswith("ة")]
    if not bases:
        return None
    return f"{feminine if female else masculine} {bases[0] + ('ة' if female else '')}"


@lru_cache(maxsize=1)
def _offices() -> tuple[tuple[Person, Office, str], ...]:
    """Every (person, office, title) the templates can name, with a capital to meet in."""
    kb = default()
    found = []
    for person in kb.persons.values():
        if not person.names_ar:
            continue
        for office in person.offices:
            if office.role not in TITLES:
                continue
            polity = kb.polities.get(office.of)
            if polity is None or not polity.capital or polity.capital not in kb.places:
                continue
            title = _title(kb, person, office)
            if title:
                found.append((person, office, title))
    return tuple(found)


def _holders_on(day: date) -> list[Holder]:
    kb = default()
    return [Holder(p, o, t, o.of, kb.polities[o.of].names_ar[0]) for p, o, t in _offices() if o.covers(day)]


@lru_cache(maxsize=None)
def _month_holders(year: int, month: int) -> tuple[Holder, ...]:
    return tuple(_holders_on(date(year, month, 15)))


def _say_day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


class _Article:
    """Builds one article's text and its gold side by side."""

    def __init__(self, rng: random.Random, article_id: str, published: date) -> None:
        self.rng = rng
        self.id = article_id
        self.published = published
        self.sentences: list[str] = []
        self.meetings: list[dict] = []
        self.statements: list[dict] = []
        self.persons: dict[str, Person] = {}
        self.places: set[str] = set()

    def meeting(self, people: list[Holder], day: date | None, city: str, status: str) -> None:
        for holder in people:
            self.persons[holder.person.name_en] = holder.person
        self.places.add(city)
        self.meetings.append({"participants": [h.person.name_en for h in people],
                              "date": day.isoformat() if day else None,
                              "location": default().places[city].name_en, "status": status})

    def statement(self, speaker: Holder, content: str) -> None:
        """Gold evidence: the content's first 5-12 words, an exact substring of the text."""
        words = content.split()
        evidence = " ".join(words[:min(len(words), self.rng.randint(6, 10))])
        self.persons[speaker.person.name_en] = speaker.person
        self.statements.append({"speaker": [speaker.person.name_en], "evidence": evidence})


def _day_phrase(rng: random.Random, published: date) -> tuple[str, date]:
    """A date phrase and the day it stands for, resolved as GUIDELINES.md says."""
    choice = rng.random()
    if choice < 0.35:
        return f"اليوم {WEEKDAYS[published.weekday()]}", published
    if choice < 0.65:
        day = published - timedelta(days=1)
        return f"أمس {WEEKDAYS[day.weekday()]}", day
    if choice < 0.8:
        day = published - timedelta(days=rng.randint(2, 5))
        return f"يوم {WEEKDAYS[day.weekday()]}", day
    day = published - timedelta(days=rng.randint(1, 12))
    return f"في {_say_day(day)}", day


def _article(rng: random.Random, index: int, seed: int) -> tuple[dict, dict] | None:
    kb = default()
    published = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days - 14) + 14)
    month = _month_holders(published.year, published.month)
    valid = [h for h in month if h.office.covers(published) and h.office.covers(published - timedelta(days=14))]
    if len(valid) < 3:
        return None
    host = rng.choice(valid)
    guests = [h for h in valid if h.polity != host.polity]
    if not guests:
        return None
    guest = rng.choice(guests)
    colleagues = [h for h in valid if h.polity == host.polity and h.person.id != host.person.id]
    others = [h for h in valid if h.polity not in (host.polity, guest.polity)]
    city_id = kb.polities[host.polity].capital
    city = kb.places[city_id].names_ar[0]
    article = _Article(rng, f"syn-{seed}-{index:07d}", published)
    topic = rng.choice(TOPICS)
    planned = rng.random() < 0.15

    # headline and lead
    if planned:
        headline = f"{host.short} و{guest.short} يلتقيان غدا في {city}"
        day = published + timedelta(days=1)
        lead = rng.choice([
            f"من المقرر أن يستقبل {host.full} غدا في {city} {guest.full} لبحث {topic}.",
            f"{guest.verb('يلتقي', 'تلتقي')} {guest.full} غدا في {city} {host.full} لبحث {topic}، وفق ما أعلنته مصادر رسمية.",
        ])
        article.meeting([host, guest], day, city_id, "planned")
    else:
        headline = rng.choice([f"{host.short} يستقبل {guest.short} ويبحثان {topic}",
                               f"مباحثات بين {host.short} و{guest.short} في {city}"])
        phrase, day = _day_phrase(rng, published)
        lead = rng.choice([
            f"{host.verb('استقبل', 'استقبلت')} {host.full} {phrase} في {city} {guest.full} "
            f"{host.verb('وبحث', 'وبحثت')} معه {topic}.",
            f"{guest.verb('التقى', 'التقت')} {guest.full} {phrase} في {city} {host.full}، وجرى خلال اللقاء بحث {topic}.",
            f"{host.verb('عقد', 'عقدت')} {host.full} و{guest.full} {phrase} في {city} جلسة مباحثات تناولت {topic}.",
            f"{host.verb('بحث', 'بحثت')} {host.full} مع {guest.full} خلال لقائهما {phrase} في {city} {topic}.",
        ])
        article.meeting([host, guest], day, city_id, "held")
    agency = rng.choice(AGENCIES)
    dateline = f"{city} - {published.day} - {published.month} ({agency}) -- "
    article.sentences.append(dateline + lead)
    article.sentences.append("")

    # what each side said
    other_of = {host.person.id: guest.country_ar, guest.person.id: host.country_ar}
    clauses = iter(rng.sample(CLAUSES, 4))
    fillers = iter(rng.sample(FILLER, 5))
    article.sentences[-1:] = [next(fillers)]
    for speaker, lead_in in ((host, ""), (guest, "من جانبه، ")):
        other = other_of[speaker.person.id]
        first, second = next(clauses).format(other=other), next(clauses).format(other=other)
        style = rng.random()
        v = speaker.verb
        if style < 0.4:
            article.sentences.append(f"{lead_in or 'و'}{v('أكد', 'أكدت')} {speaker.short} أن {first}، "
                                     f"{v('مشيرا', 'مشيرة')} إلى أن {second}.")
            article.statement(speaker, first)
            article.statement(speaker, second)
        elif style < 0.7:
            quote = rng.choice(QUOTES)
            article.sentences.append(f"{lead_in}{v('وقال', 'وقالت')} {speaker.title} {speaker.short}: «{quote}».")
            article.statement(speaker, quote)
            article.sentences.append(f"{v('وأضاف', 'وأضافت')} أن {first}.")
            article.statement(speaker, first)
        else:
            article.sentences.append(f"{lead_in or 'و'}{v('شدد', 'شددت')} {speaker.short} على أن {first}.")
            article.statement(speaker, first)
            call = rng.choice(CALLS_FOR)
            article.sentences.append(f"{v('ودعا', 'ودعت')} {speaker.short} إلى {call}.")
            article.statement(speaker, call)
        article.sentences.append(next(fillers))
    if rng.random() < 0.5:
        hope = rng.choice(HOPES)
        article.sentences.append(f"{guest.verb('وأعرب', 'وأعربت')} {guest.short} عن أمله في {hope}.")
        article.statement(guest, hope)
    article.sentences.append(next(fillers))

    # a second encounter on the same trip (no date cue of its own: gold date null)
    if colleagues and not planned and rng.random() < 0.3:
        colleague = rng.choice(colleagues)
        article.sentences.append(f"كما {guest.verb('التقى', 'التقت')} {guest.short} في {city} {colleague.full} "
                                 f"{guest.verb('وبحث', 'وبحثت')} معه {rng.choice(TOPICS)}.")
        article.meeting([guest, colleague], None, city_id, "held")
    # a phone call is not a meeting: no gold entry
    if others and rng.random() < 0.25:
        caller = rng.choice(others)
        article.sentences.append(f"وفي سياق متصل، {host.verb('تلقى', 'تلقت')} {host.short} اتصالا هاتفيا من {caller.full} "
                                 f"جرى خلاله استعراض {rng.choice(TOPICS)}.")
    article.sentences.append(next(fillers))

    text = headline + "\n\n" + "\n\n".join(article.sentences) + "\n"
    record = {"id": article.id, "text": text, "published": published.isoformat(), "source": agency,
              "url": f"https://news.example.org/{article.id}"}
    gold = {"document": article.id, "published": published.isoformat(), "meetings": article.meetings,
            "statements": article.statements, "_persons": sorted(article.persons), "_places": sorted(article.places)}
    return record, gold


def generate(n: int, *, seed: int = 0) -> Iterator[tuple[dict, dict]]:
    """`n` (article, gold) pairs, the same for the same seed."""
    rng = random.Random(seed)
    index = 0
    while index < n:
        made = _article(rng, index, seed)
        if made is not None:
            index += 1
            yield made


def entities_for(person_names: set[str], place_ids: set[str]) -> dict:
    """The evaluation's entities table for what the corpus mentions."""
    kb = default()
    by_name = {p.name_en: p for p in kb.persons.values()}
    table = {}
    for name in sorted(person_names):
        person = by_name[name]
        table[name] = {"wikidata": person.wikidata, "aliases": sorted(set(person.names_ar) | set(person.short_ar))}
    for place_id in sorted(place_ids):
        place = kb.places[place_id]
        table[place.name_en] = {"wikidata": place.wikidata, "aliases": list(place.names_ar)}
    return table


def write_corpus(n: int, out: Path, *, seed: int = 0) -> tuple[Path, Path, Path]:
    """Writes the articles, the gold (JSON Lines) and the entities table; returns their paths."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stem = out.with_suffix("")
    gold_path, entities_path = Path(f"{stem}.gold.jsonl"), Path(f"{stem}.entities.json")
    persons: set[str] = set()
    places: set[str] = set()
    with out.open("w", encoding="utf-8") as articles, gold_path.open("w", encoding="utf-8") as golds:
        for record, gold in generate(n, seed=seed):
            persons.update(gold.pop("_persons"))
            places.update(gold.pop("_places"))
            articles.write(json.dumps(record, ensure_ascii=False) + "\n")
            golds.write(json.dumps(gold, ensure_ascii=False) + "\n")
    entities_path.write_text(json.dumps(entities_for(persons, places), ensure_ascii=False, indent=1), encoding="utf-8")
    return out, gold_path, entities_path


def load_gold(path: Path) -> list[dict]:
    """Gold documents of a corpus, as `kg.evaluate.score` takes them."""
    with Path(path).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int)
    parser.add_argument("--out", type=Path, default=Path("bench/out/corpus.jsonl"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for path in write_corpus(args.n, args.out, seed=args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

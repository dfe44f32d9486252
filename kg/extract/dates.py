"""Date phrases in Arabic news, resolved against the article's publication date.

Wire-service Arabic says "أمس الأربعاء", "الشهر الماضي", "12 تشرين الأول/أكتوبر 2025" far
more often than anything a general date parser is built for, and the weekday in
"أمس الأربعاء" is the only check we get on the publication date. So the phrases are a
closed set of precompiled rules over folded text (one spelling per word, ASCII digits),
cheap enough to run on every article; spans are mapped back to the caller's text.
Resolution follows the annotation guidelines (GUIDELINES.md, "Meetings": `date`).
"""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable, Iterable

import ahocorasick

try:  # Umm al-Qura calendar, as used by Saudi and Gulf agencies
    from hijridate import Hijri as _Hijri
except ImportError:  # pragma: no cover - optional dependency
    _Hijri = None


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date phrase of an article and the day (or month) it points to."""

    start: int  # code-point offsets into the ORIGINAL text passed in
    end: int
    text: str  # == text[start:end]
    value: str | None  # "YYYY-MM-DD", "YYYY-MM" at month precision, None when unresolvable
    kind: str  # today|yesterday|tomorrow|weekday|explicit|month|relative_month|relative_week|relative_year
    tense: str  # past|present|future, as implied by the phrase (for held vs planned)
    problem: str | None  # why value is None or doubtful


# ---------------------------------------------------------------------------------------
# Folding: one spelling per word, with a cheap way back to original offsets.

_MARK_CHARS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
_DROPPED_CHARS = _MARK_CHARS + "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_DROPPED = re.compile(f"[{_DROPPED_CHARS}]")
_TRAILING_MARKS = re.compile(f"[{_MARK_CHARS}]*")


def _dropped_codepoints() -> Iterable[int]:
    for low, high in re.findall(r"(.)(?:-(.))?", _DROPPED_CHARS):
        yield from range(ord(low), ord(high or low) + 1)


# One character in, one out; applied with str.replace, which is far quicker than a
# dict-driven str.translate on Arabic text.
_ONE_TO_ONE = (
    ("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"),
    ("ى", "ي"), ("ی", "ي"), ("ئ", "ي"), ("ة", "ه"), ("ۀ", "ه"), ("ؤ", "و"), ("ک", "ك"),
    ("٫", "."), ("٬", ","), ("\u00a0", " "), ("\u202f", " "), ("\u2009", " "),
    *((chr(0x0660 + i), str(i)) for i in range(10)),
    *((chr(0x06F0 + i), str(i)) for i in range(10)),
)
_FOLD_TABLE = str.maketrans(dict(_ONE_TO_ONE) | {code: None for code in _dropped_codepoints()})


@dataclass(frozen=True, slots=True)
class _Folded:
    text: str  # folded text that the rules match
    original: str
    shifts: list[int]  # folded index following each dropped character, ascending

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of folded [start, end), keeping the marks on the last letter."""
        if not self.shifts:
            return start, end
        original_start = start + bisect_right(self.shifts, start)
        last = end - 1
        original_end = last + bisect_right(self.shifts, last) + 1
        original_end = _TRAILING_MARKS.match(self.original, original_end).end()
        return original_start, original_end

    def original_text(self, start: int, end: int) -> str:
        original_start, original_end = self.span(start, end)
        return self.original[original_start:original_end]


def _fold(text: str) -> _Folded:
    folded = text
    for source, target in _ONE_TO_ONE:
        if source in folded:
            folded = folded.replace(source, target)
    if not _DROPPED.search(folded):
        return _Folded(folded, text, [])
    shifts = [match.start() - k for k, match in enumerate(_DROPPED.finditer(folded))]
    return _Folded(_DROPPED.sub("", folded), text, shifts)


def _fold_word(word: str) -> str:
    return " ".join(word.translate(_FOLD_TABLE).split())


# ---------------------------------------------------------------------------------------
# Vocabulary (written in ordinary spelling, folded at import).

_WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {
    0: ("الاثنين", "الإثنين", "الأثنين"),
    1: ("الثلاثاء", "الثلاثا"),
    2: ("الأربعاء", "الاربعا"),
    3: ("الخميس",),
    4: ("الجمعة",),
    5: ("السبت",),
    6: ("الأحد",),
}
_ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Gregorian months under their Egyptian/Gulf, Maghreb and Levantine/Iraqi names.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("يناير", "جانفي", "كانون الثاني", "كانون ثاني"),
    2: ("فبراير", "فيفري", "شباط"),
    3: ("مارس", "آذار"),
    4: ("أبريل", "إبريل", "ابريل", "أفريل", "نيسان"),
    5: ("مايو", "ماي", "أيار", "مايس"),
    6: ("يونيو", "يونيه", "جوان", "حزيران"),
    7: ("يوليو", "يوليه", "جويلية", "يوليوز", "تموز"),
    8: ("أغسطس", "اغسطس", "أوت", "غشت", "آب"),
    9: ("سبتمبر", "شتنبر", "أيلول"),
    10: ("أكتوبر", "تشرين الأول", "تشرين أول"),
    11: ("نوفمبر", "نونبر", "تشرين الثاني", "تشرين ثاني"),
    12: ("ديسمبر", "دجنبر", "كانون الأول", "كانون أول"),
}
_HIJRI_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("محرم",),
    2: ("صفر",),
    3: ("ربيع الأول", "ربيع أول"),
    4: ("ربيع الثاني", "ربيع الآخر", "ربيع ثاني"),
    5: ("جمادى الأولى", "جمادى الأول", "جمادى الاولى"),
    6: ("جمادى الآخرة", "جمادى الثانية", "جمادى الآخر"),
    7: ("رجب",),
    8: ("شعبان",),
    9: ("رمضان",),
    10: ("شوال",),
    11: ("ذو القعدة", "ذي القعدة"),
    12: ("ذو الحجة", "ذي الحجة"),
}
# Qualifiers after a weekday, month or year, in masculine and feminine (الجمعة المقبلة).
_QUALIFIER_TENSES_SPELLED = {
    "الماضي": "past", "المنصرم": "past", "الفائت": "past", "السابق": "past",
    "الجاري": "present", "الحالي": "present",
    "المقبل": "future", "القادم": "future",
}
_TIME_OF_DAY = ("مساء", "صباح", "ظهر", "ظهيرة", "عصر", "ليل", "ليلة", "فجر", "نهار", "ضحى",
                "بعد ظهر", "قبل ظهر", "منتصف ليل", "منتصف ليلة")
_PART_OF_PERIOD = ("مطلع", "أوائل", "بداية", "مستهل", "أول", "منتصف", "أواسط", "أواخر",
                   "نهاية", "آخر")
# Words after "اليوم" that make it "the day (of something)", not the publication day.
_NOT_TODAY_AFTER = ("الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع",
                    "الثامن", "التاسع", "العاشر", "الأخير", "التالي", "السابق", "نفسه", "ذاته",
                    "الوطني", "العالمي", "الدولي", "المفتوح", "الختامي", "الافتتاحي")
# Contexts where "الأحد" is "the One"/"eleven" and "الاثنين" is "the two".
_NOT_WEEKDAY_BEFORE = frozenset(map(_fold_word, ("كلا", "هذين", "هذان", "بين", "الواحد")))
_NOT_WEEKDAY_AFTER = frozenset(map(_fold_word, ("عشر", "معا", "منهما", "كليهما")))
# Media named "... اليوم" (RT Arabic, Al-Masry Al-Youm, Akhbar El-Yom).
_MEDIA_BEFORE_TODAY = frozenset(map(_fold_word, ("روسيا", "المصري", "أخبار")))
# Nouns that "العام" qualifies as "general" (الأمين العام السابق is the former one).
_GENERAL_TITLES = frozenset(map(_fold_word, (
    "الأمين", "المدعي", "النائب", "المدير", "المراقب", "المفتش", "المنسق", "القائد", "المرشد",
    "الرأي", "القطاع", "المؤتمر", "الإضراب")))
# Words before a day-month that make it the name of a movement or an event.
_EVENT_NAMES = frozenset(map(_fold_word, (
    "ثورة", "حركة", "انتفاضة", "قوى", "تيار", "فريق", "تحالف", "معسكر", "جماعة", "ائتلاف",
    "أحداث", "هجمات")))

_QUALIFIER_TENSES = {_fold_word(word): tense for word, tense in _QUALIFIER_TENSES_SPELLED.items()}
_WEEKDAYS = {_fold_word(name): day for day, names in _WEEKDAY_NAMES.items() for name in names}
_MONTHS = {_fold_word(name): month for month, names in _MONTH_NAMES.items() for name in names}
_HIJRI_MONTHS = {_fold_word(name): m for m, names in _HIJRI_MONTH_NAMES.items() for name in names}


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so a regex alternation never settles on a prefix."""
    folded = sorted({_fold_word(word) for word in words}, key=len, reverse=True)
    return "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in folded)


def _qualifier_tense(word: str) -> str:
    return _QUALIFIER_TENSES[word[:-1] if word.endswith("ه") and word[:-1] in _QUALIFIER_TENSES
                             else word]


# ---------------------------------------------------------------------------------------
# Patterns over folded text.

_START = r"(?<!\w)[وف]?[بل]?"  # word start, after an optional conjunction and preposition
_WD = rf"(?P<wd>{_alternation(_WEEKDAYS)})(?!\w)"
_TOD = rf"(?:{_alternation(_TIME_OF_DAY)})"
_PART = rf"(?P<part>{_alternation(_PART_OF_PERIOD)})"
_QUAL = rf"(?:{_alternation(_QUALIFIER_TENSES)})ه?(?!\w)"
_WEEKDAY_QUAL = rf"(?:{_alternation(w for w, t in _QUALIFIER_TENSES.items() if t != 'present')})ه?(?!\w)"
_MONTH = _alternation(_MONTHS)
_MONTH_EXPR = (rf"(?P<m1>{_MONTH})(?!\w)"
               rf"(?:\s*/\s*(?P<m2>{_MONTH})(?!\w)|\s*\(\s*(?P<m3>{_MONTH})\s*\)|\s+(?P<m4>{_MONTH})(?!\w))?")
_YEAR_TAIL = (r"(?:\s*[،,]?\s*(?:من\s+)?(?:(?:عام|سنه|العام)\s+)?"
              r"(?P<year>[12][0-9]{3})(?![0-9])(?:\s*م(?!\w)|\s+ميلادي(?:ه)?(?!\w))?"
              rf"|\s+(?:من\s+)?(?P<ry>هذا\s+العام|هذه\s+السنه|(?:العام|السنه)\s+(?P<ryq>{_QUAL}))"
              rf"|\s+(?P<q>{_QUAL}))?")
_UNITS = ("الاول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع")
# "في الرابع من شباط", "الحادي والعشرين من مارس": a day of the month as an ordinal word
_ORDINAL_DAYS = {
    **{word: n for n, word in enumerate(_UNITS, 1)}, "العاشر": 10,
    **{("الحادي" if n == 1 else word) + " عشر": 10 + n for n, word in enumerate(_UNITS, 1)},
    "العشرين": 20, **{("الحادي" if n == 1 else word) + " والعشرين": 20 + n for n, word in enumerate(_UNITS, 1)},
    "الثلاثين": 30, "الحادي والثلاثين": 31,
}
_DAY = (r"(?P<day>(?<![0-9.,/])[0-9]{1,2}(?![0-9])"
        rf"|(?<!\w)(?:{'|'.join(sorted(map(re.escape, _ORDINAL_DAYS), key=len, reverse=True))})(?=\s+من\s))")
_LEAD = (rf"(?:(?<!\w)[وف]?(?P<lead>(?:(?:{_TOD}|يوم)\s+)?{_WD}\s*[،,]?\s*"
         r"(?:الموافق\s*(?:ل\s*)?)?))?")

_TODAY = re.compile(
    _START + r"(?P<ph>"
    r"(?:(?:في\s+)?وقت\s+(?P<when>سابق|لاحق|مبكر|متاخر)\s+(?:من\s+)?)?"
    rf"(?:(?P<tod>{_TOD})\s+)?(?:هذا\s+)?"
    rf"(?:اليوم(?!\w)(?!\s+(?:{_alternation(_NOT_TODAY_AFTER)})(?!\w))(?:\s*[،,]?\s*{_WD})?"
    rf"|(?:هذه\s+)?الليله(?:\s+(?P<lq>{_QUAL}))?)"
    r")(?!\w)"
)
_YESTERDAY = re.compile(
    _START + rf"(?P<ph>(?:(?:{_TOD}|يوم)\s+)?"
    r"(?P<core>اول\s+(?:من\s+)?امس|امس\s+الاول|(?:ال)?امس)(?!\w)"
    rf"(?:\s*[،,]?\s*{_WD})?)"
)
_TOMORROW = re.compile(
    _START + rf"(?P<ph>(?:(?P<tod>{_TOD}|يوم)\s+)?"
    r"(?P<core>بعد\s+غدا?|غدا|غد|الغد)(?!\w)"
    rf"(?:\s*[،,]?\s*{_WD})?)"
)
_WEEKDAY = re.compile(
    _START + rf"(?P<ph>(?:(?P<tod>{_TOD}|يوم)\s+)?{_WD}(?:\s+(?P<q>{_WEEKDAY_QUAL}))?)"
)
_RELATIVE_MONTH = re.compile(
    _START + rf"(?P<ph>(?:{_PART}\s+)?(?:(?P<this>هذا\s+)?الشهر(?!\w)(?:\s+(?P<q>{_QUAL}))?))"
)
_RELATIVE_WEEK = re.compile(
    _START + rf"(?P<ph>(?:{_PART}\s+)?(?:هذا\s+الاسبوع|الاسبوع\s+(?P<q>{_QUAL}))(?!\w))"
)
_RELATIVE_YEAR = re.compile(
    _START + rf"(?P<ph>(?:{_PART}\s+)?(?:هذا\s+العام|هذه\s+السنه|(?:العام|السنه)\s+(?P<q>{_QUAL})))"
)
_EXPLICIT = re.compile(
    _LEAD + _DAY + r"\s*(?:من\s+)?(?:شهر\s+)?" + _MONTH_EXPR + _YEAR_TAIL
)
_MONTH_YEAR = re.compile(
    _START + rf"(?P<ph>(?:{_PART}\s+)?(?:(?P<shahr>شهر)\s+)?" + _MONTH_EXPR + _YEAR_TAIL + ")"
)
_NUMERIC = re.compile(
    r"(?<![0-9.,/\-])(?:(?P<y1>[12][0-9]{3})(?P<s1>[/\-.])(?P<m1>[0-9]{1,2})(?P=s1)(?P<d1>[0-9]{1,2})"
    r"|(?P<d2>[0-9]{1,2})(?P<s2>[/\-.])(?P<m2>[0-9]{1,2})(?P=s2)(?P<y2>[12][0-9]{3}))"
    r"(?![0-9]|[.,/\-][0-9])"
)
_HIJRI = re.compile(
    _LEAD + _DAY + r"\s*(?:من\s+)?(?:شهر\s+)?"
    rf"(?P<hm>{_alternation(_HIJRI_MONTHS)})(?!\w)(?:\s+(?:الحرام|المبارك|المعظم))?"
    r"\s*[،,]?\s*(?:من\s+)?(?:(?:عام|سنه)\s+)?(?P<hy>1[0-9]{3})(?![0-9])"
    r"(?:\s*(?:ه|هجري|هجريه|للهجره)(?!\w))?"
)
_SAME_DAY_LINK = re.compile(r"\s*[،,(]?\s*(?:الموافق|الموافقه|يوافق)\s*(?:ل\s*)?")


# ---------------------------------------------------------------------------------------
# Resolution helpers.

@dataclass(slots=True)
class _Found:
    start: int  # folded offsets
    end: int
    kind: str
    value: str | None
    tense: str
    problem: str | None = None
    hijri: bool = False


_NO_PUBLICATION = "no publication date"


def _iso_month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + delta
    if not 1 <= index // 12 <= 9999:
        raise ValueError("year out of range")
    return index // 12, index % 12 + 1


def _tense_between(value: dt.date, published: dt.date | None, default: str = "past") -> str:
    if published is None:
        return default
    return "past" if value < published else "present" if value == published else "future"


def _on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta((day.weekday() - weekday) % 7)


def _strictly_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta((day.weekday() - weekday) % 7 or 7)


def _strictly_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta((weekday - day.weekday()) % 7 or 7)


def _month_of(match: re.Match[str]) -> tuple[int, str | None]:
    """Month number of a (possibly doubled, "آذار/مارس") month expression."""
    first = _MONTHS[" ".join(match.group("m1").split())]
    second_text = match.group("m2") or match.group("m3")
    if second_text is None:
        return first, None
    second = _MONTHS[" ".join(second_text.split())]
    if second != first:
        return first, f"month names disagree: {match.group('m1')} / {second_text}"
    return first, None


def _year_offset(match: re.Match[str]) -> int | None:
    """Year relative to publication for "من العام الماضي"-style tails, else None."""
    if match.group("ry") is None:
        return None
    qualifier = match.group("ryq")
    return {"past": -1, "present": 0, "future": 1}[_qualifier_tense(qualifier)] if qualifier else 0


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _day_month_near(published: dt.date, month: int, day: int, tense: str) -> dt.date | None:
    """Most recent such day on or before publication, or the next one after for "المقبل"."""
    step = 1 if tense == "future" else -1
    for offset in range(9):  # a 29 February needs up to 8 years in either direction
        year = published.year + step * offset
        if not 1 <= year <= 9999:
            return None
        candidate = _safe_date(year, month, day)
        if candidate is None:
            continue
        if (tense == "future" and candidate > published) or (tense != "future" and candidate <= published):
            return candidate
    return None


# ---------------------------------------------------------------------------------------
# One builder per rule: a regex match -> a resolved _Found, or None to reject the match.

Builder = Callable[[re.Match[str], _Folded, "dt.date | None"], "_Found | None"]


def _phrase(match: re.Match[str], kind: str, tense: str) -> _Found:
    return _Found(match.start("ph"), match.end("ph"), kind, None, tense)


_RELATIONS = {0: "", -1: "the day before ", -2: "two days before ", 1: "the day after ",
              2: "two days after "}


def _relative_day(match: re.Match[str], doc: _Folded, published: dt.date | None,
                  kind: str, offset: int, tense: str) -> _Found:
    """Today/yesterday/tomorrow, checked against a following weekday name."""
    found = _phrase(match, kind, tense)
    if published is None:
        found.problem = _NO_PUBLICATION
        return found
    day = published + dt.timedelta(offset)
    weekday_name = match.group("wd")
    if weekday_name is not None and _WEEKDAYS[weekday_name] != day.weekday():
        weekday = _WEEKDAYS[weekday_name]
        found.problem = (f"weekday mismatch: {doc.original_text(found.start, found.end)} but "
                         f"{_RELATIONS[offset]}{published.isoformat()} is {_ENGLISH_DAYS[day.weekday()]}")
        # The weekday is evidence in the text, and a publication date is often a day late;
        # only "اليوم" keeps the publication day, as the guidelines count it from there.
        if offset < 0:
            day = _strictly_before(published, weekday)
        elif offset > 0:
            day = _strictly_after(published, weekday)
    found.value = day.isoformat()
    return found


def _build_today(match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    night_qualifier = match.group("lq")
    if night_qualifier is not None:  # الليلة الماضية is last night; الليلة المقبلة is tonight
        tense = _qualifier_tense(night_qualifier)
        if tense == "past":
            return _relative_day(match, doc, published, "yesterday", -1, tense)
        return _relative_day(match, doc, published, "today", 0, tense)
    when = match.group("when")
    if (when is None and match.group("tod") is None and match.group("wd") is None
            and _word_before(doc.text, match.start("ph")) in _MEDIA_BEFORE_TODAY):
        return None
    tense = {"سابق": "past", "مبكر": "past", "لاحق": "future"}.get(when or "", "present")
    return _relative_day(match, doc, published, "today", 0, tense)


def _build_yesterday(match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    core = match.group("core")
    offset = -2 if "اول" in core else -1
    return _relative_day(match, doc, published, "yesterday", offset, "past")


def _build_tomorrow(match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    core = " ".join(match.group("core").split())
    if core in ("غد", "الغد") and match.group("tod") is None:
        return None  # "الغد" alone is as often a newspaper or "the future"
    offset = 2 if core.startswith("بعد") else 1
    return _relative_day(match, doc, published, "tomorrow", offset, "future")


def _word_before(text: str, index: int) -> str:
    words = text[max(0, index - 20):index].split()
    return words[-1].strip("،,.:()«»\"") if words else ""


def _word_after(text: str, index: int) -> str:
    words = text[index:index + 20].split()
    return words[0].strip("،,.:()«»\"") if words else ""


def _is_weekday_word(match: re.Match[str], text: str) -> bool:
    """A bare الأحد/الاثنين may be "the One", "eleven" or "the two"."""
    return (_word_before(text, match.start("ph")) not in _NOT_WEEKDAY_BEFORE
            and _word_after(text, match.end("ph")) not in _NOT_WEEKDAY_AFTER)


def _build_weekday(match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    qualifier = match.group("q")
    if match.group("tod") is None and qualifier is None and not _is_weekday_word(match, doc.text):
        return None
    tense = _qualifier_tense(qualifier) if qualifier else "past"
    found = _phrase(match, "weekday", tense)
    if published is None:
        found.problem = _NO_PUBLICATION
        return found
    weekday = _WEEKDAYS[match.group("wd")]
    if qualifier is None:
        day = _on_or_before(published, weekday)
    elif tense == "future":
        day = _strictly_after(published, weekday)
    else:
        day = _strictly_before(published, weekday)
    found.value = day.isoformat()
    return found


def _build_relative_month(match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    qualifier = match.group("q")
    if qualifier is None and match.group("this") is None and match.group("part") is None:
        return None  # "الشهر" alone names no particular month
    tense = _qualifier_tense(qualifier) if qualifier else "present"
    found = _phrase(match, "relative_month", tense)
    if published is None:
        found.problem = _NO_PUBLICATION
        return found
    delta = {"past": -1, "present": 0, "future": 1}[tense]
    found.value = _iso_month(*_add_months(published.year, published.month, delta))
    return found


def _build_relative_week(match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    qualifier = match.group("q")
    found = _phrase(match, "relative_week", _qualifier_tense(qualifier) if qualifier else "present")
    found.problem = "week precision only"
    return found


def _build_relative_year(match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    qualifier = match.group("q")
    if _word_before(doc.text, match.start("ph")) in _GENERAL_TITLES:
        return None  # "الأمين العام السابق": the former secretary-general, not last year
    found = _phrase(match, "relative_year", _qualifier_tense(qualifier) if qualifier else "present")
    found.problem = "year precision only"
    return found


def _check_lead_weekday(found: _Found, match: re.Match[str], day: dt.date | None, doc: _Folded) -> None:
    """"الأربعاء 12 أكتوبر 2025": the date wins, the disagreement is reported."""
    weekday_name = match.group("wd")
    if weekday_name is None or day is None or _WEEKDAYS[weekday_name] == day.weekday():
        return
    found.problem = (f"weekday mismatch: {doc.original_text(match.start('wd'), match.end('wd'))} "
                     f"but {day.isoformat()} is {_ENGLISH_DAYS[day.weekday()]}")


def _day_number(text: str) -> int:
    return int(text) if text.isdigit() else _ORDINAL_DAYS[" ".join(text.split())]


def _explicit_start(match: re.Match[str]) -> int:
    return match.start("lead") if match.group("lead") is not None else match.start("day")


def _build_explicit(match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    if match.group("year") is None and _word_before(doc.text, _explicit_start(match)) in _EVENT_NAMES:
        return None  # "قوى 14 آذار", "ثورة 25 يناير": a name, not a date of this story
    month, problem = _month_of(match)
    day_number = _day_number(match.group("day"))
    qualifier = match.group("q")
    tense = _qualifier_tense(qualifier) if qualifier else None
    found = _Found(_explicit_start(match), match.end(), "explicit", None, tense or "past", problem)
    year_text, year_offset = match.group("year"), _year_offset(match)
    if year_text is not None:
        day = _safe_date(int(year_text), month, day_number)
        if day is None:
            found.problem = f"no such day: {day_number} {match.group('m1')} {year_text}"
    elif published is None:
        found.problem = _NO_PUBLICATION
        return found
    elif year_offset is not None:
        day = _safe_date(published.year + year_offset, month, day_number)
        if day is None:
            found.problem = f"no such day: {day_number} {match.group('m1')} {published.year + year_offset}"
    elif tense == "present":  # "24 مارس الجاري": this year's
        day = _safe_date(published.year, month, day_number)
        if day is None:
            found.problem = f"no such day: {day_number} {match.group('m1')} {published.year}"
    else:
        day = _day_month_near(published, month, day_number, tense or "past")
        if day is None:
            found.problem = f"no such day: {day_number} {match.group('m1')}"
    if day is not None:
        found.value = day.isoformat()
        found.tense = tense if tense in ("past", "future") else _tense_between(day, published)
    _check_lead_weekday(found, match, day, doc)
    return found


def _build_month_year(match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    qualifier, year_text, year_offset = match.group("q"), match.group("year"), _year_offset(match)
    paired = match.group("m4") is not None and _MONTHS[match.group("m4")] == _MONTHS[match.group("m1")]
    if (year_text is None and year_offset is None and qualifier is None
            and match.group("shahr") is None and match.group("part") is None and not paired):
        return None  # a bare "مارس" is as likely the verb "practised"; "في مايو أيار" is a month
    month, problem = _month_of(match)
    tense = _qualifier_tense(qualifier) if qualifier else None
    found = _phrase(match, "month", tense or "past")
    found.problem = problem
    if year_text is not None:
        year = int(year_text)
    elif published is None:
        found.problem = _NO_PUBLICATION
        return found
    elif year_offset is not None:
        year = published.year + year_offset
    elif tense == "future":
        year = published.year if month > published.month else published.year + 1
    elif tense == "past":
        year = published.year if month < published.month else published.year - 1
    elif tense == "present":
        year = published.year
    else:  # "في شهر مارس": the most recent such month
        year = published.year if month <= published.month else published.year - 1
    if not 1 <= year <= 9999:
        found.problem = "year out of range"
        return found
    found.value = _iso_month(year, month)
    if tense is None and published is not None:
        found.tense = _tense_between(dt.date(year, month, 1), published.replace(day=1))
    return found


def _build_numeric(match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    if match.group("y1") is not None:
        year, month, day_number = int(match.group("y1")), int(match.group("m1")), int(match.group("d1"))
    else:
        year, month, day_number = int(match.group("y2")), int(match.group("m2")), int(match.group("d2"))
    found = _Found(match.start(), match.end(), "explicit", None, "past")
    if month > 12 and day_number <= 12:  # day-first is the Arab norm; 3/14/2024 is not
        month, day_number = day_number, month
        found.problem = "read month-first"
    day = _safe_date(year, month, day_number)
    if day is None:
        found.problem = f"no such day: {match.group()}"
        return found
    found.value = day.isoformat()
    found.tense = _tense_between(day, published)
    return found


def _build_hijri(match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    found = _Found(_explicit_start(match), match.end(), "explicit", None, "past", hijri=True)
    if _Hijri is None:
        found.problem = "hijri not converted"
        return found
    month = _HIJRI_MONTHS[" ".join(match.group("hm").split())]
    try:
        day = _Hijri(int(match.group("hy")), month, _day_number(match.group("day"))).to_gregorian()
    except (ValueError, OverflowError) as error:
        found.problem = f"hijri not converted: {error}"
        return found
    day = dt.date(day.year, day.month, day.day)
    found.value = day.isoformat()
    found.tense = _tense_between(day, published)
    _check_lead_weekday(found, match, day, doc)
    return found


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: re.Pattern[str]
    build: Builder
    anchors: tuple[str, ...]  # folded words; every match of `pattern` contains one of them


def _anchor_words(names: Iterable[str]) -> tuple[str, ...]:
    """The telling word of each name: "كانون" of "كانون الثاني", "الحجه" of "ذو الحجه"."""
    words = (name.split() for name in names)
    return tuple(sorted({parts[0] if len(parts[0]) > 2 else parts[-1] for parts in words}))


_RULES: tuple[_Rule, ...] = (
    _Rule(_EXPLICIT, _build_explicit, _anchor_words(_MONTHS)),
    _Rule(_MONTH_YEAR, _build_month_year, _anchor_words(_MONTHS)),
    _Rule(_HIJRI, _build_hijri, _anchor_words(_HIJRI_MONTHS)),
    _Rule(_TODAY, _build_today, ("اليوم", "الليله")),
    _Rule(_YESTERDAY, _build_yesterday, ("امس", "الامس")),
    _Rule(_TOMORROW, _build_tomorrow, ("غد", "غدا", "الغد")),
    _Rule(_WEEKDAY, _build_weekday, tuple(_WEEKDAYS)),
    _Rule(_RELATIVE_MONTH, _build_relative_month, ("الشهر",)),
    _Rule(_RELATIVE_WEEK, _build_relative_week, ("الاسبوع",)),
    _Rule(_RELATIVE_YEAR, _build_relative_year, ("العام", "السنه")),
)
_NUMERIC_RULE = _Rule(_NUMERIC, _build_numeric, ())
_NUMERIC_HINT = re.compile(r"[0-9][/.\-][0-9]")


def _anchor_automaton() -> ahocorasick.Automaton:
    rules_of: dict[str, list[int]] = {}
    for index, rule in enumerate(_RULES):
        for word in rule.anchors:
            rules_of.setdefault(word, []).append(index)
    automaton = ahocorasick.Automaton()
    for word, indices in rules_of.items():
        automaton.add_word(word, (len(word), tuple(indices)))
    automaton.make_automaton()
    return automaton


_ANCHORS = _anchor_automaton()
_CLITICS = "وفبل"
# Text scanned around an anchor: more than any phrase reaches before or after its key word.
_REACH_BEFORE, _REACH_AFTER = 60, 80


def _is_word_at(text: str, start: int, end: int) -> bool:
    """Not inside a longer word, allowing up to two clitic letters in front ("وبالأمس" holds
    "الامس") and digits on either side ("14مارس")."""
    if end < len(text) and text[end].isalpha():
        return False
    for _ in range(2):
        if start > 0 and text[start - 1] in _CLITICS:
            start -= 1
    return start == 0 or not text[start - 1].isalpha()


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds that end on whitespace, so a lookahead at the bound sees what the text has."""
    window_end = min(len(text), end + _REACH_AFTER)
    while window_end < len(text) and not text[window_end].isspace():
        window_end += 1
    return max(0, start - _REACH_BEFORE), window_end


def _merged(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _windows_by_rule(text: str) -> dict[_Rule, list[tuple[int, int]]]:
    """Only the stretches around key words are matched: most of an article has no date."""
    windows: dict[_Rule, list[tuple[int, int]]] = {}
    for last, (length, indices) in _ANCHORS.iter(text):
        start, end = last + 1 - length, last + 1
        if _is_word_at(text, start, end):
            window = _window(text, start, end)
            for index in indices:
                windows.setdefault(_RULES[index], []).append(window)
    numeric = [_window(text, hint.start(), hint.end()) for hint in _NUMERIC_HINT.finditer(text)]
    if numeric:
        windows[_NUMERIC_RULE] = numeric
    return {rule: _merged(spans) for rule, spans in windows.items()}


# ---------------------------------------------------------------------------------------
# Choosing among overlapping matches.

def _longest_first(found: list[_Found]) -> list[_Found]:
    """Non-overlapping matches, a longer one beating any shorter one it overlaps."""
    chosen: list[_Found] = []
    for candidate in sorted(found, key=lambda f: (f.start - f.end, f.start)):
        if all(candidate.end <= other.start or candidate.start >= other.end for other in chosen):
            chosen.append(candidate)
    return sorted(chosen, key=lambda f: f.start)


def _same_day(first: _Found, second: _Found) -> _Found:
    """"20 شوال 1445 هـ الموافق 29 أبريل 2024": one date; the Gregorian value wins."""
    explicit = [f for f in (first, second) if f.kind == "explicit" and f.value is not None]
    preferred = next((f for f in explicit if not f.hijri), explicit[0] if explicit else second)
    other = second if preferred is first else first
    problem = preferred.problem
    if problem is None and other.value is not None and other.value != preferred.value:
        problem = f"{other.value} and {preferred.value} disagree"
    return _Found(first.start, second.end, preferred.kind, preferred.value, preferred.tense,
                  problem, preferred.hijri)


def _merge_same_day(found: list[_Found], text: str) -> list[_Found]:
    merged: list[_Found] = []
    for current in found:
        previous = merged[-1] if merged else None
        if (previous is not None and "explicit" in (previous.kind, current.kind)
                and _SAME_DAY_LINK.fullmatch(text, previous.end, current.start)):
            merged[-1] = _same_day(previous, current)
        else:
            merged.append(current)
    return merged


def find_dates(text: str, published: dt.date | None) -> list[DateMention]:
    """Date phrases of `text`, sorted and non-overlapping, resolved against `published`."""
    doc = _fold(text)
    found = [
        result
        for rule, windows in _windows_by_rule(doc.text).items()
        for start, end in windows
        for match in rule.pattern.finditer(doc.text, start, end)
        if (result := _resolve(rule.build, match, doc, published)) is not None
    ]
    mentions = []
    for item in _merge_same_day(_longest_first(found), doc.text):
        start, end = doc.span(item.start, item.end)
        mentions.append(DateMention(start, end, text[start:end], item.value, item.kind,
                                    item.tense, item.problem))
    return mentions


def _resolve(build: Builder, match: re.Match[str], doc: _Folded, published: dt.date | None) -> _Found | None:
    """Runs a builder; a date pushed past year 1 or 9999 by the arithmetic stays unresolved."""
    try:
        return build(match, doc, published)
    except (OverflowError, ValueError):
        found = build(match, doc, None)
        if found is not None:
            found.value, found.problem = None, "date out of range"
        return found

"""Face-to-face meetings: a trigger, the persons it binds, where, when, held or planned.

A trigger only makes a meeting when persons are attached to it by the grammar of the
clause (subject and object of استقبل/التقى, genitive or pronoun of لقاء, ضمّ/جمع lists,
"مع" phrases), so "التحضيرات للاجتماع الطارئ" in a sentence that names two ministers is
not read as their meeting. Phone and video calls are never meetings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as _date, timedelta as _timedelta

from kg.extract.context import ArticleContext
from kg.extract.mentions import Mention, actors_of as _actors
from kg.extract.normalize import fold_key
from kg.model import Actor

_ADJECTIVES = {fold_key(w) for w in (
    "الثنائي", "الثنائية", "الوزاري", "الوزارية", "التشاوري", "التشاورية", "الرسمي", "الرسمية", "رسمي", "رسمية",
    "الخاص", "الخاصة", "الطارئ", "الطارئة", "المغلق", "المغلقة", "ثنائي", "ثنائية", "وزاري", "تشاوري", "مطول",
    "مطولة", "موسع", "موسعة", "الموسع", "الموسعة", "مغلق", "مغلقة", "منفصل", "منفصلة", "الثلاثي", "الثلاثية",
    "ثلاثي", "ثلاثية", "جلسة", "قمة", "مشترك", "مشتركة", "عقد", "عقدت", "اجرى", "اجرت", "اجراها", "عقدها", "عقده",
    "اجراه", "جرت", "جرى", "اليوم", "امس", "في", "الذي", "التي", "عقدت", "عقداها", "اجرياها",
)}
_ATTACH_WORDS = re.compile(r"^\s*(?:مع|بمعيه|بين|ضم|ضمت|جمع|جمعت|بمشاركه|بحضور|حضره|حضرها|شارك فيه|شارك فيها)\b")
_PLUPERFECT = re.compile(r"(?<![\u0621-\u064a])و?(?:كان|كانت)(?![\u0621-\u064a])[^.\n]{0,80}?(?<![\u0621-\u064a])قد(?![\u0621-\u064a])")
_CAPITAL_WORD = re.compile(r"(?<![\u0621-\u064a])[وب]?(?:ال)?عاصمه(?![\u0621-\u064a])")
_SEPARATE = re.compile(r"(?<![\u0621-\u064a])(?:منفصل|منفصله|منفصلين|منفصلتين|كل علي حده|كلا علي حده|علي حده|علي انفراد|علي التوالي)(?![\u0621-\u064a])")
_SIGN_VERBS = {fold_key(w) for w in ("وقع", "وقعا", "وقعت", "يوقع", "يوقعان", "سيوقع", "سيوقعان", "توقع")}
_COMPLEMENTIZER = re.compile(r"(?<![\u0621-\u064a])(?:ب?ان|ب?انه|ب?انها|ان)(?![\u0621-\u064a])")
_PICTURE_BEFORE = re.compile(r"(?<![\u0621-\u064a])(?:صور|صورا|صوره|مقطع|فيديو|لقطات|مشاهد)\s+$")
_PLURAL_MEETINGS = {fold_key(w) for w in ("لقاءات", "اللقاءات", "لقاءين", "اجتماعات", "الاجتماعات")}
_GATHER_VERBS = {fold_key(w) for w in ("جمع", "جمعت", "ضم", "ضمت")}
_SVO_GAP = re.compile(r"^[\s،,]*(?:(?:كان|كانت|قد|بدوره|بدورها|اليوم|امس|ايضا|كما)[\s،,]*)*$")
# "بحضور وزير الخارجية", "في حضور ...": those named next sat in the meeting; "عبر الفيديو" ends the list.
_ATTENDANCE = re.compile(r"(?<![\u0621-\u064a])(?:و?بحضور|و?في حضور|و?بصحبته|و?بصحبتها|و?برفقته|و?برفقتها|يرافقه|ترافقه|يرافقها)(?![\u0621-\u064a])")
# "وحضر اللقاء وزير الخارجية ...": a sentence that adds people to the meeting just reported.
_ATTENDED = re.compile(r"\s*(?:و\s?)?(?:قد\s+)?(?:حضر|حضرت|حضره|شارك في|شاركت في)\s+(?:هذا\s+|هذه\s+)?(?:جلسه\s+|جلسات\s+|مراسم\s+|مادبه\s+)?"
                       r"(?:اللقاء|الاجتماع|المباحثات|المحادثات|الاستقبال|الجلسه|المادبه|الغداء|العشاء|التوقيع|المراسم)(?![\u0621-\u064a])")
# "وحضر المبعوث الأمريكي الخاص إلى اليمن ...": who else sat in, named at once, unless the
# sentence is about attending some gathering ("وحضر الرئيس القمة")
_ATTENDED_BARE = re.compile(r"\s*(?:و\s?)?(?:قد\s+)?(?:حضر|حضرت)(?=\s)")
_GATHERING = re.compile(r"(?<![\u0621-\u064a])(?:ال)?(?:قمه|مؤتمر|منتدي|حفل|احتفال|دوره|اعمال|جلسه افتتاح|افتتاح)(?![\u0621-\u064a])")
# "وجرى اللقاء في قصر ...، وحضره وزير الخارجية ...": the meeting just reported, and who sat in it
_ATTENDED_LATER = re.compile(r"\s*و?(?:(?:جري|جرت|عقد|عقدت|تم)\s+(?:اللقاء|الاجتماع|المباحثات|المحادثات|الاستقبال)"
                             r"|[^.\n]{0,40}?(?:خلال|في)\s+(?:اللقاء|اللقاءات|الاجتماع|الاجتماعات|المباحثات|المحادثات))"
                             r"[^.\n]{0,80}?(?<![\u0621-\u064a])و?(?:حضره|حضرها|بحضور)(?![\u0621-\u064a])")
_DAY_COUNTS = {"يوم": 1, "يومين": 2, "يومان": 2, "ثلاثه ايام": 3, "اسبوع": 7}
_DAYS_FROM = re.compile(r"(?<![\u0621-\u064a])(بعد|قبل)\s+(يوم|يومين|يومان|ثلاثه ايام|اسبوع)\s+من\s*$")
_CHAIRED = re.compile(r"(?<![\u0621-\u064a])(?:برياسه|تحت رياسه)(?![\u0621-\u064a])")
_CREDENTIALS = re.compile(r"(?<![\u0621-\u064a])[لب]?(?P<w>اوراق اعتماد)")
_RECEIVE_CREDENTIALS = re.compile(r"(?<![\u0621-\u064a])و?(?:تسلم|تسلمت|يتسلم|تتسلم|تسلما|تلقي|استقبل)(?![\u0621-\u064a])")
_AGREED_TO_MEET = re.compile(r"(?<![\u0621-\u064a])(?:اتفقا|اتفق الجانبان|اتفق الطرفان|اتفق الرييسان|اتفق الزعيمان|اتفق الوزيران)"
                             r"(?:\s+خلاله|\s+خلالها)?\s+علي\s+(?:عقد\s+|ترتيب\s+)?$")
_PROPOSED = re.compile(r"(?<![\u0621-\u064a])و?(?:اقترح|اقترحت|اقتراح|تحفظا علي|تحفظه علي|رفض|رفضه|رفضت|استبعد|استبعاد|امكانيه|فكره)"
                       r"\s+(?:[\u0621-\u064a]+\s+){0,1}?عقد\s+$")
_AWAITED_AFTER = re.compile(r"\S*\s+(?:[\u0621-\u064a]+\s+)?(?:مرتقب|مرتقبه|المرتقب|المرتقبه|المنتظر|المنتظره|المزمع|المزمعه|المقرر|المقبل|المقبله|القادم|القادمه)(?![\u0621-\u064a])")
_HONORIFIC_PRONOUN = re.compile(r"(?:سموه|سموها|جلالته|فخامته|معاليه|دولته|سيادته)(?![\u0621-\u064a])")
_JOURNEY_AHEAD = re.compile(r"(?<![\u0621-\u064a])و?(?:س?يتوجه|س?تتوجه|س?يصل|س?تصل|س?يزور|س?تزور|س?يتجه|س?يسافر)(?![\u0621-\u064a])")
_ARRIVED_LIST = re.compile(r"(?<![\u0621-\u064a])(?:حيث\s+)?(?:وصل|وصلت|وصلوا)\s+(?:كل|كلا)\s+من\s*:?")
_DURING_VISIT = re.compile(r"(?<![\u0621-\u064a])(?:(?:خلال|اثناء|في اطار|ضمن)\s+(?:الزياره|زيارته|زيارتها|هذه الزياره)"
                           r"|في\s+(?:اول\s+)?زياره"
                           r"|(?:الذي|التي)\s+(?:يقوم|تقوم)\s+بزياره)(?![\u0621-\u064a])")
_GREETED = re.compile(r"(?<![\u0621-\u064a])و?(?P<w>تقدم|تقدمت)\s+(?:بالسلام|للسلام)\s+علي(?![\u0621-\u064a])")
_AGAIN = re.compile(r"(?<![\u0621-\u064a])(?:مجددا|مره اخري|مره ثانيه|ثانيه|مقبل|المقبل|المقبله|القادم|القادمه)(?![\u0621-\u064a])")
_WELCOME_NOUNS = {fold_key(w) for w in ("في وداع", "في وداعه", "مستقبلي", "مستقبليه", "في مقدمة مستقبلي",
                                         "في مقدمة مستقبليه", "مودعي", "مودعيه", "في مقدمة مودعي", "في مقدمة مودعيه",
                                         "المستقبلين", "في مقدمة المستقبلين", "المودعين", "في مقدمة المودعين")}
_SIDE = re.compile(r"[\s،,]*(?:و|وكذا|وكذلك)?\s*(?:عن|من)\s+الجانب\s+[\u0621-\u064a]+[\s،,:]*")
_LIST_END = re.compile(r"(?<![\u0621-\u064a])(?:فيما|بينما|عبر|من خلال|هاتفيا|بالفيديو)(?![\u0621-\u064a])")
# courtesies between two names of one list: "السلطان المعظم حفظه الله وأخيه فخامة الرئيس"
_FILLER = re.compile(r"(?<![\u0621-\u064a])(?:المعظم|المفدي|حفظه الله|حفظها الله|رعاه الله|ورعاه|اخيه|واخيه|اخوه|واخوه|"
                     r"الشقيق|فخامه|دوله|سماحه)(?![\u0621-\u064a])")
_TOPIC_BEFORE = re.compile(r"(?<![\u0621-\u064a])(?:ال)?(?:يتعلق|بشان|ازاء|اوضاع|تطورات|مستجدات|ازمه|حرب|عدوان|احداث|وضع|ملف|قضيه|الوضع|التصعيد|تصعيد|الهجمات|هجمات|الاستقرار|استقرار|امن)(?![\u0621-\u064a])")
_ALSO = re.compile(r"(?<![\u0621-\u064a])و?\s*كما\s*$")
_FIRST_PERSON = {fold_key(w) for w in ("استقبلت", "التقيت", "اجتمعت", "قابلت", "استقبلنا", "التقينا", "اجتمعنا")}
_SERIES = re.compile(r"(?<![\u0621-\u064a])(?:(?:عدد|عددا|سلسله)\s+من\s+(?:ال)?(?:لقاءات|اجتماعات|مباحثات)"
                     r"|(?:ال)?(?:لقاءات|اجتماعات)\s+(?:ال)?(?:ثنائيه|جانبيه|منفصله))(?![\u0621-\u064a])")
_ARRIVAL = re.compile(r"(?<![\u0621-\u064a])(?:ب?مطار|لدي (?:وصوله|وصولها|عودته|عودتها)|فور (?:وصوله|وصولها)|عند (?:وصوله|وصولها))")
_EACH_OF = re.compile(r"(?<![\u0621-\u064a])(?:كل|كلا)\s+من\s*$")
_VISIT_VERBS = {fold_key(w) for w in ("زار", "زارت")}
_VISIT = re.compile(r"(?<![\u0621-\u064a])و?(?:يزور|تزور|زار|زارت|وصل|وصلت|وصوله|وصولها|زيارته|زيارتها|زياره|يقوم بزياره)(?![\u0621-\u064a])")


@dataclass
class FoundMeeting:
    participants: list[Actor]
    status: str
    trigger: str
    evidence: list[tuple[int, int]]  # folded spans (sentence of each mention)
    date: str | None = None
    date_span: tuple[int, int] | None = None
    place: str | None = None  # place id
    host: Actor | None = None
    pluperfect: bool = False
    past_verb: bool = False  # "استقبل": held whatever date phrase is near
    anchor: int = 0  # folded offset of the trigger
    attendees: list[Actor] = field(default_factory=list)  # added as present ("بحضور", "وحضر اللقاء")
    again: bool = False  # "سيلتقيان مجددا": another encounter to come
    welcome_guest: Actor | None = None  # whom a line of hosts welcomed or saw off
    agreed: bool = False  # "اتفقا على اللقاء": the day of the agreement is not the meeting's
    speaker_date_from: int | None = None  # a speaker's own account: the day they spoke, when it has none

    @property
    def keyset(self) -> frozenset[str]:
        return frozenset(a.key for a in self.participants)


class _Words:
    """Folded word sets of one knowledge base, built once rather than per article."""

    def __init__(self, kb):
        t = kb.triggers["meeting"]
        self.verbs_planned = frozenset(fold_key(v) for v in t["verbs_planned"])
        self.held_verbs = frozenset(fold_key(v) for v in t["strong_verbs"] + t.get("visit_verbs", []))
        self.landmarks = frozenset(fold_key(name) for name in kb.landmarks)
        self.honorifics = frozenset(word for h in kb.honorifics for word in fold_key(h).split())


_WORDS: dict[int, tuple[object, _Words]] = {}


def _words_of(kb) -> _Words:
    cached = _WORDS.get(id(kb))
    if cached is None or cached[0] is not kb:
        cached = (kb, _Words(kb))
        _WORDS[id(kb)] = cached
    return cached[1]


class MeetingFinder:
    def __init__(self, ctx: ArticleContext):
        self.ctx = ctx
        words = _words_of(ctx.kb)
        self.verbs_planned = words.verbs_planned
        self.held_verbs = words.held_verbs
        self._landmarks = words.landmarks
        self._honorifics = words.honorifics

    def find(self) -> list[FoundMeeting]:
        ctx = self.ctx
        # "وحضر اللقاء X" reports who attended the meeting before it, not a meeting of its own
        # the whole sentence: "وحضر جلسة المباحثات والاجتماع الموسع كل من ..." reports no meeting of its own
        attended = [(s.start, s.end) for s in ctx.sentences.spans
                    if _ATTENDED.match(ctx.text, s.start, s.end) or _ATTENDED_LATER.match(ctx.text, s.start, s.end)]

        def skip(match: re.Match, quoted_ok: bool = False) -> bool:
            return (match.start() < ctx.headline_end or (ctx.in_quote(match.start()) and not quoted_ok)
                    or any(a <= match.start() < b for a, b in attended))

        found: list[FoundMeeting] = []
        for match in ctx.triggers.of("meeting_verb"):
            # a participant's own account counts ("... إن الرئيس بوتين التقى وزير الخارجية السوري أمس")
            if not skip(match, quoted_ok=self._quoted_account(match)):
                found += self._from_verb(match)
        for match in ctx.triggers.of("meeting_verb_object"):
            if not skip(match):
                found += self._from_object_verb(match)
        for match in ctx.triggers.of("meeting_noun"):
            if not skip(match):
                found += self._from_noun(match)
        for match in _CREDENTIALS.finditer(ctx.text):
            if not skip(match):
                found += self._from_credentials(match)
        for match in _GREETED.finditer(ctx.text):
            if not skip(match):
                found += self._from_greeting(match)
        for meeting in found:
            self._place_and_date(meeting)
            self._add_attendees(meeting)
        return _merge(found)

    def _series(self, match: re.Match, objects: list[Mention]) -> bool:
        """A host's series of encounters: "عقد عددا من اللقاءات الجانبية ... التقى مع كل من A، وB، وC"
        is one meeting with each: a cue in this sentence or the two before it, or "كل من" before
        three or more persons."""
        ctx = self.ctx
        sentence = ctx.sentences.at(match.start())
        if _ARRIVAL.search(ctx.text, sentence.start, sentence.end):
            return False  # "استقبل ... لدى عودته بمطار ... كل من A وB وC": one welcome by several
        index = ctx.sentences.index_at(match.start())
        first = ctx.sentences.spans[max(0, index - 2)].start
        if _SERIES.search(ctx.text, first, match.start()):
            return True
        return len(objects) >= 3 and _EACH_OF.search(ctx.text, match.end(), objects[0].start) is not None

    def _from_credentials(self, match: re.Match) -> list[FoundMeeting]:
        """An ambassador hands over credentials in person: "تسلم الرئيس أوراق اعتماد سفير X" (the
        receiver is the clause's subject), "عقب تسليمها أوراق اعتمادها لرئيس الجمهورية" (the
        presenter is, the receiver follows). One meeting per ambassador."""
        ctx = self.ctx
        start, end = self._clause(match.start())
        sentence = ctx.sentences.at(match.start())
        persons = [m for m in ctx.persons_between(sentence.start, end) if m.kind == "person" and m.actor]
        before = [m for m in persons if m.end <= match.start()]
        after = [m for m in persons if m.start >= match.end()]
        receiving = _RECEIVE_CREDENTIALS.search(ctx.text, max(sentence.start, match.start() - 200), match.start())
        if receiving:
            hosts = [m for m in persons if m.start >= receiving.end() and m.end <= match.start()] or before[-1:]
            guests = after
        else:
            hosts = after[:1]
            # "وبعد تسليمه لأوراق اعتماده للرئيس تبون، صرح سفير فيتنام ...": the presenter may follow
            guests = before[-1:] or after[1:2]
        if not hosts or not guests:
            return []
        host = hosts[0].actor
        groups = [[host, g] for g in dict.fromkeys(_actors(guests)) if g != host]
        status = self._status(match.group("w"), start, match.start(), end)
        return self._make(groups, status, match.group("w"), match, False, host=host, past_verb=status == "held")

    def _from_greeting(self, match: re.Match) -> list[FoundMeeting]:
        """"كما تقدم للسلام على جلالة الملك الأمير فيصل بن بندر ..." / "تقدم للسلام على الملك عدد من
        الشخصيات، من بينها A، وB": the one greeted and those who came forward, one welcome."""
        ctx = self.ctx
        sentence = ctx.sentences.at(match.start())
        after = [m for m in ctx.persons_between(match.end(), sentence.end) if m.kind == "person" and m.actor]
        if not after or after[0].start - match.end() > 25:
            return []
        guest = after[0]
        greeters = self._coordinated(after[1].start, sentence.end) if len(after) > 1 else []
        group = _actors([guest]) + [a for a in _actors(greeters) if a != guest.actor]
        found = self._make([group], "held", match.group("w"), match, False, past_verb=True)
        for meeting in found:
            meeting.welcome_guest = guest.actor
        return found

    def _quoted_account(self, match) -> bool:
        """A meeting verb inside a quotation reports a held encounter when it is past tense and
        names its persons inside the quotation, or is the speaker's own ("استقبلت ...")."""
        word = fold_key(match.group("w"))
        if word.startswith(("س", "ي", "ت")):
            return False
        quote = next(((a, b) for a, b in self.ctx.quotes if a <= match.start() < b), None)
        if quote is None:
            return False
        inside = [m for m in self.ctx.persons_between(*quote, outside_quotes=False) if m.kind == "person" and m.actor]
        if self._first_person(match, quote) is not None:
            return True
        return len({m.actor for m in inside}) >= 2

    def _first_person(self, match, quote: tuple[int, int]) -> Actor | None:
        """The speaker of a quotation whose meeting verb is in the first person: "قال أبو الغيط:
        "استقبلت سكرتير عام الأمم المتحدة ..."" (no subject before the verb inside the quotation)."""
        ctx = self.ctx
        if fold_key(match.group("w")) not in _FIRST_PERSON:
            return None
        if any(m.kind == "person" for m in ctx.persons_between(quote[0], match.start(), outside_quotes=False)):
            return None  # "... إن الرئيس استقبلت": a subject of its own
        sentence = ctx.sentences.at(quote[0])
        speakers = [m for m in ctx.persons_between(sentence.start, quote[0]) if m.kind == "person" and m.actor]
        return speakers[-1].actor if speakers else None

    def _add_attendees(self, meeting: FoundMeeting) -> None:
        """Who attended sits in the meeting: "بحضور X" later in its sentence, or a next sentence
        opening "وحضر اللقاء X". Whoever joined by video or phone is cut off by _LIST_END."""
        ctx = self.ctx
        sentence = ctx.sentences.at(meeting.anchor)
        spans = []
        for marker in _ATTENDANCE.finditer(ctx.text, meeting.anchor, sentence.end):
            spans.append((marker.end(), sentence.end))
        for marker in _CHAIRED.finditer(ctx.text, sentence.start, sentence.end):
            # "برئاسة أمير الكويت ... والرئيس المصري ...، عقدت جلسة المباحثات": who chaired the talks
            spans.append((marker.end(), sentence.end))
        index = ctx.sentences.index_at(meeting.anchor) + 1
        for following in ctx.sentences.spans[index:index + 3]:
            # "وحضر اللقاء ..." in one of the next sentences, before any other encounter is reported
            opening = (_ATTENDED.match(ctx.text, following.start, following.end)
                       or _ATTENDED_LATER.match(ctx.text, following.start, following.end))
            if opening is None and (bare := _ATTENDED_BARE.match(ctx.text, following.start, following.end)) and \
                    not _GATHERING.search(ctx.text, following.start, following.end):
                persons = ctx.persons_between(bare.end(), following.end)
                if persons and persons[0].start - bare.end() <= 3:
                    opening = bare
            if opening:
                spans.append((opening.end(), following.end))
                break
            if ctx.triggers.within("meeting_verb", following.start, following.end):
                break
        for start, end in spans:
            chain = self._coordinated(start, end)
            for m in chain:
                if m.actor not in meeting.participants:
                    meeting.participants.append(m.actor)
                    meeting.attendees.append(m.actor)

    # -- triggers ------------------------------------------------------------------------------
    def _clause(self, pos: int) -> tuple[int, int]:
        return self.ctx.clause(pos)

    def _is_remote(self, start: int, end: int) -> bool:
        return self.ctx.triggers.any_within("remote", start, end)

    def _status(self, word: str, clause_start: int, trigger_start: int, clause_end: int) -> str:
        """Planned: a future verb (سيلتقي) or a marker just before the trigger (من المقرر أن يلتقي);
        a future date, if it is the meeting's date, is applied later."""
        if word.startswith("س") and fold_key(word) in self.verbs_planned:
            return "planned"
        if self.ctx.triggers.any_within("planned", max(clause_start, trigger_start - 40), trigger_start + 2):
            return "planned"
        if _AWAITED_AFTER.match(self.ctx.text, trigger_start + len(word)):
            return "planned"  # "قمة مرتقبة بين ...", "اللقاء المنتظر" 
        if fold_key(word).startswith(("ي", "ت")) and re.match(r"\s*خلال(?:ها|ه)(?![\u0621-\u064a])",
                                                             self.ctx.text[trigger_start + len(word):trigger_start + len(word) + 10]):
            return "planned"  # "في زيارة رسمية يلتقي خلالها الرئيس": what the visit is to bring
        return "held"

    def _from_verb(self, match: re.Match) -> list[FoundMeeting]:
        ctx = self.ctx
        word = match.group("w")
        start, end = self._clause(match.start())
        if self._is_remote(start, end):
            return []
        quote = next(((a, b) for a, b in ctx.quotes if a <= match.start() < b), None)
        speaker = self._first_person(match, quote) if quote else None
        if speaker is not None:
            guests = [m for m in ctx.persons_between(match.end(), min(end, quote[1]), outside_quotes=False)
                      if m.kind == "person"]
            found = self._make([[speaker] + _actors(guests)], "held", word, match, False, past_verb=True)
            for meeting in found:
                meeting.speaker_date_from = quote[0]
            return found
        persons = ctx.persons_between(start, end, outside_quotes=not ctx.in_quote(match.start()))
        before = [m for m in persons if m.end <= match.start()]
        after = [m for m in persons if m.start >= match.end()]
        if fold_key(word) in _VISIT_VERBS:
            # "زار X رئيس مجلس النواب" meets a person; "زار X موسكو" only travels
            subject_then_object = len(after) >= 2 or (before and after and _SVO_GAP.match(ctx.text[before[-1].end:match.start()]))
            if not subject_then_object or any(m.kind != "person" for m in after[:2]):
                return []
        if fold_key(word) in _SIGN_VERBS:
            # a signing binds its signatories only: "مع" a partner, a coordinated pair, or a dual verb
            with_pos = ctx.text.find("مع", match.end(), end)
            partner = with_pos >= 0 and [m for m in after if m.start > with_pos]
            pair = len(after) >= 2 and re.fullmatch(r"[\s،,]*و\s*", ctx.text[after[0].end:after[1].start])
            if not (partner or pair or fold_key(word).endswith(("عا", "عان"))):
                return []
        is_talk_verb = fold_key(word).startswith(("بحث", "تباحث", "ناقش"))
        if is_talk_verb:
            # "بحث X مع Y": a meeting only with a "مع" partner, or two subjects ("ناقش البرهان والسيسي")
            with_pos = ctx.text.find("مع", match.end(), end)
            pair = len(after) >= 2 and after[0].kind == after[1].kind == "person" and \
                after[0].start - match.end() <= 3 and re.fullmatch(r"\s*و\s*", ctx.text[after[0].end:after[1].start])
            if pair and (with_pos < 0 or with_pos > after[1].end):
                return self._make([_actors(after[:2])], self._status(word, start, match.start(), end), word, match,
                                  bool(_PLUPERFECT.search(ctx.text, max(start, match.start() - 90), match.start() + 1)),
                                  past_verb=not fold_key(word).startswith(("ي", "ت", "س")))
            if with_pos < 0 or not [m for m in after if m.start > with_pos]:
                return []
        status = self._status(word, start, match.start(), end)
        pluperfect = bool(_PLUPERFECT.search(ctx.text, max(start, match.start() - 90), match.start() + 1))
        dual = fold_key(word).endswith(("يا", "وا", "ان"))
        svo = before and _SVO_GAP.match(ctx.text[before[-1].end:match.start()])
        if dual or not after:
            group = _actors(before[-3:]) if before else []
            if svo and before[-1].kind == "group":
                group = _actors(before[-1:])
            if dual and len(group) < 2 and after:
                group += _actors(after)
            return self._make([group], status, word, match, pluperfect)
        if svo:  # "وكان لاريجاني قد استقبل بوغدانوف"
            subjects, objects = before[-1:], after
        elif after and re.fullmatch(r"\s*(?:مع\s*)?ب", ctx.text[match.end():after[0].start]) and \
                re.search(r"(?<![\u0621-\u064a])(?:حيث|و)\s*$", ctx.text[max(start, match.start() - 8):match.start()]):
            # "وصل X إلى طهران، حيث التقى بالرئيس الإيراني ...": "ب" marks the object; the subject is
            # the sentence's
            sentence = ctx.sentences.at(match.start())
            earlier = [m for m in ctx.persons_between(sentence.start, match.start()) if m.kind == "person"]
            if not earlier:
                return []
            subjects, objects = earlier[:1], after
        else:
            subjects, objects = after[:1], after[1:]
        if subjects[0].kind == "group" and not objects:  # "من المقرر أن يلتقي الوزيران"
            return self._make([_actors(subjects)], status, word, match, pluperfect)
        if not objects and _ALSO.search(ctx.text, max(start, match.start() - 12), match.start()) and \
                ctx.triggers.within("meeting_verb", ctx.sentences.at(match.start()).start, match.start()):
            # "استقبل X Y، كما استقبل Z": the subject of the sentence's first encounter, not the last person named
            topic = [a for a in self._topic(match.start()) if a not in _actors(subjects)]
            if topic:
                return self._make([topic[:1] + _actors(subjects)], status, word, match, pluperfect,
                                  past_verb=not fold_key(word).startswith(("س", "ي", "ت")))
        if not objects and not before and re.fullmatch(r"\s*(?:ايضا\s+)?مع\s*", ctx.text[match.end():subjects[0].start]):
            # "كما التقى مع نائب وزير الخارجية ...": the one the report is about met him
            topic = [a for a in self._topic(match.start()) if a not in _actors(subjects)]
            if topic:
                return self._make([topic[:1] + _actors(subjects)], status, word, match, pluperfect,
                                  past_verb=not fold_key(word).startswith(("س", "ي", "ت")))
        if not objects:
            if not before:  # "... حيث التقى رئيس مجلس النواب": the sentence's subject met him
                sentence = ctx.sentences.at(match.start())
                before = [m for m in ctx.persons_between(sentence.start, match.start()) if m.kind == "person"]
            if before:
                return self._make([_actors(before[-1:]) + _actors(subjects)], status, word, match, pluperfect,
                                  past_verb=not fold_key(word).startswith(("س", "ي", "ت")))
            return []
        subject = _actors(subjects)
        if not subject:
            return []  # a group word that names nobody ("استقبل المجتمعين")
        # the objects are one list: "التقى بوتين في موسكو، واقترح عقد اجتماع يضم زيلينسكي" ends it
        # at the next verb or meeting word
        kept = objects[:1]
        if objects and re.search(r"(?<![\u0621-\u064a])(?:قبل|بعد|حين|عندما)\s+(?:ان\s+)?[\u0621-\u064a]+",
                                 ctx.text[match.end():objects[0].start]) and any(
                ctx.triggers.within(kind, match.end(), objects[0].start) for kind in ("meeting_noun", "meeting_verb")):
            kept = []  # "سيلتقي روحاني الرئاسات الثلاث قبل أن يتوجه للقاء السيستاني": another encounter's
        for m in objects[1:] if kept else []:
            gap_start = kept[-1].end
            if any(ctx.triggers.within(kind, gap_start, m.start) for kind in
                   ("meeting_noun", "meeting_verb", "support_verb", "verb")) or m.start - gap_start > 80:
                break
            kept.append(m)
        objects = kept
        # "التقى X Y و Z" is one meeting of three, unless the article says the encounters were
        # separate ("لقاءين منفصلين", "كل على حدة"); "ثم" already splits clauses.
        groups = [list(m.actors) for m in objects]
        host = subject[0] if "ستقبل" in fold_key(word) else None
        if len(groups) > 1 and (_SEPARATE.search(ctx.text) or self._series(match, objects)):
            return self._make([subject + g for g in groups], status, word, match, pluperfect, host=host)
        merged = subject + [a for g in groups for a in g]
        return self._make([merged], status, word, match, pluperfect, host=host)

    def _from_object_verb(self, match) -> list[FoundMeeting]:
        """"حيث استقبله ولي العهد": the host is named after the verb, the guest is whom the
        sentence is about."""
        ctx = self.ctx
        start, end = self._clause(match.start())
        if self._is_remote(start, end):
            return []
        after = [m for m in ctx.persons_between(match.end(), end) if m.kind == "person"]
        if not after:
            return []
        guest = self._topic(match.start())
        status = self._status(match.group("w"), start, match.start(), end)
        return self._make([_actors(after[:1]) + [a for a in guest if a not in _actors(after[:1])]], status,
                          match.group("w"), match, False, host=after[0].actor)

    def _coordinated(self, start: int, end: int) -> list[Mention]:
        """The persons of one coordinated list from `start`: "A، وB، وكذا C، ثم D", items whose
        title we could not resolve in between ("، ورئيس جهاز ..."), both sides ("وعن الجانب
        المغربي، ..."); a verb, a video link or a new phrase ends it."""
        ctx = self.ctx
        stop = _LIST_END.search(ctx.text, start, end)
        end = stop.start() if stop else end
        chain: list[Mention] = []
        for m in ctx.persons_between(start, end):
            if m.kind != "person" or not m.actor:
                continue
            between = ctx.text[chain[-1].end:m.start] if chain else ctx.text[start:m.start]
            if chain and _SIDE.fullmatch(between):
                pass
            elif chain and not re.fullmatch(r"[\s،,\"”»]*(?:و|وكذا|وكذلك|وايضا|ثم)?\s*(?:(?:كل|كلا)\s+من\s*:?\s*)?", between) \
                    and len(between.strip(' "”»')) > 2 and not (
                        (re.search(r'[،,]\s*(?:و|ثم)\s*$', self._without_honorifics(between))
                         or re.match(r'[\s"”»]*[،,]?\s*(?:و|ثم)', between))
                        and len(between) < 80 and "." not in between
                        and not ctx.triggers.within("verb", chain[-1].end, m.start)):
                break
            chain.append(m)
        return chain

    def _without_honorifics(self, between: str) -> str:
        """"... أمير المنطقة، والشيخ " -> "... أمير المنطقة، و": styles printed before the next name."""
        words = between.rstrip().split(" ")
        while words and (words[-1] in self._honorifics or (words[-1][:1] == "و" and words[-1][1:] in self._honorifics)):
            last = words.pop()
            if last[:1] == "و" and last[1:] in self._honorifics:
                words.append("و")
                break
        return " ".join(words) + " "

    def _from_welcome(self, match) -> list[FoundMeeting] | None:
        """"وكان في استقبال X لدى وصوله ... A، وB، وC" / "وكان في وداعه A وB": the traveller and
        everyone in the line of hosts, one encounter. None when the noun is no welcome."""
        ctx = self.ctx
        core = fold_key(match.group("w"))
        before = ctx.text[max(0, match.start() - 4):match.start()]
        if not (core in _WELCOME_NOUNS or (core in ("استقبال", "الاستقبال", "وداع") and re.search(r"في\s*$", before))):
            return None
        sentence = ctx.sentences.at(match.start())
        # "في وداعه", "مستقبليه" and "في مقدمة المستقبلين": the traveller is the one the report is about
        pronoun = bool(match.group("s")) or core.endswith("ه") or core.endswith("ين")
        after = [m for m in ctx.persons_between(match.end(), sentence.end) if m.kind == "person" and m.actor]
        arrivals = _ARRIVED_LIST.search(ctx.text, match.end(), sentence.end)
        if match.group("s") in ("هم", "هما") and after and arrivals:
            # "كان في استقبالهم جلالة الملك، حيث وصل كل من: A، وB، وC": the host, then each arrival
            host = [m for m in after if m.end <= arrivals.start()][:1]
            arrived = self._coordinated(arrivals.end(), sentence.end)
            group = _actors(host) + [a for a in _actors(arrived) if a not in _actors(host)]
            found = self._make([group], "held", match.group("w"), match, False, past_verb=True)
            for meeting in found:
                meeting.welcome_guest = group[0] if group else None
            return found
        if after and after[0].start - match.end() <= 3 and _HONORIFIC_PRONOUN.match(ctx.text, after[0].start):
            # "كما كان في استقبال سموه X، وY": "سموه" is the guest the report is about
            named = [m for m in after if m.start == after[0].start and m.via == "pronoun"]
            rest = [m for m in after if m.via != "pronoun"]
            guest = self._topic(match.start()) or _actors(named[:1])
            hosts = self._coordinated(rest[0].start, sentence.end) if rest else []
        elif pronoun:
            guest = self._topic(match.start())
            hosts = self._coordinated(match.end(), sentence.end)
        else:
            if not after or after[0].start - match.end() > 12:
                return None
            guest = _actors(after[:1])
            rest = after[1:]
            hosts = self._coordinated(rest[0].start, sentence.end) if rest else []
        # "الأمير محمد بن سلمان ... كان في مقدمة مستقبلي الكاظمي": the subject hosted too
        subject = [m for m in ctx.persons_between(sentence.start, match.start()) if m.kind == "person" and m.actor
                   and re.fullmatch(r"[\s،,\-]*(?:و?(?:كان|كانت|كانوا|تقدم|يتقدم)\s*)?(?:في\s*)?",
                                    _FILLER.sub(" ", ctx.text[m.end:match.start()]).replace("ورعاه", " "))]
        group = guest + [a for a in _actors(subject + hosts) if a not in guest]
        found = self._make([group], self._status(match.group("w"), sentence.start, match.start(), sentence.end),
                           match.group("w"), match, False, past_verb=True)
        for meeting in found:
            meeting.welcome_guest = guest[0] if guest else None
        return found

    def _from_noun(self, match: re.Match) -> list[FoundMeeting]:
        ctx = self.ctx
        word = match.group(0)
        start, end = self._clause(match.start())
        if self._is_remote(start, end):
            return []
        if _PROPOSED.search(ctx.text, max(0, match.start() - 30), match.start()):
            return []  # "اقترح عقد اجتماع ثلاثي", "أبدى تحفظا على عقد لقاء مع": an idea, not an encounter
        agreed = _AGREED_TO_MEET.search(ctx.text, max(0, match.start() - 40), match.start())
        if agreed:
            # "تلقى تبون اتصالا هاتفيا من نظيره التونسي قيس سعيد حيث اتفقا خلاله على اللقاء": the
            # two who agreed on the call will meet
            sentence = ctx.sentences.at(match.start())
            pair = list(dict.fromkeys(_actors([m for m in ctx.persons_between(sentence.start, match.start())
                                               if m.kind == "person"])))[-2:]
            if len(pair) == 2:
                found = self._make([pair], "planned", match.group("w"), match, False, past_verb=False)
                for meeting in found:
                    meeting.agreed = True
                return found
        persons = ctx.persons_between(start, end)
        if not persons:
            return []
        welcome = self._from_welcome(match)
        if welcome is not None:
            return welcome
        noun_end = match.end()
        possessive = bool(match.group("s"))
        # "صرح المتحدث بأن الاجتماع شمل ...": who reports the talks is not in them
        said = [c.end() for c in _COMPLEMENTIZER.finditer(ctx.text, start, match.start())
                if not re.search(r"(?:قبل|بعد|حتي|بدل)\s*$", ctx.text[max(0, c.start() - 6):c.start()])]
        if said:
            persons = [m for m in persons if m.start >= said[-1]]
        after = [m for m in persons if m.start >= noun_end]
        before = [m for m in persons if m.end <= match.start()]
        if _PICTURE_BEFORE.search(ctx.text, max(start, match.start() - 12), match.start()):
            # "نشر صور استقبال الرئيس ... الضيف": the pictures' publisher took no part
            before = []
            persons = after
        attached = self._attached_after(noun_end, after, end)
        status = self._status(word, start, match.start(), end)
        if ctx.text[match.start():match.start("w")].endswith("ل") and _JOURNEY_AHEAD.search(
                ctx.text, max(start, match.start() - 60), match.start()):
            status = "planned"  # "قبل أن يتوجه إلى النجف للقاء السيستاني": the purpose of a journey to come
        pluperfect = bool(_PLUPERFECT.search(ctx.text, max(start, match.start() - 90), match.start() + 1))
        make = lambda group: self._make([group], status, word, match, pluperfect)  # noqa: E731
        if match.group("s") in ("هما", "هم"):  # "خلال لقائهما": the two persons just named
            return make(_actors(before[-2:]) if len(before) >= 2 else _actors(persons[:2]))
        if possessive:  # "خلال لقائه X": the clause's subject and X
            if not attached and after and after[0].start - noun_end <= 100 and after[0].kind == "person" \
                    and not ctx.triggers.within("verb", noun_end, after[0].start):
                attached = after[:1]  # "خلال استقباله في دار الرئاسة بعمان اليوم، الوزير ..."
            if not attached:
                return []
            objects = _actors(attached[:1])
            owner = [a for m in persons for a in m.actors if a not in objects][:1] or self._topic(match.start())
            return make(owner + objects)
        # "عقد X و Y جلسة مباحثات" / "أجرى X محادثات مع Y": a support verb before the noun binds
        # the persons between them; "محادثات أجراها X مع Y" after it, the persons that follow.
        verb_before = ctx.triggers.within("support_verb", start, match.start())
        following = ctx.triggers.within("support_verb", noun_end, min(end, noun_end + 25))
        verb_after = following[0] if following else None
        if verb_before and fold_key(verb_before[-1].group("w")) in _GATHER_VERBS and \
                len(_actors([m for m in after if m.kind in ("person", "group")])) >= 2:
            # "جمعت محادثات مطولة ... الوزير X ونظيره، بمشاركة Y": whoever the talks brought together
            return self._make([_actors(after)], status, word, match, pluperfect, past_verb=True)
        if verb_before:
            support = fold_key(verb_before[-1].group("w"))
            past = not support.startswith(("ي", "ت", "س"))
            make = lambda group: self._make([group], status, word, match, pluperfect, past_verb=past)  # noqa: E731
            subjects = [m for m in before if m.start >= verb_before[-1].end()]
            if not subjects:  # "وكان الصفدي قد استضاف ... اجتماعا ضم ..."
                prior = [m for m in before if m.end <= verb_before[-1].start()]
                if prior and _SVO_GAP.match(ctx.text[prior[-1].end:verb_before[-1].start()]):
                    subjects = prior[-1:]
            subject = _actors(subjects)
            with_partner = re.match(r"\s*(?:\S+\s+){0,2}?مع(?![\u0621-\u064a])", ctx.text[noun_end:noun_end + 40])
            if not subject and with_partner and re.search(r"(?<![\u0621-\u064a])(?:ثم|و)\s*$",
                                                          ctx.text[max(0, verb_before[-1].start() - 6):verb_before[-1].start()]):
                # "وزار عراقجي العراق ... ثم عقد اجتماعات مع رئيس الوزراء ...": the one the sentence is about
                subject = self._topic(match.start())
            others = [a for a in _actors(attached or after) if a not in subject]
            separate = _SEPARATE.search(ctx.text, noun_end, min(end, noun_end + 20)) or \
                fold_key(word) in _PLURAL_MEETINGS
            if separate and subject and len(others) >= 2:
                # "عقد الملك لقاءات منفصلة مع A، و B، و C": one encounter with each
                return self._make([subject + [a] for a in others], status, word, match, pluperfect,
                                  past_verb=past)
            group = subject + others
            if len(group) >= 2:
                return make(group)
        if verb_after:
            # "قمة عقدها مع نظيره": the verb's subject is the clause's ("رئيسي كان قد أكد خلال ...")
            first = next((m for m in after if m.start >= verb_after.end()), None)
            with_first = first is not None and re.search(r"(?<![\u0621-\u064a])مع\s*$", ctx.text[verb_after.end():first.start])
            return make((_actors(before[-1:]) if with_first else []) + _actors(after))
        if attached:
            group = _actors(attached)
            between = re.match(r"\s*(?:\S+\s+){0,2}?بين(?![\u0621-\u064a])", ctx.text[noun_end:attached[0].start])
            if len(group) < 2 and between:
                return []  # "المشاورات بين سلطان بلاده ورئيس الجمهورية": the other party is not someone we know
            partner = re.search(r"(?<![\u0621-\u064a])(?:مع|بمعيه)\s*$", ctx.text[noun_end:attached[0].start])
            owners = [m for m in before if m.kind == "person" and m.actor]
            if partner and owners and owners[-1].actor not in group:
                # "وسبق لناصر بوريطة إجراء مباحثات موسعة بمعية الرئيس ... والوزير الأول ...": the
                # talks' owner, then all its partners
                return make(_actors(owners[-1:]) + group)
            if len(group) < 2:  # "ولقاء قائد الثورة": the sentence's subject met the one named
                clitic = ctx.text[match.start():match.start("w")]
                if clitic.endswith("ل") and before:
                    # "وسيلتقي روحاني ... قبل أن يتوجه إلى النجف للقاء السيستاني": the purpose of
                    # the last one named going somewhere
                    owner = [a for a in _actors(before[::-1]) if a not in group][:1]
                else:
                    owner = [a for a in _actors(persons) if a not in group][:1]
                group = (owner or [a for a in self._topic(match.start()) if a not in group]) + group
            return make(group)
        return []

    def _attached_after(self, noun_end: int, after: list[Mention], clause_end: int) -> list[Mention]:
        """Persons bound to a meeting noun: right after it (past adjectives), or after مع/ضم/بين."""
        text = self.ctx.text
        pos = noun_end
        # skip adjectives and small words
        while True:
            m = re.match(r"\s*([\u0621-\u064a]+)", text[pos:pos + 30])
            if not m or not after or pos >= after[0].start:
                break
            if fold_key(m.group(1)) in _ADJECTIVES:
                pos += m.end()
                continue
            break
        gap = text[pos:after[0].start] if after else ""
        if after and (gap.strip(" ،,") == "" or _ATTACH_WORDS.match(gap) or gap.strip() in ("ب", "ل", "مع", "بين")):
            chain = [after[0]]
            for m in after[1:]:
                between = re.sub(r'["“”«»]', " ", _FILLER.sub(" ", text[chain[-1].end:m.start]))  # "السلطان المعظم حفظه الله وأخيه الرئيس"
                if re.fullmatch(r"[\s،,]*(?:و|ومع|ثم|و?معالي|و?سمو|،\s*و)?\s*", between) or between.strip(" ،,") in ("و", ""):
                    chain.append(m)
                else:
                    break
            return chain
        window = text[noun_end:min(clause_end, noun_end + 45)]  # "اجتماع ... ضم" binds nearby, not a "بين" far on
        hook = re.search(r"(?<![\u0621-\u064a])(?:ضم|ضمت|جمع|جمعت|بمشاركه|بحضور|حضره|بين)(?![\u0621-\u064a])", window)
        if hook:
            # the list the hook opens, not everyone named later in the clause ("قمة مرتقبة بين بوتين
            # وترمب، وهي أول قمة ... منذ لقاء بوتين الرئيس السابق جو بايدن")
            return [m for m in self._coordinated(noun_end + hook.end(), clause_end) if m in after]
        return []

    def _topic(self, pos: int) -> list[Actor]:
        """The person the sentence is about when a pronoun owns the trigger ("واصفا لقاءه بـ...")."""
        sentence = self.ctx.sentences.at(pos)
        persons = [m for m in self.ctx.resolved.mentions
                   if m.kind == "person" and m.actor and m.end <= pos and not self.ctx.in_quote(m.start)]
        same_sentence = [m for m in persons if m.start >= sentence.start]
        if same_sentence:
            return [same_sentence[0].actor]
        if not persons:
            return []
        # "ميقاتي التقى بلينكن ... وفور وصوله إلى إيرلندا استقبله ...": the subject of the last
        # sentence that named someone, not its object
        last = self.ctx.sentences.at(persons[-1].start)
        return [next(m for m in persons if m.start >= last.start).actor]

    def _make(self, groups, status, word, match, pluperfect, host=None, past_verb=None) -> list[FoundMeeting]:
        if past_verb is None:
            folded = fold_key(match.group("w"))
            past_verb = folded in self.held_verbs and not folded.startswith(("س", "ي", "ت"))
        out = []
        for group in groups:
            people = list(dict.fromkeys(a for a in group if a.kind == "person"))
            if len(people) < 2:
                continue
            sentence = self.ctx.sentences.at(match.start())
            out.append(FoundMeeting(people, status, word, [(sentence.start, sentence.end)], host=host,
                                    pluperfect=pluperfect, past_verb=past_verb, anchor=match.start(),
                                    again=bool(_AGAIN.search(self.ctx.text, sentence.start, sentence.end))))
        return out

    # -- where and when ---------------------------------------------------------------------------
    def _during_the_visit(self, meeting: FoundMeeting) -> None:
        """"سيجري خلال الزيارة مباحثات مع ...": the day and the city of the visit the article reports."""
        ctx = self.ctx
        sentence = ctx.sentences.at(meeting.anchor)
        if not _DURING_VISIT.search(ctx.text, sentence.start, sentence.end):
            return
        keys = {a.key for a in meeting.participants}
        for match in _VISIT.finditer(ctx.text):
            visit = ctx.sentences.at(match.start())
            if visit.start == sentence.start:
                continue
            if not any(m.actor and m.actor.key in keys for m in ctx.persons_between(visit.start, visit.end)):
                continue
            place = self._place_after(match.end(), visit.end)
            dates = [d for d in ctx.dates if visit.start <= d.start < visit.end and d.value and len(d.value) == 10]
            if not place and not dates:
                continue  # "في أول زيارة خارجية له": a visit named, not where or when
            if place and meeting.place is None:
                meeting.place = place
            if dates and meeting.date is None and meeting.status == "held":
                # a planned meeting "during the visit" may come on any of its days: no day of its own
                meeting.date, meeting.date_span = dates[0].value, (dates[0].start, dates[0].end)
            return

    def _place_and_date(self, meeting: FoundMeeting) -> None:
        self._place_and_date_in_text(meeting)
        self._during_the_visit(meeting)

    def _place_and_date_in_text(self, meeting: FoundMeeting) -> None:
        ctx = self.ctx
        start, end = ctx.clause(meeting.anchor)
        sentence = ctx.sentences.at(meeting.anchor)
        meeting.place = self._place_in(start, end, meeting.anchor) or self._place_in(sentence.start, sentence.end, meeting.anchor)
        date = self._date_in(start, end, meeting.anchor, meeting.status) or \
            self._date_in(sentence.start, sentence.end, meeting.anchor, meeting.status)
        if date is not None and meeting.agreed and date.tense != "future":
            date = None
        if date is None and meeting.speaker_date_from is not None:
            spoken = [d for d in ctx.dates if sentence.start <= d.start < meeting.speaker_date_from and d.value
                      and not ctx.in_quote(d.start) and d.tense != "future"]
            date = spoken[-1] if spoken else None
        if date:
            meeting.date, meeting.date_span = date.value, (date.start, date.end)
            offset = _DAYS_FROM.search(ctx.text, max(0, meeting.anchor - 24), meeting.anchor)
            if offset and len(date.value) == 10 and not (date.start > meeting.anchor):
                # "وصل الثلاثاء ... بعد يوم من اجتماعه مع ...": that meeting was the day before
                days = _DAY_COUNTS[offset.group(2)] * (-1 if offset.group(1) == "بعد" else 1)
                meeting.date = (_date.fromisoformat(date.value) + _timedelta(days=days)).isoformat()
            if date.tense == "future" and date.kind != "today" and not meeting.past_verb:
                meeting.status = "planned"
            published = ctx.day
            if meeting.status == "planned" and published and len(meeting.date) == 7 and \
                    meeting.date < published.isoformat()[:7]:
                # "سيلتقي ... في مايو أيار": the coming May, not the last one
                meeting.date = f"{int(meeting.date[:4]) + 1}{meeting.date[4:]}"

    def _date_in(self, start: int, end: int, anchor: int, status: str = "held"):
        quoted = self.ctx.in_quote(anchor)  # a quoted account takes the dates of its own words
        candidates = [d for d in self.ctx.dates if start <= d.start < end and d.value
                      and self.ctx.in_quote(d.start) == quoted]
        if status == "planned":
            # "قال اليوم السبت إن الرئيس سيلتقي ... الشهر المقبل", "... في مايو أيار": the day of
            # speaking is not the meeting's
            candidates = [d for d in candidates if d.tense == "future" or d.start > anchor] or candidates
        if not candidates:
            return None
        return min(candidates, key=lambda d: abs(d.start - anchor))

    def _place_in(self, start: int, end: int, anchor: int) -> str | None:
        ctx = self.ctx
        text = ctx.text
        best: tuple[int, str] | None = None
        for p_start, p_end, place_id, clitic in ctx.resolved.places:
            if not (start <= p_start < end) or ctx.in_quote(p_start):
                continue
            prefix = text[max(0, p_start - len(clitic) - 24):p_start - len(clitic)].rstrip('"«“ ') + " "  # "العاصمه السعوديه "
            visit_destination = clitic == "ل" and re.search(r"(?:زياره|زيارته|زيارتها|جولته|جولتها)(?:\s+\S+){0,3}\s*$", text[max(0, p_start - 40):p_start - 1])
            # "قادما من القدس، حيث التقى ...": the place named just before "حيث" and the trigger
            where_clause = p_start < anchor and re.fullmatch(r"\s*[،,]?\s*حيث\s+", text[p_end:anchor])
            locative = "ب" in clitic or visit_destination or where_clause or re.search(
                r"(?:في|الي|عاصمه|العاصمه\s+\S+|يزور|تزور|زار|وصل|مدينه|منتجع|ولايه|محافظه|اماره"
                # "بمركز شرم الشيخ الدولي للمؤتمرات", "في قصر الرئاسة بطهران": a venue named by its city
                r"|(?:ب|في\s)(?:مركز|قصر|فندق|قاعه|مقر|مطار|منتجع)"
                # "على هامش منتدى الدوحة", "قمة شرم الشيخ": a gathering named by its city
                r"|هامش\s+(?:منتدي|قمه|مؤتمر|اجتماعات|اعمال)|(?:منتدي|قمه|مؤتمر))\s*$", prefix)
            if not locative:
                continue
            if not "ب" in clitic and _TOPIC_BEFORE.search(text, max(start, p_start - 30), p_start):
                continue  # "التشاور حول الأوضاع في غزة": what was discussed, not where
            distance = abs(p_start - anchor) + (0 if p_start > anchor else 5)
            if fold_key(text[p_start:p_end]) in self._landmarks and any(
                    0 < q_start - p_end <= 30 and q_id != place_id and fold_key(text[q_start:q_end]) not in self._landmarks
                    for q_start, q_end, q_id, _c in ctx.resolved.places):
                continue  # "في قصر الشعب بالعاصمة بكين": the city named with the palace wins
            if p_start < anchor and re.search(r"[،,]", text[p_end:anchor]):
                distance += 60  # "وصل ... إلى الخرطوم، بعد يوم من اجتماعه مع نتنياهو في القدس"
            if best is None or distance < best[0]:
                best = (distance, place_id)
        if best:
            return best[1]
        # "العاصمة الإيرانية" without the city's name: the capital of that state
        for m in _CAPITAL_WORD.finditer(text, start, end):
            for p_start, _p_end, code, kind in ctx.resolved.polity_hits:
                if kind == "demonym" and 0 <= p_start - m.end() <= 2:
                    polity = ctx.kb.polities.get(code)
                    if polity and polity.capital in ctx.kb.places:
                        return polity.capital
        return None

    def venue(self) -> str | None:
        """The one city the article places things in ("في القاهرة", "بدمشق", "بمدينة شرم الشيخ"),
        not counting where someone came from: where its unplaced encounters happened. None when
        the article names two such cities."""
        ctx = self.ctx
        text = ctx.text
        seen: set[str] = set()
        for p_start, _p_end, place_id, clitic in ctx.resolved.places:
            if p_start < ctx.headline_end or ctx.in_quote(p_start):
                continue
            place = ctx.kb.places.get(place_id)
            if place is None or place.country is None:
                continue
            prefix = text[max(0, p_start - len(clitic) - 24):p_start - len(clitic)]
            if re.search(r"(?:من|قادما من|عائدا من|مغادرا)\s*$", prefix):
                continue
            if _TOPIC_BEFORE.search(text, max(0, p_start - 45), p_start):
                continue  # "تطورات الأزمة الإنسانية في قطاع غزة": what was discussed, not where
            if "ب" in clitic or re.search(r"(?:في|عاصمه|العاصمه\s+\S+|مدينه|منتجع)\s*$", prefix):
                seen.add(place_id)
        return next(iter(seen)) if len(seen) == 1 else None

    def visit_destinations(self) -> dict[str, str]:
        """Where each person is said to be visiting: a place for their meetings that name none."""
        ctx = self.ctx
        out: dict[str, str] = {}
        for match in _VISIT.finditer(ctx.text):
            sentence = ctx.sentences.at(match.start())
            place = self._place_after(match.end(), sentence.end)
            if not place:
                continue
            persons = [m for m in ctx.persons_between(sentence.start, sentence.end) if m.actor]
            near = [m for m in persons if m.end <= match.start()]
            who = near[-1] if near else (persons[0] if persons else None)
            if who and who.actor.key not in out:
                out[who.actor.key] = place
        return out

    def _place_after(self, pos: int, limit: int) -> str | None:
        for p_start, _e, place_id, _clitic in self.ctx.resolved.places:
            if pos <= p_start < min(limit, pos + 40):
                return place_id
            # "وصل رئيس الوزراء العراقي مصطفى الكاظمي إلى الرياض": the destination after the visitor
            if pos <= p_start < min(limit, pos + 100) and re.search(r"(?:الي|إلى)\s+(?:العاصمه\s+(?:\S+\s+)?)?$",
                                                                   self.ctx.text[max(0, p_start - 30):p_start]):
                return place_id
        for p_start, _e, code, kind in self.ctx.resolved.polity_hits:
            if pos <= p_start < min(limit, pos + 30) and kind == "polity":
                polity = self.ctx.kb.polities.get(code)
                if polity and polity.capital in self.ctx.kb.places and polity.kind == "country":
                    return polity.capital
        return None




def _merge(found: list[FoundMeeting]) -> list[FoundMeeting]:
    """One meeting per encounter: same persons and compatible dates are the same meeting."""
    merged: list[FoundMeeting] = []
    for meeting in sorted(found, key=lambda m: m.anchor):
        for existing in merged:
            one_welcome = existing.welcome_guest is not None and existing.welcome_guest == meeting.welcome_guest \
                and existing.status == meeting.status  # "وكان في مقدمة مستقبليه ... كما كان في استقباله ..."
            if existing.keyset != meeting.keyset and not _retold_with_attendees(existing, meeting) \
                    and not _planned_part_of(existing, meeting) and not one_welcome:
                continue
            if existing.date and meeting.date and not (existing.date.startswith(meeting.date) or meeting.date.startswith(existing.date)):
                continue
            # "استقبل السيسي أردوغان ... ومن المقرر أن يعقد الرئيسان جلسة مباحثات": the talks the
            # visit was for, not another encounter; a planned meeting on another day stays apart
            if existing.status != meeting.status and (existing.date and meeting.date and existing.date != meeting.date
                                                      or existing.place and meeting.place and existing.place != meeting.place
                                                      or existing.date != meeting.date and not _same_visit(existing, meeting)):
                continue
            if existing.pluperfect != meeting.pluperfect and existing.date and meeting.date and existing.date != meeting.date:
                continue
            if existing.pluperfect != meeting.pluperfect and not (existing.date and meeting.date):
                # an earlier visit mentioned in the pluperfect is a different encounter unless dates agree
                if existing.pluperfect or meeting.pluperfect:
                    if existing.date or meeting.date:
                        continue
            existing.evidence += meeting.evidence
            existing.participants += [a for a in meeting.participants if a not in existing.participants]
            if not existing.date or (meeting.date and len(meeting.date) > len(existing.date)):
                existing.date, existing.date_span = meeting.date, meeting.date_span
            existing.place = existing.place or meeting.place
            existing.host = existing.host or meeting.host
            if existing.status != meeting.status and meeting.status == "held":
                existing.status = "held"
            break
        else:
            merged.append(meeting)
    return _drop_covered(_drop_side_events(merged))


def _same_visit(a: FoundMeeting, b: FoundMeeting) -> bool:
    """A planned meeting with no day of its own belongs to the held one told before it, as what
    the visit is for, unless it is said to come again ("مجددا", "مرة أخرى")."""
    held, planned = (a, b) if a.status == "held" else (b, a)
    return planned.date is None and held.anchor < planned.anchor and not planned.again


def _planned_part_of(a: FoundMeeting, b: FoundMeeting) -> bool:
    """"استقبل السيسي أردوغان وزوجته ... ومن المقرر أن يعقد الرئيسان جلسة مباحثات": talks planned
    for a visit already reported, between some of its persons, are part of it."""
    if a.status == b.status:
        return False
    held, planned = (a, b) if a.status == "held" else (b, a)
    return planned.keyset < held.keyset and _same_visit(held, planned)


def _retold_with_attendees(a: FoundMeeting, b: FoundMeeting) -> bool:
    """The lead says "X received Y", the body retells it naming who attended: one encounter,
    when the same host and guest, the same day (or no day) and the same status."""
    small, big = (a, b) if len(a.keyset) <= len(b.keyset) else (b, a)
    added = frozenset(actor.key for actor in big.attendees)
    return (len(small.keyset) >= 2 and small.keyset < big.keyset and big.keyset - small.keyset <= added
            and small.status == big.status
            and small.pluperfect == big.pluperfect and (not small.date or not big.date or small.date == big.date))


def _drop_side_events(meetings: list[FoundMeeting]) -> list[FoundMeeting]:
    """A joint press conference or an airport welcome of people who also held talks is part of
    that encounter, not another meeting."""
    keep = []
    for m in meetings:
        side = "موتمر" in m.trigger or "مستقبلي" in m.trigger
        bigger = side and next((o for o in meetings if o is not m and "موتمر" not in o.trigger
                                and m.keyset <= o.keyset), None)
        if bigger:
            bigger.evidence += m.evidence
            continue
        keep.append(m)
    return keep


def _drop_covered(meetings: list[FoundMeeting]) -> list[FoundMeeting]:
    """A lead sentence that lists everyone a visitor met ("محادثات مع نظيره وأمين المجلس") is
    not a summit when the article then reports each encounter on its own: keep the parts,
    and let them inherit the date and place the lead gave."""
    keep = []
    for big in meetings:
        parts = [m for m in meetings if m is not big and len(m.keyset) < len(big.keyset) and m.keyset <= big.keyset]
        union = frozenset().union(*(m.keyset for m in parts)) if parts else frozenset()
        if len(parts) >= 2 and union == big.keyset:
            for part in parts:
                part.date = part.date or big.date
                part.place = part.place or big.place
                part.evidence += big.evidence
            continue
        keep.append(big)
    return keep

"""From gazetteer hits to actor mentions: who each name, title, counterpart phrase or
pronoun in the article refers to, resolved against the article's date.

Rules, in the order a reader applies them:
- a name wins over the title around it ("وزير الدفاع الروسي سيرغي شويغو");
- a title with a country ("الرئيس الإيراني") is whoever held that office on the day;
- a title with no country refers back to someone already named who holds it, else to
  the reporting agency's own state ("وزير الخارجية" in a Saudi Press Agency report);
- "نظيره الإيراني" is the Iranian holder of the office of the person just named;
- a title followed by a name the knowledge base lacks makes a local actor, never dropped;
- short names that are also common words count only once the person was named in full.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from kg.extract.gazetteer import DYNASTIES, Entry, Gazetteer, Hit
from kg.extract.normalize import fold_key, is_letter
from kg.knowledge import KNOWLEDGE_DIR, KnowledgeBase, Person
from kg.model import Actor

# Office keys in the order that best describes a person when a counterpart refers to them.
_OFFICE_PRIORITY = (
    "foreign_minister", "defence_minister", "president", "prime_minister", "king", "emir", "sultan",
    "supreme_leader", "crown_prince", "chancellor", "speaker_of_parliament", "security_council_secretary",
    "secretary_general", "director_general", "high_representative", "vice_president", "deputy_prime_minister",
    "interior_minister", "national_security_advisor", "deputy_foreign_minister", "special_envoy",
)

# Words that end a name read after a title ("سفير الكويت عادل حمد الصقعبي وذلك ...").
_NAME_STOP = {fold_key(w) for w in (
    "على", "من", "عن", "مع", "أن", "إن", "بأن", "خلال", "اليوم", "أمس", "غدا", "الذي", "التي",
    "وذلك", "حيث", "وقد", "قد", "كان", "كانت", "بعد", "قبل", "منذ", "عقب", "أثناء", "بين", "حول", "وفي",
    "ثم", "كما", "فيما", "بينما", "وهو", "وهي", "هو", "هي", "ذلك", "هذا", "هذه", "أيضا",
    "المنتهية", "الحالي", "لبلاده", "بلاده", "وقال", "وأكد", "قال", "أكد", "الرسمي", "يوم", "صباح", "مساء",
    "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد", "واس", "قنا", "كونا", "وام",
    "بعثة", "البعثة", "بمناسبة", "لمناسبة", "بهدف", "لبحث", "لمناقشة", "ضمن", "إثر", "وسط", "بحضور", "برفقة", "يرافقه", "ترافقه",
    "والوفد", "الوفد", "المرافق", "وبحث", "وتناول", "تناول", "وجرى", "جرى",
    "ذاته", "ذاتها", "نفسه", "نفسها", "بأنها", "بأنه", "بأنهم", "أنه", "أنها", "إنه", "إنها", "لأن", "كونه", "بوصفه",
    "وصوله", "وصولها", "عودته", "عودتها", "مغادرته", "مغادرتها", "زيارته", "زيارتها", "لقائه", "لقائها",
)}
# titles that govern another in construct state: "مستشار الرئيس" is the president's adviser
_DEPENDENT_TITLES = {fold_key(w) for w in ("مستشار", "مستشارة", "مبعوث", "مبعوثة", "ممثل", "ممثلة", "مساعد", "مساعدة", "سفير", "سفيرة",
                                           "نائب", "نائبة", "مدير مكتب", "المتحدث باسم", "الناطق باسم")}
_HONORIFIC_BEFORE = re.compile(r"(?:(?:السيد|السيده|الدكتور|الدكتوره|الرييس|الوزير|الشيخ|الامير|المستشار|السفير|الملك|سعاده|معالي|فخامه|سمو|دوله)\s+)+$")
_COMPLEMENT_GAP = re.compile(r"^\s+(?:ال[\u0621-\u064a]+\s+){0,2}(?:الي|لدي|في|لشوون|للشوون|باسم)\s+(?:[\u0621-\u064a]+\s+){0,4}$")
_NAME_BEFORE_TITLE = re.compile(r"\s+((?:[\u0621-\u064a]+\s+){1,3}[\u0621-\u064a]+)\s*[،,]?\s*")
_GENERIC_MINISTER = {"minister"}
_PORTFOLIO_GAP = re.compile(r"^\s+(?:و?[\u0621-\u064a]{2,}\s+){1,4}(?:في\s+|لدي\s+)?$")
_PORTFOLIO_COMMA_GAP = re.compile(r"^\s+(?:و?[\u0621-\u064a]{2,}\s+){0,5}و?[\u0621-\u064a]{2,}\s*[،,]\s*$")
_FATHER_BEFORE = re.compile(r"(?<![\u0621-\u064a])(?:بن|ابن|بنت)\s+$")
# a given name and up to three more words of a name, up to punctuation or a function word
_NAME_WORDS_AFTER = re.compile(r"\s+([\u0621-\u064a]+)(?:\s+(?!(?:و|في|من|الي|علي|عن|مع|الذي|التي)\s)(?:ال)?[\u0621-\u064a]+){0,3}(?=\s*[،,.:\n(]|\s+و)")
_MANY_AT_ONCE = re.compile(r"(?:مساعد|مساعده|نايب|نايبه|وكيل|وكيله)\s")
# words that follow the preposition على, never the name Ali
_AFTER_ALA = {fold_key(w) for w in ("ما", "من", "أن", "ان", "انه", "أنه", "هامش", "رأس", "مدى", "أهمية", "ضرورة", "صعيد",
                                    "مستوى", "نحو", "حد", "حساب", "خلفية", "وقع", "إثر", "اثر", "قدم", "أساس", "هذا",
                                    "هذه", "ذلك", "تلك", "عدة", "عدد", "كل", "جميع", "أي", "وجه", "مختلف", "شتى", "أعلى")}
_VERBAL_NOUN = re.compile(r"ت[\u0621-\u064a]{2}ي[\u0621-\u064a]")  # تفعيل: تعزيز، تدعيم، تطوير
_INSTITUTION_BEFORE = re.compile(r"(?<![\u0621-\u064a])(?:دار|داره|قاعه|مركز|جامعه|مطار|مسجد|شارع|مستشفي|مدينه|مويسسه|جايزه|"
                                 r"ميناء|قاعده|كليه|مكتبه|برج|جسر|ميدان|حديقه|مجمع|ضريح)\s+$")
_PRINCIPAL_BEFORE = re.compile(r"(?<![\u0621-\u064a])(?:ممثل|ممثله|مبعوث|مبعوثه|مستشار|مستشاره|مساعد|مساعده)\s+$")
_FORMER = re.compile(r"\s+(?:السابق|الاسبق|الراحل|السابقه|الراحله)(?![\u0621-\u064a])")
_NAME_LINKS = {fold_key(w) for w in ("بن", "بنت", "ابن", "آل", "أبو", "ابو", "عبد", "ولد")}
_NAME_STARTS_NEVER = {fold_key(w) for w in ("بن", "بنت", "آل", "ولد")}  # عبد الله، أبو بكر do start names
_COMPLEMENT_WORDS = {fold_key(w) for w in (
    "في", "لدى", "باسم", "لشؤون", "للشؤون", "إلى", "الى", "لدي", "المكلف", "بالإنابة", "المفوض", "فوق", "العادة",
    "السابق", "الأسبق", "الراحل", "المرجع", "الديني", "الأعلى", "الدولة", "للشؤون", "الخارجية", "لدول",
    "أفريقيا", "إفريقيا", "آسيا", "أوروبا", "الأوسط", "الأدنى", "شمال", "جنوب", "وشمال", "وجنوب", "المتوسط",
    "الخليج", "آية", "الله", "السيد", "سماحة", "المملكة", "البلاد", "الدولة", "السلطنة", "الإمارة",
    "الجديد", "الجديدة", "المعين", "المعينة",  # "سفير إيطاليا الجديد جوفاني ...": the name comes next
)}
_TOKEN = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")
_PRONOUN_HONORIFICS = {fold_key(w) for w in ("سموه", "جلالته", "فخامته", "معاليه", "سيادته", "دولته", "سعادته",
                                               "سماحته")}
_PRONOUN_HONORIFIC_RE = re.compile(r"(?<![\u0621-\u064a])[وفبل]?(?P<w>" + "|".join(sorted(_PRONOUN_HONORIFICS)) + r")(?![\u0621-\u064a])")
_NAME_BEFORE_TAIL = re.compile(r'["”»]?\s*[،,]?\s*$')
_GAP_OK = re.compile(r'^[\s،,"“”«»\'()\-–]*$')
_QUALIFIER_GAP = re.compile(r'^[\s،,"“”«»]*(?:(?:في|لدي|ل|باسم|الي)\s*)?(?:(?:جمهوريه|دوله|مملكه|سلطنه|اماره|الجمهوريه|المملكه|الدوله)\s+)?$')


@dataclass(slots=True)
class Mention:
    start: int  # folded offsets over the whole phrase (honorifics, titles, name)
    end: int
    kind: str  # person | group | polity
    actors: tuple[Actor, ...]
    role: str | None = None  # office key when a title introduced the mention
    of: str | None = None  # country or body the title named
    via: str = "name"  # name | short | context | title | counterpart | coref | local | pronoun | group
    polity: str | None = None  # for kind == "polity"

    @property
    def actor(self) -> Actor | None:
        return self.actors[0] if len(self.actors) == 1 else None


@dataclass(slots=True)
class Resolved:
    mentions: list[Mention] = field(default_factory=list)
    places: list[tuple[int, int, str, str]] = field(default_factory=list)  # (start, end, place id, clitic)
    polity_hits: list[tuple[int, int, str, str]] = field(default_factory=list)  # (start, end, code, kind)
    warnings: list[str] = field(default_factory=list)


class MentionResolver:
    def __init__(self, kb: KnowledgeBase, gazetteer: Gazetteer):
        self.kb = kb
        self.gaz = gazetteer
        self._group_sizes = {fold_key(w): n for w, n in kb.triggers.get("group_sizes", {}).items()}
        self._common_words = frozenset(kb.common_words)
        reporting = kb.triggers["reporting"]
        self._common_verbs = frozenset(fold_key(w) for w in reporting["verbs"] + reporting["participles"]
                                       + kb.triggers["meeting"]["strong_verbs"] + kb.triggers["meeting"]["verbs_planned"])
        names = json.loads((KNOWLEDGE_DIR / "given_names.json").read_text(encoding="utf-8"))
        self._waw_names = frozenset(fold_key(w) for w in names["starting_with_waw"])
        # states whose rulers the base records as kings, emirs or sultans: only there is a
        # minister or a president's guest ever "الأمير"
        # first words of the names the base knows: "ناصر" before "الجابر" starts someone else's name
        self._given_names = frozenset(fold_key(name.split()[0]) for person in kb.persons.values()
                                      for name in person.names_ar if len(name.split()) >= 2) - frozenset(
                                          fold_key(w) for w in kb.common_words)
        self._country_shorts = {person.id: frozenset(fold_key(s) for s in person.short_ar_country)
                                for person in kb.persons.values() if person.short_ar_country}
        self._monarchies = frozenset(o.of for person in kb.persons.values() for o in person.offices
                                     if o.role in _ROYAL_ROLES)

    # -- entry point -------------------------------------------------------------------------
    def resolve(self, text: str, day: date | None, home: str | None,
                original: Callable[[int, int], str] | None = None) -> Resolved:
        """`original(start, end)` gives the raw words of a folded span, for names of local actors."""
        self._original = original or (lambda s, e: text[s:e])
        hits = self.gaz.find(text)
        out = Resolved()
        named = self._named_in_full(hits, text, day)
        i = 0
        while i < len(hits):
            hit = hits[i]
            consumed = 1
            kinds = hit.kinds
            if "place" in kinds:
                place = hit.first("place")
                out.places.append((hit.start, hit.end, place.ref, hit.clitic))
            if kinds & {"polity", "demonym"} and not kinds & {"person", "person_short", "title"}:
                entry = hit.first("polity", "demonym")
                out.polity_hits.append((hit.start, hit.end, entry.ref, entry.kind))
            if kinds & {"person", "person_short", "title", "honorific"} and _INSTITUTION_BEFORE.search(
                    text, max(0, hit.start - len(hit.clitic) - 14), hit.start - len(hit.clitic)):
                # "دارة الملك عبدالعزيز", "جامعة الملك سعود", "مطار الملك خالد": a name that names a place
                j = i + 1
                while j < len(hits) and hits[j].kinds & {"person", "person_short", "person_context", "title", "honorific"} \
                        and re.fullmatch(r"\s*", text[hits[j - 1].end:hits[j].start]):
                    j += 1
                i = j
                continue
            if "title" in kinds and not kinds & {"person", "person_short"} and not hit.clitic and \
                    _PRINCIPAL_BEFORE.search(text, max(0, hit.start - 12), hit.start):
                # "ممثل الأمين العام للأمم المتحدة فولكر بيرتس": the principal of someone else's office
                i += 1
                continue
            if kinds & {"person", "person_short"}:
                consumed = self._name(hits, i, text, day, out)
            elif "title" in kinds or "home_title" in kinds or "honorific" in kinds:
                consumed = self._titled(hits, i, text, day, home, named, out)
            elif "counterpart" in kinds:
                consumed = self._counterpart(hits, i, text, day, out)
            elif "group" in kinds:
                self._group(hits, i, text, out, named)
            elif "person_context" in kinds:
                self._context_short(hit, text, day, named, out)
            i += consumed
        self._pronouns(text, out, day)
        self._local_short_names(text, out)
        out.mentions.sort(key=lambda m: m.start)
        self._not_the_one_named_next(text, out)
        return out

    def _not_the_one_named_next(self, text: str, out: Resolved) -> None:
        """"رحب الرئيس بأخيه الرئيس الصومالي": a bare title read as the last holder named is the
        other party when that holder is named right after it in the same clause."""
        persons = [m for m in out.mentions if m.kind == "person" and m.actor]
        for index, m in enumerate(persons):
            if m.via != "coref" or index + 1 >= len(persons):
                continue
            nxt = persons[index + 1]
            if nxt.actor != m.actor or nxt.via == "coref" or nxt.start - m.end > 40 or \
                    re.search(r"[.\n؛]", text[m.end:nxt.start]):
                continue
            earlier = [p.actor for p in reversed(persons[:index]) if p.actor != m.actor and p.role == m.role]
            if earlier:
                m.actors = (earlier[0],)

    # -- names ---------------------------------------------------------------------------------
    def _named_in_full(self, hits: list[Hit], text: str, day: date | None) -> set[str]:
        """Persons a short form may refer back to: those named in full, and those whose
        country the report names while they hold office there ("شي" in a report on China)."""
        named = set()
        countries = set()
        for hit in hits:
            for entry in hit.entries:
                if entry.kind in ("person", "person_short"):
                    person = self.kb.persons[entry.ref]
                    if person.active_around(day):
                        named.add(person.id)
                elif entry.kind in ("polity", "demonym"):
                    countries.add(entry.ref)
        for hit in hits:
            for entry in hit.entries:
                if entry.kind == "person_context" and entry.ref not in named:
                    person = self.kb.persons[entry.ref]
                    if fold_key(text[hit.start:hit.end]) in self._country_shorts.get(person.id, ()) and \
                            any(o.of in countries for o in person.offices_on(day)):
                        named.add(person.id)
        return named

    def _pick_person(self, entries: tuple[Entry, ...], kinds: tuple[str, ...], day: date | None) -> Person | None:
        people = [self.kb.persons[e.ref] for e in entries if e.kind in kinds]
        if not people:
            return None
        in_office = [p for p in people if p.offices_on(day)]
        around = [p for p in people if p.active_around(day)]
        pool = in_office or around
        if not pool and "person" in kinds and len(people) == 1:
            return people[0]  # a full name is evidence enough, whatever office they hold now
        return pool[0] if pool else None

    def _name(self, hits: list[Hit], i: int, text: str, day: date | None, out: Resolved) -> int:
        hit = hits[i]
        if _FATHER_BEFORE.search(text, max(0, hit.start - len(hit.clitic) - 5), hit.start - len(hit.clitic)):
            return 1  # "سلمان بن سلطان بن عبدالعزيز": the father inside someone else's name
        person = self._pick_person(hit.entries, ("person", "person_short"), day)
        if person is None:
            return 1
        start = self._honorific_start(hits, i, text)
        end = hit.end
        consumed = 1
        # An apposition after the name ("سامح شكري، وزير الخارجية") describes the same person:
        # swallow it when the office it names is one this person holds.
        j = i + 1
        if j < len(hits) and ("title" in hits[j].kinds or "home_title" in hits[j].kinds) and _GAP_OK.match(text[end:hits[j].start]):
            chain_end, roles, quals, _ = self._title_chain(hits, j, text)
            if self._holds_any(person, roles, quals, day):
                end = hits[chain_end - 1].end
                consumed = chain_end - i
        via = "name" if hit.first("person") else "short"
        out.mentions.append(Mention(start, end, "person", (self.kb.actor_for_person(person),), via=via))
        return consumed

    def _context_short(self, hit: Hit, text: str, day: date | None, named: set[str], out: Resolved,
                       styled: bool = False) -> None:
        candidates = [self.kb.persons[e.ref] for e in hit.entries if e.kind == "person_context" and e.ref in named]
        if not candidates:
            return
        # "الجانب العربي": after a definite noun the word is an adjective, not a name (but "الفريق
        # البرهان" is a style and a name)
        if not styled and not hit.clitic and _after_definite_noun(text, hit.start):
            return
        person = candidates[0]
        before = re.search(r"([\u0621-\u064a]+)\s+$", text[max(0, hit.start - len(hit.clitic) - 20):hit.start - len(hit.clitic)])
        if before and not hit.clitic:
            word = before.group(1)
            own = {w for name in person.names_ar for w in fold_key(name).split()}
            if word not in own and word in self._given_names and not word.startswith("ال"):
                return  # "الشيخ ناصر الجابر الصباح": a given name we lack, then a name shared with another
        start = _HONORIFIC_BEFORE.search(text, max(0, hit.start - 30), hit.start)
        out.mentions.append(Mention(start.start() if start else hit.start, hit.end, "person",
                                    (self.kb.actor_for_person(person),), via="context"))

    def _honorific_start(self, hits: list[Hit], i: int, text: str) -> int:
        start = hits[i].start
        j = i - 1
        while j >= 0 and "honorific" in hits[j].kinds and _GAP_OK.match(text[hits[j].end:start]):
            start = hits[j].start
            j -= 1
        return start

    # -- titles --------------------------------------------------------------------------------
    def _title_chain(self, hits: list[Hit], i: int, text: str,
                     stop_at_new_phrase: bool = False) -> tuple[int, list[str], list[str], bool]:
        """Titles and qualifiers that belong together: "نائب رئيس الوزراء وزير الخارجية الأردني".
        Returns (index after the chain, role-table keys, qualifier codes, home-title seen)."""
        roles: list[str] = []
        quals: list[str] = []
        home = False
        last_title_text = ""
        j = i
        last_end = hits[i].start
        while j < len(hits):
            hit = hits[j]
            gap = text[last_end:hit.start]
            portfolio = (roles and not quals and self.kb.roles[roles[-1]].role_class == "minister"
                         and not text[hits[j - 1].start:hits[j - 1].start + 2] == "ال"  # "الوزير" takes no portfolio
                         and hit.kinds & {"demonym", "polity"}
                         and (_PORTFOLIO_GAP.match(gap) or _PORTFOLIO_GAP.match(gap.rstrip() + " "))
                         # a title that names its portfolio ("وزير الخارجية") only extends it with و
                         and (roles[-1] in _GENERIC_MINISTER or gap.lstrip().startswith("و")))
            # "وزير الاقتصاد والمالية الفرنسي", "وزير الخارجية وشؤون الكومنولث في المملكة المتحدة"
            if j > i and not (_GAP_OK.match(gap) or _QUALIFIER_GAP.match(gap) or portfolio):
                break
            kinds = hit.kinds
            if kinds & {"person", "person_short"} and not kinds & {"title", "polity", "demonym"}:
                break
            if roles and kinds & {"title", "home_title"} and re.match(r"\s+(?:بن|ابن|بنت)\s", text[hit.end:hit.end + 6]):
                break  # "وزير الدولة سلطان بن سعد": a given name, not the title of a sultan
            if roles and kinds & {"title", "home_title"} and "باسم" in gap and \
                    self.kb.roles[roles[-1]].role_class == "spokesperson":
                break  # "المتحدث باسم الرئيس النيجيري بولا تينوبو": the principal is someone else
            if ("title" in kinds or "home_title" in kinds) and roles and (
                    hit.clitic.endswith("ل") or (last_title_text in _DEPENDENT_TITLES and not hit.clitic.startswith("و"))):
                pass  # "المبعوث الخاص للرئيس الأمريكي", "مستشار الرئيس الروسي": the envoy's, the adviser's phrase
            elif "title" in kinds or "home_title" in kinds:
                specific = quals or any(self.kb.roles[r].implies for r in roles) or \
                    (roles and roles[-1] in _MANY_HOLDERS and last_title_text not in _DEPENDENT_TITLES)
                if specific and not hit.clitic.startswith("و") and stop_at_new_phrase:
                    # "الوزير الروسي أمين المجلس ..." may be two people (subject, object) or one
                    # (apposition); the caller decides by who holds what.
                    break
                title = hit.first("title", "home_title")
                roles.append(title.ref)
                last_title_text = text[hit.start:hit.end]
                home = home or title.kind == "home_title"
            elif kinds & {"demonym", "polity"}:
                if not roles:
                    break
                quals.append(hit.first("demonym", "polity").ref)
            elif "honorific" in kinds:
                pass
            else:
                break
            last_end = hit.end
            j += 1
        return j, roles, quals, home

    def _holds_any(self, person: Person, roles: list[str], quals: list[str], day: date | None) -> bool:
        offices = person.offices_on(day) or list(person.offices)
        for key in roles:
            role = self.kb.roles.get(key)
            if role is None:
                continue
            for office in offices:
                if office.role == role.key or (not role.in_kb and self._class_of(office.role) == role.role_class):
                    if not quals or office.of in quals or role.implies:
                        return True
        return not roles

    def _class_of(self, role_key: str) -> str | None:
        role = self.kb.roles.get(role_key)
        return role.role_class if role else None

    def _titled(self, hits, i, text, day, home, named, out: Resolved) -> int:
        start = self._honorific_start(hits, i, text)
        # Leading honorifics: skip them, a name or title follows.
        j = i
        while j < len(hits) and hits[j].kinds == {"honorific"}:
            if j + 1 < len(hits) and not _GAP_OK.match(text[hits[j].end:hits[j + 1].start]) and \
                    hits[j + 1].kinds == {"honorific"}:
                break  # "السيدة متسيبو راماكواي. وفي ... سمو": honorifics of two phrases
            j += 1
        if j >= len(hits):
            return j - i
        if j > i and not _GAP_OK.match(text[hits[j - 1].end:hits[j].start]):
            # "سعادة يوهان ليندبرغ سفير مملكة السويد": an honorific, a name we lack, then the title
            name = _NAME_BEFORE_TITLE.fullmatch(text[hits[j - 1].end:hits[j].start])
            if name and "title" in hits[j].kinds:
                chain_end, roles, quals, _home = self._title_chain(hits, j, text, stop_at_new_phrase=True)
                words = name.group(1).split()
                if roles and 2 <= len(words) <= 4 and not any(fold_key(w) in _NAME_STOP for w in words):
                    s, e = name.start(1) + hits[j - 1].end, name.end(1) + hits[j - 1].end
                    out.mentions.append(Mention(start, hits[chain_end - 1].end, "person",
                                                (_local_actor(self._original(s, e)),),
                                                role=self.kb.roles[roles[-1]].key, of=quals[0] if quals else None,
                                                via="local"))
                    return chain_end - i
            return j - i
        hit = hits[j]
        if hit.kinds & {"person", "person_short"}:
            return (j - i) + self._name(hits, j, text, day, out) if j > i else self._name(hits, j, text, day, out)
        if j > i and "person_context" in hit.kinds and not hit.kinds & {"title", "home_title"}:
            # "وكان الفريق البرهان قد وصل": a style, then the surname of someone named before
            self._context_short(hit, text, day, named, out, styled=True)
            return j - i + 1
        if hit.kinds == {"honorific"} or not hit.kinds & {"title", "home_title", "honorific"}:
            return max(1, j - i)
        chain_end, roles, quals, home_title = self._title_chain(hits, j, text, stop_at_new_phrase=True)
        if not roles:
            return max(1, chain_end - i)
        feminine = _feminine_title(text[hits[j].start:hits[j].end])
        if self._adjectival(text, start, hits[j]) and chain_end == j + 1 and not quals:
            return max(1, chain_end - i)  # "مشكلة العدو الرئيسة": an adjective, not a president
        end = hits[chain_end - 1].end
        # Another titled phrase right after a qualified one: one person in apposition when
        # that person holds the first office too, else two people.
        if quals and chain_end < len(hits) and "title" in hits[chain_end].kinds and _GAP_OK.match(text[end:hits[chain_end].start]):
            scratch = Resolved(mentions=list(out.mentions))
            used = self._titled(hits, chain_end, text, day, home, named, scratch)
            later = scratch.mentions[len(out.mentions):]
            if later and later[0].actor and self._appositive(later[0].actor, roles, quals, day):
                merged = later[0]
                merged.start = start
                out.mentions.append(merged)
                return (chain_end - i) + used
        # A name after the title's complement wins too ("المبعوث الخاص للرئيس الأمريكي إلى الشرق
        # الأوسط ستيف ويتكوف", "سفير الكويت لدى مصر فلان").
        k = chain_end
        while k < len(hits) and hits[k].kinds <= {"place", "polity", "demonym"} and hits[k].start - end < 45:
            k += 1
        indefinite = text[hits[j].start:hits[j].start + 2] != "ال"
        gap_to_name = text[end:hits[k].start] if k < len(hits) else ""
        portfolio_words = _PORTFOLIO_GAP.match(gap_to_name) and not any(
            fold_key(w) in _NAME_STOP or fold_key(w) in self._common_verbs for w in gap_to_name.split())
        # ... and after a long portfolio and a comma, when the person named holds that office
        # ("وزير الشؤون الخارجية والتعاون والموريتانيين في الخارج، إسماعيل ولد الشيخ أحمد")
        described_then_named = (_PORTFOLIO_COMMA_GAP.match(gap_to_name) and k < len(hits) and not any(
            fold_key(w) in _NAME_STOP or fold_key(w) in self._common_verbs for w in gap_to_name.split())
            and (p := self._pick_person(hits[k].entries, ("person", "person_short"), day)) is not None
            and self._holds_any(p, roles, quals, day))
        given_name_first = (k < len(hits) and not hits[k].kinds & {"person"} and re.search(r"[\u0621-\u064a]\s$", gap_to_name)
                            and (p := self._pick_person(hits[k].entries, ("person_short",), day)) is not None
                            and not self._holds_any(p, roles, quals, day))  # "... لدى نواكشوط حميد الزياني"
        if k < len(hits) and hits[k].kinds & {"person", "person_short"} and not _GAP_OK.match(gap_to_name) and (
                _COMPLEMENT_GAP.match(gap_to_name) or (indefinite and portfolio_words) or described_then_named) \
                and not given_name_first:
            # ... and after a minister's portfolio ("وزير الاقتصاد والطاقة زيغمار غابرييل")
            return (k - i) + self._name_after_title(hits, k, start, roles, quals, day, out)
        # A name right after the titles wins.
        if chain_end < len(hits) and _GAP_OK.match(text[end:hits[chain_end].start]):
            nxt = hits[chain_end]
            if nxt.kinds & {"person", "person_short"}:
                return (chain_end - i) + self._name_after_title(hits, chain_end, start, roles, quals, day, out)
            if "person_context" in nxt.kinds:
                named_entries = tuple(e for e in nxt.entries if e.kind == "person_context" and e.ref in named)
                person = self._pick_person(named_entries, ("person_context",), day)
                if person:
                    out.mentions.append(Mention(start, nxt.end, "person", (self.kb.actor_for_person(person),),
                                                role=self.kb.roles[roles[-1]].key, via="name"))
                    return chain_end - i + 1
        former = _FORMER.match(text, end)
        if former:
            # "الرئيس الأمريكي الأسبق بيل كلينتون": not today's holder; the name that follows
            after = chain_end
            if after < len(hits) and hits[after].kinds & {"person", "person_short"} and hits[after].start - former.end() <= 2:
                return (after - i) + self._name_after_title(hits, after, start, roles, quals, day, out)
            local_name, name_end = self._read_unknown_name(text, former.end(), hits, chain_end)
            if local_name:
                out.mentions.append(Mention(start, name_end, "person", (_local_actor(local_name),),
                                            role=self.kb.roles[roles[-1]].key, of=quals[0] if quals else None, via="local"))
            return max(1, chain_end - i)
        quals = quals or [self.kb.roles[r].implies for r in roles if self.kb.roles[r].implies][:1]
        if home_title and not quals and home:
            quals = [home]
        if roles[-1] in _MANY_HOLDERS:
            # a state has many envoys at once: a name printed after the title is this one's, whoever
            # else the base knows ("الموفد الشخصي للرئيس الروسي إلى سوريا ألكسندر لافرنتييف")
            local_name, name_end = self._read_unknown_name(text, end, hits, chain_end)
            if local_name:
                out.mentions.append(Mention(start, name_end, "person", (_local_actor(local_name),),
                                            role=self.kb.roles[roles[-1]].key, of=quals[0] if quals else None,
                                            via="local"))
                return chain_end - i
        # "الموفد الروسي" alone is one of several envoys: the base's holder is a guess, not a reading
        person = None if roles[-1] in _MANY_HOLDERS else self._holder(roles, quals, day)
        generic = all(not self.kb.roles[r].in_kb for r in roles)
        if person is None and generic and quals:
            person = self._coreference(roles, out, day, home, of=quals[0], feminine=feminine)
        if person is None:
            generic_title = roles[-1] in _GENERIC_MINISTER and not text[hits[j].start:hits[j].start + 2] == "ال"
            local_name, name_end = self._read_unknown_name(text, end, hits, chain_end, portfolio=generic_title,
                                                           office=(roles, quals, day))
            if local_name and not quals:
                # "نائب وزير الخارجية وشؤون المغتربين في اليمن مصطفى نعمان": the complement names the state
                quals = [h.first("polity").ref for h in hits[chain_end:] if h.start < name_end - len(local_name)
                         and "polity" in h.kinds and h.start - end < 60][:1]
            if local_name and (quals or any(not self.kb.roles[r].in_kb for r in roles) or self._last_name_direct):
                # "وزير الداخلية عبد الوافي لفتيت": a name right after the title, whoever holds it in the KB
                actor = _local_actor(local_name)
                tail = next((h for h in hits[chain_end:] if h.start >= name_end), None)
                known = tail is not None and tail.start - name_end <= 1 and \
                    self._pick_person(tail.entries, ("person", "person_short"), day)
                if known and self._holds_any(known, roles, quals, day):
                    # "الوزير الأول إسماعيل ولد ابده ولد الشيخ سيديا": the words we could not read
                    # begin the name of the holder the base knows by its end
                    out.mentions.append(Mention(start, tail.end, "person", (self.kb.actor_for_person(known),),
                                                role=self.kb.roles[roles[-1]].key, of=quals[0] if quals else None,
                                                via="name"))
                    return hits.index(tail) + 1 - i
                role_key = self.kb.roles[roles[-1]].key
                apposition = next((h for h in hits[chain_end:] if h.start >= name_end), None)
                if apposition is not None and "title" in apposition.kinds and \
                        re.fullmatch(r"\s*[،,]\s*", text[name_end:apposition.start]):
                    # "المستشار أحمد فهمي، المتحدث الرسمي باسم الرئاسة": the office he is cited in,
                    # so that "وأضاف المتحدث الرسمي" refers back to him
                    role_key = self.kb.roles[apposition.first("title").ref].key
                out.mentions.append(Mention(start, name_end, "person", (actor,), role=role_key,
                                            of=quals[0] if quals else None, via="local"))
                # the words of the name are read: none of them starts another mention
                return max(chain_end, next((n for n in range(chain_end, len(hits)) if hits[n].start >= name_end),
                                           len(hits))) - i
            local_title = any(not self.kb.roles[r].in_kb for r in roles)
            before = self._name_before_title(text, start, hits, i, out, coordinated_only=not (quals or local_title))
            if before is not None:
                # '"كاتالين نوفاك" رئيسة المجر', "آرمين لاشيت نائب رئيس البرلمان الأوروبي": the name
                # stands before its title
                name_start, name = before
                out.mentions.append(Mention(name_start, end, "person", (_local_actor(name),),
                                            role=self.kb.roles[roles[-1]].key, of=quals[0] if quals else None,
                                            via="local"))
                return chain_end - i
        bare = chain_end == j + 1 and " " not in text[hits[j].start:hits[j].end].strip()
        construct = indefinite and bare and re.match(r"\s*[\u0621-\u064a]", text[end:end + 3]) is not None
        if person is None and not quals and not construct:
            # "الوزير الروسي", "المتحدث الروسي": someone of that country already named; but "رئيس جهاز
            # الاستخبارات" is the head of something else, not the president named before
            person = self._coreference(roles, out, day, home, of=quals[0] if quals else None, feminine=feminine)
            via = "coref"
        else:
            via = "title"
        if person is not None and via == "title" and _MANY_AT_ONCE.match(text, hits[j].start):
            # "علي رضا عنايتي مساعد وزير الخارجية الإيراني": a state has several deputies at once;
            # a name printed before the title is this one's
            before = self._name_before_title(text, start, hits, i, out)
            if before is not None:
                name_start, name = before
                out.mentions.append(Mention(name_start, end, "person", (_local_actor(name),),
                                            role=self.kb.roles[roles[-1]].key, of=quals[0] if quals else None,
                                            via="local"))
                return max(1, chain_end - i)
        if person is not None:
            end = self._own_name_after(text, end, person)
            out.mentions.append(Mention(start, end, "person", (self.kb.actor_for_person(person),),
                                        role=self.kb.roles[roles[-1]].key, of=quals[0] if quals else None, via=via))
        elif not construct:
            local = self._local_coreference([self.kb.roles[r].key for r in roles], quals[0] if quals else None, out,
                                            feminine=feminine)
            if local is not None:
                out.mentions.append(Mention(start, end, "person", (local,), role=self.kb.roles[roles[-1]].key,
                                            of=quals[0] if quals else None, via="local"))
        return max(1, chain_end - i)

    def _own_name_after(self, text: str, end: int, person: Person) -> int:
        """"أمير الكويت الشيخ مشعل الصباح": a form of the holder's name the base does not list,
        printed after the title, starts with the holder's given name: the mention takes it in."""
        given = {fold_key(name.split()[0]) for name in person.names_ar if name.split()}
        match = _NAME_WORDS_AFTER.match(text, end)
        if not match or fold_key(match.group(1)) not in given:
            return end
        return match.end()

    def _appositive(self, actor: Actor, roles: list[str], quals: list[str], day: date | None) -> bool:
        person = self.kb.persons.get(actor.key)
        if person is None:
            return False
        for key in roles:
            role = self.kb.roles[key]
            for office in person.offices_on(day) or person.offices:
                same_role = office.role == role.key or (not role.in_kb and self._class_of(office.role) == role.role_class)
                if same_role and (not quals or office.of in quals):
                    return True
        return False

    @staticmethod
    def _adjectival(text: str, start: int, hit: Hit) -> bool:
        """"الرئيس/الرئيسة" right after a definite noun is the adjective "main" ("العدو الرئيس")."""
        if hit.clitic or text[hit.start:hit.end] not in _ADJECTIVE_TITLES:
            return False
        return _after_definite_noun(text, start)

    def _name_after_title(self, hits, k, start, roles, quals, day, out: Resolved) -> int:
        hit = hits[k]
        person = self._pick_person(hit.entries, ("person", "person_short"), day)
        if person is None:
            return 1
        out.mentions.append(Mention(start, hit.end, "person", (self.kb.actor_for_person(person),),
                                    role=self.kb.roles[roles[-1]].key, of=quals[0] if quals else None, via="name"))
        return 1

    def _holder(self, roles: list[str], quals: list[str], day: date | None) -> Person | None:
        for key in reversed(roles):
            role = self.kb.roles[key]
            if not role.in_kb:
                continue
            for of in quals:
                found = self.kb.holders(role.key, of, day)
                if found:
                    return found[0]
        return None

    def _coreference(self, roles: list[str], out: Resolved, day: date | None, home: str | None,
                     of: str | None = None, feminine: bool = False) -> Person | None:
        """A bare title: the home state's holder if already named, else the last person named who holds it.
        A feminine title (وزيرة، رئيسة) refers only to a woman."""
        keys = [self.kb.roles[r] for r in roles]
        if any(r.needs_qualifier for r in keys) and len(keys) == 1 and keys[0].role_class not in ("head_of_state",):
            wanted_classes = {r.role_class for r in keys}
        else:
            wanted_classes = set()
        mentioned = [m.actor for m in reversed(out.mentions) if m.kind == "person" and m.actor is not None]
        people = [self.kb.persons[a.key] for a in mentioned if a.key in self.kb.persons]

        def fits(person: Person) -> bool:
            if feminine and person.gender != "f":
                return False
            for office in person.offices_on(day):
                if of and office.of != of:
                    continue
                if any(r.key in _ROYAL_ROLES for r in keys) and office.of not in self._monarchies:
                    continue  # "الأمير" is nobody of a republic
                for role in keys:
                    if office.role == role.key or role.key == "official":
                        return True
                    if (not role.in_kb or role.needs_qualifier) and self._class_of(office.role) in (wanted_classes or {role.role_class}):
                        return True
            return False

        if home:
            for person in people:
                if fits(person) and any(o.of == home for o in person.offices_on(day)):
                    return person
        for person in people:
            if fits(person):
                return person
        if home and not any(r.needs_qualifier for r in keys):
            return self._holder(roles, [home], day)
        return None

    def _local_coreference(self, roles: list[str], of: str | None, out: Resolved, feminine: bool = False) -> Actor | None:
        """"السفير الإيطالي" after "سفير إيطاليا ماركو فيتوريني": a local actor named with that title."""
        for m in reversed(out.mentions):
            if m.kind != "person" or not m.actor or m.role not in roles:
                continue
            if of is not None and m.of != of and not (m.of is None and m.actor.is_local):
                continue  # "الرئيس البلغاري" never refers back to Algeria's president
            person = self.kb.persons.get(m.actor.key)
            if feminine and person is not None and person.gender != "f":
                continue  # "وزيرة الخارجية" is not the minister named before her
            return m.actor  # introduced with this title earlier: "وزير الاقتصاد ... غابرييل" ... "الوزير الألماني"
        return None

    def _name_before_title(self, text: str, title_start: int, hits: list[Hit], i: int,
                           out: Resolved, coordinated_only: bool = False) -> tuple[int, str] | None:
        """Two to four plain words right before a qualified title, set off from what precedes them
        by punctuation or a verb: a person the knowledge base lacks, named first, titled after."""
        k = i - 1
        while k >= 0 and hits[k].kinds <= {"person_context"}:
            k -= 1  # a surname shared with someone not named here is just a word of this name
        floor = max(hits[k].end if k >= 0 else 0, out.mentions[-1].end if out.mentions else 0)
        window = text[max(floor, title_start - 60):title_start]
        if window[-1:].isalpha():
            return None  # "... أزمة المناخ والمحافظة": a clitic on the title starts a new phrase
        tail = _NAME_BEFORE_TAIL.search(window)  # the quote/comma between the name and its title
        words = list(re.finditer(r"[\u0621-\u064a]+", window[:tail.start()]))
        if window[words[-1].end():tail.start()].strip() if words else True:
            return None
        offset = title_start - len(window)
        for size in (4, 3, 2):  # the longest run of name-like words that something opens
            if len(words) < size:
                continue
            run = words[-size:]
            if any(window[a.end():b.start()].strip() for a, b in zip(run, run[1:])):
                continue  # punctuation inside: not one name
            folded = [fold_key(w.group()) for w in run]
            # "...، وآرمين لاشيت نائب رئيس البرلمان الأوروبي": the next item of a list, after its و
            coordinated = folded[0].startswith("و") and len(folded[0]) > 3 and \
                window[:run[0].start()].rstrip().endswith(("،", ","))
            if coordinated_only and not coordinated:
                continue
            if coordinated:
                folded[0] = folded[0][1:]
            if folded[0].startswith("ال") or folded[0] in _NAME_STARTS_NEVER or _STATE_WORD.match(folded[0]):
                continue
            # "علي" is the name Ali when printed with ya; folded, it is also the preposition على
            stops = [w in _NAME_STOP and not (w == "علي" and self._original(offset + t.start(), offset + t.end()).endswith("ي"))
                     for w, t in zip(folded, run)]
            if any(w in self._common_words or w in self._common_verbs for w in folded) or any(stops):
                continue
            if any(w[:1] in ("ب", "ل") and w[1:] in self._common_words for w in folded):
                continue  # "عن سروره بلقاء ولي العهد": a preposition on a common noun is no name
            lead = window[:run[0].start()]
            quoted = lead.rstrip(" ")[-1:] in ('"', "“", "«")
            lead = lead.rstrip(' "“«')
            last = fold_key(lead.split()[-1]) if lead.split() else ""
            if last[:1] in ("و", "ف") and last[1:] in self._common_verbs:
                last = last[1:]  # "ولفت علي رضا عنايتي مساعد الوزير"
            opener = quoted or lead[-1:] in ("،", ",", ".", ":", "\n", "") or last in self._common_verbs or \
                last in self._common_words or last in _BEFORE_A_NAME
            if opener:
                first = offset + run[0].start() + (1 if coordinated else 0)
                return first, self._original(first, offset + run[-1].end())
        return None

    def _read_unknown_name(self, text: str, pos: int, hits: list[Hit], next_hit: int,
                           portfolio: bool = False,
                           office: tuple[list[str], list[str], date | None] | None = None) -> tuple[str | None, int]:
        """The name a title introduces when the knowledge base lacks it. A complement may come
        first ("باسم ميليشيا الحوثي", "لدى مصر", "لشؤون مجلس التعاون الخليجي السفير"); the name is
        the last two or three words before a function word or punctuation, none of them a known
        place, country, title or function word."""
        self._last_name_direct = False
        tokens: list[tuple[int, int, str, bool]] = []  # start, end, word, known
        cursor = pos
        k = next_hit
        title_follows = False
        after_comma = False
        comma_at = 0
        father_end = -1  # end of a known name read as a father's inside this one
        honorific_ends: set[int] = set()  # "... السيدة متسيبو راماكواي": a name right after السيد/السيدة
        if re.search(r"(?<![\u0621-\u064a])(?:السيد|السيده|الدكتور|الدكتوره|الشيخ|الاستاذ)\s*$", text[max(0, pos - 14):pos]):
            honorific_ends.add(pos)  # the title's chain already took the honorific
        for match in _TOKEN.finditer(text, pos, min(len(text), pos + 120)):
            gap = text[cursor:match.start()].strip(' "“”«»')  # a name may be printed in quotes
            described = tokens and all(t[3] or fold_key(t[2]).startswith(("ال", "ب", "ل")) or _STATE_WORD.match(fold_key(t[2]))
                                       for t in tokens)
            if gap and (not tokens or described) and gap in ("،", ",") and not after_comma:
                # "الرئيس البلغاري، رومان راديف", "مدير الديوان برئاسة الجمهورية، عبد العزيز خلف": a name in
                # apposition after a comma, right after the title or the words that describe the office
                after_comma = True
                comma_at = len(tokens)
            elif gap:
                break  # punctuation or a line break ends the phrase
            while k < len(hits) and hits[k].end <= match.start():
                k += 1
            hit = hits[k] if k < len(hits) and hits[k].start - len(hits[k].clitic) <= match.start() < hits[k].end else None
            if hit is not None and ((tokens and fold_key(tokens[-1][2]) in _NAME_LINKS) or hit.end <= father_end):
                # "بن سلطان", "بن سلطان بن عبدالعزيز": after a link of a name, the father's name
                father_end = max(father_end, hit.end)
                hit = None
            if hit is not None and "title" in hit.kinds and re.match(r"\s+(?:بن|ابن|بنت)\s", text[hit.end:hit.end + 6]):
                hit = None  # "سلطان بن سعد": a given name that is also a title, then a father
            if hit is not None and "title" in hit.kinds and "honorific" not in hit.kinds:
                # another title: in apposition (no clitic), the name is all we read or after it;
                # after a preposition or و ("بالوزير", "ووزير") a new phrase starts
                title_follows = not hit.clitic
                break
            if office is not None and hit is not None and hit.kinds & {"person_short"} and not hit.kinds & {"person"} \
                    and tokens and not tokens[-1][3] and cursor == match.start() - 1 and not hit.clitic:
                # "سفير المملكة لدى نواكشوط حميد الزياني": a given name we lack, then a surname the
                # base knows for someone who does not hold this office: one unknown name
                known = self._pick_person(hit.entries, ("person_short",), office[2])
                if known is not None and not self._holds_any(known, *office):
                    hit = None
            if hit is not None and (hit.kinds & {"person", "person_short", "counterpart"}
                                    or (hit.clitic.startswith("و") and match.start() < hit.start)):
                break  # someone else, or a coordinated phrase
            word = match.group()
            folded = fold_key(word)
            if hit is not None and hit.kinds <= {"person_context"}:
                hit = None  # a surname shared with someone not named here: just a word
            # the name Ali, not the preposition على: printed with ya, or (Egyptian spelling "على")
            # followed by a word that is no definite noun ("على رضا غوناي" vs "على العلاقات")
            following = re.match(r"\s+([\u0621-\u064a]+)", text[match.end():match.end() + 20])
            name_like_next = following is not None and not following.group(1).startswith("ال") and \
                len(following.group(1)) >= 3 and fold_key(following.group(1)) not in _AFTER_ALA and \
                fold_key(following.group(1)) not in _NAME_STOP and fold_key(following.group(1)) not in self._common_words \
                and not _VERBAL_NOUN.fullmatch(fold_key(following.group(1)))  # "على تدعيم", "على تعزيز"
            inside_name = bool(tokens) and not tokens[-1][3] and not fold_key(tokens[-1][2]).startswith("ال") and \
                fold_key(tokens[-1][2]) not in self._common_words  # "محمد علي"
            ali = folded == "علي" and (
                (self._original(match.start(), match.end()).endswith("ي") and (name_like_next or inside_name))
                or (all(t[3] for t in tokens) and name_like_next))
            complement = folded == "في" and tokens and any(
                h.kinds & {"polity", "place"} and 0 < h.start - match.end() <= 2 for h in hits[k:k + 2])
            if hit is None and not ali and not complement and (
                    folded in _NAME_STOP or (folded.startswith("و") and fold_key(word[1:]) in _NAME_STOP)):
                break  # "في اليمن" after the office's words is its complement; else "في" ends the name
            known = hit is not None or folded in _COMPLEMENT_WORDS or complement
            if known and hit is None and tokens and fold_key(tokens[-1][2]) in _NAME_LINKS:
                known = False  # "عبد الله": after a link of a name, a word of the name
            if hit is not None and "honorific" in hit.kinds:
                honorific_ends.add(match.end())
            if portfolio and all(t[3] for t in tokens) and (folded.startswith("ال") or folded.startswith("و")
                                                             or (not tokens and folded in self._common_words)):
                known = True  # "وزير التخطيط والتعاون الدولي عماد الفاخوري": the portfolio, then the name
            tokens.append((match.start(), match.end(), word, known))
            cursor = match.end()
            if len(tokens) == 10:
                break
        def plain(token: tuple[int, int, str, bool]) -> bool:
            # a leading و is the conjunction, unless the word is a given name (وليد، وائل)
            return not token[3] and (not token[2].startswith("و") or fold_key(token[2]) in self._waw_names
                                     or fold_key(token[2]) in _NAME_LINKS)  # "ولد" in Mauritanian names

        def fits(run: list[tuple[int, int, str, bool]]) -> bool:
            words = [fold_key(t[2]) for t in run]
            # after السيد/السيدة a Maghrebi given name may carry the article ("السيد العربي ولد خليفة")
            definite_ok = any(0 <= run[0][0] - e <= 2 for e in honorific_ends) and words[0] not in self._common_words
            # names may hold a common word ("مساعد بن محمد العيبان") but are not made of them
            # ("تعزيز علاقات التعاون", "مطلع الشهر الجاري")
            common = [w in self._common_words for w in words if w not in _NAME_LINKS]
            compound_end = len(words) >= 2 and words[-2] in ("عبد", "ابو")  # "... عبد الله", "... أبو بكر"
            family = words[-1] in DYNASTIES  # "... المبارك الصباح": the ruling family, not "the morning"
            if (words[-1] in self._common_words and not compound_end and not family) or all(common) \
                    or _STATE_WORD.match(words[0]):
                return False
            if any(w.startswith(_PREPOSITION_ARTICLE) for w in words):
                return False  # "بحر العلوم بالضيف", "الرئيس بالعلاقات": a preposition with an article ends a name

            closed = re.match(r"\s*(?:[،,.:\n]|$)", text[run[-1][1]:run[-1][1] + 3]) is not None
            links = sum(w in _NAME_LINKS for w in words[1:-1])
            return (all(plain(t) for t in run) and (definite_ok or not words[0].startswith("ال"))
                    and words[0] not in _NAME_STARTS_NEVER and words[-1] not in _NAME_LINKS
                    and (len(run) <= 3 or (links and (len(run) <= 5 or links >= 2)) or (closed and len(run) <= 5)))

        # runs of plain words between known words: the name is the first run right after the
        # title ("صاحبة غفاروفا في باكو"), else the first run after the title's complement
        # ("باسم ميليشيا الحوثي محمد عبدالسلام", "لدى مصر مهند سليم العبادي")
        runs: list[list[tuple[int, int, str, bool]]] = []
        current: list[tuple[int, int, str, bool]] = []
        for index, token in enumerate(tokens):
            if after_comma and index == comma_at and current:
                runs.append(current)  # the comma ends the office's words; the name starts after it
                current = []
            if plain(token):
                current.append(token)
            else:
                if current:
                    runs.append(current)
                current = []
        if current:
            runs.append(current)
        if title_follows and not (len(runs) == 1 and len(runs[0]) == len(tokens)):
            return None, pos  # "وزير الدولة عضو مجلس الوزراء مستشار ...": titles in apposition
        for index, run in enumerate(runs):
            at_start = run[0] is tokens[0]
            if at_start:
                # the whole run, or its first words when a prepositional phrase follows them
                # ("ثامر الغضبان لسكاي نيوز عربية")
                candidates = [run[:size] for size in (7, 6, 5, 4, 3, 2) if len(run) >= size and (
                    size == len(run) or size >= 4 or fold_key(run[size][2])[:1] in ("ل", "ب"))
                    and (size <= 5 or sum(fold_key(t[2]) in _NAME_LINKS for t in run[:size]) >= 2)]
            else:
                # a Gulf name with its ancestors may be long: "الأمير يزيد بن محمد بن فهد آل فرحان"
                candidates = [run[-size:] for size in (7, 6, 5, 4, 3, 2) if len(run) >= size and (
                    size <= 5 or sum(fold_key(t[2]) in _NAME_LINKS for t in run[-size:]) >= 2)]
            if after_comma:
                # only a name that closes its own phrase: "، رومان راديف،" not "، اليوم بحث ..."
                if run[0] is not tokens[comma_at] if comma_at < len(tokens) else True:
                    continue
                at_start = True
                candidates = [run[:size] for size in (5, 4, 3, 2) if len(run) >= size]
                candidates = [c for c in candidates if re.match(r"\s*(?:[،,.:\n]|$)", text[c[-1][1]:c[-1][1] + 3])]
            if not after_comma:
                described = [k for k, t in enumerate(run) if fold_key(t[2]) in self._common_words
                             or fold_key(t[2]).startswith("ال")]
                # "نائب رئيس مجلس السيادة مالك عقار": the office's own words, then the name
                if at_start and described and 2 <= len(run) - described[-1] - 1 <= 4:
                    candidates.append(run[described[-1] + 1:])
                # "... ديرك شولي أبرز المستجدات", "محافظ عدن عبد العزيز المفلحي اليوم": the name, then
                # the verb's object or a time word
                common_at = [k for k, t in enumerate(run) if fold_key(t[2]) in self._common_words]
                if common_at and 2 <= common_at[0] <= 4:
                    candidates.append(run[:common_at[0]])
            for candidate in candidates:
                if fits(candidate):
                    honoured = any(0 <= candidate[0][0] - e <= 2 for e in honorific_ends)
                    self._last_name_direct = at_start or honoured
                    return self._original(candidate[0][0], candidate[-1][1]), candidate[-1][1]
            single_common = len(run) == 1 and fold_key(run[0][2]) in self._common_words  # "الدولية", not a surname
            if at_start and not single_common and (len(run) == 1 or not any(fold_key(t[2]) in self._common_words for t in run)):
                return None, pos  # a surname right after the title ("السفير الصقعبي"): no new name here
            # otherwise the run describes the office ("رئيس لجنة الشؤون الدولية في مجلس الدوما"):
            # the name comes after it
        return None, pos

    # -- counterparts, groups, pronouns --------------------------------------------------------------
    def _counterpart(self, hits, i, text, day, out: Resolved) -> int:
        hit = hits[i]
        j = i + 1
        quals: list[str] = []
        end = hit.end
        while j < len(hits) and hits[j].kinds & {"demonym", "polity"} and _QUALIFIER_GAP.match(text[end:hits[j].start]):
            quals.append(hits[j].first("demonym", "polity").ref)
            end = hits[j].end
            j += 1
        if j < len(hits) and hits[j].kinds & {"person", "person_short"} and _GAP_OK.match(text[end:hits[j].start]):
            person = self._pick_person(hits[j].entries, ("person", "person_short"), day)
            if person:
                out.mentions.append(Mention(hit.start, hits[j].end, "person", (self.kb.actor_for_person(person),),
                                            of=quals[0] if quals else None, via="name"))
                return j - i + 1
        anchor = next((m for m in reversed(out.mentions) if m.kind == "person" and m.actor), None)
        role = self._anchor_role(anchor, day)
        person = None
        if role and quals:
            found = self.kb.holders(role, quals[0], day)
            person = found[0] if found else None
        if person is None and quals:
            local_name, name_end = self._read_unknown_name(text, end, hits, j)
            if local_name:
                out.mentions.append(Mention(hit.start, name_end, "person", (_local_actor(local_name),),
                                            role=role, of=quals[0], via="local"))
                return j - i
        if person is not None:
            out.mentions.append(Mention(hit.start, end, "person", (self.kb.actor_for_person(person),),
                                        role=role, of=quals[0] if quals else None, via="counterpart"))
        return j - i

    def _anchor_role(self, anchor: Mention | None, day: date | None) -> str | None:
        if anchor is None:
            return None
        person = self.kb.persons.get(anchor.actor.key)
        royal_style = anchor.role in _ROYAL_ROLES and person is not None and \
            not any(o.role == anchor.role for o in person.offices_on(day))  # "الأمير فيصل بن فرحان" is a minister
        if anchor.role and not royal_style and any(r.key == anchor.role and r.in_kb for r in self.kb.roles.values()):
            return anchor.role
        if person is None:
            return anchor.role
        held = {o.role for o in person.offices_on(day)}
        for key in _OFFICE_PRIORITY:
            if key in held:
                return key
        return next(iter(held), None)

    def _group(self, hits: list[Hit], i: int, text: str, out: Resolved, named: set[str]) -> None:
        """"الجانبان", "الزعيمان": the last two persons named; "القادة الثلاثة": the last three.
        Not when names follow ("الرئيسان سعيد وتبون"): those names are the mentions."""
        hit = hits[i]
        nxt = hits[i + 1] if i + 1 < len(hits) else None
        names_follow = nxt and (nxt.kinds & {"person", "person_short"} or any(
            e.kind == "person_context" and e.ref in named for e in nxt.entries))
        if names_follow and _GAP_OK.match(text[hit.end:nxt.start]):
            return
        size = 2
        word = hit.first("group").ref
        if word in _PLURAL_GROUPS:
            following = _TOKEN.match(text, hit.end + 1) if hit.end + 1 < len(text) else None
            size = self._group_sizes.get(following.group() if following else "", 0)
            if not size:  # "أكد المجتمعون", "واتفق القادة": whoever attended the meeting just reported
                previous = _TOKEN.findall(text[max(0, hit.start - 20):hit.start])
                if word.startswith(fold_key("المجتمع")) or word.startswith(fold_key("المشارك")) or (
                        previous and fold_key(previous[-1]).lstrip("وف") in _GROUP_VERBS):
                    out.mentions.append(Mention(hit.start, hit.end, "group", (), via="attendees"))
                return
        classes = _GROUP_CLASSES.get(word)
        people: list[Actor] = []
        for mention in reversed(out.mentions):
            if mention.kind == "person" and mention.actor and mention.actor not in people and self._in_classes(mention, classes):
                people.append(mention.actor)
            if len(people) == size:
                break
        if len(people) == size:
            end = hit.end if size == 2 else following.end()
            out.mentions.append(Mention(hit.start, end, "group", tuple(reversed(people)), via="group"))

    def _in_classes(self, mention: Mention, classes: set[str] | None) -> bool:
        """"الوزيران" are two ministers, "الزعيمان" two leaders: skip others named in between;
        a spouse ("وزوجته أمينة") is in no such pair."""
        if mention.role and self._class_of(mention.role) == "spouse":
            return False
        if not classes:
            return True
        if mention.role and self._class_of(mention.role) in classes:
            return True
        person = self.kb.persons.get(mention.actor.key)
        if person is None:
            return mention.role is None  # a local actor: only its title can say otherwise
        return any(self._class_of(o.role) in classes for o in person.offices)

    def _pronouns(self, text: str, out: Resolved, day: date | None = None) -> None:
        """سموه، جلالته، فخامته: the last person named with that honorific ("جلالة الملك"), else the
        last holder of an office that carries it, else the last person named."""
        out.mentions.sort(key=lambda m: m.start)
        named = [m for m in out.mentions if m.kind == "person" and m.actor]
        for match in _PRONOUN_HONORIFIC_RE.finditer(text):
            before = [m for m in named if m.end <= match.start()]
            if not before:
                continue
            honorific = match.group("w")[:-2] if match.group("w").endswith("ته") else match.group("w")[:-1]
            # the honorific as a title word before the name ("سمو الشيخ"), not as a pronoun ("سموه")
            word = match.group("w")
            title_form = word[:-2] + "ه" if word.endswith("ته") else word[:-1]  # جلالته -> جلاله، سموه -> سمو
            titled = re.compile(r"(?<![\u0621-\u064a])(?:ال)?" + title_form + r"\s")
            chosen = next((m for m in reversed(before) if titled.search(text, max(0, m.start - 15), min(m.end, m.start + 15))
                           and m.via != "pronoun"), None)
            if chosen is None:
                offices = _HONORIFIC_OFFICES.get(honorific, ())
                chosen = next((m for m in reversed(before) if m.actor.key in self.kb.persons and any(
                    o.role in offices for o in self.kb.persons[m.actor.key].offices_on(day))), None)
            chosen = chosen or before[-1]
            out.mentions.append(Mention(match.start("w"), match.end(), "person", (chosen.actor,), via="pronoun"))
        out.mentions.sort(key=lambda m: m.start)

    def _local_short_names(self, text: str, out: Resolved) -> None:
        """Later mentions of a local actor by surname ("السفير الصقعبي")."""
        locals_ = {m.actor.key: m.actor for m in out.mentions if m.via == "local" and m.actor}
        if not locals_:
            return
        covered = [(m.start, m.end) for m in out.mentions]
        for actor in locals_.values():
            words = fold_key(actor.label_ar).split() if actor.label_ar else []
            surname = " ".join(words[-2:]) if len(words) >= 3 and words[-2] in _NAME_LINKS else (words[-1] if words else None)
            if not surname or len(surname) < 4:
                continue
            for match in re.finditer(re.escape(surname), text):
                s, e = match.start(), match.end()
                if (e < len(text) and is_letter(text[e])) or any(a <= s < b for a, b in covered):
                    continue
                if s > 0 and is_letter(text[s - 1]) and not (s > 1 and text[s - 1] in "وفبل" and not is_letter(text[s - 2])):
                    continue
                title = _HONORIFIC_BEFORE.search(text, max(0, s - 30), s)
                out.mentions.append(Mention(title.start() if title else s, e, "person", (actor,), via="local"))


# words after which a name may start: "خلال استقباله ألكساندر يفيموف سفير روسيا", "مع X سفير ..."
_BEFORE_A_NAME = {fold_key(w) for w in ("استقباله", "استقبالها", "لقائه", "لقائها", "استقبل", "استقبلت", "التقى", "التقت",
                                       "مع", "بين", "التقاه", "يستقبل", "يلتقي", "تستقبل", "تلتقي")}
# "مملكة ليسوتو" names a state; "مجلس السيادة الانتقالي" a body: neither is a person's name
_STATE_WORD = re.compile(r"^[بل]?(?:ال)?(?:مملكه|جمهوريه|دوله|سلطنه|اماره|اتحاد|مجلس|وزاره|هييه|جهاز|مكتب|لجنه|"
                         r"منظمه|حكومه|رياسه|مفوضيه|امانه|برلمان|حزب|حركه|جبهه|قياده|اداره|مديريه|ديوان|سفاره|بعثه)$")
_PREPOSITION_ARTICLE = ("بال", "كال", "فال", "لل", "وبال", "ولل")
_MANY_HOLDERS = {"special_envoy"}
_ROYAL_ROLES = {"king", "queen", "emir", "sultan", "crown_prince", "saudi_king"}
_TITLE_WORDS = {fold_key(w) for w in ("الرئيس", "الوزير", "السفير", "الشيخ", "الأمير", "الملك", "الدكتور", "السيد", "المستشار", "الأستاذ")}


_HONORIFIC_OFFICES = {
    "جلاله": ("king", "queen", "sultan"),
    "سماحه": ("supreme_leader", "marja", "grand_imam", "movement_leader"),
    "فخامه": ("president",),
    "سمو": ("emir", "crown_prince"),
    "سياده": ("president",),
    "دوله": ("prime_minister",),
    "معالي": ("foreign_minister", "defence_minister", "interior_minister", "secretary_general"),
}
_LEADERS = {"head_of_state", "head_of_government"}
_GROUP_CLASSES = {
    **{fold_key(w): {"minister"} for w in ("الوزيران", "الوزيرين")},
    **{fold_key(w): _LEADERS for w in ("الرئيسان", "الرئيسين", "الزعيمان", "الزعيمين", "القادة", "الزعماء", "الرؤساء")},
    **{fold_key(w): {"minister"} for w in ("الوزراء",)},
}
_GROUP_VERBS = {fold_key(w) for w in ("أكد", "اتفق", "شدد", "أعرب", "دعا", "رحب", "بحث", "ناقش", "أكدوا", "اتفقوا",
                                       "شددوا", "أعربوا", "دعوا", "رحبوا", "بحثوا", "ناقشوا", "جدد", "جددوا", "عبر", "عبروا")}
_PLURAL_GROUPS = {fold_key(w) for w in ("القادة", "الزعماء", "الرؤساء", "الوزراء", "المجتمعون", "المجتمعين",
                                         "المشاركون", "المشاركين")}
_ADJECTIVE_TITLES = {fold_key(w) for w in ("الرئيس", "الرئيسة", "الرئيسي", "الرئيسية")}
_VERBS_WITH_AL = {fold_key(w) for w in ("التقى", "التقت", "التقيا", "التقوا", "الحق", "التزم")}


def _after_definite_noun(text: str, start: int) -> bool:
    """The word before `start` is a definite noun ("الجانب العربي"), so what follows is an adjective."""
    window = text[max(0, start - 25):start]
    previous = list(_TOKEN.finditer(window))
    if not previous or window[previous[-1].end():].strip(" "):
        return False  # punctuation or a line break in between: a new phrase starts here
    word = previous[-1].group()
    return word.startswith("ال") and word not in _VERBS_WITH_AL and word not in _TITLE_WORDS


_HONORIFIC_WORDS = {fold_key(w) for w in ("جلالة", "فخامة", "سماحة", "سعادة", "دولة", "معالي", "سمو", "صاحب", "حضرة")}


def _feminine_title(title: str) -> bool:
    """وزيرة، رئيسة، سفيرة: the title word itself, not an honorific before it (جلالة الملك), ends in ta marbuta."""
    words = [w for w in title.split() if w not in _HONORIFIC_WORDS]
    return bool(words) and words[0].endswith("ه")


def actors_of(mentions: list[Mention]) -> list[Actor]:
    """The distinct actors of some mentions, in order (groups contribute all of theirs)."""
    out: list[Actor] = []
    for m in mentions:
        for a in m.actors:
            if a not in out:
                out.append(a)
    return out


def _local_actor(name: str) -> Actor:
    key = "local:" + fold_key(name).replace(" ", "_")
    return Actor(key=key, kind="person", label_ar=name)


__all__ = ["Mention", "MentionResolver", "Resolved"]

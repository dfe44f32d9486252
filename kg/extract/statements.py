"""Stated positions: each reporting predicate (أكد، قال، مشيرا ...) with its speaker and
content, as GUIDELINES.md defines them.

Speaker: the person named right after the verb (VSO, the usual order), or right before it
(SVO: "رئيسي شدد"), or, for continuations (وأضاف، وتابع، مضيفا) and participles, the last
person who spoke. A report that relays someone ("ذكر بيان أن الرئيس أكد") is not itself a
statement: the inner verb is. Media and unnamed sources are never speakers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.context import ArticleContext, word_regex
from kg.extract.mentions import Mention, _after_definite_noun, actors_of as _actors
from kg.extract.normalize import fold_key
from kg.model import Actor

_MAX_CONTENT = 700
# a sentence that opens with its subject: "من جانبه، نقل غريفيث", "وكان الوزير"
_OPENING = re.compile(r"[\s،,]*(?:(?:و|ف)?(?:من جانبه|من جانبها|من جهته|من جهتها|بدوره|بدورها|كما|وكان|وكانت|كان|كانت)[\s،,]*)?(?:(?:و|ف)?[\u0621-\u064a]+\s*)?$")
_THAT = re.compile(r"(?<![\u0621-\u064a])(?:ب?ان|ب?انه)(?![\u0621-\u064a])\s*")
_RELATIVE = re.compile(r"(?<![\u0621-\u064a])(?:الذي|التي)\s*$")
# "المستشار أحمد أبو زيد، المتحدث الرسمي باسم وزارة الخارجية، بأن": a description of the subject
# starts with the article or a title word; "، متابعة بلاده للتطورات ..." is already the content
_APPOSITION = re.compile(r"\s*،\s*+(?=ال|رييس|وزير|نايب|مستشار|سفير|مبعوث|ممثل|مدير|امين|عضو|متحدث|قايد)"
                         r"(?!(?:ب?ان|ب?انه|انها|الي|علي|عن|في|من|ان)(?![\u0621-\u064a]))[^،.\n]{3,90}،")
_BODY_RELAY = re.compile(r"(?<![\u0621-\u064a])(?:[وب]?حسب\s+)?(?:بيان|البيان|بيانا)(?![\u0621-\u064a])")
_FEMININE_TITLE = re.compile(r"(?:ال)?(?:سفيره|وزيره|رييسه|السيده|سيده|نايبه|مستشاره|مبعوثه|المتحدثه|الناطقه|مندوبه|المندوبه|الممثله|الامينه|امينه|الدكتوره|مديره|المديره)(?![\u0621-\u064a])")
_SAME_SPEAKER = re.compile(r"\s*(?:ال)?(?:متحدث|متحدثه|مسوول|مسووله|مصدر|وزير|وزيره|رييس|رييسه|مبعوث|مبعوثه|سفير|سفيره)\s+(?:ذاته|ذاتها|نفسه|نفسها)(?![\u0621-\u064a])")
_NOUN_CONTEXT = re.compile(r"(?<![\u0621-\u064a])(?:علي|الي|من|عن|في|حول|بعد|قبل|مع|ضد)\s+$")
# Also ordinary words: بين "between", عبر "across", رأى, قيم "values"; they need a subject or أن.
_AMBIGUOUS = {fold_key(w) for w in ("بين", "بينت", "عبر", "عبرت", "رأى", "رأت", "قيم", "قيمت", "كشف")}
_LEADING = re.compile(r'[\s،,:]*(?:(?:ب?ان|ب?ان|ب?انه|ب?انها|ب?انهم)(?![\u0621-\u064a])[\s،,:]*)?')
_LEADING_PUNCTUATION = re.compile(r"[\s،,:]*")
_ADVERBIAL_GAP = re.compile(r"^[\s،,]*(?:(?:كان|كانت|قد|بدوره|بدورها|من جانبه|من جانبها|من جهته|من جهتها|ايضا|بالمقابل|في المقابل|بدوره،|اليوم|امس)[\s،,]*)*$")
_SUBJECT_GAP = re.compile(r"^[\s،,]*(?:(?:اليوم|امس|بدوره|بدورها|خلاله|خلالها|خلالهما)[\s،,]*)?$")
_IMPLICIT_NEXT = re.compile(r'^\s*(?:و?ب?ان|ب?ان|الي|علي|عن|ب|:|[“«"]|في|خلال|ان|لـ|ل)', )


@dataclass
class FoundStatement:
    speakers: list[Actor]
    verb_span: tuple[int, int]
    content: tuple[int, int]
    verb: str
    collective: bool = False

_WORD_BEFORE = re.compile(r"(?<![\u0621-\u064a])(?:و|ف)?([\u0621-\u064a]{3,})\s+$")
_PREPOSITIONS = {"في", "من", "مع", "الي", "علي", "عن", "لدي", "بين", "عند", "حول", "خلال", "بعد", "قبل", "منذ", "نحو",
                 "امام", "ضد", "عبر", "بحضور", "نظيره", "نظيرته", "قال", "ان", "انه", "لان"}

class StatementFinder:
    def __init__(self, ctx: ArticleContext, meetings: list | None = None):
        self.ctx = ctx
        self.meetings = sorted(meetings or [], key=lambda m: m.anchor)
        r = ctx.kb.triggers["reporting"]
        self.continuation = {fold_key(w) for w in r["continuation"] + ["بالقول"]}
        self.present = {fold_key(w) for w in r["present_verbs"]}
        self.media = word_regex(r["media_subjects"], "و|ف|ال")
        self.bodies = word_regex(r["body_subjects"], "و|ف")
        self.any_predicate = word_regex(r["verbs"] + r["participles"] + r["dual_verbs"] + r["agreement_verbs"], "و|ف")

    def find(self) -> list[FoundStatement]:
        ctx = self.ctx
        text = ctx.text
        matches: list[tuple[int, int, str, str]] = []
        for kind in ("agreement", "dual", "participle", "verb"):
            for hit in ctx.triggers.of(kind):
                matches.append((hit.begin, hit.finish, hit.core, kind))
        # one predicate per position, the most specific reading first
        seen: dict[int, tuple[int, int, str, str]] = {}
        for item in matches:
            seen.setdefault(item[0], item)
        ordered = sorted(seen.values())
        out: list[FoundStatement] = []
        last_speakers: list[Actor] = []
        self._sentence_speakers: tuple[int, list[Actor]] | None = None
        inside_until = -1
        for start, end, word, kind in ordered:
            if start < ctx.headline_end or (ctx.in_quote(start) and not self._relayed_by_body(start)):
                continue
            coordinated = text[start] in "وف" and not word.startswith(text[start])
            nested = start < inside_until and not coordinated and kind != "participle"
            if nested and not self._subject_after(end, ctx.sentences.at(start).end):
                continue  # "... أن روسيا تعتبر ..." is part of the content, not a new statement
            found = self._statement(start, end, word, kind, last_speakers)
            if found is None:
                continue
            if found.speakers and not found.collective:
                last_speakers = found.speakers
                self._sentence_speakers = (ctx.sentences.at(start).start, found.speakers)
            out.append(found)
            inside_until = found.content[1]
        # each predicate's content stops where the next one in its sentence begins
        for current, following in zip(out, out[1:]):
            c_start, c_end = current.content
            if c_start + 8 < following.verb_span[0] < c_end:
                end = following.verb_span[0]
                while end > c_start and text[end - 1] in " \n\t،,.:":
                    end -= 1
                current.content = (c_start, end)
        return [f for f in out if f.content[1] - f.content[0] >= 8]

    def _statement(self, start, end, word, kind, last_speakers) -> FoundStatement | None:
        ctx = self.ctx
        text = ctx.text
        sentence = ctx.sentences.at(start)
        ambiguous = fold_key(word) in _AMBIGUOUS
        if ambiguous and text[start] not in "وف" and _after_definite_noun(text, start):
            return None  # "الاجتماع الأول بين رئيس ... ورئيس ...": the preposition, not the verb
        if _NOUN_CONTEXT.search(text[max(sentence.start, start - 12):start]):
            return None  # "على رفض", "إلى وصف": a verbal noun after a preposition
        after_text = text[end:end + 40]
        if self.media.match(after_text.lstrip()) and not self._mention_right_after(end):
            return None
        same = _SAME_SPEAKER.match(text, end)
        if same and last_speakers and kind != "participle":
            # "وشدد المتحدث ذاته على أن ...": whoever spoke last
            content = self._content(same.end(), sentence)
            return FoundStatement(list(last_speakers), (start, end), content, word, False) if content else None
        # a participle has no subject of its own after it: "داعيا بوتين لزيارة تركيا" names whom he invited
        subject = [] if kind == "participle" else (
            self._subject_after(end, sentence.end) or self._relative_antecedent(start, sentence.start))
        collective = False
        speakers: list[Actor] = []
        content_from = end
        if subject and ambiguous and len(subject) > 1:
            return None  # "بين X و Y" is "between X and Y"
        if subject and ambiguous and subject[0].kind == "group" and \
                re.match(r"\s*(?:ال)?[\u0621-\u064a]+ين(?![\u0621-\u064a])", text[end:end + 20]):
            return None  # "بين الجانبين": a subject would be "الجانبان"; this is "between the two"
        if subject and subject[0].via == "attendees":
            held = [m for m in self.meetings if m.anchor < start]
            if not held:
                return None
            subject = [Mention(subject[0].start, subject[0].end, "group", tuple(held[-1].participants), via="group")]
        if subject:
            speakers = _actors(subject)
            content_from = subject[-1].end
            apposition = _APPOSITION.match(text, content_from)
            if apposition:  # "المستشار أحمد أبو زيد، المتحدث الرسمي باسم وزارة الخارجية، بأن ..."
                content_from = apposition.end()
        else:
            # a participle's subject is that of the clause it hangs on: the last speaker
            before = None if kind == "participle" else self._subject_before(start, sentence.start)
            if before:
                speakers = _actors([before])
            elif kind in ("agreement", "dual"):
                group = [m for m in ctx.persons_between(sentence.start, start) if m.kind == "group"]
                if group:
                    speakers = list(group[-1].actors)
            if ambiguous and not (speakers or re.match(r"\s*(?:ان|بان|انه|الي ان|:)(?![\u0621-\u064a])", text[end:end + 12])):
                return None
            if not speakers:
                body = self._body_after(end, word)
                if body:
                    speakers, content_from, collective = [body[0]], body[1], True
                elif self.media.search(text, max(sentence.start, start - 40), start):
                    return None  # "وكانت وسائل إعلام قد أشارت": the media, not the last speaker
                elif fold_key(word) in self.present:
                    return None  # "... تدعو إلى": present tense without a named subject is narration
                elif kind == "participle" or fold_key(word) in self.continuation or _IMPLICIT_NEXT.match(text[end:end + 6]):
                    if self._noun_subject_follows(end):
                        return None
                    if kind == "participle" and fold_key(word).endswith("ه") and not self._feminine(last_speakers):
                        return None  # "إجراءات أمنية مشددة": an adjective, unless a woman or a state is speaking
                    speakers = self._sentence_subject(start, sentence.start, last_speakers)
        if not speakers:
            return None
        if kind == "agreement" and subject:
            speakers = _actors(self._coordinated(subject, sentence.end, until="علي"))
        content = self._content(content_from, sentence)
        if content is None:
            return None
        if self._is_relay(content, speakers):
            return None
        return FoundStatement(speakers, (start, end), content, word, collective)

    def _relayed_by_body(self, start: int) -> bool:
        """'وبحسب بيان لمكتب الكاظمي، "أكد رئيس مجلس الوزراء على ..."': a statement quoted whole,
        opening with its own verb and subject, relays that person's statement."""
        ctx = self.ctx
        quote = next(((a, b) for a, b in ctx.quotes if a <= start < b), None)
        if quote is None or not re.fullmatch(r"[\"“”«»\s]*و?", ctx.text[quote[0]:start]):
            return False
        sentence = ctx.sentences.at(quote[0])
        return _BODY_RELAY.search(ctx.text, max(sentence.start, quote[0] - 120), quote[0]) is not None

    # -- speakers ------------------------------------------------------------------------------
    def _mention_right_after(self, pos: int) -> Mention | None:
        for m in self.ctx.resolved.mentions:
            if m.start >= pos:
                gap = self.ctx.text[pos:m.start]
                return m if _SUBJECT_GAP.match(gap) and m.kind in ("person", "group") else None
        return None

    def _subject_after(self, pos: int, limit: int) -> list[Mention]:
        first = self._mention_right_after(pos)
        if first is None or first.start >= limit:
            return []
        return self._coordinated([first], limit)

    def _coordinated(self, subject: list[Mention], limit: int, until: str | None = None) -> list[Mention]:
        """"وأكد سمو الأمير ورئيس الوزراء البريطاني": coordinated subjects share the statement."""
        chain = list(subject)
        mentions = self.ctx.resolved.mentions
        while True:
            last = chain[-1]
            nxt = next((m for m in mentions if m.start >= last.end), None)
            if nxt is None or nxt.start >= limit or nxt.kind not in ("person", "group"):
                break
            gap = self.ctx.text[last.end:nxt.start]
            if re.fullmatch(r"[\s،,]*و?\s*", gap) and (gap.strip(" ،,") == "و" or nxt.start - last.end <= 2 and self.ctx.text[nxt.start - 1:nxt.start] == "و"):
                chain.append(nxt)
                continue
            if until and re.fullmatch(r"[\s،,]*و\s*", gap or ""):
                chain.append(nxt)
                continue
            break
        return chain

    def _relative_antecedent(self, start: int, sentence_start: int) -> list[Mention]:
        """"... عبداللهيان، الذي أكد أن": the subject is the person the relative clause follows."""
        before = self.ctx.text[max(sentence_start, start - 12):start]
        if not _RELATIVE.search(before):
            return []
        rel_start = start - len(before) + _RELATIVE.search(before).start()
        candidates = [m for m in self.ctx.resolved.mentions
                      if m.kind == "person" and sentence_start <= m.start and m.end <= rel_start]
        if candidates and rel_start - candidates[-1].end <= 3:
            return [candidates[-1]]
        return []

    def _subject_before(self, start: int, sentence_start: int) -> Mention | None:
        candidates = [m for m in self.ctx.resolved.mentions
                      if m.end <= start and m.start >= sentence_start and m.kind == "person"]
        if not candidates:
            return None
        m = candidates[-1]
        gap = self.ctx.text[m.end:start]
        if _ADVERBIAL_GAP.match(gap):
            # "الرئيس الأسد خلال المحادثات مع الرئيس رئيسي أكد أن": the one named in the "مع"
            # phrase is the partner; the subject comes before it
            partner = re.search(r"(?<![\u0621-\u064a])(?:مع|بـ?نظيره)\s*$", self.ctx.text[max(sentence_start, m.start - 12):m.start])
            if partner and len(candidates) >= 2 and re.search(
                    r"(?<![\u0621-\u064a])(?:خلال|في|اثناء|لدي)(?![\u0621-\u064a])", self.ctx.text[candidates[-2].end:m.start]):
                return candidates[-2]
            return m
        return None

    def _body_after(self, pos: int, verb: str) -> tuple[Actor, int] | None:
        """"أكدت وزارة الخارجية" / "تدعو موسكو": a statement credited to a state. States and
        ministries are feminine in Arabic, so the verb must be too."""
        ctx = self.ctx
        folded_verb = fold_key(verb)
        if not (folded_verb.startswith("ت") or folded_verb.endswith("ت")) or folded_verb in _AMBIGUOUS:
            return None
        text = ctx.text
        rest = text[pos:pos + 60]
        lead = len(rest) - len(rest.lstrip())
        body = self.bodies.match(rest.lstrip())
        code = None
        cursor = pos + lead
        if body:
            cursor = pos + lead + body.end()
            for p_start, p_end, c, kind in ctx.resolved.polity_hits:
                if 0 <= p_start - cursor <= 2:
                    code, cursor = c, p_end
                    break
            code = code or ctx.home
        else:
            for p_start, p_end, c, kind in ctx.resolved.polity_hits:
                if p_start == pos + lead and kind == "polity":
                    code, cursor = c, p_end
            if code is None:
                for p_start, p_end, place_id, clitic in ctx.resolved.places:
                    if p_start == pos + lead and not clitic:
                        entry = ctx.kb.places[place_id]
                        if entry.capital and entry.country:
                            code, cursor = entry.country, p_end
        if code is None or code not in ctx.kb.polities:
            return None
        return ctx.kb.actor_for_polity(ctx.kb.polities[code]), cursor

    def _sentence_subject(self, start: int, sentence_start: int, last_speakers: list[Actor]) -> list[Actor]:
        """Who an unnamed "وأكد"/"مضيفا" speaks for: whoever already spoke in this sentence, else
        the person the sentence opened with ("من جانبه، نقل غريفيث ... وأكد أن"), else the last speaker."""
        if self._sentence_speakers and self._sentence_speakers[0] >= sentence_start:
            return list(self._sentence_speakers[1])
        opening = [m for m in self.ctx.resolved.mentions
                   if sentence_start <= m.start < start and m.kind in ("person", "group") and m.actors
                   and not self.ctx.in_quote(m.start)]
        if opening and _OPENING.match(self.ctx.text, sentence_start, opening[0].start):
            return list(opening[0].actors)
        acting = self._subject_of_last_verb(opening, start)
        if acting:
            return acting
        if last_speakers:
            return list(last_speakers)
        # nobody has spoken yet (the first verb was misspelt or cut off): the person last named
        named = [m for m in self.ctx.resolved.mentions if m.end <= start and m.kind == "person" and m.actor
                 and not self.ctx.in_quote(m.start)]
        return [named[-1].actor] if named else []

    def _subject_of_last_verb(self, mentions: list[Mention], start: int) -> list[Actor]:
        """"حيث استعرض الرئيس الجهود ...، مشددا على": a participle hangs on the clause before it,
        whose subject is the person right after its verb, whatever verb that is."""
        text = self.ctx.text
        for m in reversed(mentions):
            if m.kind != "person" or self.ctx.triggers.within("verb", m.end, start):
                continue
            before = _WORD_BEFORE.search(text, max(0, m.start - 25), m.start)
            if not before:
                continue
            word = before.group(1)
            if word.startswith(("ال", "وال")) or word in _PREPOSITIONS or word.endswith(("ه", "ها", "هم", "هما")):
                continue
            return list(m.actors)
        return []

    def _feminine(self, speakers: list[Actor]) -> bool:
        for actor in speakers:
            person = self.ctx.kb.persons.get(actor.key)
            if actor.kind != "person" or (person is not None and person.gender == "f"):
                return True
            if person is None and any(m.actor == actor and _FEMININE_TITLE.match(self.ctx.text, m.start)
                                      for m in self.ctx.resolved.mentions if m.kind == "person"):
                return True  # "سفيرة جمهورية تركيا، السيدة ماهينور أوزديمير": a woman the base lacks
        return False

    def _noun_subject_follows(self, pos: int) -> bool:
        """"وأكد البيان" / "وقال مصدر": an unnamed subject, not the last speaker."""
        nxt = re.match(r"\s*([\u0621-\u064a]+)", self.ctx.text[pos:pos + 30])
        if not nxt:
            return False
        word = nxt.group(1)
        if _IMPLICIT_NEXT.match(" " + word) or word in ("ان", "انه", "انها", "بان", "بانه", "الي", "علي", "عن"):
            return False
        return bool(self.media.match(word)) or word.startswith("ال") and word not in ("الي",)

    # -- content -------------------------------------------------------------------------------
    def _content(self, pos: int, sentence) -> tuple[int, int] | None:
        """From right after the verb (and its subject) to the end of the sentence; a quote
        opened inside runs to its closing mark even across full stops."""
        text = self.ctx.text
        # the complementizer stays in the content ("أنه قدم دعوة ..."): it is part of what was said
        start = pos + _LEADING_PUNCTUATION.match(text, pos).end() - pos
        end = sentence.end
        for q_start, q_end in self.ctx.quotes:
            if start <= q_start < end < q_end:
                end = q_end
                break
        while end > start and text[end - 1] in " \n\t،,.:":
            end -= 1
        if end - start > _MAX_CONTENT:
            cut = text.rfind(" ", start, start + _MAX_CONTENT)
            end = cut if cut > start else start + _MAX_CONTENT
        return (start, end) if end > start else None

    def _is_relay(self, content: tuple[int, int], speakers: list[Actor]) -> bool:
        """"صرح المتحدث بأن الوزير أكد ...", "ذكر بيان أن الجانبين اتفقا": the inner verb carries
        the statement, so the outer one is not a statement of its own."""
        start, end = content
        text = self.ctx.text
        window_end = min(end, start + 140)
        for opener in [None, *_THAT.finditer(text, start, window_end)]:
            at = start if opener is None else opener.end()
            for m in self.ctx.resolved.mentions:
                if m.start > at + 3:
                    break
                if at <= m.start <= at + 3 and m.kind in ("person", "group"):
                    if set(m.actors) & set(speakers):
                        return False  # "قال روبيو إن الجانبين اتفقا": his own account, not a relay
                    gap = text[m.end:m.end + 3]
                    if self.any_predicate.match(text, m.end + 1) or self.any_predicate.match(text, m.end) or gap.startswith(" قد"):
                        return True
        return False


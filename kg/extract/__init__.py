"""Arabic article -> meetings and statements with evidence (no RDF here).

    >>> from kg.extract import Extractor
    >>> extraction = Extractor().extract(article)

The steps, one module each: fold letters (normalize), find known names and titles
(gazetteer), resolve who they are on the article's date (mentions), find date phrases
(dates), then meetings and statements; finally map folded offsets back to the original.
"""
from __future__ import annotations

import json
import re
from datetime import date
from functools import cached_property

from kg.extract.context import ArticleContext
from kg.extract.dates import find_dates
from kg.extract.gazetteer import Gazetteer
from kg.extract.meetings import FoundMeeting, MeetingFinder
from kg.extract.mentions import MentionResolver
from kg.extract.normalize import fold, fold_key
from kg.extract.sentences import Sentences
from kg.extract.statements import FoundStatement, StatementFinder
from kg.extract.triggers import TriggerIndex
from kg.knowledge import KNOWLEDGE_DIR, KnowledgeBase, default
from kg.model import Actor, Article, Extraction, Meeting, Span, Statement

_LINEUP = re.compile(r"(?<![\u0621-\u064a])(?:في (?:استقبال|وداع)\S*|(?:مستقبلي|مودعي)\S*)")
_CLAUSE_BREAKS = re.compile(r"(?<![\u0621-\u064a])(?:فيما|بينما|في حين|ثم|وذلك|حيث|كما)(?![\u0621-\u064a])|؛|;")


class Extractor:
    """Holds the compiled knowledge (automaton, regexes); reuse one per process."""

    def __init__(self, kb: KnowledgeBase | None = None):
        self.kb = kb or default()
        self.gazetteer = Gazetteer(self.kb)
        self.resolver = MentionResolver(self.kb, self.gazetteer)
        self.trigger_index = TriggerIndex(self.kb)
        agencies = json.loads((KNOWLEDGE_DIR / "agencies.json").read_text(encoding="utf-8"))["agencies"]
        self._agencies = {fold_key(name): code for name, code in agencies.items()}

    @cached_property
    def _agency_regex(self) -> re.Pattern:
        names = sorted(self._agencies, key=len, reverse=True)
        return re.compile(r"(?<![\u0621-\u064a])(" + "|".join(re.escape(n) for n in names) + r")(?![\u0621-\u064a])")

    def extract(self, article: Article) -> Extraction:
        folded = fold(article.text)
        text = folded.text
        day = article.published
        headline_end = _headline_end(text, folded_title=fold(article.title).text.strip() if article.title else None)
        home = self._home_state(text, headline_end) or self._outlet_state(article.source)
        resolved = self.resolver.resolve(text, day, home, original=lambda s, e: article.text[slice(*folded.span(s, e))])
        dates = find_dates(text, day)
        ctx = ArticleContext(self.kb, folded, day, home, resolved, dates, headline_end, self.trigger_index.find(text))
        ctx.clause_cuts = self._clause_cuts(text, ctx)
        meeting_finder = MeetingFinder(ctx)
        found_meetings = meeting_finder.find()
        _fill_from_context(found_meetings, meeting_finder.visit_destinations(), _lead_date(ctx), meeting_finder.venue(),
                           day)
        found_statements = StatementFinder(ctx, found_meetings).find()
        extraction = Extraction(article=article)
        extraction.meetings = [self._meeting(m, ctx, article) for m in found_meetings]
        extraction.statements = [self._statement(s, ctx, article) for s in found_statements]
        extraction.actors = _distinct(a for m in resolved.mentions for a in m.actors)
        if day is None and any(d.problem for d in dates):
            extraction.warnings.append("no publication date: relative dates (اليوم، أمس ...) left unresolved")
        return extraction

    # -- article-level cues ----------------------------------------------------------------------------
    def _home_state(self, text: str, headline_end: int) -> str | None:
        """The reporting agency's state, from the dateline/byline, else the dateline city's state."""
        lead = text[:headline_end + 300]
        match = self._agency_regex.search(lead)
        if match:
            return self._agencies[match.group(1)]
        first_line = text[headline_end:headline_end + 120].strip().split("\n")[0]
        for hit in self.gazetteer.find(first_line[:40]):
            place = hit.first("place")
            if place:
                return self.kb.places[place.ref].country
        return None

    def _outlet_state(self, source: str | None) -> str | None:
        """The outlet's country as its metadata names it ("Youm7 (youm7.com), Egypt"): whose
        "رئيس الجمهورية" and bare "الرئيس" the report means, when the text has no dateline."""
        if not source:
            return None
        found = {code for name, code in self._english_state_names.items()
                 if re.search(r"(?<![A-Za-z])" + re.escape(name) + r"(?![A-Za-z])", source)}
        return found.pop() if len(found) == 1 else None

    @cached_property
    def _english_state_names(self) -> dict[str, str]:
        names = {p.name_en: code for code, p in self.kb.polities.items() if p.kind == "country" and p.name_en}
        names.update({"UAE": "ARE", "KSA": "SAU"})
        return {name: code for name, code in names.items() if code in self.kb.polities}

    def _clause_cuts(self, text: str, ctx: ArticleContext) -> list[int]:
        person_starts = {m.start for m in ctx.resolved.mentions if m.kind == "person"}

        def lineup(m: re.Match) -> bool:
            # "كان في وداعه A، B، ثم C": the order of a line of hosts at one welcome or farewell;
            # "التقى A، ثم B" are two encounters and "ثم التقى" a new clause
            if m.group() != "ثم" or not any(m.end() < p <= m.end() + 2 for p in person_starts):
                return False
            sentence = ctx.sentences.at(m.start())
            return _LINEUP.search(text, sentence.start, m.start()) is not None

        cuts = {m.start() for m in _CLAUSE_BREAKS.finditer(text) if not lineup(m)}
        # each participle starts a clause of its own ("... موضحا أن ...")
        cuts |= {h.begin for h in ctx.triggers.of("participle")}
        return sorted(cuts)

    # -- folded offsets -> model objects --------------------------------------------------------------
    def _span(self, ctx: ArticleContext, article: Article, start: int, end: int) -> Span:
        s, e = ctx.original_span(start, end)
        return Span(s, e, article.text[s:e])

    def _meeting(self, m: FoundMeeting, ctx: ArticleContext, article: Article) -> Meeting:
        evidence = tuple(dict.fromkeys(self._span(ctx, article, *_trim(ctx.text, s, e)) for s, e in m.evidence))
        return Meeting(
            participants=tuple(m.participants), status=m.status, evidence=evidence, date=m.date,
            place=self.kb.place(m.place) if m.place else None, host=m.host, trigger=m.trigger,
        )

    def _statement(self, s: FoundStatement, ctx: ArticleContext, article: Article) -> Statement:
        content = self._span(ctx, article, *s.content)
        evidence = self._span(ctx, article, s.verb_span[0], s.content[1])
        return Statement(speakers=tuple(s.speakers), content=content, evidence=evidence, verb=s.verb,
                         collective=s.collective)


def _headline_end(text: str, folded_title: str | None = None) -> int:
    """End of the headline zone: the first line, plus the next when the first is only a site
    label ("Site icon صحيفة الوطن") and the next reads as a headline (no closing full stop)."""
    lines = text.split("\n")
    non_empty = [line.strip() for line in lines if line.strip()]
    if len(non_empty) < 2:
        return 0  # one paragraph: all body
    if folded_title and non_empty[0] != folded_title and not non_empty[0].startswith(folded_title[:30]):
        return 0  # the title came separately (JSON Lines, HTML): the text is the body
    if _reads_as_lead(non_empty[0]):
        return 0  # copies of news pages often start with the lead itself: no headline to skip
    pos = 0
    taken = 0
    for line in lines:
        stripped = line.strip()
        if taken == 1 and (not stripped or stripped.endswith((".", ":")) or len(stripped.split()) > 40):
            if stripped:
                break
        pos += len(line) + 1
        if not stripped:
            continue
        taken += 1
        if taken >= 2 or len(stripped.split()) >= 6:
            break
    return min(pos, len(text))


def _reads_as_lead(line: str) -> bool:
    """A headline is short and unpunctuated; a first line that is a long sentence closed by a
    full stop, or that carries a dateline, is the article's lead paragraph."""
    words = line.split()
    closed = line.rstrip("\"”»' ").endswith((".", "،", ":")) and not line.rstrip().endswith("..")
    # "استقبل الرئيس ... نظيره ...، اليوم الجمعة، في دمشق ...": a day set off by commas is a lead's
    dated = len(words) >= 10 and re.search(r"[،,]\s*(?:اليوم|امس|مساء|صباح)(?:\s+[\u0621-\u064a]+){0,2}\s*[،,]", line)
    return (closed and len(words) >= 7) or len(words) > 30 or bool(dated)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _lead_date(ctx: ArticleContext) -> tuple[int, str] | None:
    """The day the lead paragraph gives ("... اليوم السبت"): the frame for the next sentences."""
    body = [s for s in ctx.sentences.spans if s.start >= ctx.headline_end]
    # bylines and datelines ("ديلي صباح ووكالات", "اسطنبول") are not the lead
    substantial = [s for s in body if len(ctx.text[s.start:s.end].split()) >= 8]
    body = [s for s in body if not substantial or s.paragraph >= substantial[0].paragraph]
    if not body:
        return None
    first_paragraph = body[0].paragraph
    lead_end = max(s.end for s in body if s.paragraph == first_paragraph)
    for d in ctx.dates:
        if ctx.headline_end <= d.start < lead_end and d.value and len(d.value) == 10 and not ctx.in_quote(d.start):
            return lead_end, d.value
    return None


def _fill_from_context(meetings: list[FoundMeeting], destinations: dict[str, str],
                       lead: tuple[int, str] | None = None, venue: str | None = None,
                       published: date | None = None) -> None:
    """A meeting the text does not place happens where a participant is visiting; an undated
    one that shares a participant with the article's main (dated) encounter, on that day; an
    undated one right after the lead, on the lead's day."""
    main = next((m for m in meetings if m.date and not m.pluperfect), None)
    for m in meetings:
        if m.date is None and lead and not m.pluperfect and m.status == "held":
            m.date = lead[1]  # the lead sets the day of the events it reports, unless told otherwise
        elif m.date is None and lead and m.status == "planned" and published and lead[1] > published.isoformat():
            m.date = lead[1]  # "يلتقي ... يوم الأحد القادم" in the lead: the day of the visit it announces
        if m.place is None:
            for actor in m.participants:
                if actor.key in destinations:
                    m.place = destinations[actor.key]
                    break
        same_day = m.pluperfect and main is not None and m.date == main.date  # "وكان قد التقى في وقت سابق اليوم"
        if main is not None and m is not main and (not m.pluperfect or same_day) and (m.keyset & main.keyset):
            if m.date is None and m.status == main.status:
                m.date = main.date
            if m.place is None and (m.date is None or m.date == main.date):
                m.place = main.place  # another day's meeting may be elsewhere
    for m in meetings:
        if m.place is None and venue and not m.pluperfect:
            m.place = venue  # the one city the article reports from


def _distinct(actors) -> list[Actor]:
    return list(dict.fromkeys(actors))


__all__ = ["Extractor", "Sentences"]

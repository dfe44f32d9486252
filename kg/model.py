"""Typed results that flow through the pipeline: article -> extraction -> RDF.

Nothing here knows about RDF or IRIs (that is `kg.rdf`), nor about Arabic (that is
`kg.extract`). Offsets are Python string indices (code points) into the original,
un-normalised `Article.text`, so a span can always be checked by slicing.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

ActorKind = Literal["person", "country", "organisation"]
MeetingStatus = Literal["held", "planned"]


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from its source, before any extraction."""

    id: str  # stable document id: the file name ("000_x.txt") or the id given in JSON Lines
    text: str
    published: date | None = None
    source: str | None = None
    url: str | None = None
    language: str = "ar"
    title: str | None = None

    @property
    def content_hash(self) -> str:
        """Identifies the text itself, so a resumed ingest can skip what it already stored."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Span:
    """Words of the article that support a fact: `text == article.text[start:end]`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, country or organisation; `key` is the knowledge-base id, or `local:<name>`
    for a person found by a title pattern whose name the knowledge base lacks."""

    key: str
    kind: ActorKind
    label_en: str | None = None
    label_ar: str | None = None
    wikidata: str | None = None

    @property
    def label(self) -> str:
        return self.label_en or self.label_ar or self.key

    @property
    def is_local(self) -> bool:
        return self.key.startswith("local:")


@dataclass(frozen=True, slots=True)
class Place:
    key: str
    label_en: str | None = None
    label_ar: str | None = None
    wikidata: str | None = None
    country: str | None = None  # knowledge-base country code, e.g. "IRN"

    @property
    def label(self) -> str:
        return self.label_en or self.label_ar or self.key


@dataclass(frozen=True, slots=True)
class Meeting:
    """A face-to-face encounter of two or more persons, held or planned."""

    participants: tuple[Actor, ...]
    status: MeetingStatus
    evidence: tuple[Span, ...]  # every mention of this encounter in the article
    date: str | None = None  # "YYYY-MM-DD", or "YYYY-MM" at month precision
    place: Place | None = None
    host: Actor | None = None  # the receiving side of a visit or reception, when the text says
    trigger: str | None = None  # the trigger word as written ("استقبل", "لقاء", ...)


@dataclass(frozen=True, slots=True)
class Statement:
    """One reporting predicate with its speaker(s) and content."""

    speakers: tuple[Actor, ...]
    content: Span  # the quote or the أن-clause
    evidence: Span  # from the reporting verb (or speaker) to the end of the content
    verb: str  # the reporting verb or participle as written ("أكد", "مشيرا")
    collective: bool = False  # credited to a country or body rather than to persons


@dataclass(slots=True)
class Extraction:
    """Everything found in one article, plus what the reader should know about it."""

    article: Article
    meetings: list[Meeting] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)  # every actor recognised, participants or not
    warnings: list[str] = field(default_factory=list)

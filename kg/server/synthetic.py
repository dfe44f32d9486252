"""A made-up but well-formed graph of meetings, for the server's tests, benchmark and demos.

Built from `kg.model` objects through `kg.rdf.extraction_quads`, so it has exactly the
shape the extractor produces, without depending on the extractor. Deterministic for a seed.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import pyoxigraph as ox

from kg import rdf
from kg.model import Actor, Article, Extraction, Meeting, Place, Span, Statement

_GIVEN = ["Amir", "Layla", "Omar", "Sara", "Karim", "Huda", "Yusuf", "Rania", "Tariq", "Mona"]
_GIVEN_AR = ["أمير", "ليلى", "عمر", "سارة", "كريم", "هدى", "يوسف", "رانيا", "طارق", "منى"]
_FAMILY = ["Haddad", "Nasser", "Saleh", "Khalil", "Mansour", "Aziz"]
_FAMILY_AR = ["حداد", "ناصر", "صالح", "خليل", "منصور", "عزيز"]
_PLACES = [("cairo", "Cairo", "القاهرة"), ("amman", "Amman", "عمّان"), ("doha", "Doha", "الدوحة"),
           ("riyadh", "Riyadh", "الرياض"), ("tehran", "Tehran", "طهران"), ("moscow", "Moscow", "موسكو"),
           ("ankara", "Ankara", "أنقرة"), ("baghdad", "Baghdad", "بغداد"), ("muscat", "Muscat", "مسقط"),
           ("beirut", "Beirut", "بيروت")]
_TOPICS = ["التعاون الاقتصادي", "الأمن الإقليمي", "الطاقة", "التجارة", "السلام"]


def persons() -> list[Actor]:
    return [Actor(f"person-{g.lower()}-{f.lower()}", "person", f"{g} {f}", f"{ga} {fa}")
            for g, ga in zip(_GIVEN, _GIVEN_AR, strict=True) for f, fa in zip(_FAMILY, _FAMILY_AR, strict=True)]


def places() -> list[Place]:
    return [Place(key, en, ar) for key, en, ar in _PLACES]


class _Text:
    """Builds an article's text sentence by sentence, remembering where each phrase sits."""

    def __init__(self) -> None:
        self.text = ""

    def add(self, sentence: str) -> Span:
        start = len(self.text)
        self.text += sentence + " "
        return Span(start, start + len(sentence), sentence)


def extraction(index: int, rng: random.Random, people: list[Actor], sites: list[Place]) -> Extraction:
    published = date(2020, 1, 1) + timedelta(days=rng.randrange(2000))
    text = _Text()
    meetings, statements, actors = [], [], set()
    for _ in range(rng.randint(1, 3)):
        a, b = rng.sample(people, 2)
        place = rng.choice(sites)
        day = published - timedelta(days=rng.randrange(3))
        held = rng.random() < 0.85
        verb = "استقبل" if held else "سيلتقي"
        span = text.add(f"{verb} {a.label_ar} {b.label_ar} في {place.label_ar} لبحث {rng.choice(_TOPICS)}.")
        meetings.append(Meeting((a, b), "held" if held else "planned", (span,), date=day.isoformat(),
                                place=place, host=a if held else None, trigger=verb))
        actors.update((a, b))
    for _ in range(rng.randint(0, 2)):
        speaker = rng.choice(people)
        content = f"العلاقات بين البلدين في {rng.choice(_TOPICS)} تشهد تطورا رقم {index}"
        evidence = text.add(f"وأكد {speaker.label_ar} أن {content}.")
        offset = evidence.text.index(content)
        content_span = Span(evidence.start + offset, evidence.start + offset + len(content), content)
        statements.append(Statement((speaker,), content_span, evidence, "أكد"))
        actors.add(speaker)
    article = Article(f"synthetic-{index:06d}", text.text.strip(), published=published, source="Synthetic News",
                      url=f"https://news.example/{index}", title=f"خبر رقم {index}")
    return Extraction(article, meetings, statements, sorted(actors, key=lambda actor: actor.key))


def quads(articles: int, seed: int = 7) -> list[ox.Quad]:
    rng = random.Random(seed)
    people, sites = persons(), places()
    out: list[ox.Quad] = []
    for index in range(articles):
        out.extend(rdf.extraction_quads(extraction(index, rng, people, sites)))
    return out


def build_store(path: str, articles: int, seed: int = 7) -> int:
    """Writes a synthetic store at `path`; returns the number of quads."""
    store = ox.Store(path)
    data = quads(articles, seed)
    store.bulk_extend(data)
    store.optimize()
    store.flush()
    count = len(store)
    del store
    return count

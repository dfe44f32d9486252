"""Extractions -> the prediction JSON of the evaluation (shared/eval/README.md), the
interface through which extraction quality is measured."""
from __future__ import annotations

from collections.abc import Iterable

from kg.event_graph import resolve_extractions
from kg.knowledge import KnowledgeBase
from kg.model import Actor, Extraction, Place


def _entity(actor: Actor, kb: KnowledgeBase) -> dict:
    entity: dict = {"label": actor.label, "wikidata": actor.wikidata}
    if actor.label_ar:
        entity["label_ar"] = actor.label_ar
    names = kb.all_names(actor)
    if names:
        entity["labels"] = names
    if actor.is_local:
        entity["local"] = True
    return entity


def _place(place: Place | None) -> dict | None:
    if place is None:
        return None
    return {"label": place.label, "wikidata": place.wikidata, "label_ar": place.label_ar}


def to_predictions(extractions: Iterable[Extraction], kb: KnowledgeBase) -> dict:
    """Each report's meeting keeps its own values; `event` is shared by the reports of one
    encounter across the set (kg.events), as score_events.py reads it, and the same id its
    event has in the store."""
    extractions = list(extractions)
    events = resolve_extractions(extractions)
    meetings, statements = [], []
    for ex in extractions:
        doc = ex.article.id
        for i, m in enumerate(ex.meetings):
            meetings.append({
                "event": events[(doc, i)].id,
                "participants": [_entity(a, kb) for a in m.participants],
                "date": m.date,
                "location": _place(m.place),
                "status": m.status,
                "documents": [doc],
                "evidence": [{"start": s.start, "end": s.end, "text": s.text} for s in m.evidence],
            })
        for s in ex.statements:
            statements.append({
                "speakers": [_entity(a, kb) for a in s.speakers],
                "text": s.content.text,
                "document": doc,
                "verb": s.verb,
                "collective": s.collective,
                "start": s.content.start,
                "end": s.content.end,
            })
    return {"meetings": meetings, "statements": statements}

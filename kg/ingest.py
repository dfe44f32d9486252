"""The pipeline end to end: sources -> extract -> RDF -> store.

The engine (parallel extraction, batched crash-safe writes, resumption) is `kg.bulk`;
this module keeps the pieces every front end shares: the knowledge base in the default
graph with a version marker, the ingest entry point, and extraction without a store.
Bad input is reported and counted, never silently dropped.
"""
from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg import event_graph, rdf, summary
from kg.bulk import IngestReport, Outcome, run
from kg.extract import Extractor
from kg.knowledge import KNOWLEDGE_DIR, KnowledgeBase
from kg.model import Extraction
from kg.sources import SourceProblem, read_articles
from kg.store import GraphStore

__all__ = ["IngestReport", "Outcome", "ensure_knowledge", "extract_all", "ingest", "knowledge_version", "remove",
           "stored_hash"]

KGO = "https://w3id.org/kg-meetings/ontology#"
_VERSION_NODE = ox.NamedNode("https://w3id.org/kg-meetings/id/knowledge")
_VERSION_PRED = ox.NamedNode(KGO + "knowledgeVersion")


def knowledge_version() -> str:
    """Changes whenever a knowledge file, the ontology or relations.rq changes (the met-with
    summary copies names from the first and rows of the last, so each means a rebuild)."""
    from kg.queries import QUERIES_DIR

    digest = hashlib.sha256()
    for path in sorted(KNOWLEDGE_DIR.rglob("*.json")) + [rdf.ONTOLOGY_PATH, QUERIES_DIR / "relations.rq"]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_knowledge(store: GraphStore, kb: KnowledgeBase) -> str:
    """Load ontology and knowledge base into the default graph unless this version is there.
    Returns "same", "loaded" (none was visible: a new store, or a server that hides its
    default graph from queries, as Fuseki's union graph does) or "changed" (another version)."""
    version = knowledge_version()
    current = store.select(f"SELECT ?v WHERE {{ {_VERSION_NODE} {_VERSION_PRED} ?v }}")
    if current and current[0]["v"].value == version:
        return "same"
    if hasattr(store, "clear_default"):
        store.clear_default()
    # Through the bulk path (several times faster than one transaction on a new store); the
    # version goes in last, so a load cut short has no version and is redone by the next run.
    store.add_quads(_knowledge_quads(kb, version))
    store.add_default([ox.Quad(_VERSION_NODE, _VERSION_PRED, ox.Literal(version), ox.DefaultGraph())])
    return "changed" if current else "loaded"


_built: tuple[weakref.ref, str, list[ox.Quad]] | None = None


def _knowledge_quads(kb: KnowledgeBase, version: str) -> list[ox.Quad]:
    """Ontology and knowledge base as quads, built once per knowledge base and version in a
    process (a process that makes many stores, like a test run, would rebuild it each time)."""
    global _built
    if _built is not None and _built[0]() is kb and _built[1] == version:
        return _built[2]
    quads = rdf.ontology_quads() + rdf.knowledge_quads(
        kb.raw["persons"], kb.raw["countries"], kb.raw["organisations"], kb.raw["places"])
    _built = (weakref.ref(kb), version, quads)
    return quads


def stored_hash(store: GraphStore, article_id: str) -> str | None:
    rows = store.select(f"SELECT ?h WHERE {{ GRAPH {rdf.graph_iri(article_id)} {{ ?a <{KGO}contentHash> ?h }} }}")
    return rows[0]["h"].value if rows else None


def ingest(store: GraphStore, paths: Iterable[str], *, metadata: Path | None = None, published: date | None = None,
           source: str | None = None, extractor: Extractor | None = None, force: bool = False,
           workers: int | None = None, on_outcome: Callable[[Outcome], None] | None = None,
           on_summary: Callable[[int, int], None] | None = None, events: bool = True) -> IngestReport:
    """Store every article `paths` hold, skipping those stored with the same text (unless
    `force`); `workers` processes extract in parallel (default: the usable cores). Then
    bring the events (kg.event_graph) and the met-with summary up to date (`on_summary(done, total)` reports on that):
    the touched actors' rows, or everything if the summary was not complete before.
    `events=False` leaves the event graphs stale (for measuring their cost; the next
    ingest with events rebuilds them)."""
    ours = not getattr(store, "keeps_summary", False)  # a `kg serve` rebuilds after our writes itself
    was_complete = ours and summary.is_complete(store)
    # Events: the graphs written, and the reports replaced graphs held (kg.event_graph).
    events_complete = events and event_graph.is_complete(store)
    written: list[str] = []
    former: list = []

    def outcome(item: Outcome) -> None:
        if item.status == "ingested":
            written.append(item.item.id)
        if on_outcome:
            on_outcome(item)

    def before_first_write() -> None:
        event_graph.mark_stale(store)
        if ours:
            summary.mark_stale(store)

    def before_replace(graphs: list[ox.NamedNode]) -> None:
        if events_complete:
            former.extend(event_graph.reports_in(store, graphs))

    report = run(store, paths, metadata=metadata, published=published, source=source, force=force,
                 workers=workers, extractor=extractor, on_outcome=outcome,
                 before_first_write=before_first_write, before_replace=before_replace)
    if events and (report.wrote or not events_complete):
        report.events = event_graph.refresh(store, written if events_complete else None, former)
        report.touched |= report.events.actors  # relations count events: their rows may change too
    # New names in the knowledge base mean new labels in every row: rebuild them all.
    if ours and (report.wrote or report.knowledge_changed or not was_complete or report.events is not None):
        everything = not was_complete or report.knowledge_changed
        report.summary = summary.refresh(store, None if everything else report.touched, progress=on_summary)
        if hasattr(store, "flush"):
            store.flush()
    return report


def remove(store: GraphStore, article_ids: Iterable[str]) -> IngestReport:
    """Take articles out of the store: their graphs, their reports from their events, their
    meetings from the met-with summary."""
    ids = list(dict.fromkeys(article_ids))
    report = IngestReport()
    ours = not getattr(store, "keeps_summary", False)
    was_complete = ours and summary.is_complete(store)
    graphs = [rdf.graph_iri(a) for a in ids]
    report.touched = summary.actors(store, graphs) if ours else set()
    if ours:
        summary.mark_stale(store)
    report.events = event_graph.remove_articles(store, ids)
    report.wrote = True
    if ours:
        report.summary = summary.refresh(store, report.touched if was_complete else None)
    if hasattr(store, "flush"):
        store.flush()
    return report


def extract_all(paths: Iterable[str], *, metadata: Path | None = None, published: date | None = None,
                extractor: Extractor | None = None) -> Iterator[Extraction | SourceProblem]:
    """Extraction without a store: what `kg extract` prints and the evaluation scores."""
    extractor = extractor or Extractor()
    for item in read_articles(paths, metadata=metadata, published=published):
        if isinstance(item, SourceProblem):
            yield item
            continue
        try:
            extraction = extractor.extract(item)
        except Exception as error:
            yield SourceProblem(item.id, f"extraction failed: {type(error).__name__}: {error}")
            continue
        for warning in extraction.warnings:
            yield SourceProblem(item.id, warning, severity="warning")
        yield extraction

"""The pipeline end to end: sources -> extract -> RDF -> store, one article at a time.

Each article is written as one atomic replacement of its named graph, so an interrupted
run never leaves half an article and a rerun skips what is already stored (by content
hash). Bad input is reported and counted, never silently dropped.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg import rdf
from kg.extract import Extractor
from kg.knowledge import KNOWLEDGE_DIR, KnowledgeBase
from kg.model import Article, Extraction
from kg.sources import SourceProblem, read_articles
from kg.store import GraphStore

KGO = "https://w3id.org/kg-meetings/ontology#"
_VERSION_NODE = ox.NamedNode("https://w3id.org/kg-meetings/id/knowledge")
_VERSION_PRED = ox.NamedNode(KGO + "knowledgeVersion")


@dataclass
class IngestReport:
    ingested: int = 0
    skipped_unchanged: int = 0
    meetings: int = 0
    statements: int = 0
    quads: int = 0
    problems: list[SourceProblem] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")


def knowledge_version() -> str:
    """Changes whenever a knowledge file or the ontology changes."""
    digest = hashlib.sha256()
    for path in sorted(KNOWLEDGE_DIR.rglob("*.json")) + [rdf.ONTOLOGY_PATH]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_knowledge(store: GraphStore, kb: KnowledgeBase) -> bool:
    """Load ontology and knowledge base into the default graph unless this version is there."""
    version = knowledge_version()
    current = store.select(f"SELECT ?v WHERE {{ {_VERSION_NODE} {_VERSION_PRED} ?v }}")
    if current and current[0]["v"].value == version:
        return False
    if hasattr(store, "clear_default"):
        store.clear_default()
    quads = rdf.ontology_quads() + rdf.knowledge_quads(
        kb.raw["persons"], kb.raw["countries"], kb.raw["organisations"], kb.raw["places"])
    quads.append(ox.Quad(_VERSION_NODE, _VERSION_PRED, ox.Literal(version), ox.DefaultGraph()))
    store.add_default(quads)
    return True


def stored_hash(store: GraphStore, article_id: str) -> str | None:
    rows = store.select(f"SELECT ?h WHERE {{ GRAPH {rdf.graph_iri(article_id)} {{ ?a <{KGO}contentHash> ?h }} }}")
    return rows[0]["h"].value if rows else None


def ingest(store: GraphStore, paths: Iterable[str], *, metadata: Path | None = None, published: date | None = None,
           source: str | None = None, extractor: Extractor | None = None, force: bool = False,
           on_article: Callable[[Article | SourceProblem, Extraction | None], None] | None = None) -> IngestReport:
    extractor = extractor or Extractor()
    ensure_knowledge(store, extractor.kb)
    report = IngestReport()
    for item in read_articles(paths, metadata=metadata, published=published, source=source):
        if isinstance(item, SourceProblem):
            report.problems.append(item)
            if on_article:
                on_article(item, None)
            continue
        if not force and stored_hash(store, item.id) == item.content_hash:
            report.skipped_unchanged += 1
            if on_article:
                on_article(item, None)
            continue
        try:
            extraction = extractor.extract(item)
            quads = rdf.extraction_quads(extraction)
            store.replace_graph(rdf.graph_iri(item.id), quads)
        except Exception as error:  # one bad article never stops the batch
            report.problems.append(SourceProblem(item.id, f"not ingested: {type(error).__name__}: {error}"))
            if on_article:
                on_article(item, None)
            continue
        report.ingested += 1
        report.meetings += len(extraction.meetings)
        report.statements += len(extraction.statements)
        report.quads += len(quads)
        for warning in extraction.warnings:
            report.problems.append(SourceProblem(item.id, warning, severity="warning"))
        if on_article:
            on_article(item, extraction)
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

"""Dumps of the graph in standard RDF syntaxes, written straight to a sink.

Turtle and N-Triples hold one graph, so "everything" in them is the merge of the default
graph (ontology, knowledge base) and every article graph, each triple once however many
article graphs state it (queries/store/merged.rq); TriG and N-Quads keep the article
graphs apart, which is what a reload into another store needs.
"""
from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from kg import rdf
from kg.remote import store_query

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE, "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS, "nq": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES, "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD, "json-ld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def rdf_format(name: str) -> ox.RdfFormat:
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose one of: turtle, trig, nquads, ntriples, jsonld, rdfxml") from None


def export(store, sink: BinaryIO, fmt: str = "turtle", article_id: str | None = None) -> None:
    """Write the whole graph, or one article's graph, to `sink` in `fmt`."""
    target = rdf_format(fmt)
    if article_id is not None:
        graph = rdf.graph_iri(article_id)
        if not store.ask(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"):
            raise ValueError(f"no article {article_id!r} in the store (see `kg query articles`)")
        if target.supports_datasets:
            _dump_graph_as_dataset(store, sink, target, graph)
        elif not hasattr(store, "raw"):  # a remote store: its Graph Store endpoint
            _copy(store.dump(target, graph), sink)
        else:
            kwargs = {"prefixes": rdf.PREFIXES} if target == ox.RdfFormat.TURTLE else {}
            store.raw.dump(sink, target, from_graph=graph, **kwargs)
        return
    if target.supports_datasets and not hasattr(store, "raw"):
        _copy(store.dump(target), sink)
    elif target.supports_datasets:
        kwargs = {"prefixes": rdf.PREFIXES} if target == ox.RdfFormat.TRIG else {}
        store.raw.dump(sink, target, **kwargs)
    else:
        kwargs = {"prefixes": rdf.PREFIXES} if target == ox.RdfFormat.TURTLE else {}
        ox.serialize(merged_triples(store), sink, target, **kwargs)


def merged_triples(store):
    """The union of the graphs as a set of triples, streamed (a remote store knows which of
    its server's graphs are the project's)."""
    if hasattr(store, "merged"):
        return store.merged()
    return store.query(store_query("merged"))


def _copy(chunks, sink: BinaryIO) -> None:
    for chunk in chunks:
        sink.write(chunk)


def _dump_graph_as_dataset(store, sink: BinaryIO, target: ox.RdfFormat, graph: ox.NamedNode) -> None:
    if hasattr(store, "raw"):
        quads = store.raw.quads_for_pattern(None, None, None, graph)
    else:
        quads = store.graph_quads(graph)
    kwargs = {"prefixes": rdf.PREFIXES} if target == ox.RdfFormat.TRIG else {}
    ox.serialize(quads, sink, target, **kwargs)

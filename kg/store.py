"""Where the graph lives: an embedded pyoxigraph store on disk (the default) or, when the
location is an http(s) URL, any SPARQL 1.1 Protocol + Graph Store Protocol server.

Both speak the same small interface so every command works against either. Writes are
per article: one SPARQL update drops the article's named graph and inserts its new
quads, so an article is replaced atomically and re-ingesting never duplicates anything.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

DEFAULT_DIRNAME = "kg-meetings/store"


def default_location() -> str:
    """`KG_STORE`, else the XDG data directory (~/.local/share/kg-meetings/store)."""
    if os.environ.get("KG_STORE"):
        return os.environ["KG_STORE"]
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / DEFAULT_DIRNAME)


def quads_to_sparql_data(quads: Iterable[ox.Quad]) -> str:
    """Quads as the body of INSERT DATA; terms are serialised by pyoxigraph, never pasted."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        graph = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
        by_graph.setdefault(graph, []).append(f"{q.subject} {q.predicate} {q.object} .")
    parts = []
    for graph, lines in by_graph.items():
        body = "\n".join(lines)
        parts.append(f"GRAPH {graph} {{\n{body}\n}}" if graph else body)
    return "\n".join(parts)


class GraphStore(Protocol):
    location: str

    def replace_graph(self, graph: ox.NamedNode, quads: list[ox.Quad]) -> None: ...
    def drop_graph(self, graph: ox.NamedNode) -> None: ...
    def add_default(self, quads: list[ox.Quad]) -> None: ...
    def add_quads(self, quads: list[ox.Quad]) -> None: ...
    def update(self, update: str) -> None: ...
    def select(self, query: str) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]: ...
    def ask(self, query: str) -> bool: ...
    def query_raw(self, query: str, accept: str) -> tuple[bytes, str]: ...
    def dump(self, fmt: ox.RdfFormat, graph: ox.NamedNode | None = None) -> Iterator[bytes]: ...
    def close(self) -> None: ...


class EmbeddedStore:
    """pyoxigraph on disk. Named graphs are visible to queries as the union default graph."""

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.location = str(path)
        self.read_only = read_only
        if read_only and not Path(path).exists():
            raise FileNotFoundError(f"no store at {path}: ingest some articles first (kg ingest PATH)")
        if not read_only:
            Path(path).mkdir(parents=True, exist_ok=True)
        self._store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))

    @classmethod
    def wrapping(cls, store: ox.Store, location: str) -> "EmbeddedStore":
        """The interface over a store another component already opened (the server's)."""
        wrapper = cls.__new__(cls)
        wrapper.location, wrapper.read_only, wrapper._store = location, True, store
        return wrapper

    @property
    def raw(self) -> ox.Store:
        return self._store

    def replace_graph(self, graph: ox.NamedNode, quads: list[ox.Quad]) -> None:
        data = quads_to_sparql_data(quads)
        self._store.update(f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{\n{data}\n}}")

    def drop_graph(self, graph: ox.NamedNode) -> None:
        self._store.update(f"DROP SILENT GRAPH {graph}")

    def add_default(self, quads: list[ox.Quad]) -> None:
        self._store.extend(quads)

    def add_quads(self, quads: list[ox.Quad]) -> None:
        """Through the bulk loader: not one transaction, so a caller that must know the
        whole list arrived writes its marker afterwards (as kg.summary does)."""
        self._store.bulk_extend(quads)

    def update(self, update: str) -> None:
        """One SPARQL Update: one transaction."""
        self._store.update(update)

    def clear_default(self) -> None:
        self._store.clear_graph(ox.DefaultGraph())

    def select(self, query: str) -> list[dict]:
        result = self._store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        return [{n: sol[n] for n in names if sol[n] is not None} for sol in result]

    def ask(self, query: str) -> bool:
        return bool(self._store.query(query, use_default_graph_as_union=True))

    def query(self, query: str, **options):
        options.setdefault("use_default_graph_as_union", True)
        return self._store.query(query, **options)

    def query_raw(self, query: str, accept: str) -> tuple[bytes, str]:
        from kg.formats import serialize_result
        result = self._store.query(query, use_default_graph_as_union=True)
        return serialize_result(result, accept)

    def dump(self, fmt: ox.RdfFormat, graph: ox.NamedNode | None = None) -> Iterator[bytes]:
        """Streams in chunks; a single-graph format needs `graph` (the default graph when None)."""
        import io

        buffer = io.BytesIO()
        if graph is None and fmt.supports_datasets:
            self._store.dump(buffer, fmt)
        else:
            self._store.dump(buffer, fmt, from_graph=graph or ox.DefaultGraph())
        buffer.seek(0)
        while chunk := buffer.read(1 << 16):
            yield chunk

    def named_graphs(self) -> list[ox.NamedNode]:
        return [g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)]

    def __len__(self) -> int:
        return len(self._store)

    def optimize(self) -> None:
        self._store.optimize()

    def flush(self) -> None:
        self._store.flush()

    def close(self) -> None:
        if not self.read_only:
            self._store.flush()
        del self._store


def open_store(location: str | None = None, *, read_only: bool = False) -> GraphStore:
    """`location` (or `KG_STORE`, or the default path) as a store; http(s) URLs are remote."""
    location = location or default_location()
    if location.startswith(("http://", "https://")):
        from kg.remote import RemoteStore

        return RemoteStore(location)
    return EmbeddedStore(location, read_only=read_only)

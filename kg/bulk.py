"""The parallel ingest engine: a bounded stream of articles, extracted across processes,
written in batches that a crash can never leave half-done.

Pipeline (the main process reads, checks and writes; workers only extract):

    read_articles ──chunk──> stored-hash lookup (one query per chunk) ──> worker pool
        (one Extractor per worker process; at most `window` tasks in flight, so memory
        stays flat whatever the corpus size) ──in input order──> write batches

Crash safety. pyoxigraph has no transaction object, but every `update` call is one
transaction, while `bulk_load` (2-3x faster) is not transactional at all. So:

- An article already in the store (changed text, or `--force`) is replaced by one
  SPARQL update for the whole batch: `DROP SILENT GRAPH` each, then one `INSERT DATA`.
  All or nothing.
- Brand-new articles (the common case) on the embedded store go through `bulk_load`,
  guarded by markers: (1) one transaction records the batch's graph names as pending in
  the default graph; (2) `bulk_load` writes their quads *except* each article's
  `kgo:contentHash`; (3) one transaction adds the content hashes and deletes the
  pending markers. An article therefore counts as stored exactly when its hash is there,
  and the hash is only ever written after everything else of its graph. A run killed
  between (1) and (3) leaves pending markers; `recover_interrupted` (run first by every
  ingest) drops those graphs and the markers in one transaction. Until then a reader may
  see at most one batch of incomplete, hash-less graphs.
- Remote stores get one SPARQL update per batch (DROP + INSERT DATA), atomic on
  Oxigraph and Fuseki alike.

Resumption: a rerun skips every article whose stored hash equals its text's hash, found
by one `VALUES` query per chunk, so the check costs no memory and ~1 ms per chunk.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg import rdf
from kg.model import Article
from kg.sources import ARTICLE_SUFFIXES, JSONL_SUFFIXES, SourceProblem, read_articles

CHUNK = 256  # articles read and hash-checked together
TASK = 16  # articles per worker task: small enough to balance, large enough to amortise pickling
BATCH_ARTICLES = 1000  # articles per write transaction; KG_INGEST_BATCH overrides
BATCH_BYTES = 16 << 20  # request body cap per remote update (oxigraph serve refuses >128 MB)
PENDING_NODE = ox.NamedNode(rdf.ID_NS + "ingest/pending")
PENDING_PRED = ox.NamedNode(rdf.KGO_NS + "pendingGraph")
_HASH_PRED = rdf.KGO.contentHash


@dataclass(slots=True)
class Extracted:
    """What a worker sends back for one article: its triples, never Python RDF objects
    (N-Triples bytes pickle ~20x faster than Quad objects)."""

    article_id: str
    body: bytes = b""  # N-Triples of the article's graph without its content-hash triple
    quads: int = 0  # including the hash triple
    meetings: int = 0
    statements: int = 0
    warnings: tuple[str, ...] = ()
    error: str | None = None
    participants: tuple[str, ...] = ()  # actor IRIs of its meetings and statements: the summary rows it touches


@dataclass(slots=True)
class Outcome:
    """The fate of one input item, as shown to the user."""

    item: Article | SourceProblem
    status: str  # "ingested" | "unchanged" | "failed" | "problem"
    meetings: int = 0
    statements: int = 0


@dataclass
class IngestReport:
    ingested: int = 0
    skipped_unchanged: int = 0
    meetings: int = 0
    statements: int = 0
    quads: int = 0
    recovered: int = 0  # incomplete graphs of an interrupted run, dropped at start
    seconds: float = 0.0
    problems: list[SourceProblem] = field(default_factory=list)
    knowledge_changed: bool = False  # another knowledge-base version was stored, and is now replaced
    wrote: bool = False  # whether anything was written (the met-with summary then needs a refresh)
    touched: set[str] = field(default_factory=set)  # participants and speakers, before and after, of the written graphs
    summary: object | None = None  # the kg.summary.Refresh that followed, if any
    events: object | None = None  # the kg.event_graph.Refresh that followed, if any

    @property
    def failed(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")


# ---------------------------------------------------------------------------------------
# Workers


_extractor = None


def _alive(pid: int) -> bool:
    """Whether the process runs: a killed one stays a zombie until reaped, which counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except (OSError, IndexError):
        return True  # no /proc: trust kill()


class _QuietWhenOrphaned:
    """A worker's stderr that goes silent once the ingest that started it is gone: a
    `kill -9` of `kg ingest` must not leave its workers printing BrokenPipeError
    tracebacks from the pool's result pipe into the user's terminal."""

    def __init__(self, stream, parent: int) -> None:
        self.stream, self.parent = stream, parent

    def write(self, text: str) -> int:
        return self.stream.write(text) if _alive(self.parent) else len(text)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def _watch_parent(parent: int) -> None:
    """Ends this worker quietly soon after the ingest process is gone (kill -9 leaves no
    one to stop the pool)."""
    while _alive(parent):
        time.sleep(0.2)
    os._exit(0)


def _init_worker(parent: int | None = None) -> None:
    """One Extractor per process (compiling the knowledge base takes about a second);
    Ctrl-C is the parent's to handle, so a worker never dies mid-task on it."""
    global _extractor
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        import sys
        import threading

        sys.stderr = _QuietWhenOrphaned(sys.stderr, parent)
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    from kg.extract import Extractor

    _extractor = Extractor()


def extract_one(article: Article, extractor=None) -> Extracted:
    """Extraction and RDF mapping of one article; any failure is reported, not raised."""
    extractor = extractor or _extractor
    try:
        extraction = extractor.extract(article)
        quads = rdf.extraction_quads(extraction)
        triples = [q.triple for q in quads if q.predicate != _HASH_PRED]
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    except Exception as error:  # one bad article never stops the batch
        return Extracted(article.id, error=f"not ingested: {type(error).__name__}: {error}")
    participants = {rdf.actor_iri(actor.key).value for meeting in extraction.meetings for actor in meeting.participants}
    participants |= {rdf.actor_iri(actor.key).value for statement in extraction.statements for actor in statement.speakers}
    return Extracted(article.id, body, len(quads), len(extraction.meetings), len(extraction.statements),
                     tuple(extraction.warnings), participants=tuple(sorted(participants)))


def _extract_task(articles: list[Article]) -> list[Extracted]:
    return [extract_one(article) for article in articles]


class _InProcess:
    """The pool's interface without processes: for small inputs and `workers=1`."""

    def __init__(self, extractor) -> None:
        self.extractor = extractor

    def submit(self, articles: list[Article]):
        extractor = self.extractor
        return _Done([extract_one(a, extractor) for a in articles])

    def close(self) -> None:
        pass

    def terminate(self) -> None:
        pass


class _Done:
    def __init__(self, value) -> None:
        self.value = value

    def get(self):
        return self.value


def _start_quiet_resource_tracker() -> None:
    """multiprocessing's resource tracker outlives a killed ingest and then warns about
    "leaked semaphore objects" it cleans up anyway: start it with its stderr on /dev/null."""
    from multiprocessing import resource_tracker

    try:
        saved = os.dup(2)
    except OSError:
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            resource_tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _Pool:
    def __init__(self, workers: int) -> None:
        # forkserver: workers start from a clean process, not a copy of one holding the
        # store's threads and locks; the knowledge base is preloaded once in the server.
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(["kg.extract", "kg.rdf"])
        _start_quiet_resource_tracker()
        if threading.current_thread() is not threading.main_thread():  # signals are the main thread's
            self.pool = context.Pool(workers, initializer=_init_worker, initargs=(os.getpid(),))
            return
        # A Ctrl-C while the pool starts (workers wait for the forkserver to import the
        # preload, a second or two) must neither reach the forkserver, which would print
        # its KeyboardInterrupt traceback, nor orphan half-started workers, which print
        # theirs when they find the parent gone. So the server starts with SIGINT ignored
        # (it inherits that and keeps it), and an interrupt during the start is held until
        # the pool exists, then raised, so that the caller terminates the pool.
        interrupted: list[int] = []
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            if method == "forkserver":
                from multiprocessing import forkserver

                forkserver.ensure_running()
            signal.signal(signal.SIGINT, lambda number, _frame: interrupted.append(number))
            self.pool = context.Pool(workers, initializer=_init_worker, initargs=(os.getpid(),))
        finally:
            signal.signal(signal.SIGINT, previous)
        if interrupted:
            self.terminate()
            raise KeyboardInterrupt

    def submit(self, articles: list[Article]):
        return self.pool.apply_async(_extract_task, (articles,))

    def close(self) -> None:
        self.pool.close()
        self.pool.join()

    def terminate(self) -> None:
        self.pool.terminate()
        self.pool.join()


# ---------------------------------------------------------------------------------------
# Store side


def stored_hashes(store, article_ids: Iterable[str]) -> dict[str, str]:
    """Stored content hash of each of these articles that has one (one query)."""
    graphs = {rdf.graph_iri(article_id).value: article_id for article_id in article_ids}
    if not graphs:
        return {}
    values = " ".join(f"<{iri}>" for iri in graphs)
    rows = store.select(f"SELECT ?g ?h WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?a <{_HASH_PRED.value}> ?h }} }}")
    return {graphs[row["g"].value]: row["h"].value for row in rows}


def pending_graphs(store) -> list[ox.NamedNode]:
    """Graphs a bulk load had started but not committed when its run stopped."""
    rows = store.select(f"SELECT DISTINCT ?g WHERE {{ {PENDING_NODE} {PENDING_PRED} ?g }}")
    return [row["g"] for row in rows]


def recover_interrupted(store) -> int:
    """Drop the incomplete graphs of an interrupted bulk load and its markers, atomically."""
    graphs = pending_graphs(store)
    if not graphs:
        return 0
    drops = "".join(f"DROP SILENT GRAPH {g} ;\n" for g in graphs)
    store_update(store, drops + f"DELETE WHERE {{ {PENDING_NODE} {PENDING_PRED} ?g }}")
    return len(graphs)


def store_update(store, text: str) -> None:
    if hasattr(store, "raw"):
        store.raw.update(text)
    else:
        store.update(text)


def _hash_triple(article: Article) -> str:
    return f"{rdf.article_iri(article.id)} {_HASH_PRED} {ox.Literal(article.content_hash)} ."


def _graph_block(graph: ox.NamedNode, body: bytes, extra: str) -> str:
    return f"GRAPH {graph} {{\n{body.decode('utf-8')}{extra}\n}}"


class Writer:
    """Accumulates extracted articles and writes them a batch at a time (see module doc)."""

    def __init__(self, store, *, batch_articles: int = BATCH_ARTICLES, batch_bytes: int = BATCH_BYTES,
                 use_bulk_load: bool | None = None, before_first_write: Callable[[], None] | None = None,
                 before_replace: Callable[[list[ox.NamedNode]], None] | None = None) -> None:
        self.store = store
        self.before_first_write = before_first_write
        self.before_replace = before_replace  # sees the graphs about to be replaced, before they are
        self.wrote = False
        self.touched: set[str] = set()  # actor IRIs whose met-with rows the written graphs change
        self.embedded = hasattr(store, "raw")
        self.use_bulk_load = self.embedded if use_bulk_load is None else use_bulk_load and self.embedded
        self.batch_articles = batch_articles
        self.batch_bytes = batch_bytes
        self.new: list[tuple[Article, Extracted]] = []
        self.replaced: list[tuple[Article, Extracted]] = []
        self.replacing: list[ox.NamedNode] = []  # graphs already stored that this batch replaces
        self.size = 0
        self.written_quads = 0

    def add(self, article: Article, extracted: Extracted, *, replaces: bool) -> list[Article]:
        """Queue one article; returns the articles committed by this call (maybe none)."""
        (self.replaced if replaces or not self.use_bulk_load else self.new).append((article, extracted))
        if replaces:
            self.replacing.append(rdf.graph_iri(article.id))
        self.size += len(extracted.body)
        if len(self.new) + len(self.replaced) >= self.batch_articles or self.size >= self.batch_bytes:
            return self.flush()
        return []

    def flush(self) -> list[Article]:
        committed: list[Article] = []
        if not (self.replaced or self.new):
            return committed
        if not self.wrote:
            if self.before_first_write:
                self.before_first_write()
            self.wrote = True
        if self.replacing:
            from kg.summary import actors

            self.touched |= actors(self.store, self.replacing)
            if self.before_replace:
                self.before_replace(list(self.replacing))
        for _, extracted in self.replaced + self.new:
            self.touched.update(extracted.participants)
        if self.replaced:
            self._write_by_update(self.replaced)
            committed += [a for a, _ in self.replaced]
        if self.new:
            self._write_by_bulk_load(self.new)
            committed += [a for a, _ in self.new]
        self.new, self.replaced, self.replacing, self.size = [], [], [], 0
        return committed

    def _write_by_update(self, items: list[tuple[Article, Extracted]]) -> None:
        drops = "".join(f"DROP SILENT GRAPH {rdf.graph_iri(a.id)} ;\n" for a, _ in items)
        blocks = "\n".join(_graph_block(rdf.graph_iri(a.id), x.body, _hash_triple(a)) for a, x in items)
        store_update(self.store, f"{drops}INSERT DATA {{\n{blocks}\n}}")
        self.written_quads += sum(x.quads for _, x in items)

    def _write_by_bulk_load(self, items: list[tuple[Article, Extracted]]) -> None:
        raw = self.store.raw
        graphs = [rdf.graph_iri(a.id) for a, _ in items]
        markers = ", ".join(str(g) for g in graphs)
        body = b"".join(_as_nquads(x.body, g) for g, (_, x) in zip(graphs, items))
        hashes = "\n".join(f"GRAPH {g} {{ {_hash_triple(a)} }}" for g, (a, _) in zip(graphs, items))
        with _ctrl_c_after():  # a Ctrl-C during the bulk load lets the batch finish first
            raw.update(f"INSERT DATA {{ {PENDING_NODE} {PENDING_PRED} {markers} }}")
            raw.bulk_load(body, format=ox.RdfFormat.N_QUADS)
            raw.update(f"INSERT DATA {{\n{hashes}\n}} ;\nDELETE DATA {{ {PENDING_NODE} {PENDING_PRED} {markers} }}")
        self.written_quads += sum(x.quads for _, x in items)


@contextlib.contextmanager
def _ctrl_c_after() -> Iterator[None]:
    """Holds back SIGINT until the block ends, then raises KeyboardInterrupt as usual.
    Python raises it after the native call it arrived in returns, which for a bulk load
    was between the quads and their content hashes: the batch was then left pending, so
    `kg stats` counted articles that the resume then dropped and ingested again."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _as_nquads(ntriples: bytes, graph: ox.NamedNode) -> bytes:
    """N-Triples lines end in " .\\n" and a literal never holds a raw newline, so the graph
    name can be put in textually, at C speed."""
    return ntriples.replace(b" .\n", f" {graph} .\n".encode())


# ---------------------------------------------------------------------------------------
# The run


def estimate_total(paths: Iterable[str]) -> int | None:
    """How many articles the inputs hold (JSON Lines counted by newlines), for the ETA;
    None when any input is a stream or a URL."""
    total = 0
    for path in paths:
        if path == "-" or path.lower().startswith(("http://", "https://")):
            return None
        p = Path(path)
        files = sorted(x for x in p.iterdir() if x.is_file() and x.name.lower().endswith(ARTICLE_SUFFIXES)) \
            if p.is_dir() else [p] if p.exists() else []
        for file in files:
            total += _count_lines(file) if file.suffix.lower() in JSONL_SUFFIXES else 1
    return total


def _count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def run(store, paths: Iterable[str], *, metadata: Path | None = None, published: date | None = None,
        source: str | None = None, force: bool = False, workers: int | None = None,
        batch_articles: int | None = None, use_bulk_load: bool | None = None, extractor=None,
        on_outcome: Callable[[Outcome], None] | None = None,
        before_first_write: Callable[[], None] | None = None,
        before_replace: Callable[[list[ox.NamedNode]], None] | None = None) -> IngestReport:
    """Ingest everything `paths` hold into `store`; see the module docstring for the design.

    `workers` defaults to the usable cores; inputs smaller than one chunk are extracted in
    this process, sparing the pool's start-up. Raises ValueError for bad configuration
    (a malformed metadata file); everything about single articles goes into the report.
    """
    from kg.ingest import ensure_knowledge
    from kg.knowledge import default as default_kb

    started = time.monotonic()
    report = IngestReport()
    report.recovered = recover_interrupted(store)
    report.knowledge_changed = ensure_knowledge(store, extractor.kb if extractor is not None else default_kb()) == "changed"
    workers = workers or default_workers()
    batch_articles = batch_articles or int(os.environ.get("KG_INGEST_BATCH") or BATCH_ARTICLES)
    writer = Writer(store, batch_articles=batch_articles, use_bulk_load=use_bulk_load,
                    before_first_write=before_first_write, before_replace=before_replace)
    notify = on_outcome or (lambda outcome: None)
    # `extracting` holds (articles, replaces, result) in input order; `waiting` what the
    # writer holds but has not committed, so a failure can still be reported per article.
    extracting: deque = deque()
    waiting: dict[str, tuple[Article, Extracted]] = {}
    executor = None
    window = 4 * workers

    def commit(articles: list[Article]) -> None:
        for article in articles:
            _, extracted = waiting.pop(article.id)
            report.ingested += 1
            report.meetings += extracted.meetings
            report.statements += extracted.statements
            report.quads += extracted.quads
            for warning in extracted.warnings:
                report.problems.append(SourceProblem(article.id, warning, severity="warning"))
            notify(Outcome(article, "ingested", extracted.meetings, extracted.statements))

    def collect_oldest() -> None:
        articles, replaces, result = extracting.popleft()
        for article, extracted in zip(articles, result.get()):
            if extracted.error:
                problem = SourceProblem(article.id, extracted.error)
                report.problems.append(problem)
                notify(Outcome(article, "failed"))
                continue
            waiting[article.id] = (article, extracted)
            commit(writer.add(article, extracted, replaces=replaces[article.id]))

    reader = read_articles(paths, metadata=metadata, published=published, source=source)
    try:
        for chunk in _chunks(reader, CHUNK):
            articles = []
            for item in chunk:
                if isinstance(item, SourceProblem):
                    report.problems.append(item)
                    notify(Outcome(item, "problem"))
                else:
                    articles.append(item)
            stored = stored_hashes(store, (a.id for a in articles))
            todo = []
            for article in articles:
                if not force and stored.get(article.id) == article.content_hash:
                    report.skipped_unchanged += 1
                    notify(Outcome(article, "unchanged"))
                else:
                    todo.append(article)
            if not todo:
                continue
            if executor is None:
                big = len(chunk) >= CHUNK and workers > 1
                if big:
                    executor = _Pool(workers)
                else:
                    from kg.extract import Extractor

                    executor = _InProcess(extractor or Extractor())
            replaces = {a.id: a.id in stored for a in todo}
            for start in range(0, len(todo), TASK):
                part = todo[start:start + TASK]
                extracting.append((part, replaces, executor.submit(part)))
                while len(extracting) > window:
                    collect_oldest()
        while extracting:
            collect_oldest()
        commit(writer.flush())
    except BaseException as error:
        if executor is not None:
            executor.terminate()
        if isinstance(error, KeyboardInterrupt):
            # Leave what a resume will see: graphs a bulk load had begun are dropped now,
            # so `kg stats` does not count articles the next run will treat as not stored.
            try:
                report.recovered += recover_interrupted(store)
            except Exception:  # the next run recovers them instead
                pass
        raise
    finally:
        report.wrote, report.touched = writer.wrote, writer.touched
    if executor is not None:
        executor.close()
    if hasattr(store, "flush"):
        store.flush()
    report.seconds = time.monotonic() - started
    return report

"""Crash safety of `kg ingest`: kill -9 at varied moments, then check that nothing stored
is half-done and that a rerun finishes the job exactly as one clean run would have.

"Stored" follows kg/bulk.py: an article counts as stored once its graph has its
kgo:contentHash, which is written last. A graph without one must be listed as pending, so
that the next run drops it (its `recovered` count says so).

The moments are points in the run, not times: as soon as the store exists (knowledge base
load, first extraction), or after a chosen number of newly stored articles. A run whose
output is not read blocks after ~100 articles (a 4 KiB pipe), so every kill lands while the
run is still going, on a fast machine as on a loaded one.
"""
from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import queries, rdf, summary
from kg.store import EmbeddedStore
from interrupting import read_stored, small_pipe

LISTS = ("places", "articles")  # GROUP_CONCAT values, compared as sets; other literals whole (datatype, language)
ROOT = Path(__file__).resolve().parent.parent
KG = str(Path(sys.executable).with_name("kg"))
KGO = "https://w3id.org/kg-meetings/ontology#"
PENDING = "<https://w3id.org/kg-meetings/id/ingest/pending>"
CORPUS_SIZE = 270  # above one read chunk (256), so the worker pool is in play
KILLS = 5
BATCH = 30  # articles per write in the killed runs: nine batches, kills land between and inside them
MOST_LINES = 40  # a run is killed after 1..MOST_LINES newly stored articles (or at its start)


def make_corpus(folder: Path, size: int = CORPUS_SIZE, seed: int = 7) -> Path:
    """Synthetic wire articles with distinct ids (bench/corpus.py, also `kg bench-corpus`)."""
    out = folder / "corpus.jsonl"
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), str(size), "--out", str(out), "--seed", str(seed)],
                   check=True, capture_output=True, timeout=120)
    return out


def ingest(store: Path, corpus: Path) -> tuple[int, dict]:
    result = subprocess.run([KG, "ingest", "--store", str(store), "--json", str(corpus)], capture_output=True,
                            timeout=300, env={**os.environ, "COLUMNS": "500"})
    return result.returncode, json.loads(result.stdout)


def expected_counts(corpus: Path) -> dict[str, tuple[int, int]]:
    """Meetings and statements of each article by a fresh `kg extract`."""
    result = subprocess.run([KG, "extract", "--json", str(corpus)], capture_output=True, timeout=300)
    predictions = json.loads(result.stdout)
    meetings = Counter(document for m in predictions["meetings"] for document in m["documents"])
    statements = Counter(s["document"] for s in predictions["statements"])
    ids = {json.loads(line)["id"] for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()}
    return {article_id: (meetings[article_id], statements[article_id]) for article_id in ids}


def _opens(store: Path) -> bool:
    """The store exists and a reader can open it. (Killed between RocksDB's first files and
    its column families, a store opens for the next writer but not for a reader; that
    window of a few milliseconds is left out.)"""
    try:
        opened = ox.Store.read_only(str(store))
    except (OSError, RuntimeError):
        return False
    del opened
    return True


def kill_during_ingest(store: Path, corpus: Path, after_lines: int) -> bool:
    """Starts `kg ingest --verbose` in its own process group and SIGKILLs the whole group (the
    command, its forkserver and its workers) once it has reported `after_lines` newly stored
    articles, or, with 0, as soon as a reader can open the store (the knowledge base is
    being loaded). False when it finished first."""
    process = subprocess.Popen([KG, "ingest", "--verbose", "--store", str(store), str(corpus)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                               env={**os.environ, "COLUMNS": "500", "KG_INGEST_BATCH": str(BATCH)})
    small_pipe(process.stderr)
    try:
        if after_lines == 0:
            deadline = time.monotonic() + 120  # a hang guard only
            while not _opens(store) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
        else:
            read_stored(process.stderr, after_lines)
        killed = process.poll() is None
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        return killed
    except ProcessLookupError:  # the whole group had already gone
        process.wait(timeout=30)
        return False
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        process.stderr.close()


@dataclass
class StoreState:
    complete: dict[str, tuple[int, int]] = field(default_factory=dict)  # document id -> (meetings, statements)
    pending: set[str] = field(default_factory=set)  # graph IRIs marked pending
    hashless: set[str] = field(default_factory=set)  # article graphs without a content hash
    broken: list[str] = field(default_factory=list)  # complete-looking graphs missing a part
    summary_wrong: list[str] = field(default_factory=list)  # actors whose complete-marked summary is wrong
    quads: int = 0
    graphs: dict[str, frozenset[str]] = field(default_factory=dict)  # named graph IRI -> its quads (N-Quads lines)
    default: frozenset[str] = frozenset()  # the default graph's quads but the pending markers


def _lines(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> frozenset[str]:
    sink = io.BytesIO()
    store.dump(sink, ox.RdfFormat.N_TRIPLES, from_graph=graph)
    return frozenset(sink.getvalue().decode().splitlines())


def inspect(store: Path) -> StoreState:
    """What a reader would find: opens the store read-only (it must open at all)."""
    if not store.exists():  # killed before the store was created: nothing stored, nothing to open
        return StoreState()
    graph = ox.Store.read_only(str(store))
    try:
        state = StoreState(quads=len(graph))

        def rows(query: str) -> list:
            return list(graph.query(query))

        state.pending = {row["g"].value for row in rows(f"SELECT ?g WHERE {{ {PENDING} <{KGO}pendingGraph> ?g }}")}
        named = [g for g in graph.named_graphs() if isinstance(g, ox.NamedNode)]
        state.graphs = {g.value: _lines(graph, g) for g in named}
        state.default = frozenset(line for line in _lines(graph, ox.DefaultGraph())
                                  if not line.startswith(f"{PENDING} <{KGO}pendingGraph> "))
        graphs = {g.value for g in named if not rdf.is_derived_graph(g.value)}
        state.summary_wrong = summary_disagreements(EmbeddedStore.wrapping(graph, str(store)))
        hashed = {row["g"].value: row for row in rows(
            f"""SELECT ?g ?doc (COUNT(DISTINCT ?m) AS ?meetings) (COUNT(DISTINCT ?s) AS ?statements) WHERE {{
                  GRAPH ?g {{ ?a a <{KGO}Article> ; <{KGO}contentHash> ?h .
                              OPTIONAL {{ ?a <{KGO}documentId> ?doc }}
                              OPTIONAL {{ ?m a <{KGO}Meeting> }} OPTIONAL {{ ?s a <{KGO}Statement> }} }}
                }} GROUP BY ?g ?doc""")}
        state.hashless = graphs - set(hashed)
        for iri, row in hashed.items():
            if row["doc"] is None:
                state.broken.append(f"{iri}: no documentId")
                continue
            state.complete[row["doc"].value] = (int(row["meetings"].value), int(row["statements"].value))
        return state
    finally:
        del graph


class Shapes:
    """pyshacl with the project's shapes over what one state of a store holds. Checked: the
    derived graphs (events, summary) and every article graph not checked before in the same
    form, with the whole description of every node they lead to, followed forward through
    the state's article graphs and the default graph (meetings an event reports, persons,
    their offices, countries, places, ...), and the ontology. Every shape follows forward
    paths from class targets, so each of these nodes is judged as in the whole export, at a
    fraction of the cost; an article graph checked once and stored again unchanged (the
    loop asserts it is quad for quad a clean run's) is not checked twice. The default graph
    must equal a clean run's (`differences`); tests/test_pipeline.py validates it whole."""

    def __init__(self) -> None:
        import rdflib

        self.ontology = rdflib.Graph().parse(ROOT / "ontology" / "kg.ttl")
        self.shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
        self.checked: set[tuple[str, frozenset[str]]] = set()

    def check(self, store: Path, graphs: dict[str, frozenset[str]]) -> tuple[bool, str]:
        import pyshacl
        import rdflib

        todo = [(iri, quads) for iri, quads in graphs.items()
                if rdf.is_derived_graph(iri) or (iri, quads) not in self.checked]
        data = rdflib.Graph().parse(data="\n".join(line for _, quads in todo for line in quads), format="nt")
        frontier = {ox.NamedNode(str(term)) for triple in data for term in (triple[0], triple[2])
                    if isinstance(term, rdflib.URIRef)}
        seen: set[ox.NamedNode] = set()
        found: set[ox.Triple] = set()
        opened = ox.Store.read_only(str(store))
        try:
            while frontier:
                node = frontier.pop()
                seen.add(node)
                for quad in opened.quads_for_pattern(node, None, None):
                    if isinstance(quad.graph_name, ox.NamedNode) and rdf.is_derived_graph(quad.graph_name.value):
                        continue  # derived graphs are checked whole, or not at all
                    found.add(quad.triple)
                    if isinstance(quad.object, ox.NamedNode) and quad.object not in seen:
                        frontier.add(quad.object)
        finally:
            del opened
        data.parse(data=ox.serialize(found, format=ox.RdfFormat.N_TRIPLES), format="nt")
        conforms, _, text = pyshacl.validate(data, shacl_graph=self.shapes, ont_graph=self.ontology,
                                             inference="none", inplace=True)
        if conforms:
            self.checked.update(todo)
        return bool(conforms), text


def summary_disagreements(store: EmbeddedStore) -> list[str]:
    """Actors for which a summary marked complete differs from relations.rq's own answer."""
    if not summary.is_complete(store):
        return []

    def rows(name: str, actor: str) -> list[dict]:
        found = [{k: str(v) if isinstance(v, ox.Literal) and k not in LISTS else v.value for k, v in row.items()} for row in store.select(queries.get(name).bind({"actor": actor}))]
        for row in found:
            row["places"] = sorted(row.get("places", "").split())
            row["articles"] = sorted(row.get("articles", "").split(" | "))
        return found

    return [actor for actor in sorted(summary.participants(store)) if rows("relations", actor) != rows("met-with", actor)]


def check_state(state: StoreState, expected: dict[str, tuple[int, int]]) -> list[str]:
    """Everything wrong with a store left by a killed run (empty when nothing is)."""
    problems = list(state.broken) + [f"{actor}: the summary is marked complete but disagrees with relations.rq"
                                     for actor in state.summary_wrong]
    for document, counts in state.complete.items():
        if document not in expected:
            problems.append(f"{document}: stored but not in the corpus")
        elif counts != expected[document]:
            problems.append(f"{document}: stored meetings/statements {counts}, a fresh extraction gives "
                            f"{expected[document]}")
    unmarked = state.hashless - state.pending
    if unmarked:
        problems.append(f"{len(unmarked)} article graphs without a content hash and not marked pending, "
                        f"e.g. {sorted(unmarked)[0]}")
    return problems


@dataclass
class KillLoopResult:
    kills: int = 0
    finished_early: int = 0
    states: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    shacl_failures: list[str] = field(default_factory=list)
    recovered_total: int = 0
    final_code: int | None = None
    final_quads: int = 0
    clean_quads: int = 0
    same_quads_as_clean: bool = False


def kill_loop(folder: Path, *, kills: int = KILLS, seed: int = 1, size: int = CORPUS_SIZE) -> KillLoopResult:
    """The whole experiment; shared by the test and bench/robustness.py."""
    corpus = make_corpus(folder, size)
    expected = expected_counts(corpus)
    clean_code, clean = ingest(folder / "clean", corpus)
    assert clean_code == 0, clean
    reference = inspect(folder / "clean")
    result = KillLoopResult(clean_quads=reference.quads)
    shapes = Shapes()
    crashed = folder / "crashed"
    chooser = random.Random(seed)
    validated: set[tuple] = set()
    pending_before = 0
    for number in range(kills):
        lines = 0 if number == 0 else chooser.randint(1, MOST_LINES)  # the first at the very start
        killed = kill_during_ingest(crashed, corpus, lines)
        result.kills += killed
        result.finished_early += not killed
        state = inspect(crashed)
        result.states.append({"killed_after_lines": lines, "killed": killed, "complete": len(state.complete),
                              "pending": len(state.pending), "hashless": len(state.hashless)})
        result.problems += check_state(state, expected) + differences(state, reference)
        signature = (frozenset(state.complete), len(state.pending))
        # pending graphs are incomplete by design; an empty store is the knowledge base alone
        if state.complete and not state.pending and signature not in validated:
            validated.add(signature)
            conforms, text = shapes.check(crashed, state.graphs)
            if not conforms:
                result.shacl_failures.append(text[:2000])
        pending_before = len(state.pending)
    code, summary = ingest(crashed, corpus)
    result.final_code = code
    result.recovered_total = summary["recovered"]
    if summary["recovered"] != pending_before:
        result.problems.append(f"the rerun recovered {summary['recovered']} graphs, {pending_before} were pending")
    final = inspect(crashed)
    result.problems += check_state(final, expected) + differences(final, reference)
    if final.pending or final.hashless:
        result.problems.append(f"after the rerun: {len(final.pending)} pending, {len(final.hashless)} hash-less graphs")
    if set(final.complete) != set(expected):
        result.problems.append(f"after the rerun {len(final.complete)} of {len(expected)} articles are stored")
    if (frozenset(final.complete), 0) not in validated:
        conforms, text = shapes.check(crashed, final.graphs)
        if not conforms:
            result.shacl_failures.append(text[:2000])
    result.final_quads = final.quads
    result.same_quads_as_clean = (final.default, final.graphs) == (reference.default, reference.graphs)
    return result


def differences(state: StoreState, reference: StoreState) -> list[str]:
    """A stored article graph must be quad for quad what a clean run stores, and the default
    graph (ontology, knowledge base, its version) must be whole once any article is stored."""
    problems = [f"{iri}: stored, but not as a clean run stores it" for iri, quads in state.graphs.items()
                if iri not in state.pending and iri not in state.hashless and not rdf.is_derived_graph(iri)
                and quads != reference.graphs.get(iri)]
    if state.complete and state.default != reference.default:
        problems.append(f"the default graph differs from a clean run's: {len(state.default - reference.default)} "
                        f"quads more, {len(reference.default - state.default)} fewer")
    return problems


def test_kill_nine_during_ingest_loses_and_spoils_nothing(tmp_path: Path) -> None:
    result = kill_loop(tmp_path)
    assert result.kills >= 1, result.states  # the experiment really interrupted something
    assert not result.problems, result.problems
    assert not result.shacl_failures, result.shacl_failures[0]
    assert result.final_code == 0
    assert result.final_quads == result.clean_quads
    assert result.same_quads_as_clean


def test_ctrl_c_says_how_to_resume(tmp_path: Path) -> None:
    """Ctrl-C ends with a clear sentence and a resumable store."""
    size = CORPUS_SIZE  # above one read chunk: the worker pool (and its forkserver) is running
    corpus = make_corpus(tmp_path, size, seed=3)
    # --verbose prints a line per article: the interrupt is sent once the first is stored,
    # however slow the machine, never while the command is still starting; nor after it has
    # finished: in batches of 30, with its output unread in a 4 KiB pipe, it cannot get
    # past ~100 articles however fast it runs.
    process = subprocess.Popen([KG, "ingest", "--verbose", "--store", str(tmp_path / "store"), str(corpus)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               env={**os.environ, "COLUMNS": "500", "KG_INGEST_BATCH": str(BATCH)})
    small_pipe(process.stderr)
    try:
        first = process.stderr.readline()
        os.killpg(process.pid, signal.SIGINT)
        _, rest = process.communicate(timeout=120)
        stderr = first + rest
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    text = stderr.decode()
    assert "Traceback" not in text, text[-3000:]
    assert process.returncode == 130, (process.returncode, text[-2000:])
    assert text.rstrip().endswith("run the same command again to resume."), text[-2000:]
    state = inspect(tmp_path / "store")
    assert not (state.hashless - state.pending)
    code, summary = ingest(tmp_path / "store", corpus)
    assert code == 0 and summary["ingested"] + summary["unchanged"] == size

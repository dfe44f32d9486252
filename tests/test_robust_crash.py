"""Crash safety of `kg ingest`: kill -9 at random moments, then check that nothing stored
is half-done and that a rerun finishes the job exactly as one clean run would have.

"Stored" follows kg/bulk.py: an article counts as stored once its graph has its
kgo:contentHash, which is written last. A graph without one must be listed as pending, so
that the next run drops it (its `recovered` count says so).
"""
from __future__ import annotations

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

LISTS = ("places", "articles")  # GROUP_CONCAT values, compared as sets; other literals whole (datatype, language)
ROOT = Path(__file__).resolve().parent.parent
KG = str(Path(sys.executable).with_name("kg"))
KGO = "https://w3id.org/kg-meetings/ontology#"
PENDING = "<https://w3id.org/kg-meetings/id/ingest/pending>"
CORPUS_SIZE = 270  # above one read chunk (256), so the worker pool is in play
KILLS = 5


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


def kill_during_ingest(store: Path, corpus: Path, after_s: float) -> bool:
    """Starts an ingest in its own process group and SIGKILLs the whole group (the command,
    its forkserver and its workers) after `after_s`; False when it finished first."""
    process = subprocess.Popen([KG, "ingest", "--store", str(store), "--json", str(corpus)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=after_s)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        return True
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@dataclass
class StoreState:
    complete: dict[str, tuple[int, int]] = field(default_factory=dict)  # document id -> (meetings, statements)
    pending: set[str] = field(default_factory=set)  # graph IRIs marked pending
    hashless: set[str] = field(default_factory=set)  # article graphs without a content hash
    broken: list[str] = field(default_factory=list)  # complete-looking graphs missing a part
    summary_wrong: list[str] = field(default_factory=list)  # actors whose complete-marked summary is wrong
    quads: int = 0


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
        graphs = {g.value for g in graph.named_graphs() if isinstance(g, ox.NamedNode) and not rdf.is_derived_graph(g.value)}
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


def shacl_report(store: Path) -> tuple[bool, str]:
    """pyshacl over `kg export` (Turtle, all graphs merged) with the project's shapes."""
    import pyshacl
    import rdflib

    exported = subprocess.run([KG, "export", "--store", str(store), "--format", "ntriples"], capture_output=True,
                              timeout=300, check=True).stdout
    data = rdflib.Graph().parse(data=exported, format="nt")
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "kg.ttl")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")
    return bool(conforms), text


def all_quads(store: Path) -> set[ox.Quad]:
    graph = ox.Store.read_only(str(store))
    try:
        return set(graph.quads_for_pattern(None, None, None, None))
    finally:
        del graph


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
    started = time.monotonic()
    clean_code, clean = ingest(folder / "clean", corpus)
    clean_seconds = time.monotonic() - started
    assert clean_code == 0, clean
    result = KillLoopResult(clean_quads=len(all_quads(folder / "clean")))
    crashed = folder / "crashed"
    chooser = random.Random(seed)
    validated: dict[tuple, bool] = {}
    pending_before = 0
    for _ in range(kills):
        after = chooser.uniform(0.5, 0.95 * clean_seconds)
        killed = kill_during_ingest(crashed, corpus, after)
        result.kills += killed
        result.finished_early += not killed
        state = inspect(crashed)
        result.states.append({"killed_after_s": round(after, 2), "killed": killed, "complete": len(state.complete),
                              "pending": len(state.pending), "hashless": len(state.hashless)})
        result.problems += check_state(state, expected)
        signature = (frozenset(state.complete), len(state.pending))
        # pending graphs are incomplete by design; an empty store is the knowledge base alone
        if state.complete and not state.pending and signature not in validated:
            conforms, text = shacl_report(crashed)
            validated[signature] = conforms
            if not conforms:
                result.shacl_failures.append(text[:2000])
        pending_before = len(state.pending)
    code, summary = ingest(crashed, corpus)
    result.final_code = code
    result.recovered_total = summary["recovered"]
    if summary["recovered"] != pending_before:
        result.problems.append(f"the rerun recovered {summary['recovered']} graphs, {pending_before} were pending")
    final = inspect(crashed)
    result.problems += check_state(final, expected)
    if final.pending or final.hashless:
        result.problems.append(f"after the rerun: {len(final.pending)} pending, {len(final.hashless)} hash-less graphs")
    if set(final.complete) != set(expected):
        result.problems.append(f"after the rerun {len(final.complete)} of {len(expected)} articles are stored")
    signature = (frozenset(final.complete), 0)
    if signature not in validated:
        conforms, text = shacl_report(crashed)
        if not conforms:
            result.shacl_failures.append(text[:2000])
    final_quads = all_quads(crashed)
    result.final_quads = len(final_quads)
    result.same_quads_as_clean = final_quads == all_quads(folder / "clean")
    return result


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
    # however slow the machine, never while the command is still starting.
    process = subprocess.Popen([KG, "ingest", "--verbose", "--store", str(tmp_path / "store"), str(corpus)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               env={**os.environ, "COLUMNS": "500"})
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

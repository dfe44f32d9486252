"""`kg ingest` on hostile directories, stray metadata, kill -9 and Ctrl-C (issue 16).

Each case runs the real command (or the real writer on a real store) with a timeout that
only guards against a hang: a FIFO that is opened would block forever, so the test
would fail by its guard.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

import test_robust_crash as crash
from test_robust_input import SEED_WITH_MEETING, ingest_json, run_kg

from kg import bulk, rdf
from kg.model import Article
from kg.store import EmbeddedStore

GUARD_S = 120


def test_bad_directory_entries_are_named_and_the_rest_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_WITH_MEETING, folder / "a.txt")
    os.symlink("l2.txt", folder / "l1.txt")
    os.symlink("l1.txt", folder / "l2.txt")
    os.symlink("nowhere.txt", folder / "dangling.txt")
    os.mkfifo(folder / "x.txt")
    code, summary, _ = ingest_json(tmp_path, "in", "in/x.txt")
    assert code == 1 and summary["ingested"] == 1 and summary["failed"] == 5
    assert [(p["where"], p["severity"], p["reason"]) for p in summary["problems"]] == [
        ("in/dangling.txt", "error", "a symbolic link to nothing: skipped"),
        ("in/l1.txt", "error", "a symbolic link loop (too many levels of symbolic links): skipped"),
        ("in/l2.txt", "error", "a symbolic link loop (too many levels of symbolic links): skipped"),
        ("in/x.txt", "error", "not a regular file (a named pipe): skipped"),
        ("in/x.txt", "error", "not a regular file (a named pipe): skipped"),
        ("a.txt", "warning", "no publication date: relative dates (اليوم، أمس ...) left unresolved"),
    ]  # warnings of stored articles come when their batch is written, last here


def test_metadata_entries_that_name_nothing_are_reported(tmp_path: Path) -> None:
    shutil.copy(SEED_WITH_MEETING, tmp_path / "a.txt")
    shutil.copy(SEED_WITH_MEETING, tmp_path / "b.txt")  # exists, not asked for: no warning
    (tmp_path / "meta.json").write_text(json.dumps({
        "a.txt": {"published": "2020-01-02"}, "b.txt": {"published": "2020-01-03"},
        "gone.txt": {"published": "2020-01-04"}, "tpyo.txt": {}}), encoding="utf-8")
    code, summary, _ = ingest_json(tmp_path, "a.txt", extra=("--metadata", "meta.json"))
    assert code == 0 and summary["ingested"] == 1
    assert [(p["where"], p["severity"], p["reason"]) for p in summary["problems"]] == [
        ("meta.json", "warning", "2 metadata entries name no article read and no file that exists: gone.txt, tpyo.txt")]


def test_kill_nine_leaves_no_noise_and_no_processes(tmp_path: Path) -> None:
    """Only `kg ingest` itself is killed, as a user's kill -9 would: its workers must end
    by themselves, silently (no BrokenPipeError, no leaked-semaphore warning)."""
    # large enough that the ingest is still running when its first progress line comes, on
    # any machine: the kill lands right after it, with the worker pool up
    corpus = crash.make_corpus(tmp_path, 20 * crash.CORPUS_SIZE, seed=5)
    process = subprocess.Popen([crash.KG, "ingest", "--store", str(tmp_path / "store"), str(corpus)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        seen = b""
        while b"ingest: " not in seen:  # the pool is up once progress is reported
            chunk = os.read(process.stderr.fileno(), 4096)
            assert chunk, "ingest ended before it reported progress"
            seen += chunk
        assert process.poll() is None, "the ingest finished before it could be killed"
        process.kill()
        process.wait(timeout=GUARD_S)
        deadline = time.monotonic() + GUARD_S
        rest = b""
        while chunk := os.read(process.stderr.fileno(), 4096):  # EOF once every orphan has exited
            rest += chunk
            assert time.monotonic() < deadline
        text = (seen + rest).decode(errors="replace").replace("\r", "\n")
        assert [line for line in text.splitlines() if line.strip() and not line.startswith("ingest: ")] == []
        deadline = time.monotonic() + GUARD_S
        while _group_alive(process.pid):  # orphans end by themselves (and are reaped by init)
            assert time.monotonic() < deadline, "orphaned workers are still running"
            time.sleep(0.1)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=GUARD_S)
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


class _InterruptedDuringBulkLoad:
    """The real store, whose bulk load is interrupted by a Ctrl-C (SIGINT to this process)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def update(self, text: str) -> None:
        self.store.update(text)

    def bulk_load(self, *args, **kwargs) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the signal is delivered here, mid-call
        self.store.bulk_load(*args, **kwargs)


def test_ctrl_c_during_a_bulk_load_lets_the_batch_commit(tmp_path: Path) -> None:
    """Stored articles are those with a content hash; an interrupted batch must not be left
    with quads but no hashes (counted by `kg stats`, dropped and redone by the resume)."""
    store = EmbeddedStore(tmp_path / "store")
    articles = [Article(id=f"a{n}", text=f"نص {n}") for n in range(3)]
    extracted = [bulk.extract_one(article, _NoExtractor()) for article in articles]
    writer = bulk.Writer(store)
    writer.store = type("Raw", (), {"raw": _InterruptedDuringBulkLoad(store.raw)})()
    with pytest.raises(KeyboardInterrupt):
        writer._write_by_bulk_load(list(zip(articles, extracted)))
    assert bulk.pending_graphs(store) == []
    assert bulk.stored_hashes(store, [a.id for a in articles]) == {a.id: a.content_hash for a in articles}
    stored = store.select("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { ?a a "
                          f"{rdf.KGO.Article} }} }}")
    assert stored[0]["n"].value == "3"
    store.close()


class _NoExtractor:
    """An extractor that finds nothing: the article graph alone is written."""

    def extract(self, article: Article):
        from kg.model import Extraction

        return Extraction(article=article)

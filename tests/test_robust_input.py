"""Bad input to `kg ingest` and `kg extract`, through the installed command in a subprocess.

Every bad input must end as a named problem in the summary, never as a crash, a silent
drop or a spoiled neighbour; the exit code says whether anything failed (1), and only
configuration errors (a malformed metadata file) stop the run (2).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KG = str(Path(sys.executable).with_name("kg"))
SEEDS = ROOT / "seeds"
SEED_WITH_MEETING = SEEDS / "000_498fb477b4349d6f.txt"
LIMIT_BYTES = 5_000_000


_KNOWLEDGE_ONLY: list[Path] = []  # set by the fixture below while this module runs


@pytest.fixture(scope="module", autouse=True)
def knowledge_only_store(tmp_path_factory):
    """A store holding only the ontology and knowledge base, as a first ingest leaves it
    before its first article. Each `kg ingest` here starts from a copy: the bad input is the
    point, and loading the knowledge base into a new store is tested wherever one is made."""
    from kg.ingest import ensure_knowledge
    from kg.knowledge import default
    from kg.store import EmbeddedStore

    path = tmp_path_factory.mktemp("knowledge-only") / "store"
    store = EmbeddedStore(path)
    assert ensure_knowledge(store, default()) == "loaded"
    store.close()
    _KNOWLEDGE_ONLY[:] = [path]
    yield path
    _KNOWLEDGE_ONLY.clear()


def run_kg(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    if args and args[0] == "ingest" and "--store" in args and _KNOWLEDGE_ONLY:
        store = Path(cwd, args[max(i for i, a in enumerate(args) if a == "--store") + 1])  # the last one counts
        if not store.exists():
            shutil.copytree(_KNOWLEDGE_ONLY[0], store)
    # a wide console, so rich never wraps a message (and a file name) across lines
    env = {**os.environ, "COLUMNS": "500", "NO_COLOR": "1"}
    return subprocess.run([KG, *args], cwd=cwd, env=env, input=stdin, capture_output=True, timeout=120)


def ingest_json(tmp_path: Path, *inputs: str, extra: tuple[str, ...] = ()) -> tuple[int, dict, str]:
    result = run_kg("ingest", "--store", str(tmp_path / "store"), "--json", *extra, *inputs, cwd=tmp_path)
    assert result.stdout, result.stderr.decode()
    return result.returncode, json.loads(result.stdout), result.stderr.decode()


def problems_of(summary: dict, where: str) -> list[tuple[str, str]]:
    return [(p["severity"], p["reason"]) for p in summary["problems"] if p["where"] == where]


def seed_text() -> str:
    return SEED_WITH_MEETING.read_text(encoding="utf-8")


def extract_json(path: Path, cwd: Path) -> dict:
    result = run_kg("extract", "--json", str(path), cwd=cwd)
    return json.loads(result.stdout)


def participant_sets(predictions: dict) -> set[frozenset[str]]:
    return {frozenset(p["label"] for p in m["participants"]) for m in predictions["meetings"]}


# ---------------------------------------------------------------------------------------
# One kind of bad input at a time, each beside a good article that must be unaffected


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    shutil.copy(SEED_WITH_MEETING, path)
    return path


def test_a_clean_batch_exits_zero(tmp_path: Path, good: Path) -> None:
    code, summary, _ = ingest_json(tmp_path, "good.txt")
    assert code == 0
    assert summary["ingested"] == 1 and summary["failed"] == 0
    assert summary["meetings"] >= 1


UNREADABLE = {  # file name -> (content, the reason the summary must give)
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b" \n\t\r\n  ", "empty file"),
    "binary.txt": (bytes(range(256)) * 8, "binary file"),
    "nul.txt": ("نص عربي".encode() + b"\x00\x01\x02" + "نص".encode(), "binary file"),
    "latin1.txt": ("Café naïve résumé déjà vu, garbage in Latin-1. ".encode("latin-1") * 4,
                   "not UTF-8 text (byte 0xe9 at offset 3)"),
    "notes.json": (b'{"id": 1}', "a .json file is not an article source"),
}


def test_unreadable_files_are_named_errors_and_the_batch_goes_on(tmp_path: Path, good: Path) -> None:
    for name, (content, _) in UNREADABLE.items():
        (tmp_path / name).write_bytes(content)
    code, summary, stderr = ingest_json(tmp_path, *UNREADABLE, "good.txt")
    assert code == 1
    assert summary["failed"] == len(UNREADABLE) and summary["ingested"] == 1
    for name, (_, reason) in UNREADABLE.items():
        found = problems_of(summary, name)
        assert len(found) == 1 and found[0][0] == "error" and found[0][1].startswith(reason), (name, found)
        assert f"{name}: {reason}" in stderr  # said to the user, naming the file
    assert "Traceback" not in stderr


def test_cp1256_arabic_is_decoded_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "windows.txt").write_bytes(seed_text().replace("\xa0", " ").encode("cp1256"))
    code, summary, stderr = ingest_json(tmp_path, "windows.txt")
    assert code == 0 and summary["ingested"] == 1
    assert ("warning", "decoded as cp1256 (not UTF-8)") in problems_of(summary, "windows.txt")
    assert "windows.txt: decoded as cp1256" in stderr
    # decoded right: the same meeting as the UTF-8 original
    shutil.copy(SEED_WITH_MEETING, tmp_path / "utf8.txt")
    assert participant_sets(extract_json(tmp_path / "windows.txt", tmp_path)) \
        == participant_sets(extract_json(tmp_path / "utf8.txt", tmp_path))


def test_files_over_the_size_limit_are_refused_unread(tmp_path: Path, good: Path) -> None:
    with (tmp_path / "huge.txt").open("wb") as stream:
        stream.truncate(LIMIT_BYTES + 1)  # sparse: the size alone must decide
    (tmp_path / "at_limit.txt").write_bytes(("خبر " * (LIMIT_BYTES // 7)).encode()[:LIMIT_BYTES])
    code, summary, stderr = ingest_json(tmp_path, "huge.txt", "at_limit.txt", "good.txt")
    assert code == 1
    assert problems_of(summary, "huge.txt") == [("error", "larger than the 5 MB limit (5 MB)")]
    assert "huge.txt: larger than the 5 MB limit" in stderr
    assert summary["ingested"] == 2  # exactly at the limit is still read


def test_huge_jsonl_line_is_skipped_and_its_neighbours_kept(tmp_path: Path) -> None:
    text = seed_text()
    lines = [json.dumps({"id": "before", "text": text}, ensure_ascii=False),
             json.dumps({"id": "huge", "text": "ا" * (LIMIT_BYTES // 2 + 10)}, ensure_ascii=False),
             json.dumps({"id": "after", "text": text}, ensure_ascii=False)]
    (tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, summary, _ = ingest_json(tmp_path, "big.jsonl")
    assert code == 1 and summary["ingested"] == 2
    assert problems_of(summary, "big.jsonl:line 2") == [("error", "line 2: larger than the 5 MB limit")]


def test_html_where_text_was_expected_gives_its_main_text(tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>{line}</p>" for line in seed_text().splitlines() if line.strip())
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>عنوان</title></head><body>"
            "<nav><a href='/'>الرئيسية</a> | <a href='/x'>أخبار</a></nav>"
            f"<article>{paragraphs}</article><footer>© 2024</footer></body></html>")
    (tmp_path / "page.txt").write_text(page, encoding="utf-8")
    code, summary, _ = ingest_json(tmp_path, "page.txt")
    assert code == 0 and summary["ingested"] == 1
    assert ("warning", "HTML content in a .txt input; its main text was extracted") in problems_of(summary, "page.txt")
    predictions = extract_json(tmp_path / "page.txt", tmp_path)
    assert {"Vladimir Putin", "Ali Khamenei"} <= set().union(*participant_sets(predictions))
    for meeting in predictions["meetings"]:  # no markup leaked into the evidence
        assert all("<" not in span["text"] for span in meeting["evidence"])


def test_html_without_main_text_is_a_named_error(tmp_path: Path, good: Path) -> None:
    (tmp_path / "shell.html").write_text("<html><head><title>x</title></head><body><script>1</script></body></html>")
    code, summary, _ = ingest_json(tmp_path, "shell.html", "good.txt")
    assert code == 1 and summary["ingested"] == 1
    assert problems_of(summary, "shell.html") == [("error", "no main text found in the HTML page")]


def test_mixed_languages_keep_the_arabic_facts(tmp_path: Path) -> None:
    interleaved = []
    for number, line in enumerate(seed_text().splitlines()):
        interleaved.append(line)
        if number % 2:
            interleaved.append("The Kremlin said on Tuesday that talks were \"constructive\" (Reuters).")
        else:
            interleaved.append("克里姆林宫发言人表示，会谈富有建设性。普京与哈梅内伊在德黑兰会晤。")
    (tmp_path / "mixed.txt").write_text("\n".join(interleaved), encoding="utf-8")
    code, summary, stderr = ingest_json(tmp_path, "mixed.txt")
    assert code == 0 and summary["ingested"] == 1, stderr
    shutil.copy(SEED_WITH_MEETING, tmp_path / "plain.txt")
    plain = participant_sets(extract_json(tmp_path / "plain.txt", tmp_path))
    mixed_predictions = extract_json(tmp_path / "mixed.txt", tmp_path)
    assert plain and plain <= participant_sets(mixed_predictions)
    text = (tmp_path / "mixed.txt").read_text(encoding="utf-8")
    for meeting in mixed_predictions["meetings"]:
        for span in meeting["evidence"]:
            assert text[span["start"]:span["end"]] == span["text"]


def test_malformed_metadata_stops_the_run_naming_the_file(tmp_path: Path, good: Path) -> None:
    (tmp_path / "meta.json").write_text('{"good.txt": {"published": "2024-01-01"', encoding="utf-8")
    for command in ("ingest", "extract"):
        store = ("--store", str(tmp_path / "store")) if command == "ingest" else ()
        result = run_kg(command, *store, "--metadata", "meta.json", "good.txt", cwd=tmp_path)
        stderr = result.stderr.decode()
        assert result.returncode == 2, (command, stderr)
        assert "metadata file meta.json is not valid JSON" in stderr and "line 1 column 40" in stderr
        assert "Traceback" not in stderr


@pytest.mark.parametrize(("content", "reason"), [
    ('["good.txt"]', "must hold a JSON object keyed by file name"),
    ('{"good.txt": {"published": "last week"}}', "has published 'last week', expected a YYYY-MM-DD date"),
    (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
])
def test_metadata_beside_the_articles_is_checked_too(tmp_path: Path, content: str | bytes, reason: str) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED_WITH_MEETING, folder / "good.txt")
    data = content if isinstance(content, bytes) else content.encode()
    (folder / "metadata.json").write_bytes(data)
    result = run_kg("ingest", "--store", str(tmp_path / "store"), "articles", cwd=tmp_path)
    stderr = result.stderr.decode()
    assert result.returncode == 2
    assert "metadata file articles/metadata.json" in stderr and reason in stderr


def test_malformed_json_lines_are_reported_by_number_and_the_rest_ingested(tmp_path: Path) -> None:
    text = seed_text()
    lines = [
        json.dumps({"id": "a1", "text": text, "published": "2024-05-01"}, ensure_ascii=False),
        '{"id": "a2", "text": "unterminated',
        "",
        json.dumps({"id": "a3", "text": text[:400]}, ensure_ascii=False),
        "[1, 2, 3]",
        json.dumps({"id": "a5"}),
        json.dumps({"id": "a6", "text": "x", "published": "yesterday"}),
        json.dumps({"id": "", "text": "x"}),
        json.dumps({"id": "a8", "text": "   "}),
        json.dumps({"id": "a9", "text": "x", "source": 7}),
    ]
    raw = ("\n".join(lines) + "\n").encode() + b'{"id": "a11", "text": "\xe9"}\n'
    raw += json.dumps({"id": 12, "text": text}, ensure_ascii=False).encode()  # no final newline
    (tmp_path / "batch.jsonl").write_bytes(raw)
    code, summary, stderr = ingest_json(tmp_path, "batch.jsonl")
    assert code == 1
    assert summary["ingested"] == 3  # a1, a3 and the integer id 12
    expected = {
        2: "line 2: invalid JSON: Unterminated string",
        5: 'line 5: expected a JSON object with "id" and "text"',
        6: 'line 6: missing "text" (a string)',
        7: "line 7: published 'yesterday' is not a YYYY-MM-DD date",
        8: 'line 8: missing "id" (a non-empty string)',
        9: "line 9: empty text for id 'a8'",
        10: 'line 10: "source" must be a string',
        11: "line 11: not UTF-8 text (byte 0xe9",
    }
    for number, reason in expected.items():
        found = problems_of(summary, f"batch.jsonl:line {number}")
        assert len(found) == 1 and found[0][0] == "error" and found[0][1].startswith(reason), (number, found)
        assert f"batch.jsonl:line {number}:" in stderr
    assert summary["failed"] == len(expected)
    assert not problems_of(summary, "batch.jsonl:line 3")  # a blank line is no problem


def test_duplicate_ids_keep_the_first_and_name_both_places(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        shutil.copy(SEED_WITH_MEETING, tmp_path / folder / "same.txt")
    record = json.dumps({"id": "same.txt", "text": "نص آخر تماما"}, ensure_ascii=False)
    (tmp_path / "more.jsonl").write_text(record + "\n", encoding="utf-8")
    code, summary, _ = ingest_json(tmp_path, "one", "two", "more.jsonl")
    assert code == 1 and summary["ingested"] == 1
    assert problems_of(summary, "two/same.txt") == [("error", "duplicate id 'same.txt' (first seen in one/same.txt)")]
    assert problems_of(summary, "more.jsonl:line 1") == [("error", "duplicate id 'same.txt' (first seen in one/same.txt)")]
    # the first one is what the store holds
    stored = run_kg("meetings", "--store", str(tmp_path / "store"), "--json", cwd=tmp_path)
    assert json.loads(stored.stdout), stored.stderr.decode()


def test_missing_paths_and_empty_directories_are_named(tmp_path: Path, good: Path) -> None:
    (tmp_path / "nothing").mkdir()
    code, summary, _ = ingest_json(tmp_path, "absent.txt", "nothing", "good.txt")
    assert code == 1 and summary["ingested"] == 1
    assert problems_of(summary, "absent.txt") == [("error", "no such file or directory")]
    assert problems_of(summary, "nothing")[0][1].startswith("no .txt, .html")


def test_a_mixed_bad_batch_spoils_nothing_and_summarises_everything(tmp_path: Path) -> None:
    """The good articles of a batch full of bad ones are stored exactly as when alone."""
    alone, batch = tmp_path / "alone", tmp_path / "batch"
    alone.mkdir()
    batch.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, alone / seed.name)
        shutil.copy(seed, batch / seed.name)
    (batch / "a_empty.txt").write_bytes(b"")
    (batch / "b_binary.txt").write_bytes(os.urandom(4096).replace(b"\n", b"\x00") + b"\x00")
    (batch / "c_latin.txt").write_bytes("Ça ne marche pas: données corrompues.".encode("latin-1"))
    (batch / "d_broken.jsonl").write_text('{"id": "x"\n{"id": "y", "text": 3}\n', encoding="utf-8")
    (batch / "e_shell.html").write_text("<html><body></body></html>", encoding="utf-8")
    code_alone, summary_alone, _ = ingest_json(tmp_path, "alone", extra=("--store", str(tmp_path / "s1")))
    code_batch, summary_batch, stderr = ingest_json(tmp_path, "batch", extra=("--store", str(tmp_path / "s2")))
    assert code_alone == 0 and code_batch == 1
    for key in ("ingested", "meetings", "statements", "quads"):
        assert summary_batch[key] == summary_alone[key], key
    failed_where = {p["where"] for p in summary_batch["problems"] if p["severity"] == "error"}
    assert failed_where == {"batch/a_empty.txt", "batch/b_binary.txt", "batch/c_latin.txt",
                            "batch/d_broken.jsonl:line 1", "batch/d_broken.jsonl:line 2", "batch/e_shell.html"}
    assert summary_batch["failed"] == 6
    assert "5 articles ingested" not in stderr  # --json: the summary is the JSON, not a sentence
    human = run_kg("ingest", "--store", str(tmp_path / "s3"), "batch", cwd=tmp_path)
    last_line = human.stderr.decode().strip().splitlines()[-1]
    assert human.returncode == 1 and "6 failed" in last_line and "5 articles ingested" in last_line


def test_stdin_garbage_is_an_error_not_a_crash(tmp_path: Path) -> None:
    result = run_kg("ingest", "--store", str(tmp_path / "store"), "--json", "-", cwd=tmp_path,
                    stdin=b"\x00\x01\x02binary\xff\xfe")
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert problems_of(summary, "stdin") == [("error", "binary file")]
    empty = run_kg("extract", "-", cwd=tmp_path, stdin=b"")
    assert empty.returncode == 1 and "stdin: empty input" in empty.stderr.decode()

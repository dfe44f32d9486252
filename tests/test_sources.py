"""The input layer against real files, real stdin streams and a real local HTTP server."""
from __future__ import annotations

import io
import itertools
import json
import socket
import sys
import threading
import tracemalloc
import unicodedata
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kg.model import Article
from kg.sources import SourceProblem, load_metadata, read_articles

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

ARABIC_PARAGRAPH_1 = ("استقبل الرئيس السوري بشار الأسد اليوم في دمشق وزير الخارجية الإيراني، "
                      "وبحث معه العلاقات الثنائية بين البلدين وسبل تطويرها في مختلف المجالات.")
ARABIC_PARAGRAPH_2 = ("وأكد الأسد خلال اللقاء أهمية التعاون المستمر بين البلدين في مواجهة التحديات "
                      "الإقليمية، مشيرا إلى أن العلاقات بين دمشق وطهران راسخة وتتطور باستمرار.")
NAV_TEXT = "الرئيسية | سياسة | اقتصاد | رياضة"
FOOTER_TEXT = "جميع الحقوق محفوظة لموقع الأخبار — اتصل بنا — سياسة الخصوصية"

NEWS_PAGE = f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>  الأسد يستقبل وزير الخارجية الإيراني | موقع الأخبار </title>
<meta property="article:published_time" content="2021-05-03T10:00:00+03:00">
</head><body>
<header><nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/p">سياسة</a></li>
<li><a href="/e">اقتصاد</a></li><li><a href="/s">رياضة</a></li></ul></nav></header>
<div class="nav">{NAV_TEXT}</div>
<main><article><h1>الأسد يستقبل وزير الخارجية الإيراني</h1>
<p>{ARABIC_PARAGRAPH_1}</p>
<p>{ARABIC_PARAGRAPH_2}</p></article></main>
<footer><p>{FOOTER_TEXT}</p></footer>
</body></html>"""


def articles(items: list) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def problems(items: list, severity: str | None = None) -> list[SourceProblem]:
    return [item for item in items if isinstance(item, SourceProblem)
            and (severity is None or item.severity == severity)]


def write_bytes(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


# --- the real sample articles


def test_seeds_are_read_with_their_metadata_and_unchanged_text() -> None:
    metadata = json.loads((SEEDS / "metadata.json").read_text(encoding="utf-8"))
    items = list(read_articles([str(SEEDS)], metadata=SEEDS / "metadata.json"))
    assert problems(items) == []
    read = articles(items)
    assert [article.id for article in read] == sorted(path.name for path in SEEDS.glob("*.txt"))
    assert len(read) == 5
    for article in read:
        content = (SEEDS / article.id).read_text(encoding="utf-8")
        assert article.text == content
        assert article.title == next(line.strip() for line in content.splitlines() if line.strip())
        assert article.published == date.fromisoformat(metadata[article.id]["published"])
        assert article.source == metadata[article.id]["source"]
        assert article.language == "ar"
    assert read[0].title.startswith("الخامنئي خلال لقائه بوتين")


def test_metadata_beside_the_articles_is_found_without_being_named() -> None:
    read = articles(list(read_articles([str(SEEDS / "001_a18873dd8d8ce173.txt")])))
    assert [(a.id, a.published, a.source) for a in read] == [
        ("001_a18873dd8d8ce173.txt", date(2015, 11, 23), "Baladi News")]


def test_explicit_metadata_replaces_the_neighbouring_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("عنوان\nنص الخبر", encoding="utf-8")
    (tmp_path / "metadata.json").write_text(json.dumps({"a.txt": {"published": "2020-01-01"}}), encoding="utf-8")
    elsewhere = tmp_path / "other.json"
    elsewhere.write_text(json.dumps({"_note": "comment", "a.txt": {"published": "2019-02-03", "url": "https://x.example/a"}}),
                         encoding="utf-8")
    [article] = articles(list(read_articles([str(tmp_path / "a.txt")], metadata=elsewhere)))
    assert article.published == date(2019, 2, 3)
    assert article.url == "https://x.example/a"


def test_published_and_source_arguments_override_metadata_and_json_lines(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("عنوان\nنص", encoding="utf-8")
    (tmp_path / "metadata.json").write_text(json.dumps({"a.txt": {"published": "2020-01-01", "source": "SANA"}}),
                                            encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "b", "text": "نص", "published": "2018-05-05"}) + "\n",
                                      encoding="utf-8")
    read = articles(list(read_articles([str(tmp_path)], published=date(2024, 6, 30), source="Petra")))
    assert [(a.id, a.published, a.source) for a in read] == [
        ("a.txt", date(2024, 6, 30), "Petra"), ("b", date(2024, 6, 30), "Petra")]


def test_without_any_date_published_stays_unknown(tmp_path: Path) -> None:
    [article] = articles(list(read_articles([write_bytes(tmp_path / "a.txt", "خبر اليوم".encode())])))
    assert article.published is None


# --- metadata files


def test_malformed_metadata_names_the_file_and_the_error_position(tmp_path: Path) -> None:
    broken = tmp_path / "meta.json"
    broken.write_text('{\n  "a.txt": {"published": "2020-01-01"}\n  "b.txt": {}\n}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"meta\.json is not valid JSON: Expecting ',' delimiter at line 3 column 3"):
        load_metadata(broken)
    with pytest.raises(ValueError, match="meta.json"):  # before any input is read
        read_articles([], metadata=broken)


def test_malformed_neighbouring_metadata_is_an_error_too(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
    (tmp_path / "metadata.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(ValueError, match="metadata.json is not valid JSON"):
        list(read_articles([str(tmp_path)]))


def test_metadata_with_an_impossible_date_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    path.write_text(json.dumps({"a.txt": {"published": "2020-13-45"}}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"'a.txt' has published '2020-13-45'"):
        load_metadata(path)


def test_metadata_comments_are_skipped() -> None:
    entries = load_metadata(SEEDS / "metadata.json")
    assert "_about" not in entries
    assert entries["000_498fb477b4349d6f.txt"]["published"] == "2017-11-01"


# --- directories and paths


def test_directory_is_read_sorted_and_not_recursively(tmp_path: Path) -> None:
    for name in ("b.txt", "a.TXT", "c.md", "notes.json"):
        (tmp_path / name).write_text(f"عنوان {name}\nنص", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "0.txt").write_text("نص", encoding="utf-8")
    read = list(read_articles([str(tmp_path)]))
    assert [a.id for a in read] == ["a.TXT", "b.txt"]
    assert problems(read) == []


def test_empty_directory_and_missing_path_are_problems(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    read = list(read_articles([str(tmp_path / "empty"), str(tmp_path / "missing.txt")]))
    assert [(p.where, p.reason) for p in read] == [
        (str(tmp_path / "empty"), "no .txt, .html, .htm, .jsonl or .ndjson files in the directory"),
        (str(tmp_path / "missing.txt"), "no such file or directory"),
    ]


def test_a_problem_does_not_stop_the_files_after_it(tmp_path: Path) -> None:
    write_bytes(tmp_path / "1.txt", b"")
    write_bytes(tmp_path / "2.txt", "خبر".encode())
    read = list(read_articles([str(tmp_path)]))
    assert [type(item).__name__ for item in read] == ["SourceProblem", "Article"]


# --- decoding and odd files


def test_empty_and_whitespace_only_files(tmp_path: Path) -> None:
    paths = [write_bytes(tmp_path / "empty.txt", b""), write_bytes(tmp_path / "blank.txt", b" \n\r\n\t ")]
    assert [(p.where, p.reason, p.severity) for p in read_articles(paths)] == [
        (paths[0], "empty file", "error"), (paths[1], "empty file", "error")]


def test_binary_files(tmp_path: Path) -> None:
    paths = [write_bytes(tmp_path / "nul.txt", b"PK\x03\x04\x00\x00text"),
             write_bytes(tmp_path / "controls.txt", bytes(range(1, 9)) * 40)]
    assert [p.reason for p in read_articles(paths)] == ["binary file", "binary file"]


def test_windows_arabic_code_page_is_decoded_with_a_warning(tmp_path: Path) -> None:
    text = "استقبل الرئيس وزير الخارجية\nوبحث معه العلاقات الثنائية."
    path = write_bytes(tmp_path / "old.txt", text.encode("cp1256"))
    read = list(read_articles([path]))
    assert problems(read) == [SourceProblem(path, "decoded as cp1256 (not UTF-8)", "warning")]
    [article] = articles(read)
    assert article.text == text
    assert article.title == "استقبل الرئيس وزير الخارجية"


def test_other_legacy_encodings_are_refused_not_misread(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "french.txt", "Le ministre a déclaré que".encode("latin-1"))
    assert list(read_articles([path])) == [SourceProblem(path, "not UTF-8 text (byte 0xe9 at offset 15)")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_with_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    text = "عنوان الخبر\nنص الخبر"
    data = text.encode(encoding)
    if encoding != "utf-16":  # the bare codecs write no mark: add it as an editor would
        data = ("\ufeff" + text).encode(encoding)
    [article] = list(read_articles([write_bytes(tmp_path / "u16.txt", data)]))
    assert article.text == text
    assert article.title == "عنوان الخبر"


def test_utf8_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    [article] = list(read_articles([write_bytes(tmp_path / "bom.txt", "\ufeffعنوان\nنص".encode())]))
    assert article.text == "عنوان\nنص"


def test_line_endings_and_composition_are_normalised_once(tmp_path: Path) -> None:
    decomposed = "\u0627\u0654"  # alef + hamza above, written as two code points
    path = write_bytes(tmp_path / "crlf.txt", f"عنوان\r\n{decomposed}كد الوزير\r\nنهاية\rسطر".encode())
    [article] = list(read_articles([path]))
    assert article.text == "عنوان\n\u0623كد الوزير\nنهاية\nسطر"
    assert unicodedata.is_normalized("NFC", article.text)
    assert article.title == "عنوان"


def test_oversize_file_is_refused(tmp_path: Path) -> None:
    small = write_bytes(tmp_path / "small_limit.txt", "خبر ".encode() * 50)
    assert list(read_articles([small], max_bytes=100)) == [
        SourceProblem(small, "larger than the 100 bytes limit (350 bytes)")]
    big = tmp_path / "big.txt"
    with big.open("wb") as stream:  # sparse: the size shows without writing 5 MB
        stream.truncate(5_000_001)
    assert [p.reason for p in read_articles([str(big)])] == ["larger than the 5 MB limit (5 MB)"]


def test_html_saved_as_txt_is_extracted_with_a_warning(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "page.txt", NEWS_PAGE.encode())
    read = list(read_articles([path]))
    assert [p.reason for p in problems(read, "warning")] == [
        "HTML content in a .txt input; its main text was extracted"]
    [article] = articles(read)
    assert ARABIC_PARAGRAPH_1 in article.text and "<p>" not in article.text
    assert article.id == "page.txt"


def test_json_file_is_not_taken_for_articles() -> None:
    [problem] = list(read_articles([str(SEEDS / "metadata.json")]))
    assert "not an article source" in problem.reason and "--metadata" in problem.reason


# --- saved HTML pages


def test_saved_page_keeps_main_paragraphs_title_and_declared_date(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "news.html", NEWS_PAGE.encode())
    items = list(read_articles([path]))
    assert problems(items) == []
    [article] = articles(items)
    assert ARABIC_PARAGRAPH_1 in article.text and ARABIC_PARAGRAPH_2 in article.text
    assert NAV_TEXT not in article.text and "جميع الحقوق محفوظة" not in article.text
    assert article.title == "الأسد يستقبل وزير الخارجية الإيراني | موقع الأخبار"
    assert article.published == date(2021, 5, 3)
    assert article.id == "news.html"


def test_metadata_entry_wins_over_what_the_page_declares(tmp_path: Path) -> None:
    (tmp_path / "news.html").write_text(NEWS_PAGE, encoding="utf-8")
    (tmp_path / "metadata.json").write_text(json.dumps({"news.html": {"published": "2021-05-04", "title": "زيارة"}}),
                                            encoding="utf-8")
    [article] = articles(list(read_articles([str(tmp_path / "news.html")])))
    assert (article.published, article.title) == (date(2021, 5, 4), "زيارة")


def test_a_date_only_in_the_visible_text_is_not_taken_as_publication_date(tmp_path: Path) -> None:
    page = NEWS_PAGE.replace('<meta property="article:published_time" content="2021-05-03T10:00:00+03:00">', "")
    page = page.replace(f"<p>{ARABIC_PARAGRAPH_2}</p>", f"<p>{ARABIC_PARAGRAPH_2} 2020-01-02</p>")
    [article] = articles(list(read_articles([write_bytes(tmp_path / "n.htm", page.encode())])))
    assert article.published is None


def test_saved_page_in_windows_arabic_follows_its_meta_charset(tmp_path: Path) -> None:
    declaration = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
    page = NEWS_PAGE.replace('<meta charset="utf-8">', declaration)
    path = write_bytes(tmp_path / "old.html", page.encode("cp1256"))
    items = list(read_articles([path]))
    assert problems(items) == []
    assert ARABIC_PARAGRAPH_1 in articles(items)[0].text


def test_page_without_text_is_a_problem(tmp_path: Path) -> None:
    shell = b"<html><head><title>x</title></head><body><script>1</script></body></html>"
    path = write_bytes(tmp_path / "shell.html", shell)
    assert list(read_articles([path])) == [SourceProblem(path, "no main text found in the HTML page")]


# --- JSON Lines


def jsonl(*records: object) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode()) + b"\n"
                    for r in records)


def test_json_lines_bad_line_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "feed.jsonl", jsonl(
        {"id": "a1", "text": "عنوان\r\nنص", "published": "2020-02-02", "source": "KUNA",
         "url": "https://kuna.example/a1", "title": "عنوان أ"},
        b'{"id": "a2" "text": "x"}',
        b"",
        {"id": "a3", "text": "نص ثالث", "published": "2021-03-04T08:00:00Z", "language": "en"},
        {"text": "بلا معرف"},
        {"id": "a5", "text": "نص", "published": "yesterday"},
        b"[1, 2]",
    ))
    items = list(read_articles([path]))
    assert [(p.where, p.reason) for p in problems(items)] == [
        (f"{path}:line 2", "line 2: invalid JSON: Expecting ',' delimiter (column 13)"),
        (f"{path}:line 5", 'line 5: missing "id" (a non-empty string)'),
        (f"{path}:line 6", "line 6: published 'yesterday' is not a YYYY-MM-DD date"),
        (f"{path}:line 7", 'line 7: expected a JSON object with "id" and "text"'),
    ]
    first, third = articles(items)
    assert first == Article(id="a1", text="عنوان\nنص", published=date(2020, 2, 2), source="KUNA",
                            url="https://kuna.example/a1", language="ar", title="عنوان أ")
    assert (third.id, third.published, third.language, third.title) == ("a3", date(2021, 3, 4), "en", None)


def test_json_lines_overlong_line_is_skipped_alone(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "feed.ndjson", jsonl(
        {"id": "short", "text": "نص"}, {"id": "long", "text": "ن" * 500}, {"id": "after", "text": "نص"}))
    items = list(read_articles([path], max_bytes=200))
    assert [a.id for a in articles(items)] == ["short", "after"]
    assert [(p.where, p.reason) for p in problems(items)] == [
        (f"{path}:line 2", "line 2: larger than the 200 bytes limit")]


def test_oversize_input_is_never_held_in_memory(tmp_path: Path) -> None:
    huge_line = tmp_path / "huge.jsonl"
    with huge_line.open("wb") as stream:
        stream.write(b'{"id": "big", "text": "' + b"x" * 20_000_000 + b'"}\n')
        stream.write(jsonl({"id": "after", "text": "نص"}))
    huge_text = tmp_path / "huge.txt"
    with huge_text.open("wb") as stream:
        stream.truncate(20_000_000)
    tracemalloc.start()
    try:
        items = list(read_articles([str(huge_line), str(huge_text)], max_bytes=1000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [a.id for a in articles(items)] == ["after"]
    assert [p.where for p in problems(items)] == [f"{huge_line}:line 1", str(huge_text)]
    assert peak < 2_000_000


def test_json_lines_are_streamed_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """An endless feed still gives its first articles: nothing waits for the end of input."""

    class EndlessFeed(io.RawIOBase):
        def __init__(self) -> None:
            self.numbers = itertools.count()
            self.pending = b""

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            while len(self.pending) < len(buffer):
                self.pending += jsonl({"id": f"n{next(self.numbers)}", "text": "نص " * 20})
            size = len(buffer)
            buffer[:size], self.pending = self.pending[:size], self.pending[size:]
            return size

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(EndlessFeed())))
    first = list(itertools.islice(read_articles(["-"]), 3))
    assert [a.id for a in first] == ["n0", "n1", "n2"]


# --- duplicates


def test_duplicate_ids_keep_the_first(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    first = write_bytes(tmp_path / "x" / "same.txt", "الأول".encode())
    second = write_bytes(tmp_path / "y" / "same.txt", "الثاني".encode())
    feed = write_bytes(tmp_path / "feed.jsonl", jsonl({"id": "j", "text": "أ"}, {"id": "j", "text": "ب"}))
    items = list(read_articles([first, second, feed]))
    assert [a.text for a in articles(items)] == ["الأول", "أ"]
    assert [(p.where, p.reason) for p in problems(items)] == [
        (second, f"duplicate id 'same.txt' (first seen in {first})"),
        (f"{feed}:line 2", f"duplicate id 'j' (first seen in {feed}:line 1)"),
    ]


# --- stdin


def fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_text(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, "\n  عنوان الخبر\r\nنص الخبر\n".encode())
    [article] = list(read_articles(["-"], published=date(2022, 1, 1)))
    assert (article.id, article.title, article.text, article.published) == (
        "stdin", "عنوان الخبر", "\n  عنوان الخبر\nنص الخبر\n", date(2022, 1, 1))


def test_stdin_json_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b"\n  " + jsonl({"id": "s1", "text": "نص"}, b"{bad", {"id": "s2", "text": "نص"}))
    items = list(read_articles(["-"]))
    assert [a.id for a in articles(items)] == ["s1", "s2"]
    assert [p.where for p in problems(items)] == ["stdin:line 3"]


def test_stdin_empty_and_oversize(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b"  \n")
    assert list(read_articles(["-"])) == [SourceProblem("stdin", "empty input")]
    fake_stdin(monkeypatch, "نص".encode() * 100)
    assert list(read_articles(["-"], max_bytes=50)) == [SourceProblem("stdin", "larger than the 50 bytes limit")]


# --- URLs, against a real HTTP server on the loopback interface


class _Site(BaseHTTPRequestHandler):
    release = threading.Event()  # lets a held "slow" response end when the test is over
    user_agents: list[str] = []

    routes = {
        "/news": ("text/html; charset=utf-8", NEWS_PAGE.encode()),
        "/plain": ("text/plain; charset=utf-8", "عنوان نصي\r\nنص الخبر كما هو".encode()),
        "/old": ("text/plain; charset=windows-1256", "خبر قديم بترميز ويندوز".encode("cp1256")),
        "/image": ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
        "/huge": ("text/plain", "نص ".encode() * 1000),
        "/mislabelled": ("text/plain; charset=windows-1256", "نص بترميز UTF-8 رغم الإعلان".encode()),
    }

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.user_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/slow":
            self.release.wait(timeout=10)
            return
        if self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            for _ in range(200):  # one byte at a time, each well within the read timeout
                if self.release.wait(timeout=0.02):
                    return
                self.wfile.write(b".")
                self.wfile.flush()
            return
        if self.path not in self.routes:
            self.send_error(404, "Not Found")
            return
        content_type, body = self.routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        _Site.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_url_html_page(site: str) -> None:
    items = list(read_articles([f"{site}/news"]))
    assert problems(items) == []
    [article] = articles(items)
    assert article.id == article.url == f"{site}/news"
    assert ARABIC_PARAGRAPH_2 in article.text and NAV_TEXT not in article.text
    assert article.title == "الأسد يستقبل وزير الخارجية الإيراني | موقع الأخبار"
    assert _Site.user_agents[-1].startswith("kg-meetings/")


def test_url_plain_text_is_kept_as_is(site: str) -> None:
    [article] = list(read_articles([f"{site}/plain"]))
    assert (article.text, article.title) == ("عنوان نصي\nنص الخبر كما هو", "عنوان نصي")


def test_url_text_in_declared_charset(site: str) -> None:
    items = list(read_articles([f"{site}/old"]))
    assert [a.text for a in items] == ["خبر قديم بترميز ويندوز"]


def test_url_valid_utf8_wins_over_a_wrong_declared_charset(site: str) -> None:
    [article] = list(read_articles([f"{site}/mislabelled"]))
    assert article.text == "نص بترميز UTF-8 رغم الإعلان"


def test_url_failures_are_problems(site: str) -> None:
    urls = [f"{site}/missing", f"{site}/image", f"{site}/huge", f"http://127.0.0.1:{free_port()}/"]
    items = list(read_articles(urls, max_bytes=1000))
    reasons = [(p.where, p.reason) for p in items]
    assert reasons[:3] == [
        (urls[0], "HTTP 404 Not Found"),
        (urls[1], "unsupported content type 'image/png' (expected HTML or plain text)"),
        (urls[2], "larger than the 1 kB limit (5 kB)"),
    ]
    assert reasons[3][0] == urls[3] and reasons[3][1].startswith("network error:")
    assert "refused" in reasons[3][1].lower()


def test_url_slow_response_times_out(site: str) -> None:
    assert list(read_articles([f"{site}/slow"], timeout=0.2)) == [
        SourceProblem(f"{site}/slow", "timed out after 0.2 s")]


def test_url_trickling_forever_is_cut_off(site: str) -> None:
    assert list(read_articles([f"{site}/trickle"], timeout=0.2)) == [
        SourceProblem(f"{site}/trickle", "download took longer than 0.6 s")]


def free_port() -> int:
    """A loopback port that was just free, so connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

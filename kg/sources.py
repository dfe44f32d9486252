"""Read articles from whatever a user points at: files, directories, JSON Lines, stdin, URLs.

Every input either becomes an `Article` or a `SourceProblem` saying why not, so bad input
is never lost silently. Warnings (severity "warning") accompany an article that was read
but not in the expected way, e.g. a file decoded from the Windows Arabic code page.

The text of an article is the decoded input with line endings unified to "\\n" and NFC
applied, nothing else: evidence offsets point into exactly that string.
"""
from __future__ import annotations

import errno
import io
import json
import os
import re
import stat
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, Literal

from kg.model import Article

Severity = Literal["error", "warning"]

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".ndjson")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
METADATA_FILE_NAME = "metadata.json"
USER_AGENT = "kg-meetings/0.1 (knowledge graph of diplomatic meetings; python-requests)"
DEFAULT_TIMEOUT_S = 20.0

# Share of the letters that must be Arabic before undecodable bytes are read as cp1256:
# cp1256 maps nearly every byte to something, so only the result can tell it was right.
_MIN_ARABIC_LETTER_SHARE = 0.6
# Text files have practically no C0 control characters besides whitespace.
_MAX_CONTROL_SHARE = 0.05
_SNIFF_CHARS = 8192
_CHUNK = 64 * 1024
# Markup that states a publication date outright (no heuristics on the visible text).
_PUBLISHED_META_KEYS = ("article:published_time", "datepublished", "og:published_time",
                        "pubdate", "publishdate", "dc.date.issued", "date")
_HTML_START = re.compile(rb"^\s*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """Input that could not be read (error), or was read with a caveat (warning)."""

    where: str  # file path, "stdin", URL, or "path:line N" for JSON Lines
    reason: str
    severity: Severity = "error"


class _UnreadableError(Exception):
    """Internal: the input at hand yields no article; carries the human reason."""


@dataclass(frozen=True, slots=True)
class _Found:
    """An article as one input states it, before metadata, overrides and duplicate checks."""

    where: str
    id: str
    text: str
    title: str | None = None
    published: date | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None


# ---------------------------------------------------------------------------------------
# Public API


def read_articles(
    paths: Iterable[str],
    *,
    metadata: Path | None = None,
    published: date | None = None,
    source: str | None = None,
    max_bytes: int = 5_000_000,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Iterator[Article | SourceProblem]:
    """Articles one at a time, in input order, with a problem for anything unreadable.

    `metadata` (a file like seeds/metadata.json) supplies publication data by file name or
    id; without it a `metadata.json` beside each article is used. Precedence for each field:
    `published`/`source` arguments, then the metadata entry (the user's own correction),
    then what the input states (JSON Lines fields, HTML <meta> dates), then nothing.
    `max_bytes` caps one file, page, stdin text or JSON line. `timeout` bounds each network
    wait, and three times it a whole download.
    Raises ValueError for a malformed metadata file, at once for an explicit one and on
    reaching the directory for a neighbouring one: it is configuration, not input.
    """
    reader = _Reader(
        explicit_metadata=load_metadata(metadata) if metadata is not None else None,
        published=published,
        source=source,
        max_bytes=max_bytes,
        timeout=timeout,
    )

    def everything() -> Iterator[Article | SourceProblem]:
        for path in paths:
            yield from reader.read(path)
        if metadata is not None:
            yield from reader.unmatched_metadata(Path(metadata))

    return everything()


def load_metadata(path: Path) -> dict[str, dict]:
    """Publication metadata keyed by file name or id; keys starting with "_" are comments."""
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ValueError(f"cannot read metadata file {path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise ValueError(f"metadata file {path} is not UTF-8 text (byte 0x{error.object[error.start]:02x} "
                         f"at offset {error.start})") from error
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"metadata file {path} is not valid JSON: {error.msg} "
                         f"at line {error.lineno} column {error.colno}") from error
    if not isinstance(document, dict):
        raise ValueError(f"metadata file {path} must hold a JSON object keyed by file name")
    entries: dict[str, dict] = {}
    for key, entry in document.items():
        if key.startswith("_"):
            continue
        if not isinstance(entry, dict):
            raise ValueError(f"metadata file {path}: the entry for {key!r} must be a JSON object")
        if entry.get("published") is not None and _parse_date(entry["published"]) is None:
            raise ValueError(f"metadata file {path}: the entry for {key!r} has published "
                             f"{entry['published']!r}, expected a YYYY-MM-DD date")
        entries[key] = entry
    return entries


# ---------------------------------------------------------------------------------------
# Reading one input after another


class _Reader:
    """Holds what spans inputs within one run: overrides, metadata and the ids seen so far."""

    def __init__(self, *, explicit_metadata: dict[str, dict] | None, published: date | None,
                 source: str | None, max_bytes: int, timeout: float) -> None:
        self.explicit_metadata = explicit_metadata
        self.published = published
        self.source = source
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.first_seen: dict[str, str] = {}  # article id -> where it was first read
        self.read_names: set[str] = set()  # file names read, for unmatched metadata entries
        self.input_dirs: set[Path] = set()
        self.metadata_by_directory: dict[Path, dict[str, dict]] = {}

    def read(self, path: str) -> Iterator[Article | SourceProblem]:
        if path == "-":
            yield from self._finish(self._read_stdin(), directory=None)
        elif re.match(r"^https?://", path, re.IGNORECASE):
            yield from self._finish(self._read_url(path), directory=None)
        else:
            yield from self._read_local(Path(path), where=path)

    def _read_local(self, path: Path, where: str) -> Iterator[Article | SourceProblem]:
        try:
            mode = path.stat().st_mode
        except OSError as error:
            yield SourceProblem(where, _stat_problem(error, path))
            return
        if stat.S_ISDIR(mode):
            yield from self._read_directory(path)
        elif not stat.S_ISREG(mode):
            yield SourceProblem(where, f"not a regular file ({_kind(mode)}): skipped")
        else:
            self.read_names.add(path.name)
            yield from self._finish(self._read_file(path, where), directory=path.parent)

    def _read_directory(self, directory: Path) -> Iterator[Article | SourceProblem]:
        """Every article file in the directory; an entry that cannot be followed (a symlink
        loop, a dangling link) or is no regular file (a FIFO would block the read forever)
        is reported by name, and the rest is still read."""
        self.input_dirs.add(directory)
        try:
            entries = sorted((entry for entry in os.scandir(directory)
                              if entry.name.lower().endswith(ARTICLE_SUFFIXES)), key=lambda entry: entry.name)
        except OSError as error:
            yield SourceProblem(str(directory), f"cannot list the directory: {error.strerror or error}")
            return
        names, problems = [], []
        for entry in entries:
            try:
                mode = os.stat(entry.path).st_mode  # follows symlinks, as reading would
            except OSError as error:
                problems.append(SourceProblem(entry.path, _stat_problem(error, entry.path)))
                continue
            if stat.S_ISREG(mode):
                names.append(entry.name)
            elif not stat.S_ISDIR(mode):
                problems.append(SourceProblem(entry.path, f"not a regular file ({_kind(mode)}): skipped"))
        yield from problems
        if not names and not problems:
            yield SourceProblem(str(directory), "no .txt, .html, .htm, .jsonl or .ndjson files in the directory")
        for name in names:
            file = directory / name
            self.read_names.add(name)
            yield from self._finish(self._read_file(file, str(file)), directory=directory)

    def _read_file(self, path: Path, where: str) -> Iterator[_Found | SourceProblem]:
        suffix = path.suffix.lower()
        if suffix == ".json":
            yield SourceProblem(where, "a .json file is not an article source (articles: .txt, .html, "
                                       ".jsonl; publication metadata: --metadata)")
            return
        try:
            if suffix in JSONL_SUFFIXES:
                with path.open("rb") as stream:
                    yield from _read_jsonl(stream, where, self.max_bytes)
                return
            size = path.stat().st_size
            if size > self.max_bytes:
                yield SourceProblem(where, f"larger than the {_size(self.max_bytes)} limit ({_size(size)})")
                return
            with path.open("rb") as stream:  # a regular file (checked): opening cannot block
                raw = stream.read(self.max_bytes + 1)
        except OSError as error:
            yield SourceProblem(where, f"cannot read: {error.strerror or error}")
            return
        if len(raw) > self.max_bytes:  # grew since stat
            yield SourceProblem(where, f"larger than the {_size(self.max_bytes)} limit")
            return
        kind = "html" if suffix in HTML_SUFFIXES else "text"
        yield from _document(raw, where=where, article_id=path.name, kind=kind, file_kind=suffix or "text")

    def _read_stdin(self) -> Iterator[_Found | SourceProblem]:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text-only replacement of sys.stdin
            stream = io.BytesIO(sys.stdin.read().encode("utf-8"))
        prefix = _skip_whitespace(stream)
        if prefix[-1:] == b"{":
            yield from _read_jsonl(stream, "stdin", self.max_bytes, prefix=prefix)
            return
        raw = prefix + stream.read(self.max_bytes + 1 - len(prefix))
        if len(raw) > self.max_bytes:
            yield SourceProblem("stdin", f"larger than the {_size(self.max_bytes)} limit")
            return
        yield from _document(raw, where="stdin", article_id="stdin", kind="text", file_kind="stdin")

    def _read_url(self, url: str) -> Iterator[_Found | SourceProblem]:
        try:
            raw, content_type, final_url = _download(url, self.max_bytes, self.timeout)
        except _UnreadableError as problem:
            yield SourceProblem(url, str(problem))
            return
        media_type = content_type.split(";")[0].strip().lower()
        if media_type in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines"):
            yield from _read_jsonl(io.BytesIO(raw), url, self.max_bytes)
            return
        if media_type in ("text/html", "application/xhtml+xml"):
            kind = "html"
        elif media_type.startswith("text/") or not media_type:
            kind = "text"
        else:
            yield SourceProblem(url, f"unsupported content type {media_type!r} (expected HTML or plain text)")
            return
        charset = _charset_of(content_type)
        for item in _document(raw, where=url, article_id=url, kind=kind, file_kind="page", charset=charset):
            yield replace(item, url=final_url) if isinstance(item, _Found) else item

    # -- metadata, overrides and duplicates, applied to every article whatever its origin

    def _finish(self, items: Iterable[_Found | SourceProblem],
                directory: Path | None) -> Iterator[Article | SourceProblem]:
        for item in items:
            if isinstance(item, SourceProblem):
                yield item
            elif item.id in self.first_seen:
                yield SourceProblem(item.where, f"duplicate id {item.id!r} (first seen in {self.first_seen[item.id]})")
            else:
                self.first_seen[item.id] = item.where
                yield self._article(item, directory)

    def _article(self, found: _Found, directory: Path | None) -> Article:
        entry = self._metadata_for(directory).get(found.id, {})
        return Article(
            id=found.id,
            text=found.text,
            published=self.published or _parse_date(entry.get("published")) or found.published,
            source=self.source or entry.get("source") or found.source,
            url=entry.get("url") or found.url,
            language=entry.get("language") or found.language or "ar",
            title=entry.get("title") or found.title,
        )

    def unmatched_metadata(self, metadata: Path) -> Iterator[SourceProblem]:
        """A warning naming the entries of an explicit metadata file that match no article
        of this run and no file beside it or in a directory read: a typo, or files that are
        gone. Entries for files that exist but were not asked for stay quiet."""
        places = {metadata.parent, *self.input_dirs}
        missing = sorted(key for key in self.explicit_metadata or {}
                         if key not in self.first_seen and key not in self.read_names
                         and not any((place / key).exists() for place in places if "/" not in key))
        if missing:
            shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            yield SourceProblem(str(metadata), f"{len(missing)} metadata entries name no article read and no "
                                               f"file that exists: {shown}", "warning")

    def _metadata_for(self, directory: Path | None) -> dict[str, dict]:
        if self.explicit_metadata is not None:
            return self.explicit_metadata
        if directory is None:
            return {}
        if directory not in self.metadata_by_directory:
            candidate = directory / METADATA_FILE_NAME
            self.metadata_by_directory[directory] = load_metadata(candidate) if candidate.is_file() else {}
        return self.metadata_by_directory[directory]


# ---------------------------------------------------------------------------------------
# One document: bytes -> text -> article


def _document(raw: bytes, *, where: str, article_id: str, kind: Literal["text", "html"],
              file_kind: str, charset: str | None = None) -> Iterator[_Found | SourceProblem]:
    """Decode and, for HTML, extract; `file_kind` only words the messages."""
    empty = "empty input" if file_kind in ("stdin", "page") else "empty file"
    if not raw.strip():
        yield SourceProblem(where, empty)
        return
    looks_like_html = bool(_HTML_START.match(raw.lstrip(b"\xef\xbb\xbf")))
    try:
        if kind == "html" or looks_like_html:
            text, decoding_note = _decode_html(raw, charset)
        else:
            text, decoding_note = _decode_text(raw, charset)
    except _UnreadableError as problem:
        yield SourceProblem(where, str(problem))
        return
    if decoding_note:
        yield SourceProblem(where, decoding_note, "warning")
    if kind == "text" and looks_like_html:
        yield SourceProblem(where, f"HTML content in a {file_kind} input; its main text was extracted", "warning")
        kind = "html"
    if kind == "html":
        try:
            text, title, published = _extract_html(text)
        except _UnreadableError as problem:
            yield SourceProblem(where, str(problem))
            return
    else:
        if not text.strip():
            yield SourceProblem(where, empty)
            return
        title, published = _first_line(text), None
    yield _Found(where, article_id, text, title=title, published=published)


def _stat_problem(error: OSError, path: str | Path) -> str:
    if error.errno == errno.ELOOP:
        return "a symbolic link loop (too many levels of symbolic links): skipped"
    if error.errno == errno.ENOENT:
        return "a symbolic link to nothing: skipped" if os.path.islink(path) else "no such file or directory"
    return f"cannot read: {error.strerror or error}"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a file"


def _normalise(text: str) -> str:
    """The one text all offsets refer to: unified line endings, composed characters."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _decode_text(raw: bytes, charset: str | None = None) -> tuple[str, str | None]:
    """Text and a warning when it needed a fallback; raises _UnreadableError for binary or unknown bytes."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _normalise(raw.decode("utf-16")), None
        except UnicodeDecodeError as error:
            raise _UnreadableError(f"not UTF-16 text despite its byte order mark (offset {error.start})") from None
    if b"\x00" in raw or _control_share(raw) > _MAX_CONTROL_SHARE:
        raise _UnreadableError("binary file")
    try:  # valid UTF-8 is no accident, so it wins even over a (mistaken) declared charset
        return _normalise(raw.decode("utf-8-sig")), None
    except UnicodeDecodeError as error:
        not_utf8 = f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})"
    if charset:
        try:
            return _normalise(raw.decode(charset)), None
        except (LookupError, UnicodeDecodeError):
            pass  # an unknown or wrong declaration: the bytes decide
    text = raw.decode("cp1256", errors="replace")
    if _arabic_letter_share(text) >= _MIN_ARABIC_LETTER_SHARE:
        return _normalise(text), "decoded as cp1256 (not UTF-8)"
    raise _UnreadableError(not_utf8)


def _decode_html(raw: bytes, charset: str | None) -> tuple[str, str | None]:
    """A page's own <meta charset> wins over guessing, as in a browser."""
    declared = charset
    if declared is None:
        match = _META_CHARSET.search(raw[:4096])
        declared = match.group(1).decode("ascii") if match else None
    return _decode_text(raw, declared)


def _control_share(raw: bytes) -> float:
    sample = raw[:_SNIFF_CHARS]
    controls = sum(1 for byte in sample if (byte < 0x20 and byte not in b"\t\n\r\f\v\x1b") or byte == 0x7F)
    return controls / max(len(sample), 1)


def _arabic_letter_share(text: str) -> float:
    letters = [char for char in text[:_SNIFF_CHARS] if char.isalpha()]
    if not letters:
        return 0.0
    arabic = sum(1 for char in letters if "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f")
    return arabic / len(letters)


def _first_line(text: str) -> str | None:
    for line in text.split("\n"):
        if line.strip():
            return line.strip()
    return None


def _size(n_bytes: int) -> str:
    if n_bytes >= 1_000_000:
        return f"{n_bytes / 1_000_000:.3g} MB"
    if n_bytes >= 1_000:
        return f"{n_bytes / 1_000:.3g} kB"
    return f"{n_bytes} bytes"


# ---------------------------------------------------------------------------------------
# HTML


def _extract_html(html: str) -> tuple[str, str | None, date | None]:
    """Main text (boilerplate removed), the page <title>, and a date the markup states."""
    import trafilatura  # heavy; only HTML inputs pay for it

    tree = trafilatura.load_html(html)
    if tree is None:
        raise _UnreadableError("not a parsable HTML page")
    title = " ".join((tree.findtext(".//title") or "").split()) or None
    published = _published_in_markup(tree)
    text = trafilatura.extract(tree, include_comments=False, favor_precision=True)
    if not text or not text.strip():
        raise _UnreadableError("no main text found in the HTML page")
    return _normalise(text), title, published


def _published_in_markup(tree) -> date | None:
    """Only dates the page declares in <meta> or itemprop: never read off the visible text."""
    for element in tree.iter("meta", "time"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
        if key in _PUBLISHED_META_KEYS:
            found = _parse_date(element.get("content") or element.get("datetime"))
            if found:
                return found
    return None


def _charset_of(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


# ---------------------------------------------------------------------------------------
# HTTP


def _download(url: str, max_bytes: int, timeout: float) -> tuple[bytes, str, str]:
    """Body, Content-Type and final URL; raises _UnreadableError with the status or network error."""
    import requests
    import urllib3

    deadline = time.monotonic() + 3 * timeout
    try:
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html, text/plain;q=0.9, */*;q=0.1"}
        with requests.get(url, timeout=timeout, stream=True, headers=headers) as response:
            if response.status_code >= 400:
                raise _UnreadableError(f"HTTP {response.status_code} {response.reason or ''}".rstrip())
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _UnreadableError(f"larger than the {_size(max_bytes)} limit ({_size(int(declared))})")
            body = bytearray()
            # read1 returns what has arrived, so a trickling server cannot outlast the deadline
            while chunk := response.raw.read1(_CHUNK, decode_content=True):
                body += chunk
                if len(body) > max_bytes:
                    raise _UnreadableError(f"larger than the {_size(max_bytes)} limit")
                if time.monotonic() > deadline:
                    raise _UnreadableError(f"download took longer than {3 * timeout:g} s")
            return bytes(body), response.headers.get("Content-Type", ""), response.url
    except (requests.Timeout, urllib3.exceptions.TimeoutError):
        raise _UnreadableError(f"timed out after {timeout:g} s") from None
    except requests.TooManyRedirects:
        raise _UnreadableError("too many redirects") from None
    except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
        raise _UnreadableError(f"network error: {_root_cause(error)}") from None


def _root_cause(error: BaseException) -> str:
    """requests buries the useful sentence ("Connection refused") inside urllib3's retry error."""
    inner = error.args[0] if error.args else None
    reason = getattr(inner, "reason", None)
    return str(reason or inner or error) or type(error).__name__


# ---------------------------------------------------------------------------------------
# JSON Lines


def _read_jsonl(stream: BinaryIO, where: str, max_line_bytes: int,
                prefix: bytes = b"") -> Iterator[_Found | SourceProblem]:
    """One article per line, streamed; a bad line is reported and the rest still read."""
    for number, line in _lines(stream, max_line_bytes, prefix):
        line_where = f"{where}:line {number}"
        if line is None:
            yield SourceProblem(line_where, f"line {number}: larger than the {_size(max_line_bytes)} limit")
            continue
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        try:
            yield _jsonl_article(line, line_where)
        except _UnreadableError as problem:
            yield SourceProblem(line_where, f"line {number}: {problem}")


def _jsonl_article(line: bytes, where: str) -> _Found:
    try:
        text_line = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _UnreadableError(f"not UTF-8 text (byte 0x{line[error.start]:02x} at offset {error.start})") from None
    try:
        record = json.loads(text_line)
    except json.JSONDecodeError as error:
        raise _UnreadableError(f"invalid JSON: {error.msg} (column {error.colno})") from None
    if not isinstance(record, dict):
        raise _UnreadableError("expected a JSON object with \"id\" and \"text\"")
    article_id = record.get("id")
    if isinstance(article_id, int) and not isinstance(article_id, bool):
        article_id = str(article_id)
    if not isinstance(article_id, str) or not article_id.strip():
        raise _UnreadableError("missing \"id\" (a non-empty string)")
    text = record.get("text")
    if not isinstance(text, str):
        raise _UnreadableError("missing \"text\" (a string)")
    if not text.strip():
        raise _UnreadableError(f"empty text for id {article_id!r}")
    published = _parse_date(record.get("published"))
    if record.get("published") is not None and published is None:
        raise _UnreadableError(f"published {record['published']!r} is not a YYYY-MM-DD date")
    optional = {key: record.get(key) for key in ("source", "url", "title", "language")}
    for key, value in optional.items():
        if value is not None and not isinstance(value, str):
            raise _UnreadableError(f"\"{key}\" must be a string")
    return _Found(where, article_id, _normalise(text), published=published, **optional)


def _lines(stream: BinaryIO, max_line_bytes: int, prefix: bytes = b"") -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines in bounded memory; None stands for a line over the limit (skipped)."""
    buffer, number, overlong = bytearray(prefix), 1, False
    while True:
        chunk = stream.read(_CHUNK)
        buffer += chunk
        start = 0
        while (newline := buffer.find(b"\n", start)) >= 0:
            line = buffer[start:newline]
            yield number, None if overlong or len(line) > max_line_bytes else bytes(line)
            number, overlong, start = number + 1, False, newline + 1
        del buffer[:start]
        if len(buffer) > max_line_bytes:  # the rest of this line is read and dropped
            overlong = True
            buffer.clear()
        if not chunk:
            break
    if overlong or buffer:
        yield number, None if overlong else bytes(buffer)


def _skip_whitespace(stream: BinaryIO) -> bytes:
    """Read until the first non-blank byte so the kind of input shows; returns what was read."""
    read = bytearray()
    while True:
        chunk = stream.read(1)
        if not chunk:
            return bytes(read)
        read += chunk
        if not chunk.isspace():
            return bytes(read)


def _parse_date(value: object) -> date | None:
    """A YYYY-MM-DD date, or the date part of an ISO timestamp as written (its own time zone)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        return date.fromisoformat(value[:10]) if re.match(r"^\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        return None

"""Refuses SPARQL that would make the server fetch from the network: SERVICE and LOAD.

pyoxigraph ships an HTTP client, so `SERVICE <url> {...}` and `LOAD <url>` would really
go out. The check works on tokens, not on text: comments, string literals, IRIs,
prefixed names and variables are skipped, so `# SERVICE`, `"LOAD"`, `ex:service` or
`?load` do not trip it and no comment or literal hides a real keyword. SPARQL's `\\u`
escapes are not expanded in keywords by Oxigraph (a `\\u0053ERVICE` is a syntax error), so
a keyword can only appear spelled out, which lets a substring test skip the tokenizer
for almost every query. Prefixed names keep their escapes (`ex:a\\#`, `ex:a\\'`) as SPARQL
reads them, so an escaped `#` or quote cannot open a fake comment or string.
"""
from __future__ import annotations

import re

FORBIDDEN = ("SERVICE", "LOAD")

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<name>[A-Za-z_\u00c0-\uffff][\w.\-\u00b7\u0300-\u036f\u203f-\u2040\u00c0-\uffff]*:?
                (?:[\w\-.:\u00c0-\uffff]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class ForbiddenOperation(ValueError):
    """The request asks for an operation this server never performs."""


# A keyword stands alone: never after a letter, digit, `:`, `?` or `$` (or it would be part
# of a name or variable) nor before a letter, digit or `:`. Text where no such word occurs
# cannot hold the keyword, and skips the tokenizer; a match (maybe in a comment or a
# string) is confirmed by it.
def _may_hold(sparql: str, words: tuple[str, ...]) -> bool:
    upper = sparql.upper()
    for word in words:
        start = upper.find(word)
        while start >= 0:
            end = start + len(word)
            before = upper[start - 1] if start else " "
            after = upper[end] if end < len(upper) else " "
            if not (before.isalnum() or before in "_:?$") and not (after.isalnum() or after in "_:"):
                return True
            start = upper.find(word, end)
    return False


def check(sparql: str) -> None:
    """Raises ForbiddenOperation when the query or update uses SERVICE or LOAD as a keyword."""
    if not _may_hold(sparql, FORBIDDEN):
        return
    for match in _TOKEN.finditer(sparql):
        if match.lastgroup == "name":
            word = match.group().upper()
            if word in FORBIDDEN:
                raise ForbiddenOperation(
                    f"{word} is not allowed: this server never fetches data from other servers")


# --- shape limits ------------------------------------------------------------------------
#
# Oxigraph's parser and evaluator recurse once per nesting level and once per element of
# some chains (UNION, OPTIONAL, operators, property paths), and overflow the stack well
# before any size limit: `{` nested 5,000 deep or a 10,000-way UNION kill the process with
# SIGSEGV (pyoxigraph 0.5). Such text is refused here, in linear time and before it reaches
# the engine; the engine itself also runs on a thread with a large stack (see
# `kg.server.worker.BIG_STACK`) as a second line.

MAX_DEPTH = 64  # brackets ( { [ open at once; real queries stay under 15
MAX_CHAIN = 500  # UNION / OPTIONAL / MINUS keywords in one request
# The engine runs on threads with this stack (workers, the writer): the default 8 MB
# overflows on text these limits let through only just. Address space, not memory.
BIG_STACK = 256 << 20

# Strings, IRIs and comments are blanked first (so brackets and words inside them do not
# count); then the words are counted and the brackets reduced pair by pair, all in C:
# about 0.15 s per MB of INSERT DATA.
_OPAQUE = re.compile(
    r"""\#[^\n\r]*|'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>""",
    re.VERBOSE | re.DOTALL,
)
_CHAIN = re.compile(r"(?<![\w:?$])(?:UNION|OPTIONAL|MINUS)(?![\w:])", re.IGNORECASE)
_NOT_BRACKET = re.compile(r"[^(){}\[\]]+")
_ONE_KIND = str.maketrans("{[}]", "(())")


class TooComplex(ValueError):
    """The request nests deeper or chains longer than the engine can take safely."""


def check_shape(sparql: str, max_depth: int = MAX_DEPTH, max_chain: int = MAX_CHAIN) -> None:
    """Raises TooComplex when brackets nest deeper than `max_depth` or UNION/OPTIONAL/MINUS
    appear more than `max_chain` times."""
    upper = sparql.upper()
    risky_chain = sum(upper.count(word) for word in ("UNION", "OPTIONAL", "MINUS")) > max_chain
    if not risky_chain and sum(sparql.count(c) for c in "({[") <= max_depth:
        return
    plain = _OPAQUE.sub(" ", sparql)
    if risky_chain and len(_CHAIN.findall(plain)) > max_chain:
        raise TooComplex(f"the request uses UNION, OPTIONAL or MINUS more than {max_chain} times; "
                         "this server refuses such requests before parsing them")
    brackets = _NOT_BRACKET.sub("", plain).translate(_ONE_KIND)
    for _ in range(max_depth):  # each round removes the innermost level
        if "()" not in brackets:
            return
        brackets = brackets.replace("()", "")
    if "()" in brackets:
        raise TooComplex(f"the request nests brackets deeper than {max_depth} levels; "
                         "this server refuses such requests before parsing them")


def has_dataset_clause(sparql: str) -> bool:
    """Whether the query states its own dataset (FROM or FROM NAMED), which then wins over
    the server's union default graph."""
    if not _may_hold(sparql, ("FROM",)):
        return False
    return any(match.lastgroup == "name" and match.group().upper() == "FROM" for match in _TOKEN.finditer(sparql))

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


def check(sparql: str) -> None:
    """Raises ForbiddenOperation when the query or update uses SERVICE or LOAD as a keyword."""
    upper = sparql.upper()
    if not any(word in upper for word in FORBIDDEN):
        return
    for match in _TOKEN.finditer(sparql):
        if match.lastgroup == "name":
            word = match.group().upper()
            if word in FORBIDDEN:
                raise ForbiddenOperation(
                    f"{word} is not allowed: this server never fetches data from other servers")

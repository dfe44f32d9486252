"""Listings a page at a time: `kg actors` and `kg articles`, registered on the main `kg` app.

Both read a named query (`actors`, through the actor rows of the summary when complete;
`articles`) with its `limit` and `offset`; a page of 50 by default, and a line on standard
error saying how to get the next one (`kg meetings` pages the same way).
"""
from __future__ import annotations

import json
from typing import Optional

import typer

# The shared helpers of kg.cli are imported inside the commands: kg.cli imports this module.
StoreOption = typer.Option(None, "--store", envvar="KG_STORE",
                           help="Store directory, or http(s) URL of a SPARQL server. Default: ~/.local/share/kg-meetings/store")
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")
LimitOption = typer.Option(50, "--limit", min=0, help="At most this many rows (a page); 0 for all.")
OffsetOption = typer.Option(0, "--offset", min=0, help="Skip this many rows first (the next page).")


def page(graph_store, name: str, params: dict, limit: int, offset: int, what: str) -> list[dict]:
    """One page of a named query's rows (one more is asked for, to know whether more follow),
    and the line that says which rows these are and how to get the next ones."""
    from kg.cli import _select_named, err

    bounds = {"limit": str(limit + 1), "offset": str(offset)} if limit else {"offset": str(offset)}
    rows = _select_named(graph_store, name, {**params, **bounds})
    more = bool(limit) and len(rows) > limit
    rows = rows[:limit] if limit else rows
    if more or offset:
        shown = f"{what} {offset + 1}-{offset + len(rows)}" if rows else f"no {what} after the first {offset}"
        err.print(shown + (f"; more with --offset {offset + limit} (or --limit 0 for all)" if more else ""))
    return rows


def actors_command(limit: int = LimitOption, offset: int = OffsetOption, store: Optional[str] = StoreOption,
                   as_json: bool = JsonOption) -> None:
    """List the actors the store has facts about, most active first: meetings (an encounter
    reported by several articles counts once) and statements.

    Examples:  kg actors   kg actors --offset 50   kg actors --limit 0 --json
    """
    _list("actors", limit, offset, store, as_json, ["label", "key", "meetings", "statements"])


def articles_command(limit: int = LimitOption, offset: int = OffsetOption, store: Optional[str] = StoreOption,
                     as_json: bool = JsonOption) -> None:
    """List the ingested articles, newest first, with publication date, source, and how many
    meetings and statements each gave.

    Examples:  kg articles   kg articles --offset 50   kg articles --limit 0 --json
    """
    _list("articles", limit, offset, store, as_json, ["documentId", "published", "publisher", "meetings", "statements"])


def _list(name: str, limit: int, offset: int, store: Optional[str], as_json: bool, columns: list[str]) -> None:
    """One page of a named listing query, as JSON or a table."""
    from kg.cli import _open, _print_rows, out

    graph_store = _open(store, read_only=True)
    try:
        rows = page(graph_store, name, {}, limit, offset, name)
    finally:
        graph_store.close()
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    _print_rows(rows, columns, "table")


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command("actors")(actors_command)
    app.command("articles")(articles_command)

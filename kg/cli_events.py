"""Commands about events (one encounter, many reports), registered on the main `kg` app."""
from __future__ import annotations

import json
from typing import Optional

import typer

# The shared helpers of kg.cli are imported inside the commands: kg.cli imports this module.
StoreOption = typer.Option(None, "--store", envvar="KG_STORE",
                           help="Store directory, or http(s) URL of a SPARQL server. Default: ~/.local/share/kg-meetings/store")
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")


def events_command(
    actor: Optional[str] = typer.Option(None, "--actor", "-a", help="English or Arabic name, part of it, or Wikidata id."),
    since: Optional[str] = typer.Option(None, "--since", help="On or after this date (YYYY, YYYY-MM or YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="On or before this date."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild every event from the article graphs first "
                                 "(after writing to the store with other tools)."),
    store: Optional[str] = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """List events, newest first: one row per real-world encounter, however many articles
    report it, with its date, place (every place reported when they differ), participants
    and each report's article, outlet and publication date.

    Examples:  kg events --actor Putin --since 2025   kg events --json   kg events --rebuild
    """
    from kg.cli import _actor_iri, _open, _print_rows, _select_named, err, out

    if rebuild:
        from kg import event_graph

        graph_store = _open(store)
        try:
            done = event_graph.rebuild(graph_store)
        finally:
            graph_store.close()
        err.print(f"events rebuilt: {done.events} events from {done.reports} reports in {done.seconds:.1f} s")
    graph_store = _open(store, read_only=True)
    try:
        rows = _select_named(graph_store, "events", {"actor": _actor_iri(actor, graph_store) if actor else None,
                                                     "since": since, "until": until})
    finally:
        graph_store.close()
    for row in rows:
        for column in ("participants", "articles", "placesReported"):
            row[column] = [v for v in row.get(column, "").split(" | ") if v]
        row["reports"] = int(row.get("reports", 0))
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = [{**r, "place": r.get("placeLabel") or " / ".join(r["placesReported"]),
              "participants": ", ".join(r["participants"]), "articles": "\n".join(r["articles"])} for r in rows]
    _print_rows(table, ["date", "status", "place", "participants", "reports", "articles"], "table")


def remove_command(
    articles: list[str] = typer.Argument(..., help="Document ids of stored articles (e.g. 000_x.txt)."),
    store: Optional[str] = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Remove articles from the store: their graphs, their reports from their events, their
    meetings from the met-with summary.

    Example:  kg remove 000_498fb477b4349d6f.txt
    """
    from kg.cli import _open, err, out
    from kg.ingest import remove

    graph_store = _open(store)
    try:
        report = remove(graph_store, articles)
    finally:
        graph_store.close()
    summary = {"removed": articles, "events": report.events.to_dict() if report.events else None}
    if as_json:
        out.print_json(json.dumps(summary, ensure_ascii=False))
    else:
        err.print(f"removed {len(articles)} article(s); {report.events.events} event(s) recomputed")


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command("events")(events_command)
    app.command("remove")(remove_command)

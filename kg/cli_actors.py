"""Commands about actors and their relationships, registered on the main `kg` app:
`kg actor`, `kg relations`, `kg path`, `kg timeline`, `kg positions`, `kg network`.

Names are resolved by `kg.lookups` (English or Arabic, parts of names, Wikidata ids) and
facts come from `kg.relations`, which the HTTP API shares. Terminals do not run the
bidirectional algorithm, so Arabic cells are reordered for display when standard output
is a terminal; --json and pipes get text in logical order, as stored.
"""
from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # imported where used: kg.lookups loads the extractor, which `kg --help` need not wait for
    from kg.lookups import ActorMatch

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_STORE_HELP = "Store directory, or http(s) URL of a SPARQL server. Default: ~/.local/share/kg-meetings/store"
_SINCE_HELP = "Only on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)."
_UNTIL_HELP = "Only on or before this date (YYYY, YYYY-MM or YYYY-MM-DD)."

out = Console(soft_wrap=False)
err = Console(stderr=True)


# ---------------------------------------------------------------------------
# Display
# ---------------------------------------------------------------------------


def visual(text: str, terminal: bool | None = None) -> str:
    """Arabic in display order for a terminal (which shows characters left to right as
    they come); unchanged for pipes and files, where readers apply the bidi algorithm."""
    if terminal is None:
        terminal = sys.stdout.isatty()
    if not terminal or not text or not _ARABIC.search(text):
        return text
    from bidi import get_display

    return "\n".join(get_display(line) for line in text.split("\n"))


def cell(text: str | None, width: int | None = None) -> str:
    """A table cell: wrapped in logical order first, so that each visual line reads on."""
    text = " ".join((text or "").split())
    if width and len(text) > width:
        text = "\n".join(textwrap.wrap(text, width))
    return visual(text)


def _label(actor: ActorMatch, with_arabic: bool = False) -> str:
    if with_arabic and actor.label_ar and actor.label_ar != actor.label:
        return f"{actor.label} ({actor.label_ar})"
    return actor.label


def _when(date: str | None, reported: str | None) -> str:
    if date:
        return date
    return f"~{reported} (reported)" if reported else "?"


def _table(*columns: str, title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _clip(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _text_width() -> int:
    return max(30, min(90, out.width // 2))


# ---------------------------------------------------------------------------
# Store and names
# ---------------------------------------------------------------------------


def _open(store: Optional[str]):
    """Read-only, with kg.cli's messages for a missing or locked store."""
    from kg.cli import _open as open_or_exit

    return open_or_exit(store, read_only=True)


def _resolve(graph_store, name: str, known) -> ActorMatch:
    """One actor, or a clear message and exit code 2."""
    from kg import relations
    from kg.lookups import AmbiguousActor, UnknownActor

    try:
        return relations.resolve(graph_store, name, known=known)
    except UnknownActor as error:
        err.print(f"[red]No actor matches {name!r}.[/red]")
        if error.matches:
            err.print("Did you mean:")
            for match in error.matches:
                err.print(f"  {visual(_label(match, True), err.is_terminal)}   [dim]{match.key}[/dim]")
        else:
            err.print("Try part of the name, its Arabic spelling, or a Wikidata id (e.g. Q7747).")
        raise typer.Exit(2)
    except AmbiguousActor as error:
        err.print(f"[yellow]{name!r} matches {len(error.candidates)} actors; which one?[/yellow]")
        counts = relations.activity(graph_store, error.candidates[:15])
        for match in error.candidates[:15]:
            facts = counts.get(match.key, 0)
            note = f"{facts} facts in the store" if facts else "nothing in the store"
            ident = ", ".join(x for x in (match.key, match.wikidata) if x)
            err.print(f"  {visual(_label(match, True), err.is_terminal)}   [dim]{ident} — {note}[/dim]")
        if len(error.candidates) > 15:
            err.print(f"  … and {len(error.candidates) - 15} more")
        err.print("Run again with a fuller name, the key or the Wikidata id.")
        raise typer.Exit(2)


def _fail(error: ValueError) -> None:
    err.print(f"[red]error:[/red] {error}")
    raise typer.Exit(2)


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def actor_command(
    name: str = typer.Argument(..., help="English or Arabic name, part of it, or a Wikidata id."),
    top: int = typer.Option(5, "--top", help="How many counterparts and statements to show."),
    store: Optional[str] = typer.Option(None, "--store", envvar="KG_STORE", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Who an actor is and what the store knows: names, offices, meetings, counterparts, recent statements.

    Examples:  kg actor Putin    kg actor "خامنئي" --json    kg actor Q7747
    """
    from kg import relations

    graph_store = _open(store)
    try:
        known = relations.directory(graph_store)
        actor = _resolve(graph_store, name, known)
        found = relations.profile(graph_store, actor, top=top, known=known)
    finally:
        graph_store.close()
    if as_json:
        _print_json(found.to_dict())
        return
    out.print(f"[bold]{visual(_label(actor))}[/bold]  [dim]{actor.key}"
              f"{'  wikidata:' + actor.wikidata if actor.wikidata else ''}{'  (local: not in the knowledge base)' if actor.is_local else ''}[/dim]")
    if found.names_ar:
        out.print("Arabic names: " + visual("، ".join(found.names_ar)))
    if found.offices:
        offices = _table("office", "of", "from", "to", title="Offices (knowledge base)")
        for office in found.offices:
            offices.add_row(office["title"], office["of_label"], office["start"] or "?", office["end"] or "now")
        out.print(offices)
    first, last = found.first_meeting, found.last_meeting
    out.print(f"Meetings held: [bold]{found.meetings}[/bold]" + (f", planned: {found.planned}" if found.planned else "")
              + (f"; first {_when(first.date, first.reported)}, last {_when(last.date, last.reported)}" if first else ""))
    if found.counterparts:
        table = _table("counterpart", "meetings", "first", "last", "places", title="Main counterparts")
        for c in found.counterparts:
            table.add_row(visual(c.actor.label), str(c.meetings) + (f" (+{c.planned} planned)" if c.planned else ""),
                          _when(c.first, c.first_reported), _when(c.last, c.last_reported), ", ".join(c.places))
        out.print(table)
    out.print(f"Statements: [bold]{found.statements}[/bold]")
    if found.recent_statements:
        table = _table("published", "verb", "content", "evidence", "article", title="Recent statements")
        width = _text_width() // 2 + 10
        for s in found.recent_statements:
            table.add_row(s.published or "?", cell(s.verb), cell(s.content, width), cell(s.evidence, width), s.document_id)
        out.print(table)


def relations_command(
    name: str = typer.Argument(..., help="English or Arabic name, part of it, or a Wikidata id."),
    since: Optional[str] = typer.Option(None, "--since", help=_SINCE_HELP),
    until: Optional[str] = typer.Option(None, "--until", help=_UNTIL_HELP),
    with_: Optional[str] = typer.Option(None, "--with", help="Only this counterpart; lists each of their meetings."),
    store: Optional[str] = typer.Option(None, "--store", envvar="KG_STORE", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Whom an actor met: counterparts with meeting counts, first and last dates, places and articles.

    A date marked ~ (reported) is the publication date of an article whose text gives none.

    Examples:  kg relations Putin    kg relations "بوتين" --since 2017 --json    kg relations Khamenei --with Assad
    """
    from kg import relations

    graph_store = _open(store)
    try:
        known = relations.directory(graph_store)
        actor = _resolve(graph_store, name, known)
        other = _resolve(graph_store, with_, known) if with_ else None
        try:
            found = relations.counterparts(graph_store, actor, since, until, other, known=known)
            detail = relations.meetings(graph_store, actor, other, since, until, known=known) if other else []
        except ValueError as error:
            _fail(error)
    finally:
        graph_store.close()
    if as_json:
        result = {"actor": actor.to_dict(), "since": since, "until": until,
                  "counterparts": [c.to_dict() for c in found]}
        if other:
            result["with"] = other.to_dict()
            result["meetings"] = [m.to_dict() for m in detail]
        _print_json(result)
        return
    if not found:
        out.print(f"No meetings of {visual(actor.label)}" + (f" with {visual(other.label)}" if other else "")
                  + " in the store" + (" for these dates." if since or until else "."))
        return
    table = _table("counterpart", "met", "planned", "first", "last", "places", "articles",
                   title=f"Counterparts of {visual(actor.label)}")
    for c in found:
        table.add_row(visual(_label(c.actor, True)), str(c.meetings), str(c.planned or ""),
                      _when(c.first, c.first_reported), _when(c.last, c.last_reported),
                      visual(", ".join(c.places)), "\n".join(c.articles))
    out.print(table)
    if other and detail:
        _print_meetings(detail, f"Meetings of {visual(actor.label)} with {visual(other.label)}")


def _print_meetings(found, title: str) -> None:
    table = _table("date", "status", "place", "participants", "evidence", "articles", title=title)
    for m in found:
        table.add_row(_when(m.date, m.reported), m.status, visual(m.place or ""),
                      visual(", ".join(p.label for p in m.participants)),
                      cell(_clip(m.evidence, 240), _text_width() // 2 + 10),
                      "\n".join(m.articles))
    out.print(table)


def path_command(
    a: str = typer.Argument(..., help="First actor: English or Arabic name, part of it, or a Wikidata id."),
    b: str = typer.Argument(..., help="Second actor."),
    since: Optional[str] = typer.Option(None, "--since", help=_SINCE_HELP),
    until: Optional[str] = typer.Option(None, "--until", help=_UNTIL_HELP),
    store: Optional[str] = typer.Option(None, "--store", envvar="KG_STORE", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """The shortest chain of held meetings linking two actors, with those meetings.

    Exits with 1 when no chain links them (and says so), 2 when a name is unknown or ambiguous.

    Examples:  kg path "Sergei Shoigu" "Vladimir Putin"    kg path بوتين الأسد --json
    """
    from kg import relations

    graph_store = _open(store)
    try:
        known = relations.directory(graph_store)
        first, second = _resolve(graph_store, a, known), _resolve(graph_store, b, known)
        try:
            hops = relations.path(graph_store, first, second, since, until, known=known)
        except ValueError as error:
            _fail(error)
    finally:
        graph_store.close()
    if as_json:
        _print_json({"from": first.to_dict(), "to": second.to_dict(), "found": hops is not None,
                     "length": len(hops) if hops is not None else None,
                     "hops": [h.to_dict() for h in hops] if hops is not None else None})
    elif hops is None:
        out.print(f"No chain of meetings links {visual(first.label)} and {visual(second.label)} in this store"
                  + (" for these dates." if since or until else "."))
    elif not hops:
        out.print(f"{visual(first.label)} and {visual(second.label)} are the same actor.")
    else:
        chain = " → ".join(visual(x.label) for x in [hops[0].a, *(h.b for h in hops)])
        out.print(f"[bold]{chain}[/bold]  ({len(hops)} meeting{'s' if len(hops) > 1 else ''} apart)")
        for hop in hops:
            _print_meetings(hop.meetings, f"{visual(hop.a.label)} — {visual(hop.b.label)}")
    if hops is None:
        raise typer.Exit(1)


def timeline_command(
    name: str = typer.Argument(..., help="English or Arabic name, part of it, or a Wikidata id."),
    since: Optional[str] = typer.Option(None, "--since", help=_SINCE_HELP),
    until: Optional[str] = typer.Option(None, "--until", help=_UNTIL_HELP),
    output: Optional[Path] = typer.Option(None, "--out", "-o", help="Draw the timeline to this .svg or .png file."),
    store: Optional[str] = typer.Option(None, "--store", envvar="KG_STORE", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Meetings and statements of an actor in date order; --out draws them.

    Statements carry their article's publication date; a meeting whose text gives no date is
    placed at its article's (marked ~).

    Examples:  kg timeline Khamenei    kg timeline "خامنئي" --out khamenei.svg
    """
    from kg import relations

    if output and output.suffix.lower() not in (".svg", ".png"):
        raise typer.BadParameter("the drawing is written as .svg or .png", param_hint="--out")
    graph_store = _open(store)
    try:
        known = relations.directory(graph_store)
        actor = _resolve(graph_store, name, known)
        try:
            events = relations.timeline(graph_store, actor, since, until, known=known)
        except ValueError as error:
            _fail(error)
    finally:
        graph_store.close()
    if output:
        from kg import draw

        draw.timeline(actor, events, output)
        err.print(f"wrote {output} ({len(events)} events)")
    if as_json:
        _print_json({"actor": actor.to_dict(), "events": [e.to_dict() for e in events]})
        return
    if output:
        return
    table = _table("date", "what", "with / said", "place / source", title=f"Timeline of {visual(actor.label)}")
    width = _text_width()
    for e in events:
        when = f"~{e.when}" if e.approximate and e.when else (e.when or "?")
        if e.meeting:
            m = e.meeting
            verb = "met" if m.status == "held" else "will meet"
            table.add_row(when, verb, visual(", ".join(p.label for p in m.others(actor))),
                          visual(m.place or "") + ("\n" if m.place else "") + ", ".join(m.articles))
        else:
            s = e.statement
            table.add_row(when, cell(s.verb), cell(s.content, width), s.document_id)
    out.print(table)


def positions_command(
    name: str = typer.Argument(..., help="English or Arabic name, part of it, or a Wikidata id."),
    topic: Optional[str] = typer.Option(None, "--topic", "-t", help="Only statements mentioning this word (any spelling: سوريا finds سورية)."),
    since: Optional[str] = typer.Option(None, "--since", help=_SINCE_HELP),
    until: Optional[str] = typer.Option(None, "--until", help=_UNTIL_HELP),
    store: Optional[str] = typer.Option(None, "--store", envvar="KG_STORE", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Stated positions of an actor over time, oldest first, with the reporting verb and source article.

    Examples:  kg positions Khamenei --topic سوريا    kg positions Putin --since 2017 --json
    """
    from kg import relations

    graph_store = _open(store)
    try:
        known = relations.directory(graph_store)
        actor = _resolve(graph_store, name, known)
        try:
            found = relations.statements(graph_store, actor, since, until, topic, known=known)
        except ValueError as error:
            _fail(error)
    finally:
        graph_store.close()
    if as_json:
        _print_json({"actor": actor.to_dict(), "topic": topic, "statements": [s.to_dict() for s in found]})
        return
    if not found:
        out.print(f"No statements of {visual(actor.label)}" + (f" about {visual(topic)}" if topic else "") + " in the store.")
        return
    table = _table("published", "verb", "position", "source", title=f"Positions of {visual(actor.label)}"
                   + (f" on {visual(topic)}" if topic else ""))
    width = _text_width() + 10
    for s in found:
        source = ", ".join(x for x in (s.publisher, s.document_id) if x)
        table.add_row(s.published or "?", cell(s.verb), cell(s.content, width), source)
    out.print(table)


def network_command(
    name: Optional[str] = typer.Argument(None, help="Centre the drawing on this actor and its neighbourhood."),
    output: Path = typer.Option(..., "--out", "-o", help="File to write: .svg, .png or .html (self-contained)."),
    depth: int = typer.Option(1, "--depth", help="With NAME: how many meetings away to reach.", min=1, max=6),
    since: Optional[str] = typer.Option(None, "--since", help=_SINCE_HELP),
    until: Optional[str] = typer.Option(None, "--until", help=_UNTIL_HELP),
    labels: str = typer.Option("en", "--labels", help="Name actors in en (Arabic when no English name is known) or ar."),
    store: Optional[str] = typer.Option(None, "--store", envvar="KG_STORE", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Also print the drawn network as JSON."),
) -> None:
    """Draw the meeting network: actors sized by meetings, links weighted and labelled by how often they met.

    Examples:  kg network --out network.png    kg network Putin --depth 2 --out putin.svg    kg network --out net.html
    """
    from kg import draw, relations

    if output.suffix.lower() not in (".svg", ".png", ".html"):
        raise typer.BadParameter("write .svg, .png or .html", param_hint="--out")
    if labels not in ("en", "ar"):
        raise typer.BadParameter("en or ar", param_hint="--labels")
    graph_store = _open(store)
    try:
        known = relations.directory(graph_store)
        centre = _resolve(graph_store, name, known) if name else None
        try:
            found = relations.network(graph_store, centre, depth, since, until, known=known)
        except ValueError as error:
            _fail(error)
    finally:
        graph_store.close()
    if not found.edges:
        err.print("No meetings to draw" + (f" around {visual(centre.label, err.is_terminal)}" if centre else "") + ".")
    draw.network(found, output, labels=labels)
    err.print(f"wrote {output} ({len(found.nodes)} actors, {len(found.edges)} links)")
    if as_json:
        _print_json(found.to_dict())


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command("actor")(actor_command)
    app.command("relations")(relations_command)
    app.command("path")(path_command)
    app.command("timeline")(timeline_command)
    app.command("positions")(positions_command)
    app.command("network")(network_command)

"""`kg`: the command line. Thin: parse options, call the layers, print.

Every command takes `--store` (default: $KG_STORE, else ~/.local/share/kg-meetings/store;
an http(s) URL means a remote SPARQL server) and prints JSON with `--json`.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from kg import queries as named_queries
from kg.sources import SourceProblem

def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"kg-meetings {version('kg-meetings')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            typer.echo("kg-meetings (not installed)")
        raise typer.Exit()


def _no_flag_type() -> None:
    """Typer 0.2x's help shows a type after every option, `--help <bool>` and `--json <bool>`
    included, although a flag takes no value: flags show none here."""
    import typer.core

    option = getattr(typer.core, "TyperOption", None)
    shown = getattr(option, "display_type_rich", None)
    if shown is None or getattr(shown, "_kg_flags", False):
        return

    def display_type_rich(self, ctx):
        return None if getattr(self, "is_flag", False) else shown(self, ctx)

    display_type_rich._kg_flags = True
    option.display_type_rich = display_type_rich


_no_flag_type()

class _Commands(typer.Typer):
    """Reports a store that fails in the middle of a command (a remote server that stops
    answering or refuses a query) in one line and exit code 2, as one that cannot be
    opened is, rather than with a traceback."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except ConnectionError as error:  # kg.remote.RemoteStoreError
            from rich.markup import escape

            err.print(f"[red]error:[/red] {escape(str(error))}", highlight=False)
            sys.exit(2)


app = _Commands(
    help="A knowledge graph of diplomatic meetings and stated positions, extracted from Arabic news.\n\n"
    "Quick start:  kg ingest seeds/  then  kg meetings --actor Putin  or  kg serve",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """A knowledge graph of diplomatic meetings and stated positions, extracted from Arabic news."""


out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

StoreOption = typer.Option(None, "--store", envvar="KG_STORE",
                           help="Store directory, or http(s) URL of a SPARQL server. Default: ~/.local/share/kg-meetings/store")
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")


def _date(value: Optional[str], option: str) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option)


def _open(store: Optional[str], read_only: bool = False):
    from kg.store import open_store

    try:
        return open_store(store, read_only=read_only)
    except OSError as error:
        err.print(f"[red]error:[/red] cannot open the store {store or ''}: {error}")
        if "lock" in str(error).lower():
            err.print("Another kg process (perhaps `kg serve`) holds the store. Stop it, or point --store at its URL.")
        raise typer.Exit(2)


def _report_problem(problem: SourceProblem) -> None:
    colour = "yellow" if problem.severity == "warning" else "red"
    err.print(f"[{colour}]{problem.severity}:[/{colour}] {problem.where}: {problem.reason}")


@app.command()
def ingest(
    paths: list[str] = typer.Argument(..., help="Article files, directories, .jsonl files, http(s) URLs, or - for stdin."),
    metadata: Optional[Path] = typer.Option(None, "--metadata", "-m", help="Metadata JSON keyed by file name (published, source, url)."),
    published: Optional[str] = typer.Option(None, "--published", help="Publication date for all articles (YYYY-MM-DD)."),
    source: Optional[str] = typer.Option(None, "--source", help="Source name for all articles."),
    force: bool = typer.Option(False, "--force", help="Re-extract articles even when their text is unchanged."),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", min=1, help="Extraction processes. Default: the usable cores."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="One line per article instead of a progress line every few seconds."),
    store: Optional[str] = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Read articles, extract meetings and statements in parallel, and store them (one named graph per article).

    Streams any number of articles in constant memory. Re-ingesting an article replaces its graph;
    unchanged articles are skipped, so an interrupted run is resumed by running it again.

    Examples:  kg ingest seeds/ --metadata seeds/metadata.json    kg ingest corpus.jsonl -j 4
    """
    import time

    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    from kg.bulk import estimate_total
    from kg.ingest import ingest as run_ingest

    published_day = _date(published, "--published")
    graph_store = _open(store)
    interactive = err.is_terminal and not as_json and not verbose
    total = estimate_total(paths) if not as_json else None
    progress = Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=err,
                        disable=not interactive)
    state = {"seen": 0, "started": time.monotonic(), "logged": time.monotonic()}

    def on_outcome(outcome) -> None:
        state["seen"] += 1
        item = outcome.item
        if isinstance(item, SourceProblem):
            _report_problem(item)
        elif outcome.status == "failed" or as_json:
            pass  # failures are in the report's problems, printed at the end
        elif verbose:
            found = (f"{outcome.meetings} meetings, {outcome.statements} statements" if outcome.status == "ingested"
                     else "unchanged, skipped")
            err.print(f"{item.id}: {found}")
        now = time.monotonic()
        rate = state["seen"] / max(now - state["started"], 1e-9)
        if interactive:
            progress.update(task, advance=1, rate=f"{rate:.0f} articles/s")
        elif not as_json and not verbose and now - state["logged"] >= 5:
            state["logged"] = now
            eta = f", ETA {(total - state['seen']) / rate:.0f} s" if total and rate else ""
            err.print(f"ingest: {state['seen']}" + (f"/{total}" if total else "") + f" articles, {rate:.0f} articles/s{eta}")

    def on_summary(done: int, todo: int) -> None:
        if interactive:
            if "summary" not in state:
                state["summary"] = progress.add_task("summary", total=todo, rate="met-with rows")
            progress.update(state["summary"], completed=done)
        elif not as_json and (done == todo or time.monotonic() - state["logged"] >= 5):
            state["logged"] = time.monotonic()
            err.print(f"summary: {done}/{todo} actors")

    try:
        with progress:
            task = progress.add_task("ingest", total=total, rate="")
            report = run_ingest(graph_store, paths, metadata=metadata, published=published_day, source=source,
                                force=force, workers=workers, on_outcome=on_outcome, on_summary=on_summary)
    except ValueError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted:[/yellow] every batch written so far is complete; run the same command again to resume.")
        raise typer.Exit(130)
    except ConnectionError as error:  # a remote store that stopped answering mid-run
        err.print(f"[red]error:[/red] {error}")
        err.print("Every batch written so far is complete; run the same command again to resume.")
        raise typer.Exit(2)
    finally:
        graph_store.close()
    for problem in report.problems:
        if problem.severity == "error" and problem.reason.startswith("not ingested"):
            _report_problem(problem)
    summary = {"ingested": report.ingested, "unchanged": report.skipped_unchanged, "meetings": report.meetings,
               "statements": report.statements, "quads": report.quads, "failed": report.failed,
               "recovered": report.recovered, "seconds": round(report.seconds, 3),
               "problems": [{"where": p.where, "reason": p.reason, "severity": p.severity} for p in report.problems],
               "summary": report.summary.to_dict() if report.summary else None,
               "store": graph_store.location}
    if as_json:
        out.print_json(json.dumps(summary, ensure_ascii=False))
    else:
        if report.recovered:
            err.print(f"dropped {report.recovered} incomplete article graphs left by an interrupted run")
        if report.summary:
            done = report.summary
            err.print(f"met-with summary {'rebuilt' if done.full else 'updated'}: {done.actors} actors, "
                      f"{done.rows} rows in {done.seconds:.1f} s")
        rate = (report.ingested + report.skipped_unchanged) / max(report.seconds, 1e-9)
        err.print(f"{report.ingested} articles ingested ({report.meetings} meetings, {report.statements} statements, "
                  f"{report.quads} quads), {report.skipped_unchanged} unchanged, {report.failed} failed "
                  f"in {report.seconds:.1f} s ({rate:.0f} articles/s) -> {graph_store.location}")
    raise typer.Exit(1 if report.failed else 0)


@app.command()
def extract(
    paths: list[str] = typer.Argument(..., help="Article files, directories, .jsonl files, URLs, or - for stdin."),
    metadata: Optional[Path] = typer.Option(None, "--metadata", "-m", help="Metadata JSON keyed by file name."),
    published: Optional[str] = typer.Option(None, "--published", help="Publication date for all articles (YYYY-MM-DD)."),
    as_json: bool = JsonOption,
) -> None:
    """Extract meetings and statements and print them, without touching the store.

    With --json it prints the evaluation's prediction format (shared/eval/README.md).

    Example:  kg extract seeds/ --metadata seeds/metadata.json --json > predictions.json
    """
    from kg.extract import Extractor
    from kg.ingest import extract_all
    from kg.predictions import to_predictions

    extractor = Extractor()
    extractions = []
    failed = 0
    try:
        for item in extract_all(paths, metadata=metadata, published=_date(published, "--published"), extractor=extractor):
            if isinstance(item, SourceProblem):
                _report_problem(item)
                failed += item.severity == "error"
            else:
                extractions.append(item)
    except ValueError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2)
    if as_json:
        sys.stdout.write(json.dumps(to_predictions(extractions, extractor.kb), ensure_ascii=False, indent=1) + "\n")
    else:
        for ex in extractions:
            out.rule(f"{ex.article.id}  ({ex.article.published or 'no date'})")
            for m in ex.meetings:
                names = ", ".join(a.label for a in m.participants)
                out.print(f"[bold]meeting[/bold] {m.status} {m.date or '?'} {m.place.label if m.place else '?'}: {names}")
            for s in ex.statements:
                who = ", ".join(a.label for a in s.speakers)
                out.print(f"[bold]statement[/bold] {who} ({s.verb}): {s.content.text[:160]}")
    raise typer.Exit(1 if failed else 0)


def _print_rows(rows: list[dict], columns: list[str], fmt: str) -> None:
    if fmt == "json":
        out.print_json(json.dumps(rows, ensure_ascii=False, default=str))
        return
    if fmt in ("csv", "tsv"):
        import csv

        writer = csv.writer(sys.stdout, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
        return
    table = Table(*columns, show_lines=False)
    for row in rows:
        table.add_row(*[str(row.get(c, "")) for c in columns])
    out.print(table)


def _plain(rows: list[dict]) -> list[dict]:
    return [{k: v.value for k, v in row.items()} for row in rows]


@app.command()
def query(
    sparql: str = typer.Argument(..., help="A SPARQL query, @file.rq, or the name of a named query (see `kg queries`)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json, csv, tsv; for CONSTRUCT: turtle, ntriples, nquads, trig, jsonld."),
    param: list[str] = typer.Option([], "--param", "-p", help="Parameter of a named query, NAME=VALUE (repeatable)."),
    store: Optional[str] = StoreOption,
) -> None:
    """Run a SPARQL query against the store (named graphs are visible as the default graph).

    Examples:
      kg query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
      kg query meetings -p actor=https://w3id.org/kg-meetings/id/actor/vladimir-putin --format csv
      kg query @my-query.rq --format json
    """
    named = sparql in named_queries.catalogue()
    if sparql.startswith("@"):
        text = Path(sparql[1:]).read_text(encoding="utf-8")
    elif named:
        try:
            values = dict(p.split("=", 1) for p in param)
            text = named_queries.get(sparql).bind(values)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--param")
    else:
        text = sparql
    graph_store = _open(store, read_only=True)
    try:
        if named:  # through the met-with summary when it holds (see kg.summary)
            from kg.summary import bound_text

            text = bound_text(graph_store, sparql, values)
        from kg.formats import serialize_result

        result = graph_store.query(text)
        if fmt == "table" and hasattr(result, "variables"):
            columns = [v.value for v in result.variables]
            rows = [{c: (sol[c].value if sol[c] is not None else "") for c in columns} for sol in result]
            _print_rows(rows, columns, "table")
        else:
            body, _media = serialize_result(result, "json" if fmt == "table" else fmt)
            sys.stdout.buffer.write(body)
            if not body.endswith(b"\n"):
                sys.stdout.buffer.write(b"\n")
    except SyntaxError as error:
        err.print(f"[red]SPARQL syntax error:[/red] {error}")
        raise typer.Exit(2)
    finally:
        graph_store.close()


@app.command()
def queries() -> None:
    """List the named queries (queries/*.rq) and their parameters; the HTTP service serves the same."""
    for q in named_queries.catalogue().values():
        out.print(f"[bold]{q.name}[/bold] — {q.title}: {q.description}")
        for p in q.params:
            out.print(f"    {p.name} ({p.type}{', required' if p.required else ''}): {p.doc}")


@app.command()
def export(
    fmt: str = typer.Option("turtle", "--format", "-f", help="turtle, trig, nquads, ntriples, jsonld."),
    graph: Optional[str] = typer.Option(None, "--graph", "-g", help="Only this article's graph (its document id, e.g. 000_x.txt)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of standard output."),
    store: Optional[str] = StoreOption,
) -> None:
    """Dump the graph. Turtle (the default) merges all graphs; TriG and N-Quads keep one graph per article.

    Examples:
      kg export > everything.ttl
      kg export --format trig -o dump.trig
      kg export --graph 000_498fb477b4349d6f.txt
    """
    from kg.export import export as write_export

    graph_store = _open(store, read_only=True)
    try:
        sink = output.open("wb") if output else sys.stdout.buffer
        try:
            write_export(graph_store, sink, fmt, graph)
        finally:
            if output:
                sink.close()
    except ValueError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2)
    finally:
        graph_store.close()


def _select_named(graph_store, name: str, params: dict) -> list[dict]:
    """A named query's rows as plain values; a parameter it rejects is the user's error, not a crash."""
    from kg.summary import bound_text

    try:
        text = bound_text(graph_store, name, params)
    except ValueError as error:
        raise typer.BadParameter(str(error))
    return _plain(graph_store.select(text))


def _actor_iri(name: str, store) -> str:
    from kg.lookups import AmbiguousActor, UnknownActor, resolve_actor

    from kg.remote import store_query

    present = {row["key"].value for row in store.select(store_query("actor-keys"))}  # not `actors`: no counting
    try:
        return resolve_actor(name, present=present).iri
    except UnknownActor as error:
        err.print(f"[red]No actor matches {name!r}.[/red]" + (f" Did you mean: {', '.join(error.suggestions)}?" if error.suggestions else ""))
        raise typer.Exit(2)
    except AmbiguousActor as error:
        err.print(f"[yellow]{name!r} matches several actors; be more specific:[/yellow]")
        for c in error.candidates:
            err.print(f"  {c.label}  ({c.key}{', ' + c.wikidata if c.wikidata else ''})")
        raise typer.Exit(2)


@app.command()
def meetings(
    actor: Optional[str] = typer.Option(None, "--actor", "-a", help="English or Arabic name, part of it, or Wikidata id."),
    since: Optional[str] = typer.Option(None, "--since", help="On or after this date (YYYY, YYYY-MM or YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="On or before this date."),
    by_report: bool = typer.Option(False, "--by-report", help="One row per article's report (with its event) "
                                   "instead of one per encounter."),
    limit: int = typer.Option(100, "--limit", min=0, help="At most this many meetings (a page); 0 for all."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many meetings first (the next page)."),
    store: Optional[str] = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """List meetings, newest first: one row per encounter, however many articles report it,
    with place, participants, status (held if any report says so), evidence and each
    report's article, outlet and publication date.

    A page at a time (--limit, 100 by default); a line on standard error says how to get the next.

    Examples:  kg meetings --actor Putin --since 2020   kg meetings --actor "خامنئي" --json   kg meetings --by-report
    """
    from kg.relations import date_bounds

    try:
        bounds = date_bounds(since, until)  # --until 2019: to the end of 2019, as everywhere
    except ValueError as error:
        raise typer.BadParameter(str(error))
    from kg.cli_lists import page

    graph_store = _open(store, read_only=True)
    try:
        rows = page(graph_store, "meeting-reports" if by_report else "meetings",
                    {"actor": _actor_iri(actor, graph_store) if actor else None, **bounds}, limit, offset, "meetings")
    finally:
        graph_store.close()
    for row in rows:  # GROUP_CONCAT has no order: sorted, so the same store prints the same
        for column in ("participants", "articles") if by_report else ("participants", "articles", "sources",
                                                                           "placesReported"):
            row[column] = sorted(p for p in row.get(column, "").split(" | ") if p)
        if not by_report:
            row["reports"] = int(row.get("reports", 0))
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table_rows = [{**r, "date": r.get("date") or (f"~{r['reported']} (reported)" if r.get("reported") else "?"),
                   "participants": ", ".join(r["participants"]), "articles": ", ".join(r["articles"]),
                   "place": r.get("placeLabel") or " / ".join(r.get("placesReported", [])),
                   "sources": "\n".join(r.get("sources", []))} for r in rows]
    _print_rows(table_rows, ["date", "status", "placeLabel", "participants", "articles"] if by_report else
                ["date", "status", "place", "participants", "reports", "sources"], "table")


@app.command()
def statements(
    speaker: Optional[str] = typer.Option(None, "--speaker", "-s", help="English or Arabic name, part of it, or Wikidata id."),
    since: Optional[str] = typer.Option(None, "--since", help="Articles published on or after this date."),
    topic: Optional[str] = typer.Option(None, "--topic", "-t", help="Only statements containing this word."),
    store: Optional[str] = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """List stated positions with speaker, content, reporting verb and source article.

    Example:  kg statements --speaker Khamenei --topic سوريا
    """
    graph_store = _open(store, read_only=True)
    try:
        rows = _select_named(graph_store, "statements", {"speaker": _actor_iri(speaker, graph_store) if speaker else None, "since": since, "topic": topic})
    finally:
        graph_store.close()
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    _print_rows(rows, ["published", "speakerLabel", "verb", "content", "documentId"], "table")


@app.command()
def stats(store: Optional[str] = StoreOption, as_json: bool = JsonOption) -> None:
    """Counts: articles, meetings, statements, persons, places and quads, and the met-with summary's state."""
    from kg.summary import state as summary_state

    graph_store = _open(store, read_only=True)
    try:
        rows = _plain(graph_store.select(named_queries.get("stats").text))
        result = {k: int(v) for k, v in (rows[0] if rows else {}).items()}
        result["quads"] = len(graph_store) if hasattr(graph_store, "__len__") else None
        result["summary"] = summary_state(graph_store).to_dict()
        result["store"] = graph_store.location
    finally:
        graph_store.close()
    if as_json:
        out.print_json(json.dumps(result))
        return
    for key, value in result.items():
        if key == "summary":
            value = f"{'complete' if value['complete'] else 'stale (relations computed from the articles)'}, {value['rows']} rows"
        out.print(f"{key:>12}: {value}")


def _check_port(host: str, port: int) -> None:
    """Fail before the banner when the port is taken, with the way out (uvicorn would start
    the application first and then stop on `address already in use`)."""
    import socket

    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        err.print(f"[red]error:[/red] cannot bind {host}: {error}")
        raise typer.Exit(2)
    family, kind, proto, _, address = infos[0]
    probe = socket.socket(family, kind, proto)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        probe.bind(address)
    except OSError as error:
        err.print(f"[red]error:[/red] cannot listen on {host}:{port}: {error.strerror or error}")
        err.print("Another program (perhaps another `kg serve`) uses that port: choose another with "
                  "--port or the KG_PORT variable (also read by `python3 tasks.py run`), e.g. `kg serve --port 7879`.")
        raise typer.Exit(2)
    finally:
        probe.close()


@app.command()
def serve(
    store: Optional[str] = StoreOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind. The default only accepts local clients."),
    port: int = typer.Option(7878, "--port", envvar="KG_PORT", help="TCP port."),
    allow_update: bool = typer.Option(False, "--allow-update", help="Accept SPARQL Update and Graph Store writes (needs --token-file)."),
    token_file: Optional[Path] = typer.Option(None, "--token-file", help="File holding the bearer token that writes must present."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds a query may run before it is cancelled (503)."),
    max_results: int = typer.Option(10000, "--max-results", help="Most result rows returned; truncation is signalled."),
    cors: Optional[str] = typer.Option(None, "--cors", help="Allow this browser origin (e.g. https://example.org); off by default."),
    max_body: int = typer.Option(10_000_000, "--max-body", help="Largest request body in bytes (413 beyond)."),
    workers: int = typer.Option(0, "--workers", help="Query worker processes (0: one per core, 2 to 8)."),
    worker_memory: int = typer.Option(2048, "--worker-memory", help="Megabytes a query worker may use (0: no limit); a query that needs more is stopped (503)."),
) -> None:
    """Serve SPARQL over HTTP (SPARQL 1.1 Protocol), named queries, a JSON API and a web page.

    Read-only and bound to 127.0.0.1 unless told otherwise.

    Example:  kg serve --port 7878   then open http://127.0.0.1:7878/
    """
    from kg.server import run

    if allow_update and token_file is None:
        raise typer.BadParameter("--allow-update needs --token-file: writes always require a token", param_hint="--allow-update")
    options = {"workers": workers} if workers > 0 else {}
    _check_port(host, port)
    try:
        run(store=store, host=host, port=port, allow_update=allow_update, token_file=token_file, timeout=timeout,
            max_results=max_results, cors=cors, max_body=max_body, worker_memory=worker_memory << 20, **options)
    except (ValueError, OSError) as error:
        err.print(f"[red]error:[/red] {error}")
        if "lock" in str(error).lower():
            err.print(f"The store {store or ''} is in use by another process (another `kg serve`, or a `kg ingest` "
                      "still running). Stop that process first, or query the server that holds it "
                      "(e.g. `kg meetings --store http://127.0.0.1:7878`), or serve another --store.")
        if allow_update and store and store.startswith(("http://", "https://")):
            err.print("Over a remote store `kg serve` is a read-only proxy: send writes to the remote "
                      "server's own endpoint, or run `kg serve --allow-update` where the store directory is.")
        raise typer.Exit(2)


@app.command("eval")
def evaluate(
    gold_dir: Path = typer.Argument(..., help="Folder of gold JSON files (one per article)."),
    articles: Optional[Path] = typer.Option(None, "--articles", help="Articles to extract and score (default: the sample seeds' layout beside the gold)."),
    metadata: Optional[Path] = typer.Option(None, "--metadata", "-m", help="Metadata JSON for the articles."),
    predictions: Optional[Path] = typer.Option(None, "--predictions", help="Score this prediction JSON instead of extracting."),
    entities: Optional[Path] = typer.Option(None, "--entities", help="Entities JSON (default: entities.json beside GOLD_DIR)."),
    errors: bool = typer.Option(False, "--errors", help="Also list every error by kind (missed/extra meeting, wrong participants, date, place, missed statement, wrong speaker) with its sentence."),
    as_json: bool = JsonOption,
) -> None:
    """Score extraction against gold annotations, with the same figures as the reference scorer.

    Example:  kg eval tests/data/dev/gold --articles tests/data/dev/articles --metadata tests/data/dev/metadata.json --errors
    """
    from kg import evaluate as ev
    from kg.extract import Extractor
    from kg.ingest import extract_all
    from kg.predictions import to_predictions

    entities_path = entities or gold_dir.parent / "entities.json"
    if not entities_path.exists():
        raise typer.BadParameter(f"no entities file at {entities_path}; pass --entities", param_hint="--entities")
    texts: dict[str, str] = {}
    if predictions:
        pred = json.loads(predictions.read_text(encoding="utf-8"))
    else:
        if articles is None:
            raise typer.BadParameter("give --articles (and --metadata) to extract, or --predictions to score a file")
        extractor = Extractor()
        extractions = [x for x in extract_all([str(articles)], metadata=metadata, extractor=extractor)
                       if not isinstance(x, SourceProblem)]
        pred = to_predictions(extractions, extractor.kb)
        texts = {x.article.id: x.article.text for x in extractions}
    gold_docs, known = ev.load_gold(gold_dir), ev.load_entities(entities_path)
    report = ev.score(gold_docs, pred, known)
    found = ev.diagnose(gold_docs, pred, known, texts) if errors else []
    if as_json:
        result = report.to_dict() | ({"errors": [e.to_dict() for e in found]} if errors else {})
        out.print_json(json.dumps(result, ensure_ascii=False))
    else:
        sys.stdout.write(ev.render_table(report) + "\n")
        if errors:
            sys.stdout.write(ev.render_errors(found) + "\n")


def _register_command_groups() -> None:
    from kg import cli_actors, cli_events, cli_lists, cli_scale

    cli_actors.register(app)
    cli_events.register(app)
    cli_lists.register(app)
    cli_scale.register(app)


_register_command_groups()

if __name__ == "__main__":
    app()

"""Commands for working at scale, registered on the main `kg` app (see kg/cli.py)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Optional

import typer

_CORPUS_MODULE = Path(__file__).resolve().parent.parent / "bench" / "corpus.py"


def _corpus_module():
    """bench/corpus.py lives beside the package in a source checkout, with the benchmarks."""
    if not _CORPUS_MODULE.exists():
        raise typer.BadParameter(f"bench-corpus needs a source checkout ({_CORPUS_MODULE} is missing)")
    spec = importlib.util.spec_from_file_location("kg_bench_corpus", _CORPUS_MODULE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def bench_corpus(
    n: int = typer.Argument(..., min=1, help="How many articles to write."),
    out: Path = typer.Option(Path("bench/out/corpus.jsonl"), "--out", "-o", help="The JSON Lines file to write; "
                             "the gold (NAME.gold.jsonl) and entities (NAME.entities.json) go beside it."),
    seed: int = typer.Option(0, "--seed", help="The same seed gives the same corpus."),
    json_out: bool = typer.Option(False, "--json", help="Print the written paths as JSON."),
) -> None:
    """Write a synthetic corpus of Arabic wire-style articles about real office holders, with ground truth.

    Articles (id, text, published, source, url) go to --out; the gold, in the evaluation's
    format, to NAME.gold.jsonl; canonical names and aliases to NAME.entities.json.

    Example:  kg bench-corpus 10000 --out /tmp/corpus.jsonl && kg ingest /tmp/corpus.jsonl
    """
    import json

    articles, gold, entities = _corpus_module().write_corpus(n, out, seed=seed)
    if json_out:
        typer.echo(json.dumps({"articles": str(articles), "gold": str(gold), "entities": str(entities)}))
    else:
        typer.echo(f"{n} articles -> {articles}\ngold -> {gold}\nentities -> {entities}", err=True)


def summary_command(
    rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild it from every article graph now."),
    store: Optional[str] = typer.Option(None, "--store", envvar="KG_STORE",
                                        help="Store directory, or http(s) URL of a SPARQL server."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Show (or rebuild) the met-with summary: whom each actor met, precomputed so `kg relations` and the API answer in milliseconds.

    Ingest keeps it up to date by itself, and a `kg serve` that accepts writes rebuilds it after them. While it is stale (after an interrupted ingest, or a write by another program), relations are computed from the article graphs instead: correct, only slower for busy actors. Rebuild it after writing to the store with other tools.

    Examples:  kg summary    kg summary --rebuild --store http://localhost:7878
    """
    import json

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kg import summary
    from kg.cli import _open

    err = Console(stderr=True)
    graph_store = _open(store)
    try:
        done = None
        if rebuild:
            if getattr(graph_store, "keeps_summary", False):
                err.print("That server is a `kg serve`: it rebuilds its summary after every write itself.")
                raise typer.Exit(2)
            progress = Progress(TextColumn("summarising"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                console=err, disable=as_json or not err.is_terminal)
            with progress:
                task = progress.add_task("summary", total=None)
                done = summary.refresh(graph_store, progress=lambda n, total: progress.update(task, completed=n,
                                                                                           total=total))
        found = summary.state(graph_store)
    finally:
        graph_store.close()
    if as_json:
        typer.echo(json.dumps({**found.to_dict(), "rebuilt": done.to_dict() if done else None,
                               "store": graph_store.location}))
        return
    if done:
        err.print(f"rebuilt: {done.actors} actors, {done.rows} rows in {done.seconds:.1f} s")
    typer.echo(f"{'complete' if found.complete else 'stale: relations are computed from the article graphs; run kg summary --rebuild'}"
               f" ({found.rows} rows) in {graph_store.location}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command("bench-corpus")(bench_corpus)
    app.command("summary")(summary_command)


__all__ = ["bench_corpus", "register", "summary_command"]

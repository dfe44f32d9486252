"""Commands for working at scale, registered on the main `kg` app (see kg/cli.py)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command("bench-corpus")(bench_corpus)


__all__ = ["bench_corpus", "register"]

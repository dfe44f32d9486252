"""Stores shared by the whole session: each test set is ingested once, by the real `kg ingest`,
and then only read (tests that write make their own)."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent


def ingest_into(location: Path, articles: Path, metadata: Path) -> str:
    from kg.cli import app

    result = CliRunner().invoke(app, ["ingest", str(articles), "--metadata", str(metadata), "--store", str(location),
                                      "--json"])
    assert result.exit_code == 0, result.output
    return str(location)


@pytest.fixture(scope="session")
def seeds_store_shared(tmp_path_factory) -> str:
    """seeds/ (the five sample articles, gold in tests/data/samples/gold): read only."""
    return ingest_into(tmp_path_factory.mktemp("seeds") / "store", ROOT / "seeds", ROOT / "seeds" / "metadata.json")


@pytest.fixture(scope="session")
def dev_store_shared(tmp_path_factory) -> str:
    """tests/data/dev (ten hand-written articles with gold): read only."""
    dev = ROOT / "tests" / "data" / "dev"
    return ingest_into(tmp_path_factory.mktemp("dev") / "store", dev / "articles", dev / "metadata.json")


# The modules that take longest (measured on 2 loaded cores), longest first. `python3 tasks.py
# test` runs two pytest-xdist workers that each take the next whole module when free
# (--dist loadfile, kept in this order by --no-loadscope-reorder), so starting with these
# keeps one worker from being left alone with a long module at the end.
LONGEST_FIRST = ("test_robust_input", "test_pipeline", "test_robust_crash", "test_remote", "test_virtuoso",
                 "test_robust_service", "test_events_store", "test_answers_exact", "test_robust_abuse",
                 "test_robust_ingest", "test_ingest_kill", "test_evaluate", "test_relations", "test_server",
                 "test_bulk", "test_queries_differential", "test_summary")


def pytest_collection_modifyitems(items: list) -> None:
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))  # stable: the rest keep their order

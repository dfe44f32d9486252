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

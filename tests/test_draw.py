"""Pictures from a real store built by `kg ingest` from the seeds: the meeting network as
PNG, SVG and self-contained HTML, and an actor's timeline."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import draw
from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def store(seeds_store_shared) -> str:
    """The seeds, ingested once for the session (tests/conftest.py); only read here."""
    return seeds_store_shared


def test_network_png_and_svg(store, tmp_path):
    png, svg = tmp_path / "network.png", tmp_path / "network.svg"
    for target in (png, svg):
        result = runner.invoke(app, ["network", "--out", str(target), "--store", store])
        assert result.exit_code == 0, result.output
    assert png.read_bytes().startswith(PNG_SIGNATURE) and png.stat().st_size > 10_000
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")


def test_network_centred_on_an_actor_draws_only_its_neighbourhood(store, tmp_path):
    target = tmp_path / "putin.html"
    result = runner.invoke(app, ["network", "بوتين", "--out", str(target), "--store", store, "--json"])
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    for name in ("Vladimir Putin", "Ali Khamenei", "Hassan Rouhani", "Ebrahim Raisi"):
        assert name in page
    assert "Sergei Shoigu" not in page  # two meetings away at least, and depth is 1
    assert "<script src" not in page and "https://cdn" not in page  # one file, no network access


def test_html_keeps_arabic_in_logical_order_for_the_browser(store, tmp_path):
    target = tmp_path / "network.html"
    assert runner.invoke(app, ["network", "--labels", "ar", "--out", str(target), "--store", store]).exit_code == 0
    page = target.read_text(encoding="utf-8")
    assert "فلاديمير بوتين" in page
    assert not any("\ufe70" <= ch <= "\ufeff" for ch in page)  # no presentation forms: the browser shapes


def test_timeline_drawing(store, tmp_path):
    target = tmp_path / "khamenei.svg"
    result = runner.invoke(app, ["timeline", "خامنئي", "--out", str(target), "--store", store])
    assert result.exit_code == 0, result.output
    assert ET.parse(target).getroot().tag.endswith("svg")
    bad = runner.invoke(app, ["timeline", "Khamenei", "--out", str(tmp_path / "k.gif"), "--store", store])
    assert bad.exit_code == 2


def test_arabic_is_shaped_only_for_renderers_that_cannot():
    text = "علي خامنئي"
    if draw._renderer_lays_out_text():
        assert draw.shaped(text) == text
    else:
        shaped = draw.shaped(text)
        assert any("\ufe70" <= ch <= "\ufeff" for ch in shaped)  # joined presentation forms
        assert shaped != text
    assert draw.shaped("Vladimir Putin") == "Vladimir Putin"


def test_layout_keeps_actors_apart():
    from kg.lookups import ActorMatch
    from kg.relations import Edge, Network

    people = [ActorMatch(f"p{i}", f"Person {i}", "person", None) for i in range(6)]
    clique = [Edge(a, b, 1, None, None) for i, a in enumerate(people[:5]) for b in people[i + 1:5]]
    net = Network({p.iri: p for p in people[:5]}, {p.iri: 4 for p in people[:5]}, clique)
    positions = draw.layout(net)
    points = list(positions.values())
    closest = min(((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5
                  for i, (ax, ay) in enumerate(points) for bx, by in points[i + 1:])
    assert closest >= 1.0

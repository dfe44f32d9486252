"""Pictures of relationships: the meeting network (SVG, PNG or a self-contained HTML page)
and an actor's timeline (SVG or PNG).

Matplotlib before 3.11 draws glyphs one by one and knows neither Arabic joining nor
right-to-left order, so there Arabic text is shaped (arabic-reshaper) and put in display
order (python-bidi) before it is drawn; 3.11 lays text out with libraqm and gets the raw
text. The DejaVu Sans that matplotlib ships has the Arabic letters and presentation forms. The HTML page keeps Arabic as it is: browsers shape and order it themselves.
"""
from __future__ import annotations

import html
import json
import math
import re
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from kg.knowledge import KnowledgeBase, default  # noqa: E402
from kg.lookups import ActorMatch  # noqa: E402
from kg.relations import Event, Network  # noqa: E402

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f]")
_FONT = ["DejaVu Sans"]
_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
            "#9c755f", "#86bcb6", "#d37295", "#a0cbe8", "#8cd17d", "#b6992d", "#499894", "#fabfd2",
            "#79706e", "#d4a6c8", "#f1ce63", "#2f4b7c"]
_OTHER = "#bab0ac"
_LTR, _FSI, _PDI = "\u200e", "\u2068", "\u2069"  # left-to-right mark, first-strong isolate, pop isolate


def _renderer_lays_out_text() -> bool:
    """Matplotlib 3.11 lays text out with libraqm (shaping and bidi) itself: there, shaping
    beforehand would reverse Arabic twice and break its joins."""
    from matplotlib import ft2font

    return bool(getattr(ft2font, "__libraqm_version__", None))


def shaped(text: str) -> str:
    """Arabic joined and in display order, unless the renderer does both itself."""
    if not text or not _ARABIC.search(text) or _renderer_lays_out_text():
        return text
    import arabic_reshaper
    from bidi import get_display

    base = "R" if _ARABIC.match(text.lstrip("«\"“ (")) else "L"
    return get_display(arabic_reshaper.reshape(text), base_dir=base)


def actor_name(actor: ActorMatch, labels: str = "en") -> str:
    if labels == "ar" and actor.label_ar:
        return actor.label_ar
    return actor.label


def home_country(actor: ActorMatch, kb: KnowledgeBase) -> str | None:
    """The country or body of the actor's latest office, for colouring."""
    person = kb.persons.get(actor.key)
    if not person or not person.offices:
        return None
    latest = max(person.offices, key=lambda o: (o.end is None, o.end or o.start or o.start, o.start or o.end))
    return latest.of


def _polity_name(code: str, kb: KnowledgeBase) -> str:
    polity = kb.polities.get(code)
    return polity.name_en if polity else code


# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------


def layout(net: Network) -> dict[str, tuple[float, float]]:
    """Each connected group laid out on its own (a spring layout of everything would fling
    small groups to the rim) and the groups packed in rows, largest first."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(net.nodes)
    for edge in net.edges:
        graph.add_edge(edge.a.iri, edge.b.iri, weight=edge.meetings)
    groups = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    placed: list[tuple[dict[str, tuple[float, float]], float]] = []
    for group in groups:
        sub = graph.subgraph(group)
        radius = 0.85 * math.sqrt(len(group)) if len(group) > 1 else 0.0
        if len(group) == 1:
            positions = {group[0]: (0.0, 0.0)}
        elif net.centre is not None and net.centre.iri in group:
            positions = nx.spring_layout(sub, seed=7, k=2.5 / math.sqrt(len(group)), iterations=300,
                                         pos={net.centre.iri: (0.0, 0.0)}, fixed=[net.centre.iri],
                                         weight=None)
            scale = max(max(abs(x), abs(y)) for x, y in positions.values()) or 1.0
            positions = {n: (x / scale * radius, y / scale * radius) for n, (x, y) in positions.items()}
        else:
            positions = nx.spring_layout(sub, seed=7, k=2.5 / math.sqrt(len(group)), iterations=300,
                                         scale=radius, weight=None)
        positions = _spread({n: (float(x), float(y)) for n, (x, y) in positions.items()})
        extent = max((math.hypot(x, y) for x, y in positions.values()), default=0.0)
        placed.append((positions, max(extent, 0.3)))
    total = sum((2 * r + 1.2) ** 2 for _, r in placed)
    row_width = max(math.sqrt(total) * 1.3, max((2 * r + 1.2) for _, r in placed) if placed else 1)
    result: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for positions, radius in placed:
        box = 2 * radius + 1.2
        if x > 0 and x + box > row_width:
            x, y, row_height = 0.0, y - row_height, 0.0
        for node, (px, py) in positions.items():
            result[node] = (x + box / 2 + px, y - box / 2 + py)
        x += box
        row_height = max(row_height, box)
    return result


def _spread(positions: dict[str, tuple[float, float]], distance: float = 1.15,
            rounds: int = 150) -> dict[str, tuple[float, float]]:
    """Push apart actors closer than `distance`, so that circles and names stay legible where
    a clique (everyone at one summit) pulls its members into a knot."""
    nodes = sorted(positions)
    if len(nodes) < 2 or len(nodes) > 400:
        return positions
    xy = {n: list(positions[n]) for n in nodes}
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(nodes):
            for b in nodes[i + 1:]:
                dx, dy = xy[b][0] - xy[a][0], xy[b][1] - xy[a][1]
                gap = math.hypot(dx, dy)
                if gap >= distance:
                    continue
                if gap < 1e-9:
                    dx, dy, gap = 1e-3 * (i + 1), 1e-3, math.hypot(1e-3 * (i + 1), 1e-3)
                push = (distance - gap) / 2 / gap
                xy[a][0] -= dx * push
                xy[a][1] -= dy * push
                xy[b][0] += dx * push
                xy[b][1] += dy * push
                moved = True
        if not moved:
            break
    cx = sum(x for x, _ in xy.values()) / len(nodes)
    cy = sum(y for _, y in xy.values()) / len(nodes)
    return {n: (x - cx, y - cy) for n, (x, y) in xy.items()}


# ---------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------


def _colours(net: Network, kb: KnowledgeBase) -> tuple[dict[str, str], list[tuple[str, str]]]:
    homes = {iri: home_country(actor, kb) for iri, actor in net.nodes.items()}
    ranked = [code for code, _ in Counter(h for h in homes.values() if h).most_common(len(_PALETTE))]
    colour_of = {code: _PALETTE[i] for i, code in enumerate(ranked)}
    colours = {iri: colour_of.get(home, _OTHER) for iri, home in homes.items()}
    legend = [(_polity_name(code, kb), colour_of[code]) for code in ranked]
    if any(c == _OTHER for c in colours.values()):
        legend.append(("elsewhere, or no office known", _OTHER))
    return colours, legend


def _node_size(meetings: int) -> float:
    return 120 + 160 * math.sqrt(max(meetings, 1))


def network(net: Network, output: Path, labels: str = "en", kb: KnowledgeBase | None = None) -> None:
    output = Path(output)
    if output.suffix.lower() == ".html":
        output.write_text(network_html(net, labels, kb), encoding="utf-8")
        return
    kb = kb or default()
    positions = layout(net)
    colours, legend = _colours(net, kb)
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    width = min(max(8.0, (max(xs) - min(xs) + 2) * 0.85), 26.0)
    height = min(max(6.0, (max(ys) - min(ys) + 2) * 0.85), 26.0)
    figure = Figure(figsize=(width + 2.6, height + 0.8), dpi=100)
    ax = figure.add_axes((0.01, 0.01, width / (width + 2.6) - 0.01, 0.92))
    ax.set_axis_off()
    heaviest = max((e.meetings for e in net.edges), default=1)
    for edge in net.edges:
        (x1, y1), (x2, y2) = positions[edge.a.iri], positions[edge.b.iri]
        ax.plot([x1, x2], [y1, y2], color="#8c8c8c", alpha=0.75, linewidth=0.8 + 3.2 * edge.meetings / heaviest, zorder=1)
        ax.text((x1 + x2) / 2, (y1 + y2) / 2, str(edge.meetings), fontsize=7, color="#444444", ha="center",
                va="center", zorder=3, family=_FONT,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    for iri, actor in net.nodes.items():
        x, y = positions[iri]
        centre = net.centre is not None and net.centre.iri == iri
        ax.scatter([x], [y], s=_node_size(net.weights.get(iri, 0)), color=colours[iri], zorder=2,
                   edgecolors="black" if centre else "white", linewidths=2.0 if centre else 1.0)
        ax.text(x, y - 0.16 - 0.012 * math.sqrt(_node_size(net.weights.get(iri, 0))), shaped(actor_name(actor, labels)),
                fontsize=9 if not centre else 11, fontweight="bold" if centre else "normal", ha="center", va="top",
                zorder=4, family=_FONT,
                bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.6})
    ax.set_xlim(min(xs) - 1.0, max(xs) + 1.0)
    ax.set_ylim(min(ys) - 1.0, max(ys) + 0.8)
    title = "Who met whom" + (f" — around {net.centre.label}" if net.centre else "")
    figure.suptitle(shaped(title), fontsize=14, family=_FONT, x=0.01, ha="left")
    handles = [Line2D([], [], marker="o", linestyle="", markersize=8, color=colour, label=shaped(name))
               for name, colour in legend]
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                  title="latest office in", title_fontsize=9, prop={"family": _FONT, "size": 8.5})
    figure.text(0.99, 0.005, "node size: meetings held · link label: meetings together", ha="right", va="bottom",
                fontsize=7, color="#666666", family=_FONT)
    figure.savefig(output, format=output.suffix.lower().lstrip("."), bbox_inches="tight", pad_inches=0.2)


def network_html(net: Network, labels: str = "en", kb: KnowledgeBase | None = None) -> str:
    """One file, no network access: an inline SVG and a few lines of script that highlight
    an actor's links on click. Arabic stays logical; the browser shapes and orders it."""
    kb = kb or default()
    positions = layout(net)
    colours, legend = _colours(net, kb)
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    unit = 110.0
    left, top = min(xs) - 1.0, max(ys) + 1.0
    width, height = (max(xs) - min(xs) + 2.0) * unit, (max(ys) - min(ys) + 2.0) * unit

    def at(iri: str) -> tuple[float, float]:
        x, y = positions[iri]
        return round((x - left) * unit, 1), round((top - y) * unit, 1)

    heaviest = max((e.meetings for e in net.edges), default=1)
    parts = []
    for edge in net.edges:
        (x1, y1), (x2, y2) = at(edge.a.iri), at(edge.b.iri)
        tip = f"{edge.a.label} — {edge.b.label}: {edge.meetings} meeting(s), {edge.first or '?'} to {edge.last or '?'}"
        parts.append(f'<g class="link" data-a="{html.escape(edge.a.iri)}" data-b="{html.escape(edge.b.iri)}">'
                     f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke-width="{1 + 4 * edge.meetings / heaviest:.1f}"/>'
                     f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2:.1f}" class="count">{edge.meetings}</text>'
                     f'<title>{html.escape(tip)}</title></g>')
    for iri, actor in net.nodes.items():
        x, y = at(iri)
        radius = math.sqrt(_node_size(net.weights.get(iri, 0))) / 2.2
        names = " / ".join(n for n in (actor.label, actor.label_ar) if n)
        tip = f"{names}: {net.weights.get(iri, 0)} meeting(s)"
        name = actor_name(actor, labels)
        direction = ' direction="rtl"' if _ARABIC.search(name) else ""
        parts.append(f'<g class="node" data-iri="{html.escape(iri)}">'
                     f'<circle cx="{x}" cy="{y}" r="{radius:.1f}" fill="{colours[iri]}"/>'
                     f'<text x="{x}" y="{y + radius + 13:.1f}"{direction}>{html.escape(name)}</text>'
                     f'<title>{html.escape(tip)}</title></g>')
    legend_items = "".join(f'<li><span style="background:{c}"></span>{html.escape(n)}</li>' for n, c in legend)
    title = "Who met whom" + (f" — around {net.centre.label}" if net.centre else "")
    data = json.dumps(net.to_dict(), ensure_ascii=False).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", Tahoma, sans-serif; margin: 1rem; color: #222; }}
svg {{ border: 1px solid #ddd; max-width: 100%; height: auto; background: #fff; }}
.link line {{ stroke: #8c8c8c; stroke-opacity: .7; }}
.link .count {{ font-size: 10px; fill: #444; text-anchor: middle; dominant-baseline: middle; paint-order: stroke; stroke: #fff; stroke-width: 3px; }}
.node circle {{ stroke: #fff; stroke-width: 1.5; cursor: pointer; }}
.node text {{ font-size: 12px; text-anchor: middle; paint-order: stroke; stroke: #fff; stroke-width: 3px; }}
.dim {{ opacity: .15; }}
.legend {{ list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem 1rem; font-size: 13px; }}
.legend span {{ display: inline-block; width: .8rem; height: .8rem; border-radius: 50%; margin-right: .3rem; vertical-align: middle; }}
</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>Circle size: meetings held. Line label: meetings together. Click an actor to show only its links; click the background to show all. Colour: country or body of the latest office.</p>
<ul class="legend">{legend_items}</ul>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}">
<rect width="100%" height="100%" fill="#fff" class="background"/>
{chr(10).join(parts)}
</svg>
<script type="application/json" id="network-data">{data}</script>
<script>
(function () {{
  var svg = document.querySelector("svg");
  function show(iri) {{
    var near = new Set(iri ? [iri] : []);
    svg.querySelectorAll(".link").forEach(function (l) {{
      var on = !iri || l.dataset.a === iri || l.dataset.b === iri;
      if (on && iri) {{ near.add(l.dataset.a); near.add(l.dataset.b); }}
      l.classList.toggle("dim", !on);
    }});
    svg.querySelectorAll(".node").forEach(function (n) {{ n.classList.toggle("dim", !!iri && !near.has(n.dataset.iri)); }});
  }}
  svg.addEventListener("click", function (e) {{
    var node = e.target.closest(".node");
    show(node ? node.dataset.iri : null);
  }});
}})();
</script>
</body></html>
"""


# ---------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _timeline_lines(actor: ActorMatch, events: list[Event]) -> list[tuple[str, str, str]]:
    """(date, kind, text): one line per meeting, one per article's statements."""
    lines: list[tuple[str, str, str]] = []
    said: dict[tuple[str, str], list] = {}
    for event in events:
        when = (event.when or "?") + ("~" if event.approximate and event.when else "")
        if event.meeting:
            m = event.meeting
            others = ", ".join(p.label for p in m.others(actor)) or "?"
            verb = "met" if m.status == "held" else "to meet"
            lines.append((event.when or "", "meeting", f"{when}  {verb} {others}" + (f" · {m.place}" if m.place else "")))
        else:
            key = (event.when or "", event.statement.document_id)
            if key not in said:
                said[key] = []
                lines.append((event.when or "", "statement", key[1]))
            said[key].append(event.statement)
    result = []
    for when, kind, text in lines:
        if kind == "statement":
            group = said[(when, text)]
            first = group[0]
            more = f"  (+{len(group) - 1} more)" if len(group) > 1 else ""
            # Isolate the Arabic so that the line keeps reading left to right from its date.
            text = f"{_LTR}{when or '?'}~  {_FSI}{first.verb}: «{_clip(first.content, 70)}»{_PDI}{more}"
        result.append((when, kind, text))
    return result


def _day_number(value: str) -> float | None:
    from datetime import date

    try:
        parts = [int(p) for p in value.split("-")]
        return float(date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 15).toordinal())
    except (ValueError, IndexError):
        return None


def timeline(actor: ActorMatch, events: list[Event], output: Path) -> None:
    """Dates on a true scale on the left, one legible line per event on the right, joined
    by leader lines; meetings blue, statements orange; ~ marks publication dates."""
    output = Path(output)
    lines = _timeline_lines(actor, events)
    rows = max(len(lines), 1)
    height = 1.4 + 0.3 * rows
    figure = Figure(figsize=(12, height), dpi=100)
    ax = figure.add_axes((0.02, 0.02, 0.96, 1 - 1.0 / height))
    ax.set_axis_off()
    days = [_day_number(when) for when, _, _ in lines]
    known = [d for d in days if d is not None]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    span = (high - low) or 1.0
    ax.set_xlim(0, 12)
    ax.set_ylim(rows + 0.5, -0.8)
    colours = {"meeting": "#4e79a7", "statement": "#f28e2b"}
    ax.plot([1.6, 1.6], [0, rows - 1], color="#999999", linewidth=1.5, zorder=1)
    row_of = (lambda d: (d - low) / span * (rows - 1)) if rows > 1 else (lambda d: 0.0)
    ticks = [(row_of(d), str(year)) for year in range(_year(low), _year(high) + 1)
             if (d := _day_number(f"{year}-01-01")) is not None and low <= d <= high]
    if not ticks or ticks[0][0] > 0.8:  # name the first year at the top unless a tick is near
        ticks.insert(0, (0.0, str(_year(low))))
    for y, year_label in ticks:
        ax.text(1.45, y, year_label, ha="right", va="center", fontsize=9, color="#555555", family=_FONT)
        ax.plot([1.52, 1.6], [y, y], color="#999999", linewidth=1, zorder=1)
    for row, ((when, kind, text), day) in enumerate(zip(lines, days)):
        y_axis = row_of(day) if day is not None else row
        ax.scatter([1.6], [y_axis], s=40 if kind == "meeting" else 28, color=colours[kind],
                   marker="o" if kind == "meeting" else "D", zorder=3)
        ax.plot([1.6, 2.1, 2.35], [y_axis, row, row], color=colours[kind], linewidth=0.7, alpha=0.7, zorder=2)
        ax.text(2.45, row, shaped(text), va="center", ha="left", fontsize=9.5, family=_FONT,
                color="#1f3b57" if kind == "meeting" else "#7a3e00")
    figure.suptitle(shaped(f"Timeline of {actor.label}" + (f" ({actor.label_ar})" if actor.label_ar else "")),
                    fontsize=13, family=_FONT, x=0.02, ha="left")
    figure.text(0.98, 1 - 0.45 / height, "● meeting   ◆ statements of one article   ~ publication date",
                ha="right", va="center", fontsize=8, color="#666666", family=_FONT)
    figure.savefig(output, format=output.suffix.lower().lstrip("."))


def _year(day_number: float) -> int:
    from datetime import date

    return date.fromordinal(int(day_number)).year

"""Should the derived met-with relation (counts, first and last dates) be materialised at
ingest, or computed by `queries/relations.rq` at query time? This measures both.

Builds synthetic stores of about 10k and 50k meetings from `kg.model` objects (random
persons and places of the knowledge base, a share of meetings reported by several
articles, as news does), maps them with `kg.rdf.extraction_quads`, bulk-loads them into a
temporary pyoxigraph store, then times:

- query time: relations.rq for the busiest actors and for typical ones, and
  relation-edges.rq (every pair, what `kg path` and `kg network` read);
- materialised: rebuilding a derived graph of met-with nodes with one SPARQL update (what
  ingest would have to redo, or patch, after every article), and reading an actor's
  counterparts, and every edge, back from it.

    .venv/bin/python bench/bench_relations.py            # 10k and 50k meetings
    .venv/bin/python bench/bench_relations.py --meetings 2000 --repeat 3
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg import queries, rdf  # noqa: E402
from kg.knowledge import default as default_kb  # noqa: E402
from kg.model import Actor, Article, Extraction, Meeting, Place, Span, Statement  # noqa: E402

DERIVED_GRAPH = "https://w3id.org/kg-meetings/id/graph/derived/met-with"
KGO = rdf.KGO_NS

MATERIALISE = f"""
PREFIX kgo: <{KGO}>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
DROP SILENT GRAPH <{DERIVED_GRAPH}> ;
INSERT {{ GRAPH <{DERIVED_GRAPH}> {{
  ?pair kgo:metActor ?a ; kgo:metCounterpart ?b ; kgo:meetingCount ?n ; kgo:firstMeeting ?first ; kgo:lastMeeting ?last .
}} }}
WHERE {{
  {{ SELECT ?a ?b (COUNT(DISTINCT ?meeting) AS ?n) (MIN(?when) AS ?first) (MAX(?when) AS ?last)
     WHERE {{
       GRAPH ?g {{ ?meeting kgo:status kgo:Held ; kgo:participant ?a , ?b ; prov:wasDerivedFrom ?article .
                  OPTIONAL {{ ?meeting schema:startDate ?date }}
                  OPTIONAL {{ ?article schema:datePublished ?published }} }}
       FILTER(?a != ?b)
       BIND(COALESCE(STR(?date), STR(?published)) AS ?when)
     }} GROUP BY ?a ?b }}
  BIND(IRI(CONCAT("https://w3id.org/kg-meetings/id/met-with/", MD5(CONCAT(STR(?a), " ", STR(?b))))) AS ?pair)
}}
"""

MATERIALISED_COUNTERPARTS = f"""
PREFIX kgo: <{KGO}>
SELECT ?counterpart ?meetings ?first ?last WHERE {{
  GRAPH <{DERIVED_GRAPH}> {{ ?pair kgo:metActor ?actor ; kgo:metCounterpart ?counterpart ;
                             kgo:meetingCount ?meetings ; kgo:firstMeeting ?first ; kgo:lastMeeting ?last }}
}} ORDER BY DESC(?meetings)
"""

MATERIALISED_EDGES = f"""
PREFIX kgo: <{KGO}>
SELECT ?a ?b ?meetings ?first ?last WHERE {{
  GRAPH <{DERIVED_GRAPH}> {{ ?pair kgo:metActor ?a ; kgo:metCounterpart ?b ;
                             kgo:meetingCount ?meetings ; kgo:firstMeeting ?first ; kgo:lastMeeting ?last }}
  FILTER(STR(?a) < STR(?b))
}}
"""


def _actors(kb, rng: random.Random, count: int) -> list[Actor]:
    persons = sorted(kb.persons.values(), key=lambda p: p.id)
    return [kb.actor_for_person(p) for p in rng.sample(persons, min(count, len(persons)))]


def _places(kb) -> list[Place]:
    return [kb.place(key) for key in sorted(kb.places)]


def synthetic_extractions(meetings: int, seed: int = 11) -> list[Extraction]:
    """Articles of one to four meetings; a fifth of meetings are re-reported by 1-4 more
    articles; activity is skewed (a few leaders meet far more often than most)."""
    kb = default_kb()
    rng = random.Random(seed)
    people = _actors(kb, rng, 600)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(people))]
    sites = _places(kb)
    stories: list[Meeting] = []
    for _ in range(meetings):
        size = 2 if rng.random() < 0.85 else rng.randint(3, 5)
        chosen: dict[str, Actor] = {}
        while len(chosen) < size:
            actor = rng.choices(people, weights)[0]
            chosen[actor.key] = actor
        day = date(2012, 1, 1) + timedelta(days=rng.randrange(4700))
        dated = rng.random() < 0.8
        stories.append(Meeting(tuple(chosen.values()), "held" if rng.random() < 0.9 else "planned", (),
                               date=day.isoformat() if dated else None,
                               place=rng.choice(sites) if rng.random() < 0.7 else None))
    reports: list[Meeting] = []
    for meeting in stories:
        copies = 1 + (rng.randint(1, 4) if meeting.date and rng.random() < 0.2 else 0)
        reports.extend([meeting] * copies)
    rng.shuffle(reports)
    extractions: list[Extraction] = []
    index = 0
    while reports:
        take = rng.randint(1, 4)
        batch, reports = reports[:take], reports[take:]
        extractions.append(_article(index, batch, rng))
        index += 1
    return extractions


def _article(index: int, batch: list[Meeting], rng: random.Random) -> Extraction:
    text, placed, actors = "", [], {}
    for meeting in batch:
        names = " و".join(a.label_ar or a.label for a in meeting.participants)
        sentence = f"التقى {names} لبحث العلاقات الثنائية."
        span = Span(len(text), len(text) + len(sentence), sentence)
        text += sentence + " "
        placed.append(Meeting(meeting.participants, meeting.status, (span,), meeting.date, meeting.place,
                              trigger="التقى"))
        actors.update({a.key: a for a in meeting.participants})
    speaker = batch[0].participants[0]
    content = "التعاون بين البلدين يتطور"
    sentence = f"وأكد {speaker.label_ar or speaker.label} أن {content}."
    start = len(text)
    text += sentence
    offset = sentence.index(content)
    statement = Statement((speaker,), Span(start + offset, start + offset + len(content), content),
                          Span(start, start + len(sentence), sentence), "أكد")
    day = next((date.fromisoformat(m.date) for m in batch if m.date), date(2020, 1, 1)) + timedelta(days=rng.randint(0, 2))
    article = Article(f"bench-{index:06d}", text, published=day, source="Bench")
    return Extraction(article, placed, [statement], list(actors.values()))


def build_store(path: Path, meetings: int) -> tuple[ox.Store, int, float]:
    kb = default_kb()
    started = time.perf_counter()
    quads = rdf.ontology_quads() + rdf.knowledge_quads(kb.raw["persons"], kb.raw["countries"],
                                                       kb.raw["organisations"], kb.raw["places"])
    for extraction in synthetic_extractions(meetings):
        quads.extend(rdf.extraction_quads(extraction))
    store = ox.Store(str(path))
    store.bulk_extend(quads)
    store.optimize()
    return store, len(quads), time.perf_counter() - started


def _time(store: ox.Store, text: str, repeat: int) -> tuple[float, int]:
    """Median wall time in ms over `repeat` runs (after one warm-up), and the row count."""
    rows = len(list(store.query(text, use_default_graph_as_union=True)))
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = len(list(store.query(text, use_default_graph_as_union=True)))
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), rows


def _bind_actor(text: str, actor: str) -> str:
    """The materialised query takes ?actor the same way the named queries do: a VALUES block."""
    head, tail = text.split("WHERE {", 1)
    return f"{head}WHERE {{\n  VALUES ?actor {{ {ox.NamedNode(actor)} }}\n{tail}"


def busiest_and_typical(store: ox.Store) -> tuple[list[str], list[str]]:
    rows = store.query(queries.get("actor-activity").bind({}), use_default_graph_as_union=True)
    ranked = sorted(((int(r["meetings"].value), r["actor"].value) for r in rows), reverse=True)
    return [iri for _, iri in ranked[:3]], [iri for _, iri in ranked[len(ranked) // 2:len(ranked) // 2 + 3]]


def measure(meetings: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="kg-bench-relations-") as tmp:
        store, quad_count, load_s = build_store(Path(tmp) / "store", meetings)
        busiest, typical = busiest_and_typical(store)
        relations = queries.get("relations")
        result = {"meetings": meetings, "quads": quad_count, "load_s": load_s}

        def per_actor(actors: list[str], render) -> tuple[float, int]:
            timings = [_time(store, render(a), repeat) for a in actors]
            return max(t for t, _ in timings), max(n for _, n in timings)  # the slowest of the three

        result["query_busiest_ms"], result["busiest_counterparts"] = per_actor(
            busiest, lambda a: relations.bind({"actor": a}))
        result["query_typical_ms"], _ = per_actor(typical, lambda a: relations.bind({"actor": a}))
        result["query_edges_ms"], result["edges"] = _time(store, queries.get("relation-edges").bind({}), repeat)

        started = time.perf_counter()
        store.update(MATERIALISE)
        result["materialise_s"] = time.perf_counter() - started
        result["mat_busiest_ms"], _ = per_actor(busiest, lambda a: _bind_actor(MATERIALISED_COUNTERPARTS, a))
        result["mat_typical_ms"], _ = per_actor(typical, lambda a: _bind_actor(MATERIALISED_COUNTERPARTS, a))
        result["mat_edges_ms"], _ = _time(store, MATERIALISED_EDGES, repeat)
        del store
        return result


COLUMNS = [
    ("meetings", "meetings", "{:,}"), ("quads", "quads", "{:,}"), ("load_s", "load s", "{:.1f}"),
    ("busiest_counterparts", "busiest: counterparts", "{:,}"), ("edges", "pairs", "{:,}"),
    ("query_busiest_ms", "query-time busiest ms", "{:.1f}"), ("query_typical_ms", "query-time typical ms", "{:.1f}"),
    ("query_edges_ms", "query-time all pairs ms", "{:.0f}"),
    ("materialise_s", "materialise (rebuild) s", "{:.2f}"),
    ("mat_busiest_ms", "materialised busiest ms", "{:.1f}"), ("mat_typical_ms", "materialised typical ms", "{:.1f}"),
    ("mat_edges_ms", "materialised all pairs ms", "{:.0f}"),
]


def table(results: list[dict]) -> str:
    lines = ["| " + " | ".join(label for _, label, _ in COLUMNS) + " |",
             "|" + "|".join("---:" for _ in COLUMNS) + "|"]
    for r in results:
        lines.append("| " + " | ".join(fmt.format(r[key]) for key, _, fmt in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query (median reported)")
    args = parser.parse_args()
    results = []
    for count in args.meetings:
        print(f"building and measuring {count:,} meetings ...", file=sys.stderr, flush=True)
        results.append(measure(count, args.repeat))
    print(table(results))


if __name__ == "__main__":
    main()

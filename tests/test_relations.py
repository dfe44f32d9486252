"""Actor relationships from the CLI, on a real store built by `kg ingest` from the seeds.

Facts asserted are those the seed articles state (see tests/data/samples/gold): Putin met
Khamenei (in Tehran, on 2017-11-01 by one report), Rouhani and Raisi; Khamenei and Raisi
received Assad on 2022-05-08; Shoigu met Ashtiani and Ahmadian, who meet nobody else.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.knowledge import default
from kg import rdf, relations
from kg.cli import app
from kg.cli_actors import visual
from kg.lookups import AmbiguousActor, UnknownActor, find_actors, resolve_actor
from kg.model import Actor, Article, Extraction, Meeting, Span
from kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture(scope="module")
def seeds_store(seeds_store_shared) -> str:
    """The session's seeds store (tests/conftest.py), only read here."""
    return seeds_store_shared


def kg(store: str, *args: str):
    return runner.invoke(app, [*args, "--store", store])


def kg_json(store: str, *args: str) -> dict:
    result = kg(store, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def counterpart_keys(data: dict) -> set[str]:
    return {c["actor"]["key"] for c in data["counterparts"]}


# --- relations --------------------------------------------------------------


def test_putins_counterparts_include_khamenei_rouhani_and_raisi(seeds_store):
    data = kg_json(seeds_store, "relations", "Putin")
    assert data["actor"]["key"] == "vladimir-putin"
    assert {"ali-khamenei", "hassan-rouhani", "ebrahim-raisi"} <= counterpart_keys(data)
    assert all(c["meetings"] + c["planned"] >= 1 and c["articles"] for c in data["counterparts"])


def test_putin_met_khamenei_in_tehran_on_2017_11_01(seeds_store):
    data = kg_json(seeds_store, "relations", "Putin", "--with", "Khamenei")
    assert [c["actor"]["key"] for c in data["counterparts"]] == ["ali-khamenei"]
    days = {(m["date"], m["place"]) for m in data["meetings"]}
    assert ("2017-11-01", "Tehran") in days
    assert "000_498fb477b4349d6f.txt" in data["counterparts"][0]["articles"]


def test_the_first_meeting_may_be_an_undated_one_reported_earlier(seeds_store):
    # Article 001 (published 2015-11-23) reports an undated Putin–Khamenei meeting, article
    # 000 one dated 2017-11-01: the first is the undated one, shown by its report date.
    data = kg_json(seeds_store, "relations", "Putin", "--with", "Khamenei")
    pair = data["counterparts"][0]
    assert pair["meetings"] == 2
    assert (pair["first"], pair["last"]) == (None, "2017-11-01")
    assert (pair["first_reported"], pair["last_reported"]) == ("2015-11-23", "2017-11-01")


def test_khameneis_counterparts_include_putin_and_assad_on_2022_05_08(seeds_store):
    data = kg_json(seeds_store, "relations", "Khamenei")
    by_key = {c["actor"]["key"]: c for c in data["counterparts"]}
    assert "vladimir-putin" in by_key
    assert by_key["bashar-al-assad"]["first"] == "2022-05-08"
    assert by_key["bashar-al-assad"]["last"] == "2022-05-08"


@pytest.mark.parametrize("english, arabic", [("Putin", "بوتين"), ("Khamenei", "خامنئي"), ("Q7747", "فلاديمير بوتين")])
def test_arabic_names_give_the_same_answers_as_english(seeds_store, english, arabic):
    assert kg_json(seeds_store, "relations", arabic) == kg_json(seeds_store, "relations", english)


def test_dates_filter_on_the_meeting_date_and_until_a_year_means_its_end(seeds_store):
    in_2022 = kg_json(seeds_store, "relations", "Khamenei", "--since", "2022", "--until", "2022")
    assert "bashar-al-assad" in counterpart_keys(in_2022)
    assert "sergei-shoigu" not in counterpart_keys(in_2022)  # 2023
    later = kg_json(seeds_store, "relations", "Khamenei", "--since", "2022-05-09")
    assert "bashar-al-assad" not in counterpart_keys(later)


def test_a_bad_date_is_a_clear_error(seeds_store):
    result = kg(seeds_store, "relations", "Putin", "--since", "2017-13-40")
    assert result.exit_code == 2
    assert "since" in result.output and "not a date" in result.output


# --- path -------------------------------------------------------------------


def test_no_chain_of_meetings_links_shoigu_to_putin(seeds_store):
    """Shoigu met Ashtiani and Ahmadian in Tehran; neither met anyone else in the seeds."""
    result = kg(seeds_store, "path", "Sergei Shoigu", "Vladimir Putin")
    assert result.exit_code == 1, result.output
    assert "No chain of meetings links Sergei Shoigu and Vladimir Putin" in result.stdout
    data = json.loads(kg(seeds_store, "path", "Sergei Shoigu", "Vladimir Putin", "--json").stdout)
    assert data["found"] is False and data["hops"] is None


def test_putin_reaches_assad_through_a_tehran_host(seeds_store):
    data = kg_json(seeds_store, "path", "بوتين", "Bashar al-Assad")
    assert data["found"] and data["length"] == 2
    middle = data["hops"][0]["to"]["key"]
    assert middle in {"ali-khamenei", "ebrahim-raisi"}
    assert data["hops"][1]["from"]["key"] == middle
    assert all(hop["meetings"] for hop in data["hops"])
    assert any(m["date"] == "2022-05-08" for m in data["hops"][1]["meetings"])


def test_shortest_chain_walks_breadth_first():
    adjacency = {"a": {"b": 1, "c": 5}, "b": {"a": 1, "d": 1}, "c": {"a": 5, "d": 1}, "d": {"b": 1, "c": 1}, "e": {}}
    assert relations.shortest_chain(adjacency, "a", "d") == ["a", "c", "d"]  # the stronger tie first
    assert relations.shortest_chain(adjacency, "a", "b") == ["a", "b"]
    assert relations.shortest_chain(adjacency, "a", "e") is None
    assert relations.shortest_chain(adjacency, "a", "a") == ["a"]


# --- actor, timeline, positions ---------------------------------------------


def test_actor_profile_has_offices_meetings_counterparts_and_statements(seeds_store):
    data = kg_json(seeds_store, "actor", "الخامنئي")
    assert data["actor"]["wikidata"] == "Q57336"
    assert any(o["role"] == "supreme_leader" and o["start"] == "1989-06-04" for o in data["offices"])
    assert data["meetings"] >= 2
    assert {"vladimir-putin", "bashar-al-assad"} <= {c["actor"]["key"] for c in data["counterparts"]}
    assert data["statements"] >= 1
    latest = data["recent_statements"][0]
    assert latest["evidence"] and latest["article"] and latest["published"]
    result = kg(seeds_store, "actor", "Khamenei")
    assert result.exit_code == 0 and "Supreme Leader" in result.stdout and "Main counterparts" in result.stdout


def test_timeline_is_in_date_order_and_holds_meetings_and_statements(seeds_store):
    data = kg_json(seeds_store, "timeline", "Khamenei")
    whens = [e["when"] for e in data["events"] if e["when"]]
    assert whens == sorted(whens)
    assert {"meeting", "statement"} <= {e["kind"] for e in data["events"]}
    assert any(e["kind"] == "meeting" and e["meeting"]["date"] == "2022-05-08" for e in data["events"])


def test_positions_match_a_topic_whatever_its_spelling(seeds_store):
    data = kg_json(seeds_store, "positions", "Khamenei", "--topic", "سوريا")
    contents = [s["content"] for s in data["statements"]]
    assert contents and all(relations.mentions_topic(c + " " + (s["evidence"] or ""), "سوريا")
                            for c, s in zip(contents, data["statements"]))
    assert any("سورية" in s["content"] or "سورية" in (s["evidence"] or "") for s in data["statements"])
    published = [s["published"] for s in data["statements"]]
    assert published == sorted(published)
    everything = kg_json(seeds_store, "positions", "Khamenei")
    assert len(everything["statements"]) >= len(data["statements"])


def test_topic_matching_folds_arabic_spellings():
    assert relations.mentions_topic("دعم سورية", "سوريا")
    assert relations.mentions_topic("الحكومة السورية", "سوريا")
    assert relations.mentions_topic("US Policy", "policy")
    assert not relations.mentions_topic("دعم إيران", "سوريا")


# --- names that match nothing, several things, or try to be SPARQL ----------


def test_unknown_name_suggests_and_exits_2(seeds_store):
    result = kg(seeds_store, "relations", "Putn")
    assert result.exit_code == 2
    assert "No actor matches 'Putn'" in result.output and "Vladimir Putin" in result.output


def test_ambiguous_name_offers_choices_and_exits_2(seeds_store):
    result = kg(seeds_store, "actor", "Abdullah")
    assert result.exit_code == 2
    assert "matches" in result.output and "which one" in result.output
    assert "abdullah-ii-of-jordan" in result.output


@pytest.mark.parametrize("name", ['Putin"', 'Putin" }', "Putin\n", "{Putin}", "Putin'", "<Putin>"])
def test_quotes_braces_and_newlines_in_names_change_nothing(seeds_store, name):
    assert kg_json(seeds_store, "relations", name) == kg_json(seeds_store, "relations", "Putin")


@pytest.mark.parametrize("name", ['"}\nSELECT * WHERE { ?s ?p ?o } #', "} UNION { ?s ?p ?o", "<http://x>",
                                  'Putin" } ; DROP ALL #'])
def test_sparql_looking_names_are_just_unknown(seeds_store, name):
    for command in (["relations", name], ["path", name, "Putin"], ["timeline", name], ["positions", name]):
        result = kg(seeds_store, *command)
        assert result.exit_code == 2, result.output
        assert "No actor matches" in result.output
        assert "syntax" not in result.output.lower()
        assert "SPARQL" not in result.output and "Traceback" not in result.output


def test_a_topic_with_quotes_and_braces_is_only_text(seeds_store):
    data = kg_json(seeds_store, "positions", "Khamenei", "--topic", '"}) . ?s ?p ?o . FILTER("')
    assert data["statements"] == []


def test_every_command_prints_json_that_parses(seeds_store):
    for args in (["actor", "Putin"], ["relations", "Putin"], ["path", "Putin", "Khamenei"],
                 ["timeline", "Putin"], ["positions", "Putin"]):
        assert isinstance(kg_json(seeds_store, *args), dict)


def test_every_command_shows_an_example_in_its_help():
    for command in ("actor", "relations", "path", "timeline", "positions", "network"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Example" in result.stdout and "--store" in result.stdout


# --- lookups ----------------------------------------------------------------


def test_lookups_ignore_case_diacritics_and_arabic_letter_variants():
    assert resolve_actor("ERDOGAN").key == resolve_actor("Erdoğan").key == "recep-tayyip-erdogan"
    assert resolve_actor("ابراهيم رئيسى").key == resolve_actor("إبراهيم رئيسي").key == "ebrahim-raisi"
    assert resolve_actor("الخامنئي", present={"ali-khamenei": 1}).key == "ali-khamenei"
    assert resolve_actor("wd:Q7747").key == resolve_actor("putin vladimir").key == "vladimir-putin"
    assert resolve_actor(rdf.actor_iri("bashar-al-assad").value).key == "bashar-al-assad"


def test_namesakes_the_store_knows_win_and_otherwise_the_user_chooses():
    assert resolve_actor("Khamenei", present={"ali-khamenei": 4}).key == "ali-khamenei"
    with pytest.raises(AmbiguousActor) as choice:
        resolve_actor("Khamenei")
    assert {"ali-khamenei", "mojtaba-khamenei"} <= {c.key for c in choice.value.candidates}
    with pytest.raises(UnknownActor) as unknown:
        resolve_actor("Khamenie")
    assert "Ali Khamenei" in unknown.value.suggestions


def test_local_actors_found_in_the_store_are_resolved_by_their_names(tmp_path):
    local = Actor("local:صاحبة غفاروفا", "person", label_ar="صاحبة غفاروفا")
    host = Actor("masoud-pezeshkian", "person", "Masoud Pezeshkian", "مسعود بزشكيان")
    text = "التقى بزشكيان صاحبة غفاروفا في باكو."
    article = Article("local.txt", text)
    meeting = Meeting((host, local), "held", (Span(0, len(text), text),), date="2025-04-28")
    store = EmbeddedStore(tmp_path / "store")
    # knowledge-base actors are described in the default graph, as ingest puts them there
    kb = default()
    store.add_default(rdf.knowledge_quads([p for p in kb.raw["persons"] if p["id"] == host.key], [], [], []))
    extraction = Extraction(article, [meeting], [], [host, local])
    store.replace_graph(rdf.graph_iri(article.id), rdf.extraction_quads(extraction))
    found = relations.resolve(store, "غفاروفا")
    assert found.is_local and found.iri == rdf.actor_iri(local.key).value
    assert [c.actor.key for c in relations.counterparts(store, found)] == ["masoud-pezeshkian"]
    assert find_actors("غفاروفا") == []  # the knowledge base alone does not know her


# --- terminal display -------------------------------------------------------


def test_arabic_is_reordered_for_terminals_only():
    assert visual("بوتين", terminal=False) == "بوتين"
    shown = visual("بوتين", terminal=True)
    assert shown == "نيتوب"
    assert visual("Vladimir Putin", terminal=True) == "Vladimir Putin"
    assert visual("Putin (بوتين)", terminal=True) == "Putin (نيتوب)"

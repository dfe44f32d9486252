"""The synthetic corpus: deterministic, and its gold agrees with its own text."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from bench.corpus import WEEKDAYS, generate
from kg.evaluate import normalise
from kg.knowledge import default

KG = str(Path(sys.executable).parent / "kg")


def test_same_seed_same_corpus_other_seed_other_corpus():
    first = [record for record, _ in generate(30, seed=3)]
    assert first == [record for record, _ in generate(30, seed=3)]
    assert first != [record for record, _ in generate(30, seed=4)]


def test_gold_points_into_the_text_and_names_real_office_holders():
    kb = default()
    names = {p.name_en: p for p in kb.persons.values()}
    for record, gold in generate(200, seed=1):
        text = normalise(record["text"])
        published = date.fromisoformat(record["published"])
        assert 2010 <= published.year <= 2025
        for statement in gold["statements"]:
            assert normalise(statement["evidence"]) in text
            assert 5 <= len(statement["evidence"].split()) <= 12
        for meeting in gold["meetings"]:
            assert len(meeting["participants"]) == 2
            for name in meeting["participants"]:
                person = names[name]
                assert any(o.covers(published) for o in person.offices)
                assert person.names_ar[0] in record["text"]
            if meeting["date"] and meeting["status"] == "held":
                day = date.fromisoformat(meeting["date"])
                assert 0 <= (published - day).days <= 12
                if f"أمس {WEEKDAYS[day.weekday()]}" in record["text"]:
                    assert (published - day).days == 1


def test_phone_calls_are_never_gold_meetings():
    calls = 0
    for record, gold in generate(200, seed=2):
        if "اتصالا هاتفيا" in record["text"]:
            calls += 1
            caller_sentence = record["text"].split("اتصالا هاتفيا من ")[1].split(" جرى")[0]
            participants = {p for m in gold["meetings"] for p in m["participants"]}
            callers = [p for p in default().persons.values() if p.names_ar and p.names_ar[0] in caller_sentence]
            assert callers and not any(c.name_en in participants for c in callers)
    assert calls > 20


def test_bench_corpus_command_writes_articles_gold_and_entities(tmp_path):
    done = subprocess.run([KG, "bench-corpus", "25", "--out", str(tmp_path / "c.jsonl"), "--seed", "9", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    paths = json.loads(done.stdout)
    articles = Path(paths["articles"]).read_text(encoding="utf-8").splitlines()
    golds = Path(paths["gold"]).read_text(encoding="utf-8").splitlines()
    assert len(articles) == len(golds) == 25
    record = json.loads(articles[0])
    assert set(record) == {"id", "text", "published", "source", "url"}
    assert json.loads(golds[0])["document"] == record["id"]
    entities = json.loads(Path(paths["entities"]).read_text(encoding="utf-8"))
    for gold in map(json.loads, golds):
        for meeting in gold["meetings"]:
            assert all(p in entities for p in meeting["participants"]) and meeting["location"] in entities

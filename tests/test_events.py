"""Event resolution (kg.events): which reports of several articles are one encounter.

Reports are built directly, so each rule is tested on its own; tests/test_events_store.py
runs articles through extraction and the store."""
from __future__ import annotations

import itertools
import random
from datetime import date

from kg.events import HELD_LAG_DAYS, PLANNED_AHEAD_DAYS, Report, resolve


COUNTRY = {"kuwait-city": "KWT", "washington": "USA", "tehran": "IRN", "paris": "FRA", "berlin": "DEU",
           "riyadh": "SAU", "jeddah": "SAU"}


def r(article: str, people: str, status: str = "held", day: str | None = None, place: str | None = None,
      published: str | None = "2025-04-15", ref: str = "0") -> Report:
    return Report(article=article, ref=ref, participants=frozenset(people.split()), status=status, date=day,
                  place=place, place_country=COUNTRY.get(place), published=date.fromisoformat(published) if published else None)


def grouping(reports: list[Report]) -> list[list[str]]:
    """Events as sorted lists of 'article/ref', sorted."""
    return sorted(sorted(f"{x.article}/{x.ref}" for x in e.reports) for e in resolve(reports))


def ids(reports: list[Report]) -> dict[str, str]:
    return {f"{x.article}/{x.ref}": e.id for e in resolve(reports) for x in e.reports}


# --- one encounter, many reports -------------------------------------------------------------


def test_same_day_with_added_attendees_missing_place_and_undated_report_is_one_event():
    reports = [
        r("a", "sisi mishal sabah fahad", day="2025-04-15", place="kuwait-city"),  # lists attendees
        r("b", "sisi mishal", day="2025-04-15"),  # "اليوم": resolved to the day, no place
        r("c", "mishal sisi", published="2025-04-16"),  # no date, published the next day
    ]
    events = resolve(reports)
    assert len(events) == 1
    event = events[0]
    assert [f"{x.article}/{x.ref}" for x in event.reports] == ["a/0", "b/0", "c/0"]
    assert event.participants == ("mishal", "sisi")  # named by every report
    assert event.date == "2025-04-15"
    assert event.status == "held"
    assert event.places == ("kuwait-city",)
    assert event.articles == ("a", "b", "c")


def test_month_holding_the_day_joins_and_other_month_does_not():
    reports = [r("a", "x y", day="2025-04-15"), r("b", "x y", day="2025-04"), r("c", "x y", day="2025-05")]
    assert grouping(reports) == [["a/0", "b/0"], ["c/0"]]


def test_planned_reports_fulfilled_by_the_held_encounter_join_it():
    reports = [
        r("held", "biden sudani blinken", day="2024-04-15", place="washington", published="2024-04-15"),
        r("dated-plan", "biden sudani", status="planned", day="2024-04-15", published="2024-03-22"),
        r("undated-plan", "sudani biden", status="planned", place="washington", published="2024-04-14"),
    ]
    events = resolve(reports)
    assert len(events) == 1
    assert events[0].status == "held"
    assert [x.status for x in events[0].reports] == ["held", "planned", "planned"]  # each keeps its own


def test_undated_plan_joins_the_first_encounter_after_publication_and_not_one_too_late():
    reports = [
        r("plan", "x y", status="planned", published="2025-01-01"),
        r("first", "x y", day="2025-01-05", published="2025-01-05"),
        r("second", "x y", day="2025-01-09", published="2025-01-09"),
        r("late", "x y", day=f"2025-01-{1 + PLANNED_AHEAD_DAYS + 1:02d}", published="2025-01-20"),
    ]
    assert grouping(reports) == [["first/0", "plan/0"], ["late/0"], ["second/0"]]


def test_two_plans_of_one_future_meeting_are_one_planned_event():
    events = resolve([r("a", "x y", status="planned", day="2025-06-01", published="2025-05-20"),
                      r("b", "y x", status="planned", published="2025-05-25")])
    assert [(len(e.reports), e.status, e.date) for e in events] == [(2, "planned", "2025-06-01")]


# --- look-alikes stay apart ------------------------------------------------------------------


def test_same_leaders_on_another_date_stay_apart():
    assert grouping([r("a", "x y", day="2025-04-15"), r("b", "x y", day="2025-04-22")]) == [["a/0"], ["b/0"]]


def test_airport_welcome_the_day_before_stays_apart_and_the_undated_report_takes_the_nearest_day():
    reports = [
        r("welcome", "sisi mishal sabah", day="2025-04-14", published="2025-04-14"),
        r("talks", "sisi mishal sabah fahad", day="2025-04-15", published="2025-04-15"),
        r("undated", "sisi mishal", published="2025-04-15"),  # could be either: the day it was published wins
    ]
    assert grouping(reports) == [["talks/0", "undated/0"], ["welcome/0"]]


def test_two_encounters_of_one_trip_sharing_one_person_stay_apart():
    reports = [
        r("a", "faisal raisi", day="2023-06-17", place="tehran"),
        r("b", "faisal raisi", day="2023-06-17", place="tehran", ref="0"),
        r("b", "faisal abdollahian", day="2023-06-17", place="tehran", ref="1"),
        r("c", "faisal raisi", status="planned", place="tehran", published="2023-06-17", ref="0"),
        r("c", "faisal abdollahian", status="planned", place="tehran", published="2023-06-17", ref="1"),
        r("d", "abdollahian faisal", day="2023-06-17", place="tehran"),
    ]
    assert grouping(reports) == [["a/0", "b/0", "c/0"], ["b/1", "c/1", "d/0"]]


def test_conflicting_places_stay_apart_and_keep_distinct_ids():
    reports = [r("a", "x y", day="2025-04-15", place="paris"), r("b", "x y", day="2025-04-15", place="berlin")]
    events = resolve(reports)
    assert grouping(reports) == [["a/0"], ["b/0"]]
    assert len({e.id for e in events}) == 2


def test_undated_reports_far_from_each_other_and_unpublished_ones_stay_apart():
    reports = [r("a", "x y", published="2025-04-01"), r("b", "x y", published=f"2025-04-{1 + HELD_LAG_DAYS + 2:02d}"),
               r("c", "x y", published=None), r("d", "x y", published=None)]
    assert grouping(reports) == [["a/0"], ["b/0"], ["c/0"], ["d/0"]]


def test_two_cities_of_one_country_are_one_event_showing_both_places():
    reports = [r("a", "x y", day="2022-07-15", place="jeddah"), r("b", "x y", day="2022-07-15", place="riyadh"),
               r("c", "x y", day="2022-07-15")]
    events = resolve(reports)
    assert [(len(e.reports), e.places) for e in events] == [(3, ("jeddah", "riyadh"))]


def test_complete_link_a_report_compatible_with_only_part_of_an_event_does_not_join_it():
    reports = [r("big", "a b c", day="2025-01-01"), r("ab", "a b", day="2025-01-01", place="paris"),
               r("bc", "b c", day="2025-01-01", place="berlin")]
    # "bc" fits "big" but conflicts with "ab" (another place), which joined first (more people, then id)
    assert grouping(reports) == [["ab/0", "big/0"], ["bc/0"]]


# --- order independence and ids --------------------------------------------------------------


def _scenario() -> list[Report]:
    return [
        r("a", "sisi mishal sabah fahad", day="2025-04-15"),
        r("b", "sisi mishal", day="2025-04-15"),
        r("c", "mishal sisi", published="2025-04-16"),
        r("w", "sisi mishal sabah", day="2025-04-14", published="2025-04-14"),
        r("p", "sisi mishal", status="planned", published="2025-04-10"),
        r("t1", "faisal raisi", day="2023-06-17", place="tehran"),
        r("t2", "faisal abdollahian", day="2023-06-17", place="tehran"),
        r("t3", "faisal abdollahian", status="planned", published="2023-06-16"),
    ]


def test_any_input_order_gives_the_same_events_and_ids():
    reports = _scenario()
    expected = ids(reports)
    assert len(set(expected.values())) == 4
    assert expected["a/0"] == expected["b/0"] == expected["c/0"]
    assert expected["w/0"] == expected["p/0"]  # the plan (published the 10th) is met by the first encounter
    assert expected["t2/0"] == expected["t3/0"] != expected["t1/0"]
    for order in itertools.islice(itertools.permutations(reports), 0, None, 997):
        assert ids(list(order)) == expected
    rng = random.Random(7)
    for _ in range(50):
        shuffled = reports[:]
        rng.shuffle(shuffled)
        assert ids(shuffled) == expected


def test_ids_stay_when_a_report_joins_unless_it_names_fewer_participants_or_gives_the_first_day():
    first = [r("a", "x y z", day="2025-04-15"), r("b", "x y z", day="2025-04-15")]
    base = ids(first)["a/0"]
    assert ids(first + [r("c", "x y z w", day="2025-04-15")])["a/0"] == base  # adds an attendee: same id
    assert ids(first + [r("c", "x y z", published="2025-04-16")])["a/0"] == base  # undated: same id
    assert ids(first + [r("c", "x y", day="2025-04-15")])["a/0"] != base  # names fewer: the id follows
    undated = [r("a", "x y", published="2025-04-16"), r("b", "x y", published="2025-04-16")]
    assert ids(undated + [r("c", "x y", day="2025-04-15")])["a/0"] != ids(undated)["a/0"]  # first day given
    # the id depends on the day and the common participants only
    assert ids([r("q", "y x", day="2025-04-15", place="p")])["q/0"] == ids([r("z", "x y", day="2025-04-15")])["z/0"]

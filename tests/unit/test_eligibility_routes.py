"""workflows.eligibility: route data read and checked, and the routes open to a table of personas."""

from __future__ import annotations

import pytest

from workflows.eligibility import (
    Profile,
    Route,
    RouteDataError,
    default_routes,
    evaluate,
    open_routes,
    routes_from_data,
    standing,
)

# A Pekerja Sosial scheme as the demo seeds it: peksos/kesos, 1,344 hours, four documents.
ROUTES = default_routes(["peksos", "kesos"], 1344, ["diploma", "work_letter", "recommendation", "practice_log"])

PERSONAS = [
    # (who, profile, open routes, {closed route: rules missing})
    (
        "peksos graduate, new",
        Profile("peksos", "S1", 0, False),
        ["education"],
        {"experience": {"practice_hours", "training"}, "rpl": {"practice_hours"}},
    ),
    (
        "kesos graduate with hours and training",
        Profile("kesos", "D4", 2000, True),
        ["education", "experience", "rpl"],
        {},
    ),
    (
        "law graduate with hours and training",
        Profile("other", "S1", 1344, True),
        ["experience", "rpl"],
        {"education": {"education_field"}},
    ),
    (
        "law graduate with hours, no training",
        Profile("other", "S1", 1500, False),
        ["rpl"],
        {"education": {"education_field"}, "experience": {"training"}},
    ),
    (
        "law graduate, neither",
        Profile("other", "S1", 100, False),
        [],
        {"education": {"education_field"}, "experience": {"practice_hours", "training"}, "rpl": {"practice_hours"}},
    ),
    (
        "no answers at all",
        Profile(),
        [],
        {"education": {"education_field"}, "experience": {"practice_hours", "training"}, "rpl": {"practice_hours"}},
    ),
]


@pytest.mark.parametrize(("who", "profile", "opened", "closed"), PERSONAS, ids=[p[0] for p in PERSONAS])
def test_personas(who, profile, opened, closed):
    answers = evaluate(profile, ROUTES)
    assert open_routes(profile, ROUTES) == opened
    assert {a.route.route: {m.rule for m in a.missing} for a in answers if not a.open} == closed


def test_hours_missing_say_how_many():
    (answer,) = [a for a in evaluate(Profile("other", "S1", 1000, True), ROUTES) if a.route.route == "experience"]
    (missing,) = answer.missing
    assert missing.params == {"minimum": 1344, "hours": 1000, "short": 344}


def test_default_routes_documents_follow_the_route():
    by_name = {r.route: r for r in ROUTES}
    assert by_name["education"].documents == ("diploma", "work_letter", "recommendation", "practice_log")
    assert by_name["experience"].documents[-1] == "training_certificate"
    assert "diploma" in by_name["experience"].documents and "practice_log" in by_name["experience"].documents
    assert by_name["rpl"].documents == ("portfolio",)
    # A scheme that asked no hours still asks the practice of the experience route.
    assert {r.route: r.min_practice_hours for r in default_routes([], 0, [])} == {
        "education": 0,
        "experience": 1344,
        "rpl": 1344,
    }


def test_minimum_level():
    routes = [Route("education", ("peksos",), "S1")]
    assert open_routes(Profile("peksos", "S2"), routes) == ["education"]
    (answer,) = evaluate(Profile("peksos", "D3"), routes)
    assert [m.rule for m in answer.missing] == ["education_level"]
    (answer,) = evaluate(Profile("peksos", None), routes)
    assert [m.rule for m in answer.missing] == ["education_level"]


def test_data_round_trip_and_order():
    data = [r.as_data() for r in reversed(ROUTES)]
    assert routes_from_data(data) == ROUTES


def test_disabled_route_is_not_offered():
    data = [r.as_data() for r in ROUTES]
    data[2]["enabled"] = False
    routes = routes_from_data(data)
    assert [a.route.route for a in evaluate(Profile("other", "S1", 2000, False), routes)] == ["education", "experience"]


@pytest.mark.parametrize(
    "data",
    [
        ["education"],
        [{"route": "shortcut"}],
        [{"route": "rpl"}, {"route": "rpl"}],
        [{"route": "education", "education_fields": ["law"]}],
        [{"route": "education", "min_education_level": "S9"}],
        [{"route": "experience", "min_practice_hours": -1}],
        [{"route": "experience", "min_practice_hours": 10**12}],
        [{"route": "experience", "min_practice_hours": True}],
        [{"route": "experience", "min_practice_hours": "1344"}],
        [{"route": "rpl", "documents": "portfolio"}],
        [{"route": "rpl", "documents": [1]}],
    ],
)
def test_bad_route_data_refused(data):
    with pytest.raises(RouteDataError):
        routes_from_data(data)


def test_standing():
    assert standing(Profile("peksos", "S1"), ROUTES) == "open"
    assert standing(Profile("other", "S1", 10, False), ROUTES) == "practice"
    education_only = [Route("education", ("peksos", "kesos"))]
    assert standing(Profile("other", "S1", 5000, True), education_only) == "education"
    assert standing(Profile("other"), []) == "none"

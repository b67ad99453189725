"""The figures page (admin.figures): who may see it, the scope each admin gets, and the numbers on it,
checked against counts computed here independently (``tests.integration.test_reports``)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.integration.test_reports import (
    build_scenario,
    expected_by_state,
    expected_capacity,
    expected_certified,
    expected_education,
    expected_expiring,
)
from tests.web.test_pages_support import Browser, count_queries
from workflows import APPLICATION

URL = "/admin/figures"
FIGURES = ("by_state", "certified_by_scheme", "education", "assessor_capacity", "expiring_90_days")


@pytest.fixture()
def scenario(world, db):
    """The report scenario of the integration tests: four dinas of two provinces."""
    return build_scenario(world, db)


def _scope(world, name):
    return {
        "all": None,
        "kepri": {world.dinas_kepri.id, world.batam.id, world.bintan.id},
        "batam": {world.batam.id},
        "bintan": {world.bintan.id},
        "riau": {world.dinas_riau.id, world.pekanbaru.id},
        "pekanbaru": {world.pekanbaru.id},
    }[name]


def _browser(app, user) -> Browser:
    browser = Browser(app).login(user)
    browser.get("/?lang=en")
    return browser


def _csv(browser, figure, query="") -> list[dict]:
    r = browser.get(f"{URL}?format=csv&figure={figure}{query}")
    assert r.status_code == 200, r.status_code
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert f"certflow-{figure}-" in r.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))


def _cells(page: str, attr: str, key: str) -> list[str]:
    """The numbers of the table row ``<tr data-attr="key">``."""
    row = re.search(rf'<tr data-{attr}="{key}"[^>]*>(.*?)</tr>', page, re.S)
    assert row, (attr, key)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="num">(.*?)</td>', row.group(1), re.S)]


def assert_csv_figures(browser, db, scenario, world, ids, query=""):
    by_state = {r["state"]: int(r["applications"]) for r in _csv(browser, "by_state", query)}
    assert by_state == expected_by_state(scenario, ids)
    certified = {r["scheme"]: int(r["certified"]) for r in _csv(browser, "certified_by_scheme", query)}
    assert certified == expected_certified(scenario, ids)
    education = {r["background"]: int(r["people"]) for r in _csv(browser, "education", query)}
    assert education == expected_education(db, ids)
    capacity = [
        {k: (r[k] if k == "scheme" else int(r[k])) for k in ("scheme", "assessors", "capacity", "open_demand")}
        for r in _csv(browser, "assessor_capacity", query)
    ]
    assert capacity == expected_capacity(db, scenario, world, ids)
    expiring = _csv(browser, "expiring_90_days", query)
    assert sum(int(r["expiring_90_days"]) for r in expiring) == expected_expiring(scenario, ids)


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        ("admin_batam", "batam"),
        ("admin_kepri", "kepri"),
        ("admin_riau", "riau"),
        ("sysadmin", "all"),
        ("certifier", "all"),
    ],
)
def test_each_admin_sees_the_figures_of_its_scope(app, db, world, scenario, who, scope):
    browser = _browser(app, getattr(world, who))
    page = browser.get(URL)
    assert page.status_code == 200
    ids = _scope(world, scope)
    expected = expected_by_state(scenario, ids)
    for state in APPLICATION.states:
        assert _cells(page.text, "state", state)[0] == f"{expected[state]:,}"
    for code, n in expected_certified(scenario, ids).items():
        assert _cells(page.text, "scheme", code)[0] == str(n)
    edu = expected_education(db, ids)
    assert _cells(page.text, "background", "peksos_kesos")[0] == str(edu["peksos_kesos"])
    assert _cells(page.text, "background", "other")[0] == str(edu["other"])
    assert f'data-figure="expiring_90_days">{expected_expiring(scenario, ids)}<' in page.text
    assert page.text.count("<svg") == 5 and "<script" not in page.text
    assert_csv_figures(browser, db, scenario, world, ids)


def test_the_page_runs_a_fixed_number_of_queries(app, db, world, scenario):
    browser = _browser(app, world.sysadmin)
    with count_queries() as small:
        assert browser.get(URL).status_code == 200
    build_scenario(world, db)  # twice the data
    with count_queries() as big:
        assert browser.get(URL).status_code == 200
    assert big[0] == small[0]


# -- who may see the page, and narrowing ---------------------------------------------------------


@pytest.mark.parametrize("who", ["candidate", "lead"])
def test_candidates_and_assessors_may_not(app, world, who):
    user = getattr(world, who)
    browser = Browser(app).login(getattr(user, "user", user))
    assert browser.get(URL).status_code == 403
    assert browser.get(f"{URL}?format=csv&figure=by_state").status_code == 403


def test_visitors_are_sent_to_log_in(app, world):
    response = Browser(app).get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("who", "query", "scope"),
    [
        ("admin_kepri", "?dinas={bintan}", "bintan"),
        ("admin_kepri", "?province={kepri}", "kepri"),
        ("admin_batam", "?province={kepri}", "batam"),
        ("sysadmin", "?province={riau}", "riau"),
        ("sysadmin", "?dinas={pekanbaru}", "pekanbaru"),
        ("certifier", "?province={kepri}&dinas={batam}", "batam"),
    ],
)
def test_narrowing_to_a_province_or_dinas(app, db, world, scenario, who, query, scope):
    ids = {k: getattr(world, k).id for k in ("bintan", "batam", "pekanbaru", "kepri", "riau")}
    query = query.format(**ids)
    browser = _browser(app, getattr(world, who))
    page = browser.get(URL + query)
    assert page.status_code == 200
    assert_csv_figures(browser, db, scenario, world, _scope(world, scope), "&" + query[1:])


@pytest.mark.parametrize(
    ("who", "query"),
    [
        ("admin_batam", "?dinas={bintan}"),
        ("admin_batam", "?province={riau}"),
        ("admin_kepri", "?dinas={pekanbaru}"),
        ("admin_riau", "?province={kepri}"),
        ("sysadmin", "?dinas=99999"),
        ("sysadmin", "?dinas=batam"),
        ("certifier", "?province=-1"),
    ],
)
def test_another_scope_is_not_found(app, world, who, query):
    ids = {k: getattr(world, k).id for k in ("bintan", "pekanbaru", "kepri", "riau")}
    browser = _browser(app, getattr(world, who))
    assert browser.get(URL + query.format(**ids)).status_code == 404
    assert browser.get(URL + query.format(**ids) + "&format=csv&figure=by_state").status_code == 404


def test_the_filter_offers_only_what_the_admin_may_see(app, world):
    kota = _browser(app, world.admin_batam).get(URL).text
    assert 'name="dinas"' not in kota and 'name="province"' not in kota  # one dinas: nothing to choose
    province = _browser(app, world.admin_kepri).get(URL).text
    assert f'<option value="{world.bintan.id}"' in province and f'<option value="{world.pekanbaru.id}"' not in province
    assert 'name="province"' not in province
    region = _browser(app, world.sysadmin).get(URL).text
    assert f'<option value="{world.riau.id}"' in region and f'<option value="{world.pekanbaru.id}"' in region


def test_an_unknown_figure_is_not_found(app, world):
    browser = _browser(app, world.sysadmin)
    assert browser.get(f"{URL}?format=csv&figure=salaries").status_code == 404
    assert browser.get(f"{URL}?format=csv").status_code == 404


def test_expiring_certificates_per_scheme_counted_here(app, db, world, scenario):
    from datetime import timedelta

    from certflow import clock

    today = clock.today()
    expected = {"PNY": 0, "PSG": 0}
    for dinas, cert in scenario["expiring"]:
        if dinas.province_id == world.kepri.id and cert.status == "active":
            if today <= cert.expires_on <= today + timedelta(days=90):
                expected[cert.scheme_code] += 1
    rows = _csv(_browser(app, world.admin_kepri), "expiring_90_days")
    assert {r["scheme"]: int(r["expiring_90_days"]) for r in rows} == expected == {"PNY": 0, "PSG": 3}


def test_the_page_shows_what_the_api_returns(app, db, world, scenario, monkeypatch):
    from certflow import clock
    from tests.web.test_api_reports import token

    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)  # the same medians for both requests

    api = app.test_client().get("/api/v1/reports/summary", headers=token(app.test_client(), world.admin_kepri))
    body = api.get_json()
    browser = _browser(app, world.admin_kepri)
    by_state = {r["state"]: int(r["applications"]) for r in _csv(browser, "by_state")}
    medians = {r["state"]: (float(r["median_days"]) if r["median_days"] else None) for r in _csv(browser, "by_state")}
    assert by_state == body["by_state"]
    assert medians == body["median_days_in_state"]
    capacity = _csv(browser, "assessor_capacity")
    assert [int(r["capacity"]) for r in capacity] == [r["capacity"] for r in body["assessor_capacity"]]
    assert [int(r["shortfall"]) for r in capacity] == [
        max(0, r["open_demand"] - r["capacity"]) for r in body["assessor_capacity"]
    ]


def test_a_csv_cell_never_starts_a_formula(app, db, world):
    world.other_scheme.name = '=HYPERLINK("http://evil")'
    db.session.commit()
    rows = _csv(_browser(app, world.sysadmin), "certified_by_scheme")
    assert {r["scheme"]: r["name"] for r in rows}["PNY"] == '\'=HYPERLINK("http://evil")'

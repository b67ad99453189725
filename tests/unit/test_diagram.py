"""The workflow diagram: every state and route of any definition, one highlighted state, valid SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from certflow.web.diagram import draw, ranks
from workflows import APPEAL, APPLICATION, CERTIFICATE
from workflows.definitions import Definition, EventDef, Permission, Route

SVG = "{http://www.w3.org/2000/svg}"


def _label(name: str) -> str:
    """A stand-in translation, so the test sees that labels, not ids, are drawn."""
    return f"«{name.replace('_', ' ').title()}»"


def _draw(definition, current=None):
    return str(draw(definition, current, label_state=_label, label_event=lambda e: f"‹{e}›"))


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def _odd_definition() -> Definition:
    """States that no route reaches, a route back to itself, routes along one rank, a merged pair."""
    ev = lambda name, routes: EventDef(name, tuple(Route(*r) for r in routes), (Permission("admin"),))  # noqa: E731
    return Definition(
        name="odd & <tricky>",
        version=3,
        initial="a",
        states=("a", "b", "c", "d", "island", "far_island"),
        final=("d",),
        events=(
            ev("go", [("a", "b"), ("a", "c")]),
            ev("sideways", [("b", "c"), ("c", "b")]),
            ev("again", [("b", "b")]),
            ev("finish", [("c", "d")]),
            ev("also_finish", [("c", "d")]),
            ev("restart", [("d", "a")]),
            ev("drift", [("island", "far_island"), ("far_island", "a")]),
        ),
    )


DEFINITIONS = [APPLICATION, CERTIFICATE, APPEAL, _odd_definition()]


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.name)
def test_every_state_and_every_event_is_drawn(definition):
    current = definition.states[-1]
    root = _parse(_draw(definition, current))
    texts = _texts(root)
    drawn_states = {g.get("data-state") for g in root.iter(f"{SVG}g") if g.get("data-state")}
    assert drawn_states == set(definition.states)
    for state in definition.states:
        assert _label(state) in texts, state
    for ev in definition.events:
        assert any(f"‹{ev.name}›" in t for t in texts), ev.name
    # one arrow per distinct (from, to) route, and each carries the events that take it
    routes = {
        (g.get("data-from"), g.get("data-to")): g.get("data-event").split()
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "route"
    }
    expected: dict = {}
    for ev in definition.events:
        for r in ev.routes:
            expected.setdefault((r.source, r.dest), []).append(ev.name)
    assert routes == expected
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "route":
            path = g.find(f"{SVG}path")
            assert path.get("d").startswith("M") and path.get("marker-end")


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.name)
def test_exactly_the_current_state_is_highlighted(definition):
    for state in definition.states:
        root = _parse(_draw(definition, state))
        current = [g for g in root.iter(f"{SVG}g") if g.get("aria-current") == "true"]
        assert len(current) == 1
        assert current[0].get("data-state") == state
        assert "current" in current[0].get("class").split()
        fills = {
            g.get("data-state"): g.find(f"{SVG}rect").get("fill") for g in root.iter(f"{SVG}g") if g.get("data-state")
        }
        assert len({fills[s] for s in fills if s != state}) == 1
        assert fills[state] not in {fills[s] for s in fills if s != state}


def test_no_state_is_highlighted_without_a_current_state():
    svg = _draw(APPLICATION)
    assert "aria-current" not in svg
    assert _draw(APPLICATION, "not-a-state").count("aria-current") == 0


def test_ranks_are_breadth_first_distances_and_unreachable_states_come_last():
    rank = ranks(APPLICATION)
    assert rank["draft"] == 0
    assert rank["submitted"] == rank["withdrawn"] == 1
    assert rank["revision_requested"] == rank["eligible"] == rank["ineligible"] == 2
    assert rank["certified"] == max(rank.values())
    odd = ranks(_odd_definition())
    assert odd["a"] == 0 and odd["b"] == odd["c"] == 1 and odd["d"] == 2
    assert odd["island"] == odd["far_island"] == 3


def test_states_of_a_rank_sit_side_by_side_and_ranks_go_down():
    root = _parse(_draw(APPLICATION))
    boxes = {
        g.get("data-state"): (float(g.find(f"{SVG}rect").get("x")), float(g.find(f"{SVG}rect").get("y")))
        for g in root.iter(f"{SVG}g")
        if g.get("data-state")
    }
    rank = ranks(APPLICATION)
    for a in APPLICATION.states:
        for b in APPLICATION.states:
            if rank[a] == rank[b]:
                assert boxes[a][1] == boxes[b][1]
            elif rank[a] < rank[b]:
                assert boxes[a][1] < boxes[b][1]
    # side by side in the definition's order, without overlapping
    row = sorted((s for s in APPLICATION.states if rank[s] == 2), key=APPLICATION.states.index)
    xs = [boxes[s][0] for s in row]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)


def test_names_are_escaped_and_the_svg_is_self_contained():
    svg = _draw(_odd_definition(), "a")
    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") and root.get("role") == "img"
    assert "odd & <tricky>" in [t.text for t in root.iter(f"{SVG}title")]
    assert "<script" not in svg and "style=" not in svg and "href" not in svg.replace("url(#", "")


def test_default_labels_are_translated(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("id"):
        svg = str(draw(APPLICATION, "submitted"))
    root = _parse(svg)
    texts = _texts(root)
    for label in ("Draf", "Diajukan", "Perlu revisi", "Memenuhi syarat", "Tidak memenuhi syarat", "Ditarik"):
        assert label in texts
    assert "Minta revisi" in texts and "Ajukan banding" in texts
    # the event ids stay in the drawing (titles and data attributes) for tools and tests
    assert all(any(ev.name in (t.text or "") for t in root.iter(f"{SVG}title")) for ev in APPLICATION.events)

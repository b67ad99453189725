"""A workflow definition drawn as an inline SVG, on the server, with no JavaScript or external tool.

Every state is a box with its translated label, every route of every event an arrow
labelled with the event (its id kept in the arrow's ``<title>`` and ``data-event``), and
the current state is highlighted with a distinct fill, a bold label and ``aria-current``.
The layout (``certflow.web.diagram_layout``) reads only the ``Definition``, so any
workflow, present or future, is drawn with all its states and routes.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from certflow.web.diagram_layout import FONT, LABEL_FONT, Box, layout, num, path_data, place_label, ranks, text_width
from workflows.definitions import Definition

__all__ = ["draw", "ranks"]


def draw(
    definition: Definition,
    current: str | None = None,
    *,
    label_state: Callable[[str], str] | None = None,
    label_event: Callable[[str], str] | None = None,
    title: str | None = None,
) -> Markup:
    """The workflow as an SVG element (safe to insert in a page); ``current`` is highlighted."""
    if label_state is None or label_event is None:
        from certflow.web.labels import event_label, state_label

        label_state = label_state or state_label
        label_event = label_event or event_label
    boxes, edges = layout(definition, label_state, label_event)

    uid = "".join(c if c.isalnum() else "-" for c in definition.name)
    marker = f"url(#arrow-{uid})"
    taken = [(b.x - 4, b.y - 4, b.x + b.w + 4, b.y + b.h + 4) for b in boxes.values()]
    bounds = [min(b.x for b in boxes.values()), -30.0, max(b.x + b.w for b in boxes.values())]
    bounds.append(max(b.bottom for b in boxes.values()))

    def grow(rect) -> None:
        """Widen the drawing's bounds to hold ``rect``."""
        bounds[0], bounds[1] = min(bounds[0], rect[0]), min(bounds[1], rect[1])
        bounds[2], bounds[3] = max(bounds[2], rect[2]), max(bounds[3], rect[3])

    routes: list[str] = []
    labels: list[str] = []
    for edge in edges:
        for px, py in edge.points:
            grow((px, py, px, py))
        names = escape(" ".join(edge.events))
        text = " / ".join(label_event(e) for e in edge.events)
        w, h = text_width(text, LABEL_FONT) + 8, LABEL_FONT + 6
        x, y, rect = place_label(edge, w, h, taken)
        taken.append(rect)
        grow(rect)
        routes.append(
            f'<g class="route" data-event="{names}" data-from="{escape(edge.source)}" data-to="{escape(edge.dest)}">'
            f"<title>{names}: {escape(label_state(edge.source))} → {escape(label_state(edge.dest))}</title>"
            f'<path d="{path_data(edge)}" fill="none" stroke="#6b7280" stroke-width="1.4" marker-end="{marker}"/></g>'
        )
        labels.append(
            f'<g class="route-label" data-event="{names}">'
            f'<rect x="{num(rect[0])}" y="{num(rect[1])}" width="{num(w)}" height="{num(h)}" rx="3" '
            f'fill="#ffffff" fill-opacity="0.92"/>'
            f'<text x="{num(x)}" y="{num(y)}" text-anchor="middle" dominant-baseline="central" '
            f'font-size="{LABEL_FONT}" fill="#1f2937">{escape(text)}</text></g>'
        )

    states = [_state_svg(boxes[state], state == current, state in definition.final) for state in definition.states]
    start = boxes[definition.initial]
    initial = (
        f'<g class="initial"><circle cx="{num(start.cx)}" cy="-22" r="6" fill="#374151"/>'
        f'<path d="M{num(start.cx)},-16 L{num(start.cx)},{num(start.y - 1)}" stroke="#374151" '
        f'stroke-width="1.4" marker-end="{marker}"/></g>'
    )
    pad = 8
    minx, miny = bounds[0] - pad, bounds[1] - pad
    width, height = bounds[2] - bounds[0] + 2 * pad, bounds[3] - bounds[1] + 2 * pad
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram" role="img" '
        f'aria-labelledby="diagram-title-{uid}" viewBox="{num(minx)} {num(miny)} {num(width)} {num(height)}" '
        f'width="{num(width)}" height="{num(height)}" font-family="system-ui, sans-serif">'
        f'<title id="diagram-title-{uid}">{escape(title or definition.name)}</title>'
        f'<defs><marker id="arrow-{uid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>'
        + initial
        + "".join(routes)
        + "".join(states)
        + "".join(labels)
        + "</svg>"
    )


def _state_svg(box: Box, current: bool, final: bool) -> str:
    """One state's box: highlighted (fill, bold, ``aria-current``) when current, double-edged when final."""
    fill, stroke, width = ("#fde68a", "#b45309", 3) if current else ("#f3f4f6", "#374151", 1.2)
    classes = "state" + (" current" if current else "") + (" final" if final else "")
    aria = ' aria-current="true"' if current else ""
    inner = ""
    if final:
        inner = (
            f'<rect x="{num(box.x + 3)}" y="{num(box.y + 3)}" width="{num(box.w - 6)}" '
            f'height="{num(box.h - 6)}" rx="5" fill="none" stroke="{stroke}" stroke-width="1"/>'
        )
    return (
        f'<g class="{classes}" data-state="{escape(box.state)}"{aria}>'
        f"<title>{escape(box.state)}</title>"
        f'<rect x="{num(box.x)}" y="{num(box.y)}" width="{num(box.w)}" height="{num(box.h)}" rx="8" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>{inner}'
        f'<text x="{num(box.cx)}" y="{num(box.cy)}" text-anchor="middle" dominant-baseline="central" '
        f'font-size="{FONT}" font-weight="{"bold" if current else "normal"}" fill="#111827">'
        f"{escape(box.label)}</text></g>"
    )

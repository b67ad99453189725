"""Where the boxes go: states in rows by rank (breadth-first distance from the initial state), the
states of a rank side by side in the definition's order, neighbours spaced to fit their arrow's label."""

from __future__ import annotations

from certflow.web.diagram_layout.shapes import (
    BOX_H,
    COL_GAP,
    FONT,
    LABEL_FONT,
    MIN_BOX_W,
    ROW_GAP,
    Box,
    Edge,
    text_width,
)
from workflows.definitions import Definition


def ranks(definition: Definition) -> dict[str, int]:
    """Each state's breadth-first distance from the initial state; unreachable states come last."""
    successors: dict[str, list[str]] = {s: [] for s in definition.states}
    for ev in definition.events:
        for route in ev.routes:
            successors.setdefault(route.source, []).append(route.dest)
    rank = {definition.initial: 0}
    queue = [definition.initial]
    while queue:
        state = queue.pop(0)
        for nxt in successors.get(state, ()):
            if nxt not in rank:
                rank[nxt] = rank[state] + 1
                queue.append(nxt)
    last = max(rank.values(), default=-1) + 1
    return {s: rank.get(s, last) for s in definition.states}


def edges_of(definition: Definition) -> list[Edge]:
    """One edge per (source, destination), carrying every event that takes that route."""
    merged: dict[tuple[str, str], Edge] = {}
    for ev in definition.events:
        for route in ev.routes:
            edge = merged.setdefault((route.source, route.dest), Edge(route.source, route.dest, []))
            if ev.name not in edge.events:
                edge.events.append(ev.name)
    return list(merged.values())


def place_boxes(definition: Definition, edges: list[Edge], label_state, label_event) -> dict[str, Box]:
    """Boxes in rows by rank; neighbours joined by an arrow are spaced to fit its label."""
    rank_of = ranks(definition)
    boxes = {s: Box(s, label_state(s), rank_of[s]) for s in definition.states}
    rows: dict[int, list[Box]] = {}
    for state in definition.states:
        rows.setdefault(rank_of[state], []).append(boxes[state])
    for box in boxes.values():
        box.w = max(MIN_BOX_W, text_width(box.label, FONT) + 24)
    label_w = {}
    for edge in edges:
        key = frozenset((edge.source, edge.dest))
        text = " / ".join(label_event(e) for e in edge.events)
        label_w[key] = max(label_w.get(key, 0), text_width(text, LABEL_FONT) + 24)
    gaps: dict[tuple[str, str], float] = {}
    for row in rows.values():
        for a, b in zip(row, row[1:], strict=False):
            gaps[(a.state, b.state)] = max(COL_GAP, label_w.get(frozenset((a.state, b.state)), 0))
    widths = {
        r: sum(b.w for b in row) + sum(gaps[(a.state, b.state)] for a, b in zip(row, row[1:], strict=False))
        for r, row in rows.items()
    }
    widest = max(widths.values(), default=0)
    for r, row in rows.items():
        x = (widest - widths[r]) / 2
        for i, box in enumerate(row):
            box.x, box.y = x, r * (BOX_H + ROW_GAP)
            if i + 1 < len(row):
                x += box.w + gaps[(box.state, row[i + 1].state)]
    return boxes

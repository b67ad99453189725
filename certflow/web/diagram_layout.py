"""The geometry of a workflow diagram: ranks, boxes, the arrows' shapes and where labels go.

States are laid out by rank — their breadth-first distance from the initial state — one
row per rank, the states of a rank side by side in the definition's order. Arrows between
neighbouring rows are S-curves from the bottom of one box to the top of the next; arrows
along a row join neighbours side to side or run above the row; arrows that jump more than
one row go round the side in a lane of their own, so no arrow crosses a box. Each label is
put where it covers the least of the boxes and of the labels placed before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from workflows.definitions import Definition

FONT = 13
LABEL_FONT = 11
BOX_H = 34
ROW_GAP = 92
COL_GAP = 44
LANE_GAP = 16
LANE_STEP = 14
MIN_BOX_W = 96


def text_width(text: str, size: int) -> float:
    """A generous estimate of the width of ``text`` in a sans-serif font."""
    return len(text) * size * 0.6


@dataclass
class Box:
    """A state's box and the places where arrows meet it."""

    state: str
    label: str
    rank: int
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = BOX_H
    ports: dict[str, list] = field(default_factory=lambda: {"top": [], "bottom": [], "left": [], "right": []})

    @property
    def cx(self) -> float:
        """The horizontal centre."""
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        """The vertical centre."""
        return self.y + self.h / 2

    @property
    def bottom(self) -> float:
        """The lower edge."""
        return self.y + self.h


Point = tuple[float, float]


@dataclass
class Edge:
    """One arrow: a source and destination state, the events that take it, and its shape."""

    source: str
    dest: str
    events: list[str]
    kind: str = "down"  # down | up | side | over | lane | loop
    side: str = "right"
    lane: int = 0
    start: Point = (0.0, 0.0)
    end: Point = (0.0, 0.0)
    points: list[Point] = field(default_factory=list)


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


def _adjacent(boxes: dict[str, Box], a: Box, b: Box) -> bool:
    """Whether ``a`` and ``b`` are neighbours in the same row."""
    lo, hi = sorted((a.cx, b.cx))
    return a.rank == b.rank and not any(o.rank == a.rank and lo < o.cx < hi for o in boxes.values())


def assign_ports(boxes: dict[str, Box], edges: list[Edge]) -> None:
    """Choose each edge's shape, then spread the edges meeting one side of a box along it."""
    middle = (min(b.x for b in boxes.values()) + max(b.x + b.w for b in boxes.values())) / 2
    lanes = {"left": 0, "right": 0}
    far = 1e6
    for edge in edges:
        s, d = boxes[edge.source], boxes[edge.dest]
        if s is d:
            edge.kind = "loop"  # drawn on the box's left edge; no port needed
            edge.start, edge.end = (s.x, s.cy - 7), (s.x, s.cy + 7)
        elif d.rank == s.rank + 1:
            edge.kind = "down"
            s.ports["bottom"].append((edge, "start", d.cx))
            d.ports["top"].append((edge, "end", s.cx))
        elif d.rank == s.rank - 1:
            edge.kind = "up"
            s.ports["top"].append((edge, "start", d.cx))
            d.ports["bottom"].append((edge, "end", s.cx))
        elif d.rank == s.rank and _adjacent(boxes, s, d):
            edge.kind = "side"
            right = d.cx > s.cx
            s.ports["right" if right else "left"].append((edge, "start", d.cy))
            d.ports["left" if right else "right"].append((edge, "end", s.cy))
        elif d.rank == s.rank:
            edge.kind = "over"
            s.ports["top"].append((edge, "start", d.cx))
            d.ports["top"].append((edge, "end", s.cx))
        else:
            edge.kind = "lane"
            edge.side = "right" if (s.cx + d.cx) / 2 >= middle else "left"
            edge.lane = lanes[edge.side]
            lanes[edge.side] += 1
            key = far if edge.side == "right" else -far
            up = d.rank < s.rank
            s.ports["top" if up else "bottom"].append((edge, "start", key))
            d.ports["bottom" if up else "top"].append((edge, "end", key))
    for box in boxes.values():
        for side, entries in box.ports.items():
            entries.sort(key=lambda e: e[2])
            n = len(entries)
            for i, (edge, end, _) in enumerate(entries):
                if side in ("top", "bottom"):
                    point = (box.x + box.w * (i + 1) / (n + 1), box.y if side == "top" else box.bottom)
                else:
                    point = (box.x if side == "left" else box.x + box.w, box.y + box.h * (i + 1) / (n + 1))
                if end == "start":
                    edge.start = point
                else:
                    edge.end = point


def route(boxes: dict[str, Box], edges: list[Edge]) -> None:
    """The points of every edge: curves between neighbours, right angles through row gaps and lanes."""
    used: dict[int, int] = {}  # row gap (above row r) -> horizontal runs already drawn in it

    def gap_y(row: int, from_bottom_of: float | None = None, from_top_of: float | None = None) -> float:
        """A height in the gap above ``row`` that no other horizontal run there has taken."""
        k = used.get(row, 0)
        used[row] = k + 1
        offset = 10 + 8 * (k % 9)
        return from_top_of - offset if from_top_of is not None else from_bottom_of + offset

    for edge in edges:
        s, d = boxes[edge.source], boxes[edge.dest]
        (x0, y0), (x3, y3) = edge.start, edge.end
        if edge.kind in ("down", "up"):
            mid = (y0 + y3) / 2
            edge.points = [(x0, y0), (x0, mid), (x3, mid), (x3, y3)]
        elif edge.kind == "side":
            mid = (x0 + x3) / 2
            edge.points = [(x0, y0), (mid, y0), (mid, y3), (x3, y3)]
        elif edge.kind == "loop":
            edge.points = [(x0, y0), (x0 - 46, s.y - 18), (x0 - 46, s.bottom + 18), (x3, y3)]
        elif edge.kind == "over":
            y = gap_y(s.rank, from_top_of=s.y)
            edge.points = [(x0, y0), (x0, y), (x3, y), (x3, y3)]
        else:
            lo, hi = sorted((s.rank, d.rank))
            spanned = [b for b in boxes.values() if lo <= b.rank <= hi]
            offset = LANE_GAP + LANE_STEP * edge.lane
            lane = (
                max(b.x + b.w for b in spanned) + offset if edge.side == "right" else min(b.x for b in spanned) - offset
            )
            if d.rank < s.rank:
                y1, y2 = gap_y(s.rank, from_top_of=s.y), gap_y(d.rank + 1, from_bottom_of=d.bottom)
            else:
                y1, y2 = gap_y(s.rank + 1, from_bottom_of=s.bottom), gap_y(d.rank, from_top_of=d.y)
            edge.points = [(x0, y0), (x0, y1), (lane, y1), (lane, y2), (x3, y2), (x3, y3)]


def path_data(edge: Edge) -> str:
    """The SVG path of an edge: a cubic curve, or a polyline with rounded corners."""
    pts = edge.points
    if edge.kind in ("down", "up", "side", "loop"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts
        return f"M{num(x0)},{num(y0)} C{num(x1)},{num(y1)} {num(x2)},{num(y2)} {num(x3)},{num(y3)}"
    out = [f"M{num(pts[0][0])},{num(pts[0][1])}"]
    for prev, corner, nxt in zip(pts, pts[1:], pts[2:], strict=False):
        r = min(6.0, _dist(prev, corner) / 2, _dist(corner, nxt) / 2)
        a = _toward(corner, prev, r)
        b = _toward(corner, nxt, r)
        out.append(f"L{num(a[0])},{num(a[1])} Q{num(corner[0])},{num(corner[1])} {num(b[0])},{num(b[1])}")
    out.append(f"L{num(pts[-1][0])},{num(pts[-1][1])}")
    return " ".join(out)


def _dist(a: Point, b: Point) -> float:
    return ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5


def _toward(a: Point, b: Point, r: float) -> Point:
    length = _dist(a, b) or 1.0
    return a[0] + (b[0] - a[0]) * r / length, a[1] + (b[1] - a[1]) * r / length


def _at(edge: Edge, t: float) -> Point:
    """The point at fraction ``t`` of the edge (of the curve's parameter, or of the polyline's length)."""
    pts = edge.points
    if edge.kind in ("down", "up", "side", "loop"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts
        u = 1 - t
        return (
            u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
            u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
        )
    lengths = [_dist(a, b) for a, b in zip(pts, pts[1:], strict=False)]
    target = sum(lengths) * t
    for (a, b), length in zip(zip(pts, pts[1:], strict=False), lengths, strict=False):
        if target <= length and length > 0:
            return _toward(a, b, target)
        target -= length
    return pts[-1]


def _overlap(a, b) -> float:
    """The area two rectangles (x0, y0, x1, y1) share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def place_label(edge: Edge, w: float, h: float, taken: list) -> tuple[float, float, tuple]:
    """The spot along the edge where its label covers the least of the boxes and the other labels."""
    candidates = []
    if edge.kind == "lane":
        (_, y_from), (lane, _) = edge.points[2], edge.points[3]
        y_to = edge.points[3][1]
        for t in (0.5, 0.35, 0.65, 0.2, 0.8):
            x = lane + 4 + w / 2 if edge.side == "right" else lane - 4 - w / 2
            candidates.append((x, y_from + (y_to - y_from) * t))
    for t in (0.5, 0.62, 0.38, 0.72, 0.28, 0.8, 0.2, 0.86, 0.14):
        x, y = _at(edge, t)
        candidates += [(x, y), (x, y - h), (x, y + h)]
    best, best_score = None, None
    for x, y in candidates:
        rect = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        score = sum(_overlap(rect, other) for other in taken)
        if best_score is None or score < best_score:
            best, best_score = (x, y, rect), score
            if score == 0:
                break
    return best


def num(value: float) -> str:
    """A coordinate for SVG: one decimal at most, no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def layout(
    definition: Definition, label_state: Callable[[str], str], label_event: Callable[[str], str]
) -> tuple[dict[str, Box], list[Edge]]:
    """The boxes of every state and the routed edges of every route of ``definition``."""
    edges = edges_of(definition)
    boxes = place_boxes(definition, edges, label_state, label_event)
    assign_ports(boxes, edges)
    route(boxes, edges)
    return boxes, edges

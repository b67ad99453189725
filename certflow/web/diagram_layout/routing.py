"""The arrows' shapes: S-curves between neighbouring rows, side to side or over a row along it, and a
lane of their own round the side for arrows that jump rows, so that no arrow crosses a box."""

from __future__ import annotations

from certflow.web.diagram_layout.shapes import LANE_GAP, LANE_STEP, Box, Edge


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

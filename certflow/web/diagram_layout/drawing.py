"""An arrow drawn: its SVG path, and the spot for its label that covers the least of the boxes and of
the labels placed before it."""

from __future__ import annotations

from certflow.web.diagram_layout.shapes import Edge, Point, num


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

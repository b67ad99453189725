"""The pieces of a diagram: sizes, a state's box, an arrow, and how text and numbers are measured."""

from __future__ import annotations

from dataclasses import dataclass, field

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


def num(value: float) -> str:
    """A coordinate for SVG: one decimal at most, no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")

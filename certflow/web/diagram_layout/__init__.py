"""The geometry of a workflow diagram: ranks, boxes, the arrows' shapes and where labels go.

States are laid out by rank — their breadth-first distance from the initial state — one
row per rank, the states of a rank side by side in the definition's order. Arrows between
neighbouring rows are S-curves from the bottom of one box to the top of the next; arrows
along a row join neighbours side to side or run above the row; arrows that jump more than
one row go round the side in a lane of their own, so no arrow crosses a box. Each label is
put where it covers the least of the boxes and of the labels placed before it.

``shapes`` holds the pieces and measures, ``placement`` the boxes, ``routing`` the arrows,
``drawing`` their paths and labels; ``layout`` puts them together.
"""

from __future__ import annotations

from collections.abc import Callable

from certflow.web.diagram_layout.drawing import path_data, place_label
from certflow.web.diagram_layout.placement import edges_of, place_boxes, ranks
from certflow.web.diagram_layout.routing import assign_ports, route
from certflow.web.diagram_layout.shapes import FONT, LABEL_FONT, Box, Edge, num, text_width
from workflows.definitions import Definition

__all__ = ["FONT", "LABEL_FONT", "Box", "Edge", "layout", "num", "path_data", "place_label", "ranks", "text_width"]


def layout(
    definition: Definition, label_state: Callable[[str], str], label_event: Callable[[str], str]
) -> tuple[dict[str, Box], list[Edge]]:
    """The boxes of every state and the routed edges of every route of ``definition``."""
    edges = edges_of(definition)
    boxes = place_boxes(definition, edges, label_state, label_event)
    assign_ports(boxes, edges)
    route(boxes, edges)
    return boxes, edges

"""Export the process graph as node-link JSON (``networkx.node_link_data``), plus the layout."""

from __future__ import annotations

import json as jsonlib
from typing import Any

from app.process_map.graph import ProcessGraph
from app.process_map.layout import Layout

__all__ = ["process_map_data", "render_json"]


def process_map_data(graph: ProcessGraph, layout: Layout | None = None) -> dict[str, Any]:
    """The node-link dict of ``graph`` (``nodes``/``edges``), with ``x``/``y`` from the layout."""
    import networkx as nx  # here, not at the top: it is a sixth of the service's start-up

    data: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    if layout is not None:
        positions = {box.key: box for box in layout.boxes}
        for node in data["nodes"]:
            box = positions.get(node["id"])
            if box is not None:
                node["x"], node["y"] = box.center
                node["lane"] = box.lane
    return data


def render_json(graph: ProcessGraph, layout: Layout | None = None) -> str:
    """The node-link JSON text; ``<``, ``>`` and ``&`` are escaped so it embeds safely in HTML."""
    text = jsonlib.dumps(process_map_data(graph, layout), ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"

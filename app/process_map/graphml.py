"""Export the process graph as GraphML (read back by ``networkx.read_graphml``)."""

from __future__ import annotations

from app.process_map.graph import ProcessGraph
from app.process_map.labels import xml_safe
from app.process_map.layout import Layout

__all__ = ["render_graphml"]


def render_graphml(graph: ProcessGraph, layout: Layout | None = None) -> str:
    """GraphML of ``graph``; strings are stripped of XML-forbidden characters, and the layout's
    position of each activity is added as ``x``/``y`` when given."""
    import networkx as nx  # here, not at the top: it is a sixth of the service's start-up

    clean: ProcessGraph = nx.DiGraph(**{key: _value(value) for key, value in graph.graph.items()})
    positions = {box.key: box.center for box in layout.boxes} if layout else {}
    for node, data in graph.nodes(data=True):
        attrs = {key: _value(value) for key, value in data.items()}
        if node in positions:
            attrs["x"], attrs["y"] = positions[node]
        clean.add_node(xml_safe(node), **attrs)
    for source, target, data in graph.edges(data=True):
        clean.add_edge(xml_safe(source), xml_safe(target),
                       **{key: _value(value) for key, value in data.items()})
    return "\n".join(nx.generate_graphml(clean, prettyprint=True)) + "\n"


def _value(value: object) -> str | int | float | bool:
    if isinstance(value, bool | int | float):
        return value
    return xml_safe("" if value is None else str(value))

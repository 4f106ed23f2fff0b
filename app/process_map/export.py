"""One entry point for every process-map format: recordings in, document text out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.process_map.bpmn import render_bpmn
from app.process_map.graph import ProcessGraph, build_process_graph
from app.process_map.graphml import render_graphml
from app.process_map.json import render_json
from app.process_map.layout import Layout, layout_process_map
from app.process_map.mermaid import render_mermaid
from app.process_map.svg import render_svg
from app.steps.model import RecordingSteps

__all__ = ["FORMATS", "MapFormat", "render_process_map"]


@dataclass(frozen=True, slots=True)
class MapFormat:
    """How one format is rendered and served."""

    media_type: str
    extension: str
    render: Callable[[ProcessGraph, Layout], str]


FORMATS: dict[str, MapFormat] = {
    "svg": MapFormat("image/svg+xml", "svg", lambda _graph, layout: render_svg(layout)),
    "bpmn": MapFormat("application/xml", "bpmn", lambda _graph, layout: render_bpmn(layout)),
    "mermaid": MapFormat("text/plain; charset=utf-8", "mmd",
                         lambda _graph, layout: render_mermaid(layout)),
    "graphml": MapFormat("application/xml", "graphml", render_graphml),
    "json": MapFormat("application/json", "json", render_json),
}


def render_process_map(
    recordings: Sequence[RecordingSteps], fmt: str, *, title: str = ""
) -> str:
    """The process map of ``recordings`` in ``fmt`` (a key of :data:`FORMATS`)."""
    graph = build_process_graph(recordings, title=title)
    return FORMATS[fmt].render(graph, layout_process_map(graph))

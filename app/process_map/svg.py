"""Render a laid-out process map as a standalone SVG: lanes, shapes, flows, labels, legend.

Built with ElementTree, so every label is escaped as XML text; text from web pages only ever
becomes the content of ``<text>``/``<title>`` elements, never markup, attributes or styles.
No script, no event attributes, no external assets.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.process_map.labels import TIMES, flow_label, format_duration, short_label, wrap_label
from app.process_map.layout import Box, Flow, Layout

__all__ = ["render_svg"]

SVG_NS = "http://www.w3.org/2000/svg"
MARGIN = 20
HEADER = 50
LEGEND = 70
#: Scoped to ``svg.pm`` and ``pm-`` classes: the SVG is also inlined into the lead's pages.
STYLE = (
    "svg.pm text{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;fill:#1f2933}"
    ".pm .pm-lane{fill:#f7f9fc;stroke:#9aa5b1}.pm .pm-lane-alt{fill:#eef2f7;stroke:#9aa5b1}"
    ".pm .pm-lane-name{font-size:13px;font-weight:600}.pm .pm-pool{fill:#fff;stroke:#52606d}"
    ".pm .pm-task{fill:#fff;stroke:#3e4c59;stroke-width:1.5}.pm .pm-task-label{font-size:12px}"
    ".pm .pm-task-stats{font-size:10px;fill:#616e7c}"
    ".pm .pm-gateway{fill:#fff8e1;stroke:#b7791f;stroke-width:1.5}"
    ".pm .pm-start{fill:#e6fffa;stroke:#2c7a7b;stroke-width:2}"
    ".pm .pm-end{fill:#fff5f5;stroke:#c53030;stroke-width:4}"
    ".pm .pm-flow{fill:none;stroke:#52606d;stroke-width:1.4}.pm .pm-flow-back{stroke-dasharray:6 3}"
    ".pm .pm-flow-label{font-size:10px;fill:#3e4c59}.pm .pm-title{font-size:18px;font-weight:700}"
    ".pm .pm-legend{font-size:11px;fill:#3e4c59}"
)


def render_svg(layout: Layout) -> str:
    """The SVG document (UTF-8 text) of ``layout``."""
    width = layout.width + 2 * MARGIN
    height = layout.height + HEADER + LEGEND + MARGIN
    root = ET.Element(f"{{{SVG_NS}}}svg", {
        "width": _n(width), "height": _n(height), "viewBox": f"0 0 {_n(width)} {_n(height)}",
        "class": "pm", "role": "img", "aria-labelledby": "pm-title",
    })
    _el(root, "title", {"id": "pm-title"}, f"Process map: {short_label(layout.title)}")
    _el(root, "style", {}, STYLE)
    _arrowhead(root)
    _el(root, "text", {"class": "pm-title", "x": _n(MARGIN), "y": "30"},
        short_label(f"{layout.title} — {layout.recordings} recording(s)", 120))
    body = _el(root, "g", {"transform": f"translate({MARGIN},{HEADER})"})
    _pool(body, layout)
    for index, lane in enumerate(layout.lanes):
        css = "pm-lane" if index % 2 == 0 else "pm-lane-alt"
        _el(body, "rect", {"class": css, "x": _n(lane.x), "y": _n(lane.y),
                           "width": _n(lane.width), "height": _n(lane.height)})
        cx, cy = lane.x + 15, lane.y + lane.height / 2
        _el(body, "text", {"class": "pm-lane-name", "x": _n(cx), "y": _n(cy),
                           "text-anchor": "middle", "transform": f"rotate(-90 {_n(cx)} {_n(cy)})"},
            short_label(lane.name, 24))
    for flow in layout.flows:
        _flow(body, flow)
    for box in layout.boxes:
        _shape(body, box)
    _legend(root, layout.height + HEADER + 25)
    ET.register_namespace("", SVG_NS)
    return ET.tostring(root, encoding="unicode", xml_declaration=False) + "\n"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _el(parent: ET.Element, tag: str, attrs: dict[str, str], text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{SVG_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _arrowhead(root: ET.Element) -> None:
    defs = _el(root, "defs", {})
    marker = _el(defs, "marker", {"id": "pm-arrow", "viewBox": "0 0 10 10", "refX": "10",
                                  "refY": "5", "markerWidth": "8", "markerHeight": "8",
                                  "orient": "auto-start-reverse"})
    _el(marker, "path", {"d": "M 0 0 L 10 5 L 0 10 z", "fill": "#52606d"})


def _pool(body: ET.Element, layout: Layout) -> None:
    _el(body, "rect", {"class": "pm-pool", "x": "0", "y": "0", "width": _n(layout.width),
                       "height": _n(layout.height)})
    cy = layout.height / 2
    _el(body, "text", {"class": "pm-lane-name", "x": "15", "y": _n(cy), "text-anchor": "middle",
                       "transform": f"rotate(-90 15 {_n(cy)})"}, short_label(layout.title, 40))


def _flow(body: ET.Element, flow: Flow) -> None:
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in flow.waypoints)
    css = "pm-flow pm-flow-back" if flow.back else "pm-flow"
    group = _el(body, "g", {"class": "pm-flow-group"})
    _el(group, "polyline", {"class": css, "points": points, "marker-end": "url(#pm-arrow)"})
    x, y, anchor = _label_anchor(flow)
    _el(group, "text", {"class": "pm-flow-label", "x": _n(x), "y": _n(y),
                        "text-anchor": anchor}, flow_label(flow.count, flow.median_ms))


def _label_anchor(flow: Flow) -> tuple[float, float, str]:
    """Where a flow's label goes: beside its last vertical run (on a column boundary, where no
    shape sits), above the middle of a straight flow, or along the channel of a loop."""
    segments = list(zip(flow.waypoints, flow.waypoints[1:], strict=False))
    if flow.back:
        start, end = segments[2] if len(segments) > 2 else segments[-1]
        return ((start[0] + end[0]) / 2, start[1] - 4, "middle")
    vertical = [(a, b) for a, b in segments if a[0] == b[0] and a[1] != b[1]]
    if vertical:
        start, end = vertical[-1]
        return (start[0] + 4, (start[1] + end[1]) / 2 + 4, "start")
    start, end = segments[-1]
    return ((start[0] + end[0]) / 2, start[1] - 5, "middle")


def _shape(body: ET.Element, box: Box) -> None:
    group = _el(body, "g", {"class": f"pm-shape pm-shape-{box.kind}"})
    cx, cy = box.center
    _el(group, "title", {}, short_label(box.label or box.kind, 300))
    if box.kind == "activity":
        _el(group, "rect", {"class": "pm-task", "x": _n(box.x), "y": _n(box.y), "rx": "8",
                            "width": _n(box.width), "height": _n(box.height)})
        lines = wrap_label(box.label, 19, 3)
        top = box.y + 16 + (3 - len(lines)) * 6
        for index, line in enumerate(lines):
            _el(group, "text", {"class": "pm-task-label", "x": _n(cx),
                                "y": _n(top + index * 14), "text-anchor": "middle"}, line)
        stats = f"{box.count}{TIMES} · median {format_duration(box.median_ms)}"
        _el(group, "text", {"class": "pm-task-stats", "x": _n(cx),
                            "y": _n(box.y + box.height - 6), "text-anchor": "middle"}, stats)
    elif box.kind == "gateway":
        half = box.width / 2
        d = f"M {_n(cx)} {_n(cy - half)} L {_n(cx + half)} {_n(cy)} L {_n(cx)} {_n(cy + half)} " \
            f"L {_n(cx - half)} {_n(cy)} z"
        _el(group, "path", {"class": "pm-gateway", "d": d})
        _el(group, "text", {"class": "pm-task-label", "x": _n(cx), "y": _n(cy + 5),
                            "text-anchor": "middle"}, TIMES)
    else:
        _el(group, "circle", {"class": f"pm-{box.kind}", "cx": _n(cx), "cy": _n(cy),
                              "r": _n(box.width / 2)})
        _el(group, "text", {"class": "pm-legend", "x": _n(cx),
                            "y": _n(box.y + box.height + 14), "text-anchor": "middle"},
            "Start" if box.kind == "start" else "End")


def _legend(root: ET.Element, y: float) -> None:
    group = _el(root, "g", {"class": "pm-legend-group",
                            "transform": f"translate({MARGIN},{_n(y)})"})
    _el(group, "circle", {"class": "pm-start", "cx": "8", "cy": "8", "r": "7"})
    _el(group, "text", {"class": "pm-legend", "x": "22", "y": "12"}, "start / end")
    _el(group, "rect", {"class": "pm-task", "x": "110", "y": "0", "width": "26", "height": "16",
                        "rx": "4"})
    _el(group, "text", {"class": "pm-legend", "x": "142", "y": "12"},
        "activity: how often, median duration")
    _el(group, "path", {"class": "pm-gateway", "d": "M 390 0 L 398 8 L 390 16 L 382 8 z"})
    _el(group, "text", {"class": "pm-legend", "x": "406", "y": "12"}, "decision: paths split")
    _el(group, "polyline", {"class": "pm-flow", "points": "540,8 580,8",
                            "marker-end": "url(#pm-arrow)"})
    _el(group, "text", {"class": "pm-legend", "x": "588", "y": "12"},
        f"transition: count{TIMES} · median time between starts")
    _el(group, "polyline", {"class": "pm-flow pm-flow-back", "points": "870,8 910,8",
                            "marker-end": "url(#pm-arrow)"})
    _el(group, "text", {"class": "pm-legend", "x": "918", "y": "12"}, "loop back")

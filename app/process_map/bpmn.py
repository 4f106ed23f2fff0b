"""Render a laid-out process map as BPMN 2.0 XML with full diagram interchange (DI).

A collaboration holds one participant (the workflow) whose process has one lane per system;
activities become tasks, decision points exclusive gateways, and every flow node, lane and the
pool get a shape with bounds, every sequence flow its waypoints, all from the one layout.
Built with ElementTree: names are XML-escaped and stripped of characters XML cannot hold.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.process_map.labels import flow_label, format_duration, short_label, xml_safe
from app.process_map.layout import Box, Layout

__all__ = ["render_bpmn"]

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NAMESPACES = {"bpmn": MODEL, "bpmndi": BPMNDI, "dc": DC, "di": DI}
TAGS = {"activity": "task", "gateway": "exclusiveGateway", "start": "startEvent",
        "end": "endEvent"}
NAME_LIMIT = 200


def render_bpmn(layout: Layout) -> str:
    """The BPMN 2.0 document (UTF-8 XML text) of ``layout``."""
    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(_m("definitions"), {
        "id": "Definitions_1", "targetNamespace": "https://sop-recorder.local/bpmn",
        "exporter": "SOP Recorder", "exporterVersion": "1",
    })
    collaboration = ET.SubElement(root, _m("collaboration"), {"id": "Collaboration_1"})
    ET.SubElement(collaboration, _m("participant"), {
        "id": "Participant_1", "name": short_label(layout.title, NAME_LIMIT),
        "processRef": "Process_1",
    })
    process = ET.SubElement(root, _m("process"), {"id": "Process_1", "isExecutable": "false"})
    _lanes(process, layout)
    _flow_nodes(process, layout)
    for flow in layout.flows:
        attrs = {"id": flow.id, "sourceRef": flow.source, "targetRef": flow.target}
        if flow.from_gateway or layout.recordings > 1:
            attrs["name"] = flow_label(flow.count, flow.median_ms)
        ET.SubElement(process, _m("sequenceFlow"), attrs)
    _diagram(root, layout)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False).join(
        ('<?xml version="1.0" encoding="UTF-8"?>\n', "\n"))


def _m(tag: str) -> str:
    return f"{{{MODEL}}}{tag}"


def _lanes(process: ET.Element, layout: Layout) -> None:
    lane_set = ET.SubElement(process, _m("laneSet"), {"id": "LaneSet_1"})
    for lane in layout.lanes:
        element = ET.SubElement(lane_set, _m("lane"), {
            "id": lane.id, "name": short_label(lane.name, NAME_LIMIT)})
        for box in layout.boxes:
            if box.lane == lane.name:
                ET.SubElement(element, _m("flowNodeRef")).text = box.id


def _flow_nodes(process: ET.Element, layout: Layout) -> None:
    incoming: dict[str, list[str]] = {box.id: [] for box in layout.boxes}
    outgoing: dict[str, list[str]] = {box.id: [] for box in layout.boxes}
    for flow in layout.flows:
        outgoing[flow.source].append(flow.id)
        incoming[flow.target].append(flow.id)
    for box in layout.boxes:
        attrs = {"id": box.id}
        if box.kind == "activity":
            attrs["name"] = short_label(box.label, NAME_LIMIT)
        element = ET.SubElement(process, _m(TAGS[box.kind]), attrs)
        if box.kind == "activity":
            ET.SubElement(element, _m("documentation")).text = _documentation(box)
        for flow_id in incoming[box.id]:
            ET.SubElement(element, _m("incoming")).text = flow_id
        for flow_id in outgoing[box.id]:
            ET.SubElement(element, _m("outgoing")).text = flow_id


def _documentation(box: Box) -> str:
    lines = [
        xml_safe(box.label),
        f"System: {xml_safe(box.system)}; screen: {xml_safe(box.screen)}; "
        f"phase: {xml_safe(box.phase)}",
        f"Performed {box.count} time(s); median {format_duration(box.median_ms)}, "
        f"p90 {format_duration(box.p90_ms)}",
    ]
    return "\n".join(lines)


def _bounds(parent: ET.Element, x: float, y: float, width: float, height: float) -> None:
    ET.SubElement(parent, f"{{{DC}}}Bounds", {
        "x": _n(x), "y": _n(y), "width": _n(width), "height": _n(height)})


def _n(value: float) -> str:
    return str(round(value))


def _diagram(root: ET.Element, layout: Layout) -> None:
    diagram = ET.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", {"id": "BPMNDiagram_1"})
    plane = ET.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", {
        "id": "BPMNPlane_1", "bpmnElement": "Collaboration_1"})
    shape_tag = f"{{{BPMNDI}}}BPMNShape"
    pool = ET.SubElement(plane, shape_tag, {
        "id": "Participant_1_di", "bpmnElement": "Participant_1", "isHorizontal": "true"})
    _bounds(pool, 0, 0, layout.width, layout.height)
    for lane in layout.lanes:
        shape = ET.SubElement(plane, shape_tag, {
            "id": f"{lane.id}_di", "bpmnElement": lane.id, "isHorizontal": "true"})
        _bounds(shape, lane.x, lane.y, lane.width, lane.height)
    for box in layout.boxes:
        attrs = {"id": f"{box.id}_di", "bpmnElement": box.id}
        if box.kind == "gateway":
            attrs["isMarkerVisible"] = "true"
        shape = ET.SubElement(plane, shape_tag, attrs)
        _bounds(shape, box.x, box.y, box.width, box.height)
    for flow in layout.flows:
        edge = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", {
            "id": f"{flow.id}_di", "bpmnElement": flow.id})
        for x, y in flow.waypoints:
            ET.SubElement(edge, f"{{{DI}}}waypoint", {"x": _n(x), "y": _n(y)})

"""BPMN 2.0 export: valid against the OMG schema, with a shape for every node and lane and
waypoints for every flow, from the one layout."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache

import pytest
import xmlschema

from app.process_map.export import render_process_map
from app.process_map.graph import build_process_graph, decision_points
from app.steps.model import RecordingSteps
from tests.conftest import SHARED
from tests.process_map.geometry import inside, overlapping_pairs
from tests.process_map.samples import demo_recording, merged_recordings

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
FLOW_NODES = ("task", "exclusiveGateway", "startEvent", "endEvent")
CASES = {"demo": lambda: [demo_recording()], "merged": merged_recordings}


@cache
def bpmn_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SHARED / "schemas" / "bpmn" / "BPMN20.xsd"))


def _bpmn(recordings: list[RecordingSteps]) -> ET.Element:
    return ET.fromstring(render_process_map(recordings, "bpmn"))


def _bounds(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for shape in root.iter(f"{{{NS['bpmndi']}}}BPMNShape"):
        b = shape.find("dc:Bounds", NS)
        assert b is not None, shape.get("id")
        out[shape.get("bpmnElement", "")] = tuple(
            float(b.get(k, "nan")) for k in ("x", "y", "width", "height"))
    return out  # type: ignore[return-value]


@pytest.mark.parametrize("case", sorted(CASES))
class TestRenderBpmn:
    def test_validates_against_the_bpmn_schema(self, case: str) -> None:
        text = render_process_map(CASES[case](), "bpmn")
        bpmn_schema().validate(text)

    def test_every_flow_node_and_lane_has_a_shape_with_bounds(self, case: str) -> None:
        root = _bpmn(CASES[case]())
        bounds = _bounds(root)
        nodes = [el for tag in FLOW_NODES for el in root.iter(f"{{{NS['bpmn']}}}{tag}")]
        lanes = list(root.iter(f"{{{NS['bpmn']}}}lane"))
        assert nodes and lanes
        for element in [*nodes, *lanes, *root.iter(f"{{{NS['bpmn']}}}participant")]:
            width, height = bounds[element.get("id", "")][2:]
            assert width > 0 and height > 0

    def test_every_sequence_flow_has_waypoints(self, case: str) -> None:
        root = _bpmn(CASES[case]())
        edges = {e.get("bpmnElement"): e for e in root.iter(f"{{{NS['bpmndi']}}}BPMNEdge")}
        flows = list(root.iter(f"{{{NS['bpmn']}}}sequenceFlow"))
        assert flows
        for flow in flows:
            points = edges[flow.get("id")].findall("di:waypoint", NS)
            assert len(points) >= 2, flow.get("id")

    def test_no_two_flow_node_shapes_overlap_and_each_is_in_its_lane(self, case: str) -> None:
        root = _bpmn(CASES[case]())
        bounds = _bounds(root)
        node_ids = [el.get("id", "") for tag in FLOW_NODES
                    for el in root.iter(f"{{{NS['bpmn']}}}{tag}")]
        assert overlapping_pairs({i: bounds[i] for i in node_ids}) == []
        for lane in root.iter(f"{{{NS['bpmn']}}}lane"):
            for ref in lane.findall("bpmn:flowNodeRef", NS):
                assert inside(bounds[ref.text or ""], bounds[lane.get("id", "")])

    def test_flow_references_resolve_and_nodes_list_their_flows(self, case: str) -> None:
        root = _bpmn(CASES[case]())
        ids = {el.get("id") for el in root.iter()}
        for flow in root.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
            assert flow.get("sourceRef") in ids and flow.get("targetRef") in ids
            source = root.find(f".//*[@id='{flow.get('sourceRef')}']")
            assert source is not None
            assert flow.get("id") in [o.text for o in source.findall("bpmn:outgoing", NS)]


def test_a_gateway_per_decision_point_with_lanes_as_systems() -> None:
    recs = merged_recordings()
    root = _bpmn(recs)
    gateways = list(root.iter(f"{{{NS['bpmn']}}}exclusiveGateway"))
    assert len(gateways) == len(decision_points(build_process_graph(recs))) == 2
    for gateway in gateways:
        assert len(gateway.findall("bpmn:outgoing", NS)) >= 2
    lanes = {lane.get("name") for lane in root.iter(f"{{{NS['bpmn']}}}lane")}
    assert lanes == {"Zendesk", "Stripe Dashboard", "Jira", "Confluence"}
    assert root.find("bpmn:collaboration/bpmn:participant", NS) is not None


def test_the_shared_valid_fixture_validates_so_the_schema_check_can_pass() -> None:
    bpmn_schema().validate(str(SHARED / "fixtures" / "bpmn" / "simple.bpmn"))
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        bpmn_schema().validate(render_process_map([demo_recording()], "bpmn").replace(
            'isExecutable="false"', 'isExecutable="maybe"'))

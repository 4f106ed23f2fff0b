"""The demo workflow, recorded through the real ingest and steps pipeline: its BPMN and XES
validate, alone and merged with a second recording."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from itertools import pairwise
from typing import Any

from app.event_log.xes import render_xes
from app.event_log.xes_checks import check_xes
from app.event_log.xes_reader import read_xes
from app.process_map.export import render_process_map
from app.process_map.graph import END, START, build_process_graph, decision_points
from tests.event_log.test_xes_writer import xes_schema
from tests.process_map.demo_data import load_demo_workflow
from tests.process_map.geometry import overlapping_pairs
from tests.process_map.test_bpmn import NS, _bounds, bpmn_schema

X = "{http://www.xes-standard.org/}"


def _value(attribute: ET.Element) -> str:
    """The value of an XES attribute element; fails if it has none."""
    value = attribute.get("value")
    assert value is not None, f"no value on the {attribute.get('key')!r} attribute"
    return value


def test_demo_and_merged_bpmn_and_xes_validate(session: Any, settings: Any) -> None:
    _, recordings = load_demo_workflow(session, settings)
    assert len(recordings) == 2 and len(recordings[0].steps) > len(recordings[1].steps) > 5
    for recs in ([recordings[0]], recordings):
        bpmn = render_process_map(recs, "bpmn")
        bpmn_schema().validate(bpmn)
        root = ET.fromstring(bpmn)
        bounds = _bounds(root)
        nodes = [el.get("id", "") for tag in ("task", "exclusiveGateway", "startEvent",
                                               "endEvent")
                 for el in root.iter(f"{{{NS['bpmn']}}}{tag}")]
        assert all(node in bounds for node in nodes)
        assert overlapping_pairs({n: bounds[n] for n in nodes}) == []
        for edge in root.iter(f"{{{NS['bpmndi']}}}BPMNEdge"):
            assert len(edge.findall("di:waypoint", NS)) >= 2
        xes = render_xes(recs)
        xes_schema().validate(xes)
        assert check_xes(read_xes(xes.encode())) == []


def test_merged_demo_has_a_decision_and_dfg_matches_the_xes(session: Any, settings: Any) -> None:
    _, recordings = load_demo_workflow(session, settings)
    graph = build_process_graph(recordings)
    assert decision_points(graph)  # escalate to Jira, or reply right away
    expected: Counter[tuple[str, str]] = Counter()
    for trace in ET.fromstring(render_xes(recordings)).findall(f"{X}trace"):
        keys = [START] + [_value(a) for e in trace.findall(f"{X}event")
                          for a in e if a.get("key") == "activity"] + [END]
        expected.update(pairwise(keys))
    assert {(s, t): d["count"] for s, t, d in graph.edges(data=True)} == expected

"""Hostile page text through every process-map and event-log exporter.

Every XML output is well formed, the SVG has no script or event attribute, Mermaid labels hold
no raw syntax, and labels round-trip (GraphML, JSON, XES, CSV) up to the characters XML cannot
hold. The Mermaid text is also parsed by the mermaid package in tests/browser.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from app.event_log.csv import render_event_csv, spreadsheet_safe
from app.event_log.xes import render_xes
from app.event_log.xes_checks import check_xes
from app.event_log.xes_reader import read_xes
from app.process_map.export import render_process_map
from app.process_map.labels import xml_safe
from app.replay.flow import to_user_flow
from app.steps.model import RecordingSteps
from tests.injection_corpus import PAYLOADS
from tests.process_map.samples import BASE_MS, step
from tests.process_map.test_bpmn import bpmn_schema

XES = "{http://www.xes-standard.org/}"


def hostile_recordings() -> list[RecordingSteps]:
    """Two recordings whose titles, systems, screens and selectors are the corpus; the second
    walks it backwards so that paths split and flows get labels."""
    steps = tuple(
        step(i, f"k{i}:{payload}", payload, system=PAYLOADS[(i * 7) % len(PAYLOADS)][:300],
             screen=payload[:200], started_ms=BASE_MS + i * 1000, selectors=(payload,))
        for i, payload in enumerate(PAYLOADS)
    )
    back = tuple(s for s in reversed(steps))
    return [
        RecordingSteps(1, PAYLOADS[0], "agent-1", BASE_MS, BASE_MS, steps),
        RecordingSteps(2, PAYLOADS[0], "agent-2", BASE_MS, BASE_MS, tuple(
            step(i, s.activity_key.split(":", 2)[2], s.title, s.system, s.screen,
                 started_ms=BASE_MS + i * 1000) for i, s in enumerate(back))),
    ]


@pytest.fixture(scope="module")
def recordings() -> list[RecordingSteps]:
    return hostile_recordings()


@pytest.mark.parametrize("fmt", ["svg", "bpmn", "graphml"])
def test_xml_outputs_are_well_formed(recordings: list[RecordingSteps], fmt: str) -> None:
    ET.fromstring(render_process_map(recordings, fmt))


def test_xes_is_well_formed_and_conforms(recordings: list[RecordingSteps]) -> None:
    log = read_xes(render_xes(recordings).encode())
    assert check_xes(log) == [] and log.warnings == []


def test_bpmn_with_hostile_names_still_validates(recordings: list[RecordingSteps]) -> None:
    bpmn_schema().validate(render_process_map(recordings, "bpmn"))


def test_svg_has_no_script_or_event_attribute(recordings: list[RecordingSteps]) -> None:
    root = ET.fromstring(render_process_map(recordings, "svg"))
    for element in root.iter():
        local = element.tag.split("}")[-1].lower()
        assert local not in ("script", "foreignobject", "iframe", "a", "image", "use")
        for name in element.attrib:
            assert not name.lower().startswith("on"), (element.tag, name)
    texts = "".join(t.text or "" for t in root.iter())
    assert "<script>" in texts  # carried as text, not markup


def test_mermaid_labels_hold_no_raw_syntax(recordings: list[RecordingSteps]) -> None:
    text = render_process_map(recordings, "mermaid")
    assert "%%" not in text and "<" not in text and "&" not in text and "\x00" not in text
    for label in re.findall(r'"([^"\n]*)"', text):
        assert re.fullmatch(r"([A-Za-z0-9 ,._\-()/\u00d7·…]|#\d+;)*", label), label
    for line in text.splitlines():
        assert not line.lstrip().startswith(("%%", "classDef evil", "click ")), line


def test_graphml_labels_round_trip(recordings: list[RecordingSteps]) -> None:
    graph = nx.read_graphml(io.BytesIO(render_process_map(recordings, "graphml").encode()))
    names = {data["name"] for _, data in graph.nodes(data=True)}
    assert {xml_safe(payload) for payload in PAYLOADS} <= names


def test_json_labels_round_trip_exactly(recordings: list[RecordingSteps]) -> None:
    data = json.loads(render_process_map(recordings, "json"))
    assert set(PAYLOADS) <= {node["name"] for node in data["nodes"]}
    assert {p[:200] for p in PAYLOADS} <= {node["screen"] for node in data["nodes"]}
    text = render_process_map(recordings, "json")
    assert "<" not in text and "&" not in text


def test_xes_labels_round_trip(recordings: list[RecordingSteps]) -> None:
    root = ET.fromstring(render_xes(recordings))
    titles = [s.get("value") for event in root.iter(f"{XES}event")
              for s in event.iter(f"{XES}string") if s.get("key") == "title"]
    assert titles[: len(PAYLOADS)] == [xml_safe(p) for p in PAYLOADS]


def test_csv_labels_round_trip_and_cannot_run_as_formulas(
    recordings: list[RecordingSteps],
) -> None:
    rows = list(csv.DictReader(io.StringIO(render_event_csv(recordings))))
    titles = [row["title"] for row in rows[: len(PAYLOADS)]]
    assert titles == [spreadsheet_safe(p.replace("\x00", "")) for p in PAYLOADS]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@"))


def test_replay_flow_carries_selectors_as_json_strings(recordings: list[RecordingSteps]) -> None:
    flow = json.loads(json.dumps(to_user_flow(recordings[0])))
    clicks = [s for s in flow["steps"] if s["type"] == "click"]
    assert [c["selectors"][0][0] for c in clicks] == [p[:2000] for p in PAYLOADS]

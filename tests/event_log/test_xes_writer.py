"""XES export: valid against the IEEE 1849 schema, the checks the schema cannot make, and the
directly-follows counts a process-mining tool would compute from it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime
from functools import cache
from itertools import pairwise

import pytest
import xmlschema

from app.event_log.xes import format_xes_date, render_xes
from app.event_log.xes_checks import check_xes
from app.event_log.xes_reader import read_xes
from app.process_map.graph import END, START, build_process_graph
from tests.conftest import SHARED
from tests.process_map.samples import BASE_MS, demo_recording, merged_recordings

X = "{http://www.xes-standard.org/}"


@cache
def xes_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SHARED / "schemas" / "xes" / "xes-ieee-1849-2016.xsd"),
                               namespace="http://www.xes-standard.org/")


def _attrs(element: ET.Element) -> dict[str, str]:
    return {child.get("key", ""): child.get("value", "") for child in element}


class TestRenderXes:
    def test_validates_against_the_xes_schema(self) -> None:
        for recs in ([demo_recording()], merged_recordings()):
            xes_schema().validate(render_xes(recs))

    def test_one_trace_per_recording_one_event_per_step(self) -> None:
        recs = merged_recordings()
        root = ET.fromstring(render_xes(recs))
        traces = root.findall(f"{X}trace")
        assert len(traces) == len(recs)
        for trace, rec in zip(traces, recs, strict=True):
            assert _attrs(trace)["concept:name"] == f"recording-{rec.recording_id}"
            events = trace.findall(f"{X}event")
            assert len(events) == len(rec.steps)
            first = _attrs(events[0])
            assert first["org:resource"] == rec.agent
            assert first["lifecycle:transition"] == "complete"
            assert first["system"] == rec.steps[0].system
            assert first["concept:name"] == "Open ticket in Zendesk"

    def test_keys_are_unique_in_every_element(self) -> None:
        root = ET.fromstring(render_xes(merged_recordings()))
        for element in root.iter():
            keys = [c.get("key") for c in element if c.get("key") is not None]
            assert len(keys) == len(set(keys)), element.tag

    def test_every_prefix_is_declared_by_an_extension(self) -> None:
        root = ET.fromstring(render_xes(merged_recordings()))
        prefixes = {e.get("prefix") for e in root.findall(f"{X}extension")}
        used = {el.get("key", "").split(":")[0] for el in root.iter()
                if ":" in el.get("key", "")}
        assert used and used <= prefixes

    def test_events_are_in_time_order_within_each_trace(self) -> None:
        root = ET.fromstring(render_xes(merged_recordings()))
        for trace in root.findall(f"{X}trace"):
            times = [datetime.fromisoformat(_attrs(e)["time:timestamp"])
                     for e in trace.findall(f"{X}event")]
            assert times == sorted(times) and len(times) > 1

    def test_every_event_holds_every_event_global(self) -> None:
        root = ET.fromstring(render_xes(merged_recordings()))
        globals_ = root.find(f"{X}global[@scope='event']")
        assert globals_ is not None
        wanted = {(c.tag, c.get("key")) for c in globals_}
        for event in root.iter(f"{X}event"):
            assert wanted <= {(c.tag, c.get("key")) for c in event}

    def test_our_reader_and_checks_agree(self) -> None:
        log = read_xes(render_xes(merged_recordings()).encode())
        assert check_xes(log) == [] and log.warnings == []

    def test_empty_workflow_is_still_valid(self) -> None:
        xes_schema().validate(render_xes([]))

    def test_the_schema_check_can_fail(self) -> None:
        broken = render_xes([demo_recording()]).replace("<trace>", "<trace><bogus/>", 1)
        with pytest.raises(xmlschema.XMLSchemaValidationError):
            xes_schema().validate(broken)


def test_dfg_equals_counts_from_the_exported_xes() -> None:
    recs = merged_recordings()
    root = ET.fromstring(render_xes(recs))
    expected: Counter[tuple[str, str]] = Counter()
    for trace in root.findall(f"{X}trace"):
        keys = [START] + [_attrs(e)["activity"] for e in trace.findall(f"{X}event")] + [END]
        expected.update(pairwise(keys))
    graph = build_process_graph(recs)
    assert {(s, t): d["count"] for s, t, d in graph.edges(data=True)} == expected


def test_format_xes_date_is_utc_with_milliseconds() -> None:
    assert format_xes_date(BASE_MS + 7) == "2025-11-22T08:26:40.007+00:00"

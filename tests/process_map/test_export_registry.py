"""The process map and the event log are in the export registry that downloads and the CLI use."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from app.exports import ExportData, find_export
from app.process_map.export import FORMATS
from tests.process_map.samples import merged_recordings


@pytest.mark.parametrize(("artifact", "fmt"), [
    *(("process-map", fmt) for fmt in FORMATS), ("event-log", "xes"), ("event-log", "csv")])
def test_registered_and_rendered_from_export_data(artifact: str, fmt: str) -> None:
    data = ExportData(name="Refund request", workflow="Refund request",
                      recordings=merged_recordings())
    export = find_export(artifact, fmt)
    body = export.render(data)
    assert isinstance(body, str) and body.strip()
    if fmt in ("svg", "bpmn", "graphml", "xes"):
        ET.fromstring(body)

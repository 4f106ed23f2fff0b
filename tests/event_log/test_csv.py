"""CSV event log: one row per step with the columns process-mining tools map."""

from __future__ import annotations

import csv
import io

from app.event_log.csv import CSV_COLUMNS, render_event_csv, spreadsheet_safe
from tests.process_map.samples import demo_recording, merged_recordings


class TestRenderEventCsv:
    def test_header_and_one_row_per_step(self) -> None:
        recs = merged_recordings()
        rows = list(csv.DictReader(io.StringIO(render_event_csv(recs))))
        assert tuple(rows[0]) == CSV_COLUMNS
        assert len(rows) == sum(len(r.steps) for r in recs)

    def test_row_values(self) -> None:
        row = next(csv.DictReader(io.StringIO(render_event_csv([demo_recording()]))))
        assert row["case_id"] == "recording-1"
        assert row["activity"] == "Open ticket in Zendesk"
        assert row["resource"] == "agent-1a2b3c"
        assert row["system"] == "Zendesk"
        assert row["timestamp"] == "2025-11-22T08:26:52.000+00:00"
        assert row["start_timestamp"] == "2025-11-22T08:26:40.000+00:00"
        assert row["duration_ms"] == "12000"


class TestSpreadsheetSafe:
    def test_formula_starts_are_quoted(self) -> None:
        for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx"):
            assert spreadsheet_safe(value) == "'" + value

    def test_plain_text_is_unchanged(self) -> None:
        assert spreadsheet_safe("Click Refund") == "Click Refund"

"""Renderers of the timing report: HTML with inline SVG charts, JSON, and CSV of the steps."""

from __future__ import annotations

import csv
import io
import json

from app.steps.model import PHASE_NAMES
from app.templating import clean_text, template_environment
from app.timing_report.charts import (
    MAX_TIMELINE_ROWS,
    SPLIT_COLOURS,
    build_charts,
    system_colours,
)
from app.timing_report.figures import TimingReport

__all__ = [
    "CSV_COLUMNS",
    "csv_cell",
    "render_timing_csv",
    "render_timing_html",
    "render_timing_json",
]

CSV_COLUMNS = (
    "recording_id", "position", "title", "system", "screen", "phase", "kind", "activity_key",
    "offset_ms", "duration_ms", "active_ms", "waiting_ms", "idle_ms",
)


def render_timing_html(report: TimingReport) -> str:
    """The report as a standalone HTML page; charts are inline SVG, nothing runs."""
    return template_environment().get_template("timing_report/report.html").render(
        report=report,
        charts=build_charts(report),
        colours=system_colours(report),
        split_colours=SPLIT_COLOURS,
        phase_names=PHASE_NAMES,
        max_timeline_rows=MAX_TIMELINE_ROWS,
    )


def render_timing_json(report: TimingReport) -> str:
    """Every figure of the report as JSON."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def csv_cell(value: object) -> str | int:
    """A CSV cell that a spreadsheet will not run: text starting with = + - @ gets a quote.

    >>> csv_cell("=SUM(A1)"), csv_cell("Set Priority"), csv_cell(42)
    ("'=SUM(A1)", 'Set Priority', 42)
    """
    if isinstance(value, int):
        return value
    text = clean_text(str(value)).replace("\n", " ")
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def render_timing_csv(report: TimingReport) -> str:
    """One row per step with its timing (RFC 4180, header row, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.steps:
        writer.writerow([csv_cell(getattr(row, column)) for column in CSV_COLUMNS])
    return out.getvalue()

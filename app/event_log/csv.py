"""Write recordings as a CSV event log: one row per step, the columns process-mining tools map."""

from __future__ import annotations

import csv as csvlib
import io
from collections.abc import Sequence

from app.event_log.xes import format_xes_date
from app.process_map.graph import activity_names
from app.steps.model import RecordingSteps

__all__ = ["CSV_COLUMNS", "render_event_csv", "spreadsheet_safe"]

CSV_COLUMNS = (
    "case_id", "activity", "activity_key", "timestamp", "start_timestamp", "lifecycle",
    "resource", "system", "screen", "phase", "title", "duration_ms", "position",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """``value`` with a leading ``'`` when a spreadsheet would run it as a formula.

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("Open ticket")
    ("'=HYPERLINK(1)", 'Open ticket')
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


def render_event_csv(recordings: Sequence[RecordingSteps]) -> str:
    """The CSV text (header row first) of every step of ``recordings``, in step order."""
    names = activity_names(recordings)
    out = io.StringIO()
    writer = csvlib.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for recording in recordings:
        latest = 0
        for step in recording.steps:
            latest = max(latest, step.started_at_ms + max(0, step.duration_ms))
            row = (
                f"recording-{recording.recording_id}", names.get(step.activity_key, step.title),
                step.activity_key, format_xes_date(latest), format_xes_date(step.started_at_ms),
                "complete", recording.agent, step.system, step.screen, step.phase, step.title,
                str(max(0, step.duration_ms)), str(step.position),
            )
            writer.writerow([spreadsheet_safe(value.replace("\x00", "")) for value in row])
    return out.getvalue()

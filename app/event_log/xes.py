"""Write recordings as an XES event log (IEEE 1849-2016): one trace per recording, one event
per step, in step order.

Every event carries ``concept:name`` (the activity's name), ``time:timestamp`` (when the step
completed, never earlier than the step before), ``lifecycle:transition`` (``complete``),
``org:resource`` (the agent's pseudonymous id), and the unprefixed ``activity`` (the activity
key, the process map's node identity), ``system``, ``screen``, ``phase``, ``title`` and
``duration_ms``. All of them are declared as globals and every event holds each one, so the
classifiers only name declared keys. Page text is stripped of characters XML cannot hold.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from app.process_map.graph import activity_names
from app.process_map.labels import xml_safe
from app.steps.model import RecordingSteps, Step

__all__ = ["EXTENSIONS", "XES_NS", "format_xes_date", "render_xes"]

XES_NS = "http://www.xes-standard.org/"
EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
)
EVENT_GLOBALS = (
    ("string", "concept:name", "__INVALID__"),
    ("date", "time:timestamp", "1970-01-01T00:00:00.000+00:00"),
    ("string", "lifecycle:transition", "complete"),
    ("string", "org:resource", "__INVALID__"),
    ("string", "activity", "__INVALID__"),
    ("string", "system", "__INVALID__"),
    ("string", "screen", ""),
    ("string", "phase", ""),
    ("string", "title", ""),
    ("int", "duration_ms", "0"),
)
CLASSIFIERS = (
    ("Activity", "activity"),
    ("Name", "concept:name"),
    ("NameAndTransition", "concept:name lifecycle:transition"),
    ("Resource", "org:resource"),
    ("System", "system"),
)


def format_xes_date(ms: int) -> str:
    """An XES (xs:dateTime) timestamp in UTC with milliseconds.

    >>> format_xes_date(1_763_800_000_123)
    '2025-11-22T08:26:40.123+00:00'
    """
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+00:00"


def render_xes(recordings: Sequence[RecordingSteps], *, title: str = "") -> str:
    """The XES document (UTF-8 XML text) of ``recordings``, in the XES namespace."""
    names = activity_names(recordings)
    root = ET.Element("log", {"xes.version": "1849.2016", "xes.features": "",
                              "xmlns": XES_NS})
    for name, prefix, uri in EXTENSIONS:
        ET.SubElement(root, "extension", {"name": name, "prefix": prefix, "uri": uri})
    trace_globals = ET.SubElement(root, "global", {"scope": "trace"})
    _attr(trace_globals, "string", "concept:name", "__INVALID__")
    event_globals = ET.SubElement(root, "global", {"scope": "event"})
    for kind, key, value in EVENT_GLOBALS:
        _attr(event_globals, kind, key, value)
    for name, keys in CLASSIFIERS:
        ET.SubElement(root, "classifier", {"name": name, "scope": "event", "keys": keys})
    _attr(root, "string", "concept:name", title or (recordings[0].workflow if recordings else ""))
    _attr(root, "string", "lifecycle:model", "standard")
    for recording in recordings:
        trace = ET.SubElement(root, "trace")
        _attr(trace, "string", "concept:name", f"recording-{recording.recording_id}")
        _attr(trace, "string", "workflow", recording.workflow)
        latest = 0
        for step in recording.steps:
            latest = max(latest, _completed(step))
            _event(trace, step, names.get(step.activity_key, step.title), recording.agent, latest)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _completed(step: Step) -> int:
    return step.started_at_ms + max(0, step.duration_ms)


def _event(trace: ET.Element, step: Step, name: str, agent: str, completed_ms: int) -> None:
    """One event; ``completed_ms`` never goes back in time within a trace."""
    event = ET.SubElement(trace, "event")
    values = {
        "concept:name": name, "time:timestamp": format_xes_date(completed_ms),
        "lifecycle:transition": "complete", "org:resource": agent,
        "activity": step.activity_key, "system": step.system, "screen": step.screen,
        "phase": step.phase, "title": step.title, "duration_ms": str(max(0, step.duration_ms)),
    }
    for kind, key, _default in EVENT_GLOBALS:
        _attr(event, kind, key, values[key])


def _attr(parent: ET.Element, kind: str, key: str, value: str) -> None:
    ET.SubElement(parent, kind, {"key": key, "value": xml_safe(value)})

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

from collections.abc import Sequence
from datetime import UTC, datetime

from app.process_map.graph import activity_names
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
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<log xes.version="1849.2016" xes.features="" xmlns="{XES_NS}">']
    lines += [f'  <extension name="{name}" prefix="{prefix}" uri="{uri}"/>'
              for name, prefix, uri in EXTENSIONS]
    lines += ['  <global scope="trace">', _attr("string", "concept:name", "__INVALID__", 4),
              "  </global>", '  <global scope="event">']
    lines += [_attr(kind, key, value, 4) for kind, key, value in EVENT_GLOBALS]
    lines.append("  </global>")
    lines += [f'  <classifier name="{name}" scope="event" keys="{keys}"/>'
              for name, keys in CLASSIFIERS]
    lines.append(_attr("string", "concept:name",
                       title or (recordings[0].workflow if recordings else ""), 2))
    lines.append(_attr("string", "lifecycle:model", "standard", 2))
    for recording in recordings:
        lines += ["  <trace>",
                  _attr("string", "concept:name", f"recording-{recording.recording_id}", 4),
                  _attr("string", "workflow", recording.workflow, 4)]
        latest = 0
        for step in recording.steps:
            latest = max(latest, step.started_at_ms + max(0, step.duration_ms))
            lines += _event(step, names.get(step.activity_key, step.title), recording.agent,
                            latest)
        lines.append("  </trace>")
    lines.append("</log>")
    return "\n".join(lines) + "\n"


def _event(step: Step, name: str, agent: str, completed_ms: int) -> list[str]:
    """One event; ``completed_ms`` never goes back in time within a trace."""
    values = {
        "concept:name": name, "time:timestamp": format_xes_date(completed_ms),
        "lifecycle:transition": "complete", "org:resource": agent,
        "activity": step.activity_key, "system": step.system, "screen": step.screen,
        "phase": step.phase, "title": step.title, "duration_ms": str(max(0, step.duration_ms)),
    }
    return ["    <event>",
            *(_attr(kind, key, values[key], 6) for kind, key, _default in EVENT_GLOBALS),
            "    </event>"]


#: XML attribute escaping in one pass: markup characters and whitespace as references, and the
#: characters XML 1.0 cannot hold at all (C0 controls, lone surrogates, U+FFFE/U+FFFF) dropped.
_ATTRIBUTE_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
    "\t": "&#9;",
    **{chr(code): None for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                                    *range(0xD800, 0xE000), 0xFFFE, 0xFFFF)},
})


def _escape(text: str) -> str:
    r"""``text`` as the inside of a double-quoted XML attribute.

    >>> _escape('a"<b>&\x00\n')
    'a&quot;&lt;b&gt;&amp;&#10;'
    """
    return text.translate(_ATTRIBUTE_ESCAPES)


def _attr(kind: str, key: str, value: str, indent: int) -> str:
    """An attribute element with its key and value escaped."""
    return f'{" " * indent}<{kind} key="{_escape(key)}" value="{_escape(value)}"/>'


"""Plain data that flows between the pipeline stages and into every output generator.

The stages take and return these frozen dataclasses, never ORM rows or requests, so each stage
can be tested with literal inputs and every generator (SOP, process map, timing report, event
log) reads the same shapes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "PHASES",
    "RawEvent",
    "RecordingSteps",
    "Step",
    "TargetInfo",
    "TitlePart",
]

#: The phases of ticket work, in order (DESIGN §5).
PHASES: tuple[str, ...] = ("triage", "diagnose", "resolve", "confirm", "close")

PHASE_NAMES: dict[str, str] = {
    "triage": "Receive and triage",
    "diagnose": "Diagnose",
    "resolve": "Resolve or escalate",
    "confirm": "Confirm with the customer",
    "close": "Close and log",
}


@dataclass(frozen=True, slots=True)
class TargetInfo:
    """The element an event happened on, as the extension described it."""

    tag: str = ""
    role: str | None = None
    name: str | None = None
    input_type: str | None = None
    selectors: tuple[str, ...] = ()
    heading: str | None = None
    dialog: str | None = None
    form: str | None = None
    landmark: str | None = None


@dataclass(frozen=True, slots=True)
class RawEvent:
    """One stored event, as the pipeline reads it (wire format v1, already redacted)."""

    id: str
    seq: int
    type: str
    ts: int
    tab: int = 0
    frame: int = 0
    url: str = ""
    title: str = ""
    target: TargetInfo | None = None
    field: str | None = None
    control: str | None = None
    choice: str | None = None
    checked: bool | None = None
    transition: str | None = None
    load_ms: int | None = None
    state: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class TitlePart:
    """A run of a step title; ``strong`` runs are the control, field or option names."""

    text: str
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """One meaningful action, in words, with its place and its time.

    ``title`` is the plain sentence ("Set Priority to Urgent"); ``parts`` is the same sentence
    split into runs so that renderers can emphasise names while escaping each run for their
    format. ``activity_key`` names the same action the same way in another recording
    (``"zendesk:ticket-view:set:priority"``).
    """

    position: int
    kind: str  # click | choose | edit | submit | navigate | switch_tab | marker
    title: str
    parts: tuple[TitlePart, ...]
    activity_key: str
    system: str
    system_category: str  # help_desk | issue_tracker | billing | knowledge_base | chat | crm | ...
    screen: str
    url_template: str
    phase: str  # one of PHASES
    started_at_ms: int
    duration_ms: int
    active_ms: int
    waiting_ms: int
    idle_ms: int
    event_ids: tuple[str, ...]
    tab: int = 0
    control: str | None = None  # the control's accessible name
    field: str | None = None  # the field label for choose/edit steps
    choice: str | None = None  # the chosen option's label for choose steps
    selectors: tuple[str, ...] = ()
    is_triage: bool = False
    is_escalation: bool = False
    host: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        """Rebuild a step from :meth:`to_dict` output."""
        values = dict(data)
        values["parts"] = tuple(TitlePart(**p) for p in values.get("parts", ()))
        values["event_ids"] = tuple(values.get("event_ids", ()))
        values["selectors"] = tuple(values.get("selectors", ()))
        return cls(**values)


@dataclass(frozen=True, slots=True)
class RecordingSteps:
    """The steps of one recording, with what the generators need to know about it."""

    recording_id: int
    workflow: str
    agent: str  # pseudonymous agent id, e.g. "agent-3f9a2c"
    started_at_ms: int
    ended_at_ms: int
    steps: tuple[Step, ...]
    ticket_ref: str | None = None
    dropped: tuple[tuple[str, str], ...] = field(default=())  # (event id, reason)

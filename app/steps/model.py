"""Plain data that flows between the pipeline stages and into every output generator.

The stages take and return these frozen dataclasses, never ORM rows or requests, so each stage
can be tested with literal inputs and every generator (SOP, process map, timing report, event
log) reads the same shapes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, field, fields
from functools import cache
from typing import Any

from pydantic_core import SchemaValidator, ValidationError, core_schema

__all__ = [
    "PHASES",
    "RawEvent",
    "RecordingSteps",
    "Step",
    "TargetInfo",
    "TitlePart",
    "steps_from_json",
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
        get = data.get
        return cls(**{
            **data,
            "parts": tuple([TitlePart(**part) for part in get("parts", ())]),
            "event_ids": tuple(get("event_ids", ())),
            "selectors": tuple(get("selectors", ())),
        })


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


#: The core schema of each annotation a stored dataclass field has (strict: exactly what
#: ``to_dict`` writes, so that whatever it accepts, ``Step.from_dict`` builds the same).
_FIELD_SCHEMAS: dict[str, Callable[[], core_schema.CoreSchema]] = {
    "int": lambda: core_schema.int_schema(strict=True),
    "str": lambda: core_schema.str_schema(strict=True),
    "bool": lambda: core_schema.bool_schema(strict=True),
    "str | None": lambda: core_schema.nullable_schema(core_schema.str_schema(strict=True),
                                                      strict=True),
    "tuple[str, ...]": lambda: core_schema.tuple_schema(
        [core_schema.str_schema(strict=True)], variadic_item_index=0, strict=True),
    "tuple[TitlePart, ...]": lambda: core_schema.tuple_schema(
        [_dataclass_schema(TitlePart)], variadic_item_index=0, strict=True),
}


def _dataclass_schema(cls: type[Any]) -> core_schema.CoreSchema:
    """A strict schema of a frozen, slotted dataclass of this module, built from its fields
    (a hand-made schema: pydantic's generator takes about 100 ms to make the same)."""
    args = []
    for spec in fields(cls):
        schema = _FIELD_SCHEMAS[str(spec.type)]()
        if spec.default is not MISSING:
            schema = core_schema.with_default_schema(schema, default=spec.default)
        args.append(core_schema.dataclass_field(spec.name, schema))
    return core_schema.dataclass_schema(
        cls, core_schema.dataclass_args_schema(cls.__name__, args, extra_behavior="forbid"),
        [spec.name for spec in fields(cls)], strict=True, frozen=True, slots=True,
    )


@cache
def _steps_validator() -> SchemaValidator:
    return SchemaValidator(core_schema.list_schema(_dataclass_schema(Step)),
                           core_schema.CoreConfig(strict=True))


def steps_from_json(text: str | bytes) -> list[Step]:
    """The steps of a JSON array of :meth:`Step.to_dict` outputs, as :meth:`Step.from_dict`
    builds them.

    Stored steps are built in one pass of pydantic-core (half the time of decoding then
    constructing each frozen dataclass in Python, with a fraction of the short-lived objects);
    an array that pass does not take as it is (an older shape, a missing list) is read by
    :meth:`Step.from_dict`, which also gives its errors.

    >>> text = '[{"position": 1, "kind": "click", "title": "Click Save", "parts": '
    >>> text += '[{"text": "Click "}, {"text": "Save", "strong": true}], "activity_key": "a", '
    >>> text += '"system": "Zendesk", "system_category": "help_desk", "screen": "Ticket", '
    >>> text += '"url_template": "/t/{id}", "phase": "triage", "started_at_ms": 0, '
    >>> text += '"duration_ms": 5, "active_ms": 5, "waiting_ms": 0, "idle_ms": 0}]'
    >>> [step] = steps_from_json(text)
    >>> step.parts, step.event_ids
    ((TitlePart(text='Click ', strong=False), TitlePart(text='Save', strong=True)), ())
    >>> step == Step.from_dict(json.loads(text)[0])
    True
    """
    try:
        steps: list[Step] = _steps_validator().validate_json(text)
        return steps
    except ValidationError:
        return [Step.from_dict(item) for item in json.loads(text)]

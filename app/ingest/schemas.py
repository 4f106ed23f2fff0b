"""Wire format v1 (DESIGN §4) as pydantic models: closed, capped and ranged."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, NotRequired
from uuid import UUID

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, with_config
from typing_extensions import TypedDict

__all__ = [
    "BATCH",
    "Batch",
    "BatchAck",
    "ClientInfo",
    "Event",
    "RecordingCreate",
    "RecordingPage",
    "RecordingRead",
    "batch_schema",
    "client_key",
    "largest_instance",
]

Short = Annotated[str, StringConstraints(max_length=64)]
Name = Annotated[str, StringConstraints(max_length=512)]
Url = Annotated[str, StringConstraints(max_length=2048)]
Selector = Annotated[str, StringConstraints(max_length=1024)]

#: 2000-01-01 .. 2100-01-01 in epoch milliseconds.
TS_MIN, TS_MAX = 946_684_800_000, 4_102_444_800_000
INT32 = 2**31 - 1


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# The events are TypedDicts, not models: a batch validates into plain dicts about 40 % faster
# (500 events: 1.7 instead of 2.8 ms), and the ingest path only reads them into rows. An
# optional field may be absent from the dict; its default is what the row gets (rows.py).
_CLOSED = with_config(ConfigDict(extra="forbid", allow_inf_nan=False))


def _default(value: Any) -> Any:
    """Publish an absent field's default in the JSON Schema (a TypedDict holds none)."""
    return Field(json_schema_extra={"default": value})


@_CLOSED
class Page(TypedDict):
    url: Url
    title: NotRequired[Annotated[Name, _default("")]]


@_CLOSED
class TargetContext(TypedDict, total=False):
    heading: Annotated[Name | None, _default(None)]
    dialog: Annotated[Name | None, _default(None)]
    form: Annotated[Name | None, _default(None)]
    landmark: Annotated[Name | None, _default(None)]


@_CLOSED
class Target(TypedDict):
    tag: Short
    role: NotRequired[Annotated[Short | None, _default(None)]]
    name: NotRequired[Annotated[Name | None, _default(None)]]
    input_type: NotRequired[Annotated[Short | None, _default(None)]]
    selectors: NotRequired[Annotated[list[Selector], Field(max_length=10), _default([])]]
    context: NotRequired[Annotated[TargetContext, _default(dict.fromkeys(
        ("dialog", "form", "heading", "landmark")))]]


#: An event's id: a UUID as a string, in any case, with or without its hyphens. Kept as the
#: string it came in (a ``UUID`` object would cost a parse and a re-format per event);
#: :func:`client_key` gives the spelling it is stored under.
ClientId = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-Fa-f]{8}(-?[0-9A-Fa-f]{4}){3}-?[0-9A-Fa-f]{12}$"),
    Field(json_schema_extra={"format": "uuid"}),
]


def client_key(client_id: str) -> str:
    """The canonical spelling of a valid client id (lower case, hyphenated), its stored key.

    >>> client_key("0190A0C4-0000-7000-8000-000000000001")
    '0190a0c4-0000-7000-8000-000000000001'
    >>> client_key("0190a0c400007000800000000000000a")
    '0190a0c4-0000-7000-8000-00000000000a'
    """
    return client_id.lower() if len(client_id) == 36 else str(UUID(client_id))


@_CLOSED
class _EventBase(TypedDict):
    id: ClientId
    seq: Annotated[int, Field(ge=0, le=2**53 - 1)]
    ts: Annotated[int, Field(ge=TS_MIN, le=TS_MAX)]
    tab: Annotated[int, Field(ge=-1, le=INT32)]
    frame: Annotated[int, Field(ge=0, le=2**53 - 1)]
    page: Page


@_CLOSED
class ClickEvent(_EventBase):
    type: Literal["click"]
    target: Target


@_CLOSED
class SubmitEvent(_EventBase):
    type: Literal["submit"]
    target: Target


Control = Literal[
    "text",
    "textarea",
    "contenteditable",
    "select",
    "checkbox",
    "radio",
    "toggle",
    "date",
    "number",
    "range",
    "color",
    "file",
    "other",
]


@_CLOSED
class ChangeEvent(_EventBase):
    type: Literal["change"]
    target: Target
    field: NotRequired[Annotated[Name | None, _default(None)]]
    control: Control
    choice: NotRequired[Annotated[Name | None, _default(None)]]
    checked: NotRequired[Annotated[bool | None, _default(None)]]


Transition = Literal["link", "typed", "reload", "back_forward", "history", "form_submit", "new_tab"]


@_CLOSED
class NavigationEvent(_EventBase):
    type: Literal["navigation"]
    transition: Transition
    load_ms: NotRequired[Annotated[int | None, Field(ge=0, le=600_000), _default(None)]]


@_CLOSED
class VisibilityEvent(_EventBase):
    type: Literal["visibility"]
    state: Literal["visible", "hidden"]


@_CLOSED
class TabSwitchEvent(_EventBase):
    type: Literal["tab_switch"]


@_CLOSED
class MarkerEvent(_EventBase):
    type: Literal["marker"]
    label: Annotated[str, StringConstraints(min_length=1, max_length=200)]


Event = Annotated[
    ClickEvent
    | SubmitEvent
    | ChangeEvent
    | NavigationEvent
    | VisibilityEvent
    | TabSwitchEvent
    | MarkerEvent,
    Field(discriminator="type"),
]


@_CLOSED
class Batch(TypedDict):
    """One request of events: ``{"events": [...]}``, at most 500 of them."""

    events: Annotated[list[Event], Field(min_length=1, max_length=500)]


#: Validates a batch, from parsed JSON (``validate_python``) or from the raw bytes.
BATCH = TypeAdapter(Batch)


def batch_schema() -> dict[str, Any]:
    """The JSON Schema of a batch of events, as ``GET /api/v1/schema/events`` serves it."""
    schema = BATCH.json_schema()
    schema["$id"] = "https://sop-recorder.local/schema/events/v1"
    schema["title"] = "SOP Recorder events batch, wire format v1"
    return schema


def largest_instance(schema: dict[str, Any], definitions: dict[str, Any] | None = None) -> Any:
    """The instance of a closed JSON Schema that serializes longest, in ASCII characters.

    Every optional property is present, strings are at their ``maxLength`` (a ``uuid`` at
    36), arrays at ``maxItems``, integers at their longest bound, and a union takes its
    longest branch. A string or array with no cap has no largest instance: ``ValueError``.

    >>> largest_instance({"type": "object", "properties": {
    ...     "n": {"type": "integer", "minimum": -1, "maximum": 999},
    ...     "s": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]}}})
    {'n': 999, 's': 'xxx'}
    """
    definitions = schema.get("$defs", definitions or {})
    ref = schema.get("$ref")
    if ref is not None:
        return largest_instance(definitions[ref.removeprefix("#/$defs/")], definitions)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options is not None or "enum" in schema:
        candidates = (
            [largest_instance(option, definitions) for option in options]
            if options is not None else schema["enum"]
        )
        return max(candidates, key=lambda value: len(pydantic_core.to_json(value)))
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        return {name: largest_instance(node, definitions)
                for name, node in schema.get("properties", {}).items()}
    if kind == "array":
        if "maxItems" not in schema:
            raise ValueError(f"an array without maxItems has no largest instance: {schema}")
        return [largest_instance(schema["items"], definitions)] * schema["maxItems"]
    if kind == "string":
        if schema.get("format") == "uuid":
            return "00000000-0000-0000-0000-000000000000"
        if "maxLength" not in schema:
            raise ValueError(f"a string without maxLength has no largest instance: {schema}")
        return "x" * schema["maxLength"]
    if kind == "integer":
        if "minimum" not in schema or "maximum" not in schema:
            raise ValueError(f"an integer without both bounds has no largest instance: {schema}")
        return max(schema["minimum"], schema["maximum"], key=lambda n: len(str(n)))
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    raise ValueError(f"no largest instance of {schema}")


#: The longest compact JSON an event can have when its strings need no escapes and no
#: character above ASCII: each character is then one byte (``store.validate_body``).
def _largest_plain_event_bytes() -> int:
    schema = BATCH.json_schema()
    event = {**schema["properties"]["events"]["items"], "$defs": schema["$defs"]}
    return len(pydantic_core.to_json(largest_instance(event)))


LARGEST_PLAIN_EVENT_BYTES = _largest_plain_event_bytes()


def inline_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every ``$defs`` reference inlined (for ``openapi_extra``)."""
    schema = dict(schema)
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


class BatchAck(BaseModel):
    """Sent only after the batch committed."""

    inserted: int
    duplicates: int
    received: int
    event_count: int


#: No NUL character: PostgreSQL text cannot hold one (a 422 instead of a server error).
_NO_NUL = r"^[^\x00]*$"


class ClientInfo(_Closed):
    extension_version: Annotated[str, StringConstraints(max_length=32, pattern=_NO_NUL)] | None = (
        None
    )
    browser: Annotated[str, StringConstraints(max_length=128, pattern=_NO_NUL)] | None = None
    os: Annotated[str, StringConstraints(max_length=64, pattern=_NO_NUL)] | None = None
    timezone: Annotated[str, StringConstraints(max_length=64, pattern=_NO_NUL)] | None = None


class RecordingCreate(_Closed):
    """Open a recording in a workflow, named (created if new) or by id."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["workflow"], "properties": {"workflow": {"type": "string"}}},
                {"required": ["workflow_id"], "properties": {"workflow_id": {"type": "integer"}}},
            ]
        }
    )

    workflow: (
        Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True,
                                         pattern=_NO_NUL)]
        | None
    ) = None
    workflow_id: int | None = Field(default=None, ge=1, le=INT32)
    ticket_ref: Annotated[str, StringConstraints(max_length=200, pattern=_NO_NUL)] | None = None
    client: ClientInfo = ClientInfo()


class RecordingRead(BaseModel):
    id: int
    workflow_id: int
    workflow: str
    status: str
    source: str
    ticket_ref: str | None
    client: dict[str, Any]
    recorded_by: str | None
    event_count: int
    manifest: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None


class RecordingPage(BaseModel):
    items: list[RecordingRead]
    total: int
    limit: int
    offset: int

"""Wire format v1 (DESIGN §4) as pydantic models: closed, capped and ranged."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "Batch",
    "BatchAck",
    "ClientInfo",
    "Event",
    "RecordingCreate",
    "RecordingPage",
    "RecordingRead",
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


class Page(_Closed):
    url: Url
    title: Name = ""


class TargetContext(_Closed):
    heading: Name | None = None
    dialog: Name | None = None
    form: Name | None = None
    landmark: Name | None = None


class Target(_Closed):
    tag: Short
    role: Short | None = None
    name: Name | None = None
    input_type: Short | None = None
    selectors: Annotated[list[Selector], Field(max_length=10)] = []
    context: TargetContext = TargetContext()


class _EventBase(_Closed):
    id: UUID
    seq: int = Field(ge=0, le=2**53 - 1)
    ts: int = Field(ge=TS_MIN, le=TS_MAX)
    tab: int = Field(ge=-1, le=INT32)
    frame: int = Field(ge=0, le=2**53 - 1)
    page: Page


class ClickEvent(_EventBase):
    type: Literal["click"]
    target: Target


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


class ChangeEvent(_EventBase):
    type: Literal["change"]
    target: Target
    field: Name | None = None
    control: Control
    choice: Name | None = None
    checked: bool | None = None


Transition = Literal["link", "typed", "reload", "back_forward", "history", "form_submit", "new_tab"]


class NavigationEvent(_EventBase):
    type: Literal["navigation"]
    transition: Transition
    load_ms: int | None = Field(default=None, ge=0, le=600_000)


class VisibilityEvent(_EventBase):
    type: Literal["visibility"]
    state: Literal["visible", "hidden"]


class TabSwitchEvent(_EventBase):
    type: Literal["tab_switch"]


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


class Batch(_Closed):
    """One request of events: ``{"events": [...]}``, at most 500 of them."""

    events: Annotated[list[Event], Field(min_length=1, max_length=500)]


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with every ``$defs`` reference inlined (for ``openapi_extra``)."""
    schema = model.model_json_schema()
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

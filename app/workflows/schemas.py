"""API schemas of workflows: the list, one workflow, the lead's edits and per-step notes.

Every string has a cap and every list a size limit; unknown fields are refused (422).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_serializer,
)

__all__ = [
    "EscalationIn",
    "RaciIn",
    "RaciRoleIn",
    "RelatedDocumentIn",
    "SlaTargetIn",
    "StepNoteIn",
    "TriageConditionIn",
    "WorkflowDetailsIn",
    "WorkflowPage",
    "WorkflowRead",
    "WorkflowSummary",
    "WorkflowUpdate",
]


def _checked(pattern: str, message: str) -> AfterValidator:
    """Check ``pattern`` with a message a person understands (pydantic's names the regex)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)


_NO_NUL = r"^[^\x00]*$"
_NUL_MESSAGE = "NUL characters are not allowed (PostgreSQL text cannot hold them)"


_NoNul = _checked(_NO_NUL, _NUL_MESSAGE)


def _schema(max_length: int, min_length: int = 0) -> WithJsonSchema:
    """The exact OpenAPI schema of a capped string without NUL."""
    return WithJsonSchema({"type": "string", "minLength": min_length, "maxLength": max_length,
                           "pattern": _NO_NUL})


Text100 = Annotated[str, StringConstraints(max_length=100), _NoNul, _schema(100)]
Text200 = Annotated[str, StringConstraints(max_length=200), _NoNul, _schema(200)]
Text300 = Annotated[str, StringConstraints(max_length=300), _NoNul, _schema(300)]
Text500 = Annotated[str, StringConstraints(max_length=500), _NoNul, _schema(500)]
Text1000 = Annotated[str, StringConstraints(max_length=1000), _NoNul, _schema(1000)]
Text2000 = Annotated[str, StringConstraints(max_length=2000), _NoNul, _schema(2000)]
Text5000 = Annotated[str, StringConstraints(max_length=5000), _NoNul, _schema(5000)]
Required100 = Annotated[
    str, StringConstraints(min_length=1, max_length=100), _NoNul, _schema(100, 1)
]
Required200 = Annotated[
    str, StringConstraints(min_length=1, max_length=200), _NoNul, _schema(200, 1)
]
Required300 = Annotated[
    str, StringConstraints(min_length=1, max_length=300), _NoNul, _schema(300, 1)
]
Required500 = Annotated[
    str, StringConstraints(min_length=1, max_length=500), _NoNul, _schema(500, 1)
]
_URL = r"^$|^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20/?#]+[^\x00-\x20]*$"
#: An absolute http(s) address, or empty.
Url = Annotated[str, StringConstraints(max_length=2048),
                _checked(_URL, "give an absolute http:// or https:// address"),
                WithJsonSchema({"type": "string", "maxLength": 2048, "pattern": _URL})]
_LETTERS = r"^[RACIraci]*$"
#: RACI letters of one phase, any case ("ar" is stored as "AR"); empty means none.
Letters = Annotated[str, StringConstraints(max_length=4),
                    _checked(_LETTERS, "use the letters R, A, C, I (for example 'R' or 'AR')"),
                    AfterValidator(str.upper),
                    WithJsonSchema({"type": "string", "maxLength": 4, "pattern": _LETTERS})]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RaciIn(_Closed):
    """Who is Responsible, Accountable, Consulted, Informed in each phase."""

    triage: Letters = ""
    diagnose: Letters = ""
    resolve: Letters = ""
    confirm: Letters = ""
    close: Letters = ""


class RaciRoleIn(_Closed):
    role: Required100
    responsibilities: Text1000 = ""
    raci: RaciIn = RaciIn()

    @field_serializer("raci")
    def _letters_only(self, raci: RaciIn) -> dict[str, str]:
        """Stored as ``{phase: letters}`` with the empty phases left out."""
        return {phase: letters for phase, letters in raci.model_dump().items() if letters}


class SlaTargetIn(_Closed):
    name: Required200
    target_minutes: int = Field(ge=1, le=525_600)
    measure: Literal["total", "triage", "diagnose", "resolve", "confirm", "close"] = "total"


class EscalationIn(_Closed):
    trigger: Required500
    escalate_to: Required200
    contact: Text300 = ""
    sla: Text100 = ""
    activity_key: Text300 = ""


class TriageConditionIn(_Closed):
    field: Required200
    choice: Required200
    when: Required500


class RelatedDocumentIn(_Closed):
    title: Required300
    url: Url = ""


class WorkflowDetailsIn(_Closed):
    """What the lead enters; a field left out of a PATCH keeps its stored value."""

    title: Text200 = ""
    purpose: Text5000 = ""
    scope: Text5000 = ""
    out_of_scope: Text5000 = ""
    owner: Text200 = ""
    approver: Text200 = ""
    effective_date: date | None = None
    review_interval_days: int | None = Field(default=None, ge=1, le=1095)
    roles: Annotated[list[RaciRoleIn], Field(max_length=30)] = []
    prerequisites: Annotated[list[Text500], Field(max_length=50)] = []
    sla_targets: Annotated[list[SlaTargetIn], Field(max_length=30)] = []
    escalation: Annotated[list[EscalationIn], Field(max_length=30)] = []
    triage_conditions: Annotated[list[TriageConditionIn], Field(max_length=100)] = []
    exceptions: Annotated[list[Text1000], Field(max_length=50)] = []
    quality_checks: Annotated[list[Text500], Field(max_length=50)] = []
    related_documents: Annotated[list[RelatedDocumentIn], Field(max_length=50)] = []


class WorkflowUpdate(_Closed):
    """``PATCH /api/v1/workflows/{id}``: rename, and/or change some of the lead's sections."""

    name: Required200 | None = None
    details: WorkflowDetailsIn | None = None


class StepNoteIn(_Closed):
    """A note and a warning on one activity (either may be empty, not both)."""

    note: Text2000 = ""
    warning: Text1000 = ""


class WorkflowSummary(BaseModel):
    id: int
    name: str
    recordings: int
    last_recorded_at: datetime | None
    created_at: datetime


class WorkflowPage(BaseModel):
    items: list[WorkflowSummary]
    total: int
    limit: int
    offset: int


class WorkflowRead(BaseModel):
    id: int
    name: str
    created_at: datetime
    recordings: int
    details: dict[str, Any]
    step_notes: dict[str, Any]
    downloads: dict[str, list[str]]

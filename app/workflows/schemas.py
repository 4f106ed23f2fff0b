"""API schemas of workflows: the list, one workflow, the lead's edits and per-step notes.

Every string has a cap and every list a size limit; unknown fields are refused (422).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.steps.model import PHASES
from app.templating import safe_url

__all__ = [
    "EscalationIn",
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


def _capped(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed (PostgreSQL text cannot hold them)")
    return value


NoNul = AfterValidator(_no_nul)
Text100 = Annotated[str, _capped(100), NoNul]
Text200 = Annotated[str, _capped(200), NoNul]
Text300 = Annotated[str, _capped(300), NoNul]
Text500 = Annotated[str, _capped(500), NoNul]
Text1000 = Annotated[str, _capped(1000), NoNul]
Text2000 = Annotated[str, _capped(2000), NoNul]
Text5000 = Annotated[str, _capped(5000), NoNul]
Url = Annotated[str, _capped(2048), NoNul]
Required100 = Annotated[str, _capped(100, 1), NoNul]
Required200 = Annotated[str, _capped(200, 1), NoNul]
Required300 = Annotated[str, _capped(300, 1), NoNul]
Required500 = Annotated[str, _capped(500, 1), NoNul]
_RACI = re.compile(r"^[RACI]{1,4}$")


def _check_raci(value: dict[str, str]) -> dict[str, str]:
    for phase, letters in value.items():
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase[:40]!r}; use one of {', '.join(PHASES)}")
        if letters and not _RACI.match(letters.upper()):
            raise ValueError(f"{phase}: use the letters R, A, C, I (for example 'R' or 'AR')")
    return {phase: letters.upper() for phase, letters in value.items() if letters}


def _check_url(value: str) -> str:
    if value and not safe_url(value):
        raise ValueError("give an absolute http:// or https:// address")
    return value


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RaciRoleIn(_Closed):
    role: Required100
    responsibilities: Text1000 = ""
    raci: Annotated[
        dict[Annotated[str, StringConstraints(max_length=20)],
             Annotated[str, StringConstraints(max_length=4)]],
        Field(max_length=len(PHASES)),
        AfterValidator(_check_raci),
    ] = {}


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
    url: Annotated[Url, AfterValidator(_check_url)] = ""


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

"""The SOP document model: typed, pure data that every SOP renderer (and the web pages) read.

``LeadDetails`` is what the lead enters and a recording cannot know; ``SopDocument`` is the whole
document, built by :func:`app.sop.build.build_sop` from steps, those details and the revisions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from app.steps.model import TitlePart

__all__ = [
    "SECTIONS",
    "DecisionBranch",
    "DecisionPoint",
    "EscalationRow",
    "EscalationTarget",
    "LeadDetails",
    "MacroUse",
    "PhaseSection",
    "ProcedureStep",
    "RaciRole",
    "RecordEntry",
    "RecordingSource",
    "RelatedDocument",
    "Revision",
    "SlaRow",
    "SlaTarget",
    "SopDocument",
    "StepNote",
    "ToolEntry",
    "TriageCondition",
    "TriageRule",
]

#: Every section of DESIGN §6.1 after the title, in document order: (id, heading).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("document-control", "Document control"),
    ("purpose", "Purpose"),
    ("scope", "Scope"),
    ("roles", "Roles and responsibilities"),
    ("tools", "Tools and systems"),
    ("prerequisites", "Information needed before starting"),
    ("procedure", "Procedure"),
    ("triage", "Triage rules"),
    ("escalation", "Escalation path"),
    ("slas", "SLAs and response targets"),
    ("macros", "Macros and canned replies"),
    ("exceptions", "Exceptions and edge cases"),
    ("quality", "Quality checks"),
    ("records", "Records"),
    ("revisions", "Revision history"),
    ("related", "Related documents"),
)


@dataclass(frozen=True, slots=True)
class RaciRole:
    """One role of the RACI table: letters (R, A, C, I) per phase key."""

    role: str
    responsibilities: str = ""
    raci: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """A target set by the lead; ``measure`` is ``"total"`` or a phase key."""

    name: str
    target_minutes: int
    measure: str = "total"


@dataclass(frozen=True, slots=True)
class EscalationTarget:
    """Where to escalate, entered by the lead; ``activity_key`` ties it to a detected hand-off."""

    trigger: str
    escalate_to: str
    contact: str = ""
    sla: str = ""
    activity_key: str = ""


@dataclass(frozen=True, slots=True)
class TriageCondition:
    """The lead's "when" for a triage choice (``field`` set to ``choice``)."""

    field: str
    choice: str
    when: str


@dataclass(frozen=True, slots=True)
class RelatedDocument:
    """A document to read alongside; ``url`` is rendered as a link only if it is http(s)."""

    title: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class StepNote:
    """The lead's note and warning on one activity; they survive re-recording."""

    note: str = ""
    warning: str = ""


@dataclass(frozen=True, slots=True)
class LeadDetails:
    """What a recording cannot know, as the lead entered it (every field optional)."""

    title: str = ""
    purpose: str = ""
    scope: str = ""
    out_of_scope: str = ""
    owner: str = ""
    approver: str = ""
    effective_date: date | None = None
    review_interval_days: int | None = None
    roles: tuple[RaciRole, ...] = ()
    prerequisites: tuple[str, ...] = ()
    sla_targets: tuple[SlaTarget, ...] = ()
    escalation: tuple[EscalationTarget, ...] = ()
    triage_conditions: tuple[TriageCondition, ...] = ()
    exceptions: tuple[str, ...] = ()
    quality_checks: tuple[str, ...] = ()
    related_documents: tuple[RelatedDocument, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> LeadDetails:
        """Rebuild from the JSON stored in ``Workflow.details`` (validated on the way in)."""
        data = data or {}
        effective = data.get("effective_date")
        return cls(
            title=data.get("title") or "",
            purpose=data.get("purpose") or "",
            scope=data.get("scope") or "",
            out_of_scope=data.get("out_of_scope") or "",
            owner=data.get("owner") or "",
            approver=data.get("approver") or "",
            effective_date=date.fromisoformat(effective) if effective else None,
            review_interval_days=data.get("review_interval_days"),
            roles=tuple(RaciRole(**r) for r in data.get("roles") or ()),
            prerequisites=tuple(data.get("prerequisites") or ()),
            sla_targets=tuple(SlaTarget(**s) for s in data.get("sla_targets") or ()),
            escalation=tuple(EscalationTarget(**e) for e in data.get("escalation") or ()),
            triage_conditions=tuple(
                TriageCondition(**t) for t in data.get("triage_conditions") or ()
            ),
            exceptions=tuple(data.get("exceptions") or ()),
            quality_checks=tuple(data.get("quality_checks") or ()),
            related_documents=tuple(
                RelatedDocument(**d) for d in data.get("related_documents") or ()
            ),
        )


@dataclass(frozen=True, slots=True)
class Revision:
    """One entry of the revision history (from the workflow's versions)."""

    version: int
    date: date
    author: str
    summary: str
    published_by: str = ""


@dataclass(frozen=True, slots=True)
class ToolEntry:
    """A system used in the recordings, with its screens and how much of the work it took."""

    system: str
    category: str
    screens: tuple[str, ...]
    step_count: int
    total_ms: int


@dataclass(frozen=True, slots=True)
class ProcedureStep:
    """One numbered step of the procedure; ``event_ids`` trace it to the recorded events."""

    number: int
    title: str
    parts: tuple[TitlePart, ...]
    kind: str
    system: str
    screen: str
    activity_key: str
    typical_ms: int
    seen_in: int
    note: str = ""
    warning: str = ""
    is_triage: bool = False
    is_escalation: bool = False
    recording_id: int = 0
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DecisionBranch:
    """One way on from a decision point, and how many recordings took it.

    ``steps`` are the branch's own step titles (empty when it goes on with the procedure);
    ``condition`` is what distinguished it in the data ("Plan is Annual"), when anything did;
    ``rejoins_at`` is the procedure step it continues with (0: the end).
    """

    count: int
    steps: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    condition: str = ""
    follows_procedure: bool = False
    rejoins_at: int = 0


@dataclass(frozen=True, slots=True)
class DecisionPoint:
    """Where recordings split after procedure step ``after_step`` (0: at the start)."""

    after_step: int
    reached: int
    branches: tuple[DecisionBranch, ...]


@dataclass(frozen=True, slots=True)
class PhaseSection:
    """The steps of one phase, under its heading."""

    phase: str
    name: str
    steps: tuple[ProcedureStep, ...]
    typical_ms: int


@dataclass(frozen=True, slots=True)
class TriageRule:
    """A choice made in triage: set ``field`` to ``choice`` (when ``when``)."""

    field: str
    choice: str
    system: str
    step_number: int
    when: str = ""


@dataclass(frozen=True, slots=True)
class EscalationRow:
    """One row of the escalation path; ``detected`` rows come from a recorded hand-off."""

    trigger: str
    escalate_to: str
    contact: str
    sla: str
    detected: bool
    step_number: int = 0


@dataclass(frozen=True, slots=True)
class SlaRow:
    """A target beside the measured handling time (median over recordings)."""

    name: str
    measure: str
    target_ms: int | None
    measured_ms: int | None
    within: bool | None


@dataclass(frozen=True, slots=True)
class MacroUse:
    """A macro or canned reply applied in the recordings."""

    name: str
    system: str
    step_number: int


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """What is logged where: a field set on a record, or an update submitted."""

    what: str
    system: str
    screen: str
    step_number: int


@dataclass(frozen=True, slots=True)
class RecordingSource:
    """A recording the document was generated from."""

    recording_id: int
    agent: str
    ticket_ref: str | None
    recorded_on: str
    step_count: int
    total_ms: int


@dataclass(frozen=True, slots=True)
class SopDocument:
    """The whole SOP; ``prompts`` says what to fill in for each section that is still empty."""

    workflow: str
    title: str
    version: int | None
    details: LeadDetails
    next_review_date: date | None
    tools: tuple[ToolEntry, ...]
    phases: tuple[PhaseSection, ...]
    triage_rules: tuple[TriageRule, ...]
    escalation: tuple[EscalationRow, ...]
    slas: tuple[SlaRow, ...]
    macros: tuple[MacroUse, ...]
    exceptions: tuple[str, ...]
    records: tuple[RecordEntry, ...]
    revisions: tuple[Revision, ...]
    sources: tuple[RecordingSource, ...]
    prompts: dict[str, str]
    sections: tuple[tuple[str, str], ...] = SECTIONS
    decisions: tuple[DecisionPoint, ...] = ()

    @property
    def step_count(self) -> int:
        """How many numbered steps the procedure has."""
        return sum(len(phase.steps) for phase in self.phases)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole document (dates as ISO strings)."""
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value

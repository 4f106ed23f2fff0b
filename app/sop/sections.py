"""The SOP sections that a recording fills in: triage, escalation, SLAs, macros, records, variants.

Each function reads steps (and the lead's details) and returns rows of the document model; every
row names the step it came from, so each sentence is traceable to recorded events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from app.sop.document import (
    EscalationRow,
    LeadDetails,
    MacroUse,
    RecordEntry,
    SlaRow,
    SopDocument,
    TriageRule,
)
from app.steps.model import PHASE_NAMES, PHASES, RecordingSteps, Step
from app.timing_report.percentiles import median

__all__ = [
    "PROMPTS",
    "escalation_path",
    "forward_phases",
    "macros",
    "records",
    "sla_rows",
    "triage_rules",
    "variants",
    "with_prompts",
]

#: What to fill in, per section, when the section has nothing yet.
PROMPTS: dict[str, str] = {
    "document-control": "Name the owner and the approver of this procedure, and how often it is "
    "reviewed (for example every 90 days).",
    "purpose": "Say in one or two sentences why this procedure exists and what a good outcome "
    "looks like for the customer.",
    "scope": "Say which tickets this procedure covers (type, channel, plan) and which it does not.",
    "roles": "List the roles involved (agent, team lead, billing, engineering) and mark for each "
    "phase who is Responsible, Accountable, Consulted and Informed.",
    "tools": "Record a ticket with the extension: the systems it touches appear here.",
    "prerequisites": "List what the agent needs before starting (access rights, the customer's "
    "account id, the order number).",
    "procedure": "Record a ticket of this kind with the extension, then finish the recording: "
    "its steps appear here, numbered by phase.",
    "triage": "No triage choice was recorded. Record a ticket in which priority, type or group is "
    "set, or write the rules here.",
    "escalation": "No hand-off was detected. Add when to escalate, to whom, and within what time.",
    "slas": "Set the response and resolution targets; the measured times appear beside them.",
    "macros": "No macro or canned reply was used in the recordings. List the ones agents "
    "should use.",
    "exceptions": "Describe the cases this procedure does not handle the usual way, and what to "
    "do instead.",
    "quality": "List what to check before solving (for example: the customer's question is fully "
    "answered, the ticket fields are set, the refund appears in the billing system).",
    "records": "Say what must be logged on the ticket and where.",
    "revisions": "Not published yet: the revision history starts with the first published version.",
    "related": "Link the knowledge-base articles, policies and other procedures to read alongside.",
}

_MACRO_WORDS = ("macro", "canned", "snippet", "template", "saved repl")


def forward_phases(steps: Sequence[Step]) -> list[str]:
    """The phase each step is listed under: a procedure moves forward through the phases.

    Contract: a step placed in an earlier phase than the one before it stays, in order, under
    the current phase; phases outside ``PHASES`` are kept as they are.

    >>> from types import SimpleNamespace as S
    >>> forward_phases([S(phase=p) for p in ("triage", "diagnose", "triage", "resolve")])
    ['triage', 'diagnose', 'diagnose', 'resolve']
    """
    rank = {phase: index for index, phase in enumerate(PHASES)}
    current = -1
    out = []
    for step in steps:
        if step.phase not in rank:
            out.append(step.phase)
            continue
        current = max(current, rank[step.phase])
        out.append(PHASES[current])
    return out


def triage_rules(
    recordings: Sequence[RecordingSteps], numbered: Mapping[str, int], details: LeadDetails
) -> tuple[TriageRule, ...]:
    """Each distinct choice made in triage, with the lead's condition when one was entered."""
    when = {(c.field.casefold(), c.choice.casefold()): c.when for c in details.triage_conditions}
    rules: dict[tuple[str, str], TriageRule] = {}
    for recording in recordings:
        listed_under = forward_phases(recording.steps)
        for step, phase in zip(recording.steps, listed_under, strict=True):
            if not (step.field and step.choice and phase == PHASES[0]):
                continue
            key = (step.field.casefold(), step.choice.casefold())
            if key not in rules:
                rules[key] = TriageRule(
                    field=step.field,
                    choice=step.choice,
                    system=step.system,
                    step_number=numbered.get(step.activity_key, 0),
                    when=when.get(key, ""),
                )
    return tuple(rules.values())


def escalation_path(
    base: RecordingSteps | None, numbered: Mapping[str, int], details: LeadDetails
) -> tuple[EscalationRow, ...]:
    """Detected hand-offs (merged with the lead's row for the same activity), then the lead's."""
    by_key = {e.activity_key: e for e in details.escalation if e.activity_key}
    rows: list[EscalationRow] = []
    used: set[str] = set()
    for step in base.steps if base else ():
        if not step.is_escalation or step.activity_key in used:
            continue
        used.add(step.activity_key)
        lead = by_key.get(step.activity_key)
        rows.append(
            EscalationRow(
                trigger=lead.trigger if lead else step.title,
                escalate_to=lead.escalate_to if lead else f"{step.system} ({step.screen})",
                contact=lead.contact if lead else "",
                sla=lead.sla if lead else "",
                detected=True,
                step_number=numbered.get(step.activity_key, 0),
            )
        )
    for entry in details.escalation:
        if entry.activity_key not in used:
            rows.append(
                EscalationRow(entry.trigger, entry.escalate_to, entry.contact, entry.sla, False)
            )
    return tuple(rows)


def sla_rows(recordings: Sequence[RecordingSteps], details: LeadDetails) -> tuple[SlaRow, ...]:
    """The lead's targets beside the median measured time; without targets, the measured times."""
    measured = _measured(recordings)
    if details.sla_targets:
        rows = []
        for target in details.sla_targets:
            value = measured.get(target.measure)
            target_ms = target.target_minutes * 60_000
            within = None if value is None else value <= target_ms
            rows.append(SlaRow(target.name, target.measure, target_ms, value, within))
        return tuple(rows)
    return tuple(
        SlaRow(_measure_name(measure), measure, None, value, None)
        for measure, value in measured.items()
    )


def _measured(recordings: Sequence[RecordingSteps]) -> dict[str, int]:
    if not any(r.steps for r in recordings):
        return {}
    per_measure: dict[str, list[int]] = {"total": []}
    for recording in recordings:
        per_measure["total"].append(sum(s.duration_ms for s in recording.steps))
        for phase in PHASES:
            spent = [s.duration_ms for s in recording.steps if s.phase == phase]
            if spent:
                per_measure.setdefault(phase, []).append(sum(spent))
    return {measure: median(values) for measure, values in per_measure.items()}


def _measure_name(measure: str) -> str:
    return "Total handling time" if measure == "total" else PHASE_NAMES.get(measure, measure)


def macros(
    recordings: Sequence[RecordingSteps], numbered: Mapping[str, int]
) -> tuple[MacroUse, ...]:
    """Macros and canned replies applied: a choice in a macro field, or a click on a macro."""
    found: dict[tuple[str, str], MacroUse] = {}
    for recording in recordings:
        for step in recording.steps:
            label = f"{step.field or ''} {step.control or ''}".casefold()
            if not any(word in label for word in _MACRO_WORDS):
                continue
            name = step.choice or step.control or step.title
            key = (name.casefold(), step.system)
            found.setdefault(key, MacroUse(name, step.system, numbered.get(step.activity_key, 0)))
    return tuple(found.values())


def records(base: RecordingSteps | None, numbered: Mapping[str, int]) -> tuple[RecordEntry, ...]:
    """The fields changed on records, the updates submitted, and where the resolution was logged.

    The resolution is the last submit or click listed under the closing phase.
    """
    steps = base.steps if base else ()
    closing = [s for s, phase in zip(steps, forward_phases(steps), strict=True)
               if phase == PHASES[-1] and s.kind in ("submit", "click")]
    resolution = closing[-1] if closing else None
    entries: dict[tuple[str, str], RecordEntry] = {}
    for step in steps:
        if step is resolution:
            what = f"Resolution logged: {step.control or step.title}"
        elif step.kind == "choose" and step.field:
            what = f"{step.field}: set to {step.choice}" if step.choice else f"{step.field}: set"
        elif step.kind == "edit" and step.field:
            what = f"{step.field}: written by the agent"
        elif step.kind == "submit":
            what = f"Submitted: {step.control or step.title}"
        else:
            continue
        number = numbered.get(step.activity_key, 0)
        entries.setdefault(
            (what, step.system), RecordEntry(what, step.system, step.screen, number)
        )
    return tuple(entries.values())


def variants(
    recordings: Sequence[RecordingSteps], base: RecordingSteps | None
) -> tuple[str, ...]:
    """Steps that other recordings took and the procedure lacks: "In 1 of 3 recordings: ..."."""
    if base is None or len(recordings) < 2:
        return ()
    in_base = {s.activity_key for s in base.steps}
    seen: dict[str, tuple[str, str, int]] = {}
    for recording in recordings:
        for key in dict.fromkeys(s.activity_key for s in recording.steps):
            if key in in_base:
                continue
            step = next(s for s in recording.steps if s.activity_key == key)
            title, system, count = seen.get(key, (step.title, step.system, 0))
            seen[key] = (title, system, count + 1)
    return tuple(
        f"In {count} of {len(recordings)} recordings: {title} ({system})"
        for title, system, count in seen.values()
    )


def with_prompts(document: SopDocument) -> SopDocument:
    """The document with a what-to-fill-in prompt for every section that is still empty."""
    d = document.details
    filled = {
        "document-control": bool(d.owner and d.approver and d.review_interval_days),
        "purpose": bool(d.purpose),
        "scope": bool(d.scope or d.out_of_scope),
        "roles": bool(d.roles),
        "tools": bool(document.tools),
        "prerequisites": bool(d.prerequisites),
        "procedure": bool(document.phases),
        "triage": bool(document.triage_rules),
        "escalation": bool(document.escalation),
        "slas": bool(d.sla_targets),
        "macros": bool(document.macros),
        "exceptions": bool(document.exceptions),
        "quality": bool(d.quality_checks),
        "records": bool(document.records),
        "revisions": bool(document.revisions),
        "related": bool(d.related_documents),
    }
    prompts = {key: PROMPTS[key] for key, ok in filled.items() if not ok}
    return dataclasses.replace(document, prompts=prompts)


"""Literal steps for the SOP and timing-report tests (no database, no pipeline)."""

from __future__ import annotations

import re
from typing import Any

from docx.text.paragraph import Paragraph

from app.steps.model import RecordingSteps, Step, TitlePart

BASE_MS = 1_763_800_000_000

_CATEGORIES = {"Zendesk": "help_desk", "Stripe": "billing", "Jira": "issue_tracker"}


def parts_of(title: str) -> tuple[TitlePart, ...]:
    """``"Set **Priority** to **Urgent**"`` -> runs with the starred ones strong."""
    runs = re.split(r"\*\*(.+?)\*\*", title)
    return tuple(TitlePart(text, strong=i % 2 == 1) for i, text in enumerate(runs) if text)


def step(title: str, **fields: Any) -> dict[str, Any]:
    """A step spec: the title (``**`` marks strong runs) and overrides of :class:`Step`."""
    return {"title": title, **fields}


def recording(
    specs: list[dict[str, Any]], *, recording_id: int = 1, start_ms: int = BASE_MS,
    workflow: str = "Refund request", agent: str = "agent-3f9a2c", ticket_ref: str | None = None,
) -> RecordingSteps:
    """Steps laid end to end from ``start_ms``; each spec may set any :class:`Step` field."""
    steps = []
    at = start_ms
    for position, spec in enumerate(specs, start=1):
        spec = dict(spec)
        title = spec.pop("title")
        system = spec.pop("system", "Zendesk")
        duration = spec.pop("duration_ms", 10_000)
        waiting = spec.pop("waiting_ms", 0)
        idle = spec.pop("idle_ms", 0)
        kind = spec.pop("kind", "click")
        screen = spec.pop("screen", "Ticket view")
        key = spec.pop("activity_key", f"{system}:{screen}:{kind}:{title}".lower().replace("*", ""))
        values: dict[str, Any] = {
            "position": position,
            "kind": kind,
            "title": title.replace("**", ""),
            "parts": parts_of(title),
            "activity_key": key,
            "system": system,
            "system_category": spec.pop("system_category", _CATEGORIES.get(system, "other")),
            "screen": screen,
            "url_template": spec.pop("url_template", "/agent/tickets/{id}"),
            "phase": spec.pop("phase", "triage"),
            "started_at_ms": at,
            "duration_ms": duration,
            "active_ms": duration - waiting - idle,
            "waiting_ms": waiting,
            "idle_ms": idle,
            "event_ids": (f"ev-{recording_id}-{position}",),
        }
        values.update(spec)
        steps.append(Step(**values))
        at += duration
    return RecordingSteps(
        recording_id=recording_id, workflow=workflow, agent=agent, started_at_ms=start_ms,
        ended_at_ms=at, steps=tuple(steps), ticket_ref=ticket_ref,
    )


def ticket_specs() -> list[dict[str, Any]]:
    """A refund ticket across Zendesk, Stripe and Jira, with triage, a macro and an escalation."""
    return [
        step("Open the **Ticket** view", kind="navigate", duration_ms=8_000, waiting_ms=1_200),
        step("Set **Priority** to **Urgent**", kind="choose", field="Priority", choice="Urgent",
             is_triage=True, duration_ms=6_000),
        step("Set **Type** to **Incident**", kind="choose", field="Type", choice="Incident",
             is_triage=True, duration_ms=5_000),
        step("Set **Group** to **Billing**", kind="choose", field="Group", choice="Billing",
             is_triage=True, duration_ms=7_000),
        step("Open the customer's **Subscription** page in Stripe", system="Stripe",
             screen="Subscription", kind="navigate", phase="diagnose", duration_ms=42_000,
             waiting_ms=2_400),
        step("Click **Refund payment**", system="Stripe", screen="Payment", phase="diagnose",
             duration_ms=95_000, idle_ms=65_000),
        step("Click **Create issue** in Jira", system="Jira", screen="Create issue",
             phase="resolve", is_escalation=True, duration_ms=30_000),
        step("Edit **Summary**", system="Jira", screen="Create issue", kind="edit",
             field="Summary", phase="resolve", duration_ms=50_000),
        step("Submit **Create**", system="Jira", screen="Create issue", kind="submit",
             control="Create", phase="resolve", duration_ms=12_000, waiting_ms=900),
        step("Apply macro **Refund issued**", kind="choose", field="Macro",
             choice="Refund issued", phase="confirm", duration_ms=9_000),
        step("Edit **Public reply**", kind="edit", field="Public reply", phase="confirm",
             duration_ms=70_000),
        step("Set **Status** to **Solved**", kind="choose", field="Status", choice="Solved",
             phase="close", duration_ms=4_000),
        step("Submit **Submit as Solved**", kind="submit", control="Submit as Solved",
             phase="close", duration_ms=3_000, waiting_ms=600),
    ]


def style_name(paragraph: Paragraph) -> str:
    """The name of a DOCX paragraph's style; fails if the paragraph has no style."""
    style = paragraph.style
    assert style is not None, f"no style on {paragraph.text!r}"
    return str(style.name)

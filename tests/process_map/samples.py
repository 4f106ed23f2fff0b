"""Literal steps for the process-map and event-log tests: one demo-like ticket and its variants."""

from __future__ import annotations

from app.steps.model import RecordingSteps, Step, TitlePart

__all__ = ["BASE_MS", "demo_recording", "merged_recordings", "recording", "step"]

BASE_MS = 1_763_800_000_000

#: (activity, title, system, screen, phase, seconds) of a refund ticket worked end to end.
DEMO = [
    ("open", "Open ticket in Zendesk", "Zendesk", "Ticket view", "triage", 12),
    ("priority", "Set Priority to Urgent", "Zendesk", "Ticket view", "triage", 5),
    ("customer", "Open the customer's Subscription page", "Stripe Dashboard", "Subscription",
     "diagnose", 40),
    ("invoice", "Open Invoice", "Stripe Dashboard", "Invoice", "diagnose", 25),
    ("refund", "Click Refund", "Stripe Dashboard", "Invoice", "resolve", 30),
    ("article", "Open article Refund policy", "Confluence", "Page", "resolve", 60),
    ("reply", "Click Submit as Solved", "Zendesk", "Ticket view", "close", 8),
]


def step(position: int, key: str, title: str, system: str = "Zendesk",
         screen: str = "Ticket view", phase: str = "triage", started_ms: int = 0,
         duration_ms: int = 1000, **extra: object) -> Step:
    """One step with the fields the generators read."""
    return Step(
        position=position, kind=str(extra.pop("kind", "click")), title=title,
        parts=(TitlePart(title),), activity_key=f"{system.lower()}:{screen.lower()}:{key}",
        system=system, system_category="help_desk", screen=screen,
        url_template=str(extra.pop("url_template", "/agent/tickets/{id}")), phase=phase,
        started_at_ms=started_ms, duration_ms=duration_ms, active_ms=duration_ms,
        waiting_ms=0, idle_ms=0, event_ids=(f"e{position}",), **extra,  # type: ignore[arg-type]
    )


def recording(recording_id: int, rows: list[tuple[str, str, str, str, str, int]],
              agent: str = "agent-1a2b3c", workflow: str = "Refund request",
              start_ms: int = BASE_MS) -> RecordingSteps:
    """A recording whose steps follow one another without gaps."""
    steps, at = [], start_ms
    for position, (key, title, system, screen, phase, seconds) in enumerate(rows):
        steps.append(step(position, key, title, system, screen, phase, at, seconds * 1000))
        at += seconds * 1000
    return RecordingSteps(recording_id, workflow, agent, start_ms, at, tuple(steps))


def demo_recording() -> RecordingSteps:
    """The demo ticket: seven steps across Zendesk, Stripe and Confluence."""
    return recording(1, DEMO)


def merged_recordings() -> list[RecordingSteps]:
    """Four recordings of one workflow: the demo path, a path that skips the article, one that
    escalates to Jira, and one that loops back to the invoice."""
    skip = [row for row in DEMO if row[0] != "article"]
    escalate = [*DEMO[:3], ("jira", "Click Create issue", "Jira", "Create issue", "resolve", 90),
                DEMO[-1]]
    loop = [*DEMO[:5], DEMO[3], DEMO[4], DEMO[-1]]
    return [
        recording(1, DEMO),
        recording(2, skip, agent="agent-4d5e6f", start_ms=BASE_MS + 3_600_000),
        recording(3, escalate, agent="agent-4d5e6f", start_ms=BASE_MS + 7_200_000),
        recording(4, loop, agent="agent-777777", start_ms=BASE_MS + 10_800_000),
    ]

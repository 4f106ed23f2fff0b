"""Turn a recording's steps into a Chrome DevTools Recorder user flow (JSON-ready dict).

The flow sets a viewport, navigates to where the recording started, and clicks what the agent
clicked, with the step's alternative selectors (``aria/…``, ``[data-testid=…]``, ``#id``, CSS).
It never types: edited fields are only clicked (focused), so no typed value can be in it, and
none was ever captured. URLs are the redacted templates (``/tickets/{id}``), so a lead fills in
a real ticket before replaying.
"""

from __future__ import annotations

from typing import Any

from app.steps.model import RecordingSteps, Step

__all__ = ["VIEWPORT", "step_url", "to_user_flow"]

VIEWPORT: dict[str, Any] = {
    "type": "setViewport", "width": 1280, "height": 800, "deviceScaleFactor": 1,
    "isMobile": False, "hasTouch": False, "isLandscape": False,
}
CLICKED_KINDS = frozenset({"click", "submit", "choose", "edit"})
MAX_SELECTORS = 6
MAX_TEXT = 2000


def to_user_flow(recording: RecordingSteps) -> dict[str, Any]:
    """The DevTools Recorder user flow of ``recording``.

    >>> from app.steps.model import RecordingSteps
    >>> to_user_flow(RecordingSteps(7, "Refund", "agent-1", 0, 0, ()))["steps"][0]["type"]
    'setViewport'
    """
    steps: list[dict[str, Any]] = [dict(VIEWPORT)]
    current_url = ""
    for step in recording.steps:
        url = step_url(step)
        if url and (step.kind == "navigate" or _host(url) != _host(current_url)):
            steps.append({"type": "navigate", "url": url})
            current_url = url
        if step.kind in CLICKED_KINDS and step.selectors:
            steps.append({
                "type": "click", "target": "main",
                "selectors": [[selector[:MAX_TEXT]] for selector in
                              step.selectors[:MAX_SELECTORS]],
                "offsetX": 1, "offsetY": 1,
            })
    title = f"{recording.workflow} — recording {recording.recording_id}"
    return {"title": title[:MAX_TEXT], "steps": steps}


def step_url(step: Step) -> str:
    """``https://host/path-template`` of a step, or ``""`` when its host is unknown."""
    if not step.host:
        return ""
    path = step.url_template if step.url_template.startswith("/") else "/" + step.url_template
    return f"https://{step.host}{path}"[:MAX_TEXT]


def _host(url: str) -> str:
    return url.split("/")[2] if url.count("/") >= 2 else ""

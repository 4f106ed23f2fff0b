"""Chrome DevTools Recorder user flows (``@puppeteer/replay`` JSON) as wire-format events.

Kept: navigations, clicks (also double and non-primary), changes (as "edited field", the typed
``value`` is never read), form submissions by Enter, and the tabs/pop-ups targets. Skipped and
counted: viewport and network emulation, waits, scrolls, hovers, key presses.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from app.importers.wire import EventWriter, ImportedRecording

__all__ = ["STEP_GAP_MS", "USER_FLOW_SCHEMA", "read_user_flow"]

#: Imported flows carry no times; their steps are spaced this far apart.
STEP_GAP_MS = 1_000
_CLICKS = frozenset({"click", "doubleClick"})
_SELECTORS = {"type": "array", "items": {"anyOf": [
    {"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}
#: The part of the user-flow format that becomes a recording (OpenAPI of the import route);
#: other step types (viewport, keys, waits, ...) are accepted and skipped.
USER_FLOW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["steps"],
    "properties": {
        "title": {"type": "string"},
        "steps": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"enum": ["navigate", "click", "doubleClick", "change"]},
                "url": {"type": "string"},
                "target": {"type": "string"},
                "selectors": _SELECTORS,
                "frame": {"type": "array", "items": {"type": "integer"}},
            },
        }},
    },
}


def _selectors(step: dict[str, Any]) -> list[str]:
    out = []
    for selector in step.get("selectors") or []:
        parts = selector if isinstance(selector, list) else [selector]
        out.append(" >>> ".join(str(part) for part in parts))
    return out


def _aria_name(step: dict[str, Any]) -> str | None:
    for selector in step.get("selectors") or []:
        parts = selector if isinstance(selector, list) else [selector]
        first = str(parts[0]) if parts else ""
        if first.startswith("aria/") and not first.startswith("aria/["):
            return first.removeprefix("aria/").rstrip(":").strip() or None
    return None


def _navigation_of(step: dict[str, Any]) -> tuple[str, str] | None:
    for asserted in step.get("assertedEvents") or []:
        if isinstance(asserted, dict) and asserted.get("type") == "navigation":
            return str(asserted.get("url") or ""), str(asserted.get("title") or "")
    return None


def _tab_of(target: Any, tabs: dict[str, int]) -> int:
    key = str(target or "main")
    if key not in tabs:
        tabs[key] = len(tabs) + 1
    return tabs[key]


def _target(step: dict[str, Any], tag: str) -> dict[str, Any]:
    return {"tag": tag, "name": _aria_name(step), "selectors": _selectors(step)}


def _validate(flow: Any) -> list[dict[str, Any]]:
    if not isinstance(flow, dict) or not isinstance(flow.get("steps"), list):
        raise ValueError('a user flow is a JSON object with a "steps" list')
    steps: list[dict[str, Any]] = flow["steps"]
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("type"), str):
            raise ValueError(f"steps[{index}] must be an object with a string type")
    return steps


def read_user_flow(flow: Any, *, start_ms: int) -> ImportedRecording:
    """The events of a DevTools Recorder user flow, spaced :data:`STEP_GAP_MS` apart.

    >>> flow = {"title": "t", "steps": [
    ...     {"type": "navigate", "url": "https://shop.test/"},
    ...     {"type": "click", "selectors": [["#name"]]},
    ...     {"type": "change", "value": "jane", "selectors": [["#name"]]}]}
    >>> rec = read_user_flow(flow, start_ms=1_700_000_000_000)
    >>> [e["type"] for e in rec.events], "jane" in str(rec.events)
    (['navigation', 'click', 'change'], False)
    """
    steps = _validate(flow)
    title = str(flow.get("title") or "Imported user flow")[:200]
    digest = hashlib.sha256(json.dumps(flow, sort_keys=True).encode()).hexdigest()
    recording = ImportedRecording(title=title, source="devtools-recorder")
    writer = EventWriter(recording, digest)
    tabs: dict[str, int] = {"main": 1}
    for index, step in enumerate(steps):
        ts = start_ms + index * STEP_GAP_MS
        kind = step["type"]
        following = steps[index + 1] if index + 1 < len(steps) else {}
        if kind == "navigate":
            writer.switch_tab(_tab_of(step.get("target"), tabs), ts)
            asserted = _navigation_of(step)
            writer.navigate(str(step.get("url") or ""), asserted[1] if asserted else "", ts,
                            "typed")
        elif kind in _CLICKS or kind == "change":
            target = step.get("target") or "main"
            writer.switch_tab(_tab_of(target, tabs), ts, "" if target == "main" else str(target))
            frame = len(step.get("frame") or [])
            if kind == "change":
                writer.act("change", ts, _target(step, "input"), frame, control="other",
                           field=_aria_name(step))
            else:
                focuses = following.get("type") == "change" and _selectors(following) == (
                    _selectors(step)
                )
                writer.act("click", ts, _target(step, "input" if focuses else "element"), frame)
        elif kind == "keyDown" and _navigation_of(step) is not None:
            writer.act("submit", ts, {"tag": "form"})
        else:
            recording.skipped[f"{kind} step"] += 1
            continue
        navigation = _navigation_of(step)
        if navigation is not None and kind != "navigate":
            transition = "form_submit" if kind == "keyDown" else "link"
            writer.navigate(navigation[0], navigation[1], ts + STEP_GAP_MS // 2, transition)
    return recording

"""Builders of wire-format events for tests."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

_seq = itertools.count(1)
BASE_TS = 1_763_800_000_000


def event(type_: str = "click", *, seq: int | None = None, ts: int | None = None,
          **fields: Any) -> dict[str, Any]:
    """One valid wire-format event of ``type_``, with overrides."""
    n = next(_seq) if seq is None else seq
    base: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "seq": n,
        "type": type_,
        "ts": BASE_TS + n * 1000 if ts is None else ts,
        "tab": 1,
        "frame": 0,
        "page": {"url": "https://acme.zendesk.com/agent/tickets/4821", "title": "Ticket #4821"},
    }
    if type_ in ("click", "submit", "change"):
        base["target"] = {
            "tag": "button", "role": "button", "name": "Submit as Solved",
            "selectors": ["aria/Submit as Solved", "[data-test-id=submit]"],
            "context": {"heading": "Ticket #4821", "form": "Ticket"},
        }
    if type_ == "change":
        base.update(field="Priority", control="select", choice="Urgent")
    if type_ == "navigation":
        base.update(transition="link", load_ms=420)
    if type_ == "visibility":
        base["state"] = "hidden"
    if type_ == "marker":
        base["label"] = "Escalating now"
    base.update(fields)
    return base


def batch(n: int, **fields: Any) -> dict[str, Any]:
    """A batch of ``n`` click events with increasing ``seq``."""
    return {"events": [event("click", **fields) for _ in range(n)]}

"""Golden step titles of the real DevTools Recorder flows.

Regenerate (then review the diff) with:
    .venv/bin/python -m tests.importers.golden --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from app.importers.devtools import read_user_flow
from app.ingest.schemas import Event, client_key
from app.steps.derive import derive_steps
from app.steps.model import RawEvent, TargetInfo
from tests.conftest import SHARED

FLOWS_DIR = SHARED / "fixtures" / "devtools-recorder"
GOLDEN = Path(__file__).resolve().parents[1] / "data" / "devtools_recorder_steps.json"
START_MS = 1_763_800_000_000
_EVENT: TypeAdapter[Any] = TypeAdapter(Event)


def flows() -> dict[str, Any]:
    """Every flow: the 35 of recorder_test.json and example-recording.json."""
    out: dict[str, Any] = {"example-recording": json.loads(
        (FLOWS_DIR / "example-recording.json").read_text())}
    out.update(json.loads((FLOWS_DIR / "recorder_test.json").read_text()))
    return out


def raw_events(wire: list[dict[str, Any]]) -> list[RawEvent]:
    """Wire-format dicts (validated) as pipeline input, without a database."""
    out = []
    for item in wire:
        event = _EVENT.validate_python(item)
        target = event.get("target")
        info = None
        if target is not None:
            info = TargetInfo(tag=target["tag"], role=target.get("role"),
                              name=target.get("name"), input_type=target.get("input_type"),
                              selectors=tuple(target.get("selectors", ())),
                              form=target.get("context", {}).get("form"))
        out.append(RawEvent(
            id=client_key(event["id"]), seq=event["seq"], type=event["type"], ts=event["ts"],
            tab=event["tab"], frame=event["frame"], url=event["page"]["url"],
            title=event["page"].get("title", ""), target=info,
            field=event.get("field"), control=event.get("control"),
            choice=event.get("choice"), checked=event.get("checked"),
            transition=event.get("transition"), load_ms=event.get("load_ms"),
            state=event.get("state"), label=event.get("label"),
        ))
    return out


def derive_flow(flow: Any) -> list[dict[str, str]]:
    """Title, activity key and phase of each step of one flow."""
    imported = read_user_flow(flow, start_ms=START_MS)
    result = derive_steps(raw_events(imported.events))
    return [{"title": s.title, "activity_key": s.activity_key, "phase": s.phase}
            for s in result.steps]


def current() -> dict[str, list[dict[str, str]]]:
    """What the pipeline makes of every flow now."""
    return {name: derive_flow(flow) for name, flow in flows().items()}


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python -m tests.importers.golden --write")
    GOLDEN.write_text(json.dumps(current(), indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {GOLDEN}")

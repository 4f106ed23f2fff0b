"""The pipeline never raises on any schema-valid event stream.

Events are drawn over every field of wire format v1 at its full ranges (any type, any control
and transition, any text up to the caps, URLs and titles included), validated by the real wire
models, redacted into rows by the real ingest code, read back as the pipeline reads stored rows,
and derived into steps with the built-in catalogue and rules. (hypothesis-jsonschema, which
would draw from the published JSON Schema directly, does not run on this Hypothesis.)
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ingest.schemas import BATCH, TS_MAX, TS_MIN, Control, Transition
from app.ingest.store import prepare_batch
from app.models import Event as EventRow
from app.pipeline import configured_stages, raw_event
from app.settings import Settings
from app.steps.derive import derive_steps

SETTINGS = Settings()


def text(max_size: int) -> st.SearchStrategy[str]:
    """Any text without NUL (the schema refuses it), short or up to the cap."""
    alphabet = st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"])
    return st.one_of(st.sampled_from(["", "Priority", "Urgent", "Create issue", "Ticket #4821"]),
                     st.text(alphabet, max_size=max_size))


URLS = st.one_of(
    st.sampled_from(["https://acme.zendesk.com/agent/tickets/4821?tab=notes#x",
                     "https://dashboard.stripe.com/customers/cus_9s6XKzkNRiz8i3",
                     "https://acme.atlassian.net/browse/SUP-12", "about:blank", "", "not a url",
                     "https://ops.internal.test:99999/a", "file:///tmp/x"]),
    text(2048),
)


@st.composite
def wire_event(draw: Any, seq: int) -> dict[str, Any]:
    """One schema-valid event of any type."""
    kind = draw(st.sampled_from(["click", "submit", "change", "navigation", "visibility",
                                 "tab_switch", "marker"]))
    event: dict[str, Any] = {
        "id": str(draw(st.uuids())), "seq": seq, "type": kind,
        "ts": draw(st.integers(TS_MIN, TS_MAX)), "tab": draw(st.integers(-1, 2**31 - 1)),
        "frame": draw(st.integers(0, 2**53 - 1)),
        "page": {"url": draw(URLS), "title": draw(text(512))},
    }
    if kind in ("click", "submit", "change"):
        event["target"] = {
            "tag": draw(text(64)), "role": draw(st.none() | text(64)),
            "name": draw(st.none() | text(512)), "input_type": draw(st.none() | text(64)),
            "selectors": draw(st.lists(text(1024), max_size=10)),
            "context": {key: draw(st.none() | text(512))
                        for key in ("heading", "dialog", "form", "landmark")},
        }
    if kind == "change":
        event.update(field=draw(st.none() | text(512)),
                     control=draw(st.sampled_from(Control.__args__)),  # type: ignore[attr-defined]
                     choice=draw(st.none() | text(512)), checked=draw(st.none() | st.booleans()))
    if kind == "navigation":
        event.update(transition=draw(st.sampled_from(Transition.__args__)),  # type: ignore[attr-defined]
                     load_ms=draw(st.none() | st.integers(0, 600_000)))
    if kind == "visibility":
        event["state"] = draw(st.sampled_from(["visible", "hidden"]))
    if kind == "marker":
        event["label"] = draw(text(200).filter(bool))
    return event


@st.composite
def event_streams(draw: Any) -> list[dict[str, Any]]:
    """A stream of up to 25 events, seq in any order, resends included."""
    seqs = draw(st.lists(st.integers(0, 2**53 - 1), min_size=1, max_size=25))
    events = [draw(wire_event(seq)) for seq in seqs]
    if draw(st.booleans()):
        events.append(events[0])
    return events


def stored(events: list[dict[str, Any]]) -> list[Any]:
    """What the pipeline would load after ingest: validated, redacted, as stored rows."""
    batch = prepare_batch(1, BATCH.validate_python({"events": events})["events"], SETTINGS)
    return [raw_event(EventRow(**row)) for row in batch.columns.rows()]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(event_streams())
def test_derive_steps_never_raises_on_schema_valid_events(events: list[dict[str, Any]]) -> None:
    raw = stored(events)
    catalogue, rules = configured_stages(SETTINGS)
    result = derive_steps(raw, catalogue=catalogue, rules=rules,
                          idle_threshold_ms=SETTINGS.idle_threshold_ms)
    accounted = [i for step in result.steps for i in step.event_ids]
    accounted += [i for i, _ in result.dropped]
    assert sorted(set(accounted)) == sorted({event.id for event in raw})
    assert all(step.title and step.activity_key for step in result.steps)

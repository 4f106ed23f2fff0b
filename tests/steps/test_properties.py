"""Property tests of derive_steps over generated recordings."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.steps.derive import derive_steps
from app.steps.model import RawEvent, TargetInfo

URLS = ["https://acme.zendesk.com/agent/tickets/{id}", "https://acme.atlassian.net/browse/{key}",
        "https://dashboard.stripe.com/customers/{id}", "https://ops.acme.test/orders/{id}", ""]
TARGETS = [TargetInfo(tag="button", name="Save", selectors=("#save",)),
           TargetInfo(tag="input", name="Subject", selectors=("#subject",)),
           TargetInfo(tag="select", name="Priority", selectors=("#priority",)),
           TargetInfo(tag="body"), TargetInfo(tag="a", name="Create issue", selectors=("a",))]


@st.composite
def recordings(draw: Any, monotonic: bool = True) -> list[RawEvent]:
    size = draw(st.integers(min_value=0, max_value=40))
    events: list[RawEvent] = []
    ts = 1_763_800_000_000
    for seq in range(size):
        ts = ts + draw(st.integers(0, 120_000)) if monotonic else draw(
            st.integers(1_763_800_000_000, 1_763_800_500_000))
        type_ = draw(st.sampled_from(["navigation", "click", "change", "submit", "tab_switch",
                                      "visibility", "marker"]))
        fields: dict[str, Any] = {}
        if type_ in ("click", "submit", "change"):
            fields["target"] = draw(st.sampled_from(TARGETS))
        if type_ == "change":
            fields["control"] = draw(st.sampled_from(["text", "select", "checkbox"]))
            fields["field"] = draw(st.sampled_from(["Priority", "Subject", None]))
            fields["choice"] = "Urgent" if fields["control"] == "select" else None
        if type_ == "navigation":
            fields["transition"] = draw(st.sampled_from(["link", "typed", "history", "new_tab"]))
            fields["load_ms"] = draw(st.sampled_from([None, 300, 5_000]))
        if type_ == "visibility":
            fields["state"] = draw(st.sampled_from(["hidden", "visible"]))
        if type_ == "marker":
            fields["label"] = draw(st.sampled_from(["Escalating now", "Customer confirmed", ""]))
        events.append(RawEvent(id=f"e{seq:03d}", seq=seq, type=type_, ts=ts,
                               tab=draw(st.integers(1, 3)), url=draw(st.sampled_from(URLS)),
                               **fields))
    if size and draw(st.booleans()):
        events.append(events[draw(st.integers(0, size - 1))])
    return events


@settings(max_examples=150, deadline=None)
@given(recordings(monotonic=False), st.randoms(use_true_random=False))
def test_any_arrival_order_gives_the_same_steps(events: list[RawEvent],
                                                rnd: random.Random) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert derive_steps(shuffled) == derive_steps(events)


@settings(max_examples=150, deadline=None)
@given(recordings(monotonic=False))
def test_every_event_is_in_one_step_or_dropped_with_a_reason(events: list[RawEvent]) -> None:
    result = derive_steps(events)
    in_steps = [i for step in result.steps for i in step.event_ids]
    dropped = [i for i, _ in result.dropped]
    assert all(reason for _, reason in result.dropped)
    assert len(in_steps) == len(set(in_steps))
    assert not set(in_steps) & {i for i, reason in result.dropped
                                if reason != "duplicate event id"}
    assert sorted(in_steps + dropped) == sorted(e.id for e in events)


@settings(max_examples=150, deadline=None)
@given(recordings())
def test_durations_add_up_to_the_recording_span(events: list[RawEvent]) -> None:
    result = derive_steps(events)
    if not result.steps:
        return
    kept = {i for step in result.steps for i in step.event_ids}
    times = [e.ts for e in events if e.id in kept]
    assert sum(s.duration_ms for s in result.steps) == max(times) - min(times)
    assert result.span_ms == max(times) - min(times)


@settings(max_examples=150, deadline=None)
@given(recordings(monotonic=False))
def test_no_step_is_empty_and_time_splits_exactly(events: list[RawEvent]) -> None:
    by_id = {e.id: e for e in events}
    for step in derive_steps(events).steps:
        assert step.event_ids and step.title and step.activity_key
        assert any(by_id[i].type != "visibility" for i in step.event_ids)
        assert min(step.active_ms, step.waiting_ms, step.idle_ms) >= 0
        assert step.active_ms + step.waiting_ms + step.idle_ms == step.duration_ms

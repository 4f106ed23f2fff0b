"""The DevTools Recorder user flow of a recording's steps."""

from __future__ import annotations

import json

from app.replay.flow import VIEWPORT, step_url, to_user_flow
from app.steps.model import RecordingSteps
from tests.conftest import SHARED
from tests.process_map.samples import step


def _recording() -> RecordingSteps:
    return RecordingSteps(5, "Refund", "agent-1", 0, 0, (
        step(0, "open", "Open ticket", kind="navigate", host="acme.zendesk.com",
             selectors=()),
        step(1, "prio", "Set Priority to Urgent", kind="choose", host="acme.zendesk.com",
             selectors=("aria/Priority", "#priority"), choice="Urgent", field="Priority"),
        step(2, "subject", "Edit Subject", kind="edit", host="acme.zendesk.com",
             selectors=("aria/Subject",), field="Subject"),
        step(3, "refund", "Click Refund", kind="click", host="dashboard.stripe.com",
             url_template="/invoices/{id}", selectors=("aria/Refund", "[data-testid=refund]")),
        step(4, "note", "Marker", kind="marker", host="dashboard.stripe.com"),
    ))


class TestToUserFlow:
    def test_viewport_navigate_then_clicks_with_alternative_selectors(self) -> None:
        flow = to_user_flow(_recording())
        types = [s["type"] for s in flow["steps"]]
        assert types == ["setViewport", "navigate", "click", "click", "navigate", "click"]
        assert flow["steps"][0] == VIEWPORT
        assert flow["steps"][1]["url"] == "https://acme.zendesk.com/agent/tickets/{id}"
        assert flow["steps"][-1]["selectors"] == [["aria/Refund"], ["[data-testid=refund]"]]
        assert flow["steps"][-2]["url"] == "https://dashboard.stripe.com/invoices/{id}"

    def test_never_types_or_carries_values(self) -> None:
        text = json.dumps(to_user_flow(_recording()))
        assert '"change"' not in text and '"value"' not in text and "Urgent" not in text

    def test_has_the_shape_of_a_devtools_recording(self) -> None:
        sample = json.loads((SHARED / "fixtures" / "devtools-recorder" /
                             "example-recording.json").read_text())
        flow = to_user_flow(_recording())
        assert set(flow) == {"title", "steps"} <= set(sample)
        sample_click = next(s for s in sample["steps"] if s["type"] == "click")
        ours = next(s for s in flow["steps"] if s["type"] == "click")
        assert set(ours) == set(sample_click)
        assert set(flow["steps"][0]) == set(sample["steps"][0])


def test_step_url_without_host_is_empty() -> None:
    assert step_url(step(0, "a", "A")) == ""

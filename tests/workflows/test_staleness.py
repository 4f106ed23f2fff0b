"""assess_staleness: review date passed, or a new recording drifting from the procedure."""

from __future__ import annotations

from datetime import date

from app.workflows.staleness import Thresholds, assess_staleness
from tests.workflows.literal import rec, st

OPEN = st("Ticket", "navigate")
PRIORITY = st("Priority", "choose", choice="Urgent")
REFUND = st("Refund", system="Stripe", selectors=("[data-testid=refund]",))
REPLY = st("Reply", "edit")
SOLVE = st("Submit as Solved", "submit")
PUBLISHED = [OPEN, PRIORITY, REFUND, REPLY, SOLVE]
TODAY = date(2026, 11, 23)


class TestStaleness:
    def test_fresh_when_nothing_changed(self) -> None:
        result = assess_staleness(PUBLISHED, date(2027, 1, 1), TODAY, [rec(7, PUBLISHED)])
        assert not result.stale and result.reason == "" and result.to_dict()["flags"] == []

    def test_review_date_passed(self) -> None:
        result = assess_staleness(PUBLISHED, date(2026, 11, 1), TODAY, [])
        assert [f.kind for f in result.flags] == ["review_due"]
        assert result.reason == "the review was due on 2026-11-01"

    def test_new_system(self) -> None:
        moved = [OPEN, PRIORITY, st("Refund", system="Chargebee",
                                    selectors=("[data-testid=refund]",)), REPLY, SOLVE]
        result = assess_staleness(PUBLISHED, None, TODAY, [rec(7, moved)])
        assert [f.kind for f in result.flags] == ["new_system"]
        assert result.flags[0].reason == ("recording 7 uses a system the procedure does not: "
                                          "Chargebee")
        assert result.flags[0].recording_id == 7

    def test_missing_steps_beyond_the_threshold(self) -> None:
        result = assess_staleness(PUBLISHED, None, TODAY, [rec(7, [OPEN, REPLY, SOLVE])])
        assert [f.kind for f in result.flags] == ["missing_steps"]
        assert "lacks 2 of the 5 published steps" in result.reason
        relaxed = assess_staleness(PUBLISHED, None, TODAY, [rec(7, [OPEN, REPLY, SOLVE])],
                                   Thresholds(missing_share=0.5))
        assert not relaxed.stale

    def test_renamed_control(self) -> None:
        renamed = [OPEN, PRIORITY, st("Issue refund", system="Stripe",
                                      selectors=("[data-testid=refund]",)), REPLY, SOLVE]
        result = assess_staleness(PUBLISHED, None, TODAY, [rec(7, renamed)])
        assert [f.kind for f in result.flags] == ["renamed"]
        assert '"Refund" is now "Issue refund"' in result.reason

    def test_nothing_published_only_the_review_date_counts(self) -> None:
        assert not assess_staleness(None, None, TODAY, [rec(7, [OPEN])]).stale

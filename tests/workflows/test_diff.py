"""diff_procedures: matching by key, selector, name and position; changes, moves, timing."""

from __future__ import annotations

from app.steps.model import Step
from app.workflows.changelog import render_diff_html, render_diff_markdown
from app.workflows.diff import Procedure, VersionDiff, diff_procedures
from app.workflows.matching import longest_increasing
from tests.workflows.literal import st

OPEN = st("Ticket", "navigate")
PRIORITY = st("Priority", "choose", choice="Urgent")
GROUP = st("Group", "choose", choice="Billing")
REFUND = st("Refund", system="Stripe", screen="Payment", phase="resolve",
            selectors=("aria/Refund", "[data-testid=refund]"))
SOLVE = st("Submit as Solved", "submit", phase="close")


def diff(before: list[Step], after: list[Step], *, old: dict[str, int] | None = None,
         new: dict[str, int] | None = None) -> VersionDiff:
    return diff_procedures(Procedure(1, tuple(before), old or {}),
                           Procedure(2, tuple(after), new or {}))


class TestMatching:
    def test_identical_procedures_have_no_change(self) -> None:
        result = diff([OPEN, PRIORITY, SOLVE], [OPEN, PRIORITY, SOLVE])
        assert result.is_empty
        assert result.summary == "No change to the steps."
        assert [m.matched_by for m in result.matched] == ["key"] * 3

    def test_added_and_removed_steps(self) -> None:
        result = diff([OPEN, PRIORITY, GROUP, SOLVE], [OPEN, GROUP, REFUND, SOLVE])
        assert [s.activity_key for s in result.removed] == [PRIORITY.activity_key]
        assert [(s.number, s.activity_key) for s in result.added] == [
            (3, REFUND.activity_key)]
        assert not result.changed and not result.moved

    def test_renamed_control_matched_by_a_stable_selector(self) -> None:
        renamed = st("Refund payment", system="Stripe", screen="Payment", phase="resolve",
                     selectors=("aria/Refund payment", "[data-testid=refund]"))
        result = diff([OPEN, REFUND, SOLVE], [OPEN, renamed, SOLVE])
        (match,) = result.changed
        assert match.matched_by == "selector"
        assert [(c.kind, c.before, c.after) for c in match.changes] == [
            ("renamed", "Refund", "Refund payment")]
        assert result.key_map == {REFUND.activity_key: renamed.activity_key}

    def test_aria_selectors_alone_do_not_make_a_match(self) -> None:
        a = st("Escalate", selectors=("aria/Escalate",))
        b = st("Escalate now", system="Jira", selectors=("aria/Escalate",))
        result = diff([OPEN, a], [OPEN, b])
        assert result.removed and result.added and not result.changed

    def test_same_control_on_another_system_is_a_change(self) -> None:
        moved_system = st("Refund", system="Chargebee", screen="Invoice", phase="resolve")
        result = diff([OPEN, REFUND], [OPEN, moved_system])
        (match,) = result.changed
        assert match.matched_by == "name"
        assert [c.kind for c in match.changes] == ["system", "screen"]

    def test_renamed_control_matched_by_position_in_the_same_gap(self) -> None:
        old_click, new_click = st("Escalate"), st("Hand over")
        result = diff([OPEN, old_click, SOLVE], [OPEN, new_click, SOLVE])
        assert [m.matched_by for m in result.changed] == ["position"]

    def test_position_needs_a_one_to_one_gap(self) -> None:
        result = diff([OPEN, st("Escalate"), SOLVE],
                      [OPEN, st("Hand over"), st("Notify"), SOLVE])
        assert len(result.added) == 2 and len(result.removed) == 1

    def test_other_option_chosen(self) -> None:
        result = diff([OPEN, PRIORITY], [OPEN, st("Priority", "choose", choice="High")])
        assert [(c.kind, c.before, c.after) for c in result.changed[0].changes] == [
            ("option", "Urgent", "High")]

    def test_moved_step(self) -> None:
        result = diff([OPEN, PRIORITY, GROUP, SOLVE], [OPEN, GROUP, PRIORITY, SOLVE])
        assert len(result.moved) == 1
        assert result.moved[0].old.number != result.moved[0].new.number
        assert not result.added and not result.removed

    def test_repeated_activity_is_paired_in_order(self) -> None:
        result = diff([OPEN, PRIORITY, OPEN], [OPEN, PRIORITY, OPEN, OPEN])
        assert [s.number for s in result.added] == [4]


class TestTiming:
    def test_phase_and_step_deltas_and_notability(self) -> None:
        slow = {REFUND.activity_key: 100_000}
        result = diff([OPEN, REFUND, SOLVE], [OPEN, REFUND, SOLVE],
                      old={REFUND.activity_key: 40_000}, new=slow)
        resolve = next(p for p in result.phases if p.phase == "resolve")
        assert (resolve.old_ms, resolve.new_ms, resolve.delta_ms, resolve.notable) == (
            40_000, 100_000, 60_000, True)
        assert [m.new.activity_key for m in result.matched if m.notable] == [
            REFUND.activity_key]
        assert result.total_delta_ms == 60_000
        assert result.summary == "Resolve or escalate 1 min slower."

    def test_small_changes_are_not_notable(self) -> None:
        result = diff([OPEN], [OPEN], old={OPEN.activity_key: 10_000},
                      new={OPEN.activity_key: 30_000})
        assert not any(p.notable for p in result.phases)


class TestChangelog:
    def test_markdown_and_html_escape_page_text(self) -> None:
        hostile = st("<img src=x onerror=alert(1)> *bold* | pipe")
        result = diff([OPEN], [OPEN, hostile])
        markdown = render_diff_markdown(result, "Refund <script>")
        assert "<img" not in markdown and "<script>" not in markdown
        assert "\\*bold\\* \\| pipe" in markdown
        html = render_diff_html(result, "Refund <script>")
        assert "<img" not in html and "<script>" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html

    def test_longest_increasing(self) -> None:
        assert sorted(longest_increasing([0, 2, 1, 3])) in ([0, 1, 3], [0, 2, 3])
        assert longest_increasing([]) == set()


def test_diff_is_deterministic() -> None:
    old, new = [OPEN, PRIORITY, GROUP, REFUND, SOLVE], [OPEN, GROUP, st("Hold"), SOLVE]
    first = diff(old, new)
    assert all(diff(old, new) == first for _ in range(3))
    assert render_diff_markdown(diff(old, new), "w") == render_diff_markdown(first, "w")

"""merge_recordings: the most frequent path, decision points, exceptions, timing, determinism."""

from __future__ import annotations

import io
import itertools
import zipfile

from app.exports import ExportData
from app.process_map.export import render_process_map
from app.sop.docx import render_sop_docx
from app.sop.render import render_sop_html, render_sop_markdown
from app.steps.model import RecordingSteps
from app.workflows.changelog import render_diff_html, render_diff_json, render_diff_markdown
from app.workflows.diff import diff_procedures
from app.workflows.merge import canonical_order, main_path, merge_recordings
from app.workflows.version_data import procedure_of
from tests.workflows.literal import rec, st

OPEN = st("Ticket", "navigate")
QUESTION = st("Category", "choose", choice="Question")
BILLING = st("Category", "choose", choice="Billing")
BUG = st("Category", "choose", choice="Bug")
PRIORITY = st("Priority", "choose", choice="Normal")
CUSTOMER = st("Customer", "navigate", system="Stripe", screen="Customer", phase="diagnose")
REFUND = st("Refund payment", system="Stripe", screen="Customer", phase="resolve")
ESCALATE = st("Create issue", system="Jira", screen="Board", phase="resolve")
REPLY = st("Public reply", "edit", phase="confirm")
SOLVE = st("Submit as Solved", "submit", phase="close")


def five() -> list[RecordingSteps]:
    """Two plain tickets, two that take the billing branch, one escalated."""
    plain = [OPEN, QUESTION, PRIORITY, REPLY, SOLVE]
    billing = [OPEN, BILLING, PRIORITY, CUSTOMER, REFUND, REPLY, SOLVE]
    escalated = [OPEN, BUG, PRIORITY, ESCALATE, REPLY, SOLVE]
    agents = ["agent-aaaaaa", "agent-bbbbbb", "agent-cccccc"]
    specs = [plain, billing, plain, billing, escalated]
    return [rec(n + 1, steps, agent=agents[n % 3], start_ms=1_763_800_000_000 + n * 86_400_000)
            for n, steps in enumerate(specs)]


class TestMainPath:
    def test_most_frequent_path_and_shared_activities_break_a_tie(self) -> None:
        recordings = five()
        assert main_path(recordings) is recordings[2], "plain and billing tie 2-2; the plain " \
            "path's steps are shared by every recording; the latest plain one wins"

    def test_more_frequent_path_wins(self) -> None:
        billing = rec(9, [OPEN, BILLING, PRIORITY, CUSTOMER, REFUND, REPLY, SOLVE], start_ms=1)
        recordings = [*five()[:4], billing]
        chosen = main_path(recordings)
        assert chosen is not None
        assert [s.activity_key for s in chosen.steps] == [
            s.activity_key for s in recordings[1].steps]


class TestDecisions:
    def test_billing_branch_is_a_decision_with_counts_and_condition(self) -> None:
        merged = merge_recordings(five())
        (point,) = merged.decisions
        assert (point.after_step, point.reached) == (3, 5)
        stay, billing = point.branches
        assert (stay.count, stay.follows_procedure, stay.condition, stay.rejoins_at) == (
            2, True, "Category is Question", 4)
        assert (billing.count, billing.steps, billing.systems, billing.condition) == (
            2, (CUSTOMER.title, REFUND.title), ("Stripe",), "Category is Billing")
        assert billing.rejoins_at == 4

    def test_rare_branch_is_an_exception(self) -> None:
        merged = merge_recordings(five())
        assert merged.exceptions == (
            f"In 1 of 5 recordings, after step 3: {ESCALATE.title}; continuing with step 4.",)

    def test_a_system_visited_earlier_distinguishes_when_no_choice_does(self) -> None:
        kb = st("Article", "navigate", system="Confluence", screen="Article")
        plain = [OPEN, PRIORITY, REPLY, SOLVE]
        read = [OPEN, kb, PRIORITY, CUSTOMER, REPLY, SOLVE]
        merged = merge_recordings([rec(1, plain), rec(2, plain, start_ms=2), rec(3, plain,
                                   start_ms=3), rec(4, read, start_ms=4), rec(5, read, start_ms=5)])
        decision = next(d for d in merged.decisions if d.after_step == 2)
        assert decision.branches[1].condition == "after visiting Confluence"

    def test_skipped_steps(self) -> None:
        full = [OPEN, QUESTION, PRIORITY, REPLY, SOLVE]
        merged = merge_recordings([rec(1, full), rec(2, full, start_ms=2), rec(3, full,
                                   start_ms=3), rec(4, [OPEN, REPLY, SOLVE], start_ms=4)])
        assert merged.exceptions == ("In 1 of 4 recordings, steps 2\u20133 were skipped.",)

    def test_one_recording_has_no_decisions(self) -> None:
        merged = merge_recordings([rec(1, [OPEN, SOLVE])])
        assert merged.decisions == () and merged.exceptions == ()
        assert merged.path_count == 1 and merged.agent_spread_ms == 0

    def test_no_recordings(self) -> None:
        merged = merge_recordings([])
        assert merged.procedure is None and merged.steps == () and merged.phases == ()


class TestTiming:
    def test_median_p90_per_step_and_phase_and_agent_spread(self) -> None:
        fast = [st("Ticket", "navigate", duration_ms=10_000), st("Reply", "edit",
                phase="confirm", duration_ms=20_000)]
        slow = [st("Ticket", "navigate", duration_ms=30_000), st("Reply", "edit",
                phase="confirm", duration_ms=60_000)]
        merged = merge_recordings([
            rec(1, fast, agent="agent-a"), rec(2, fast, agent="agent-a", start_ms=2),
            rec(3, slow, agent="agent-b", start_ms=3)])
        ticket = merged.steps[0]
        assert (ticket.occurrences, ticket.median_ms, ticket.p90_ms) == (3, 10_000, 26_000)
        assert [(p.phase, p.median_ms, p.p90_ms) for p in merged.phases] == [
            ("triage", 10_000, 26_000), ("confirm", 20_000, 52_000)]
        assert [(a.agent, a.recordings, a.median_ms) for a in merged.agents] == [
            ("agent-a", 2, 30_000), ("agent-b", 1, 90_000)]
        assert merged.agent_spread_ms == 60_000


class TestDeterminism:
    def test_any_order_gives_byte_identical_sop_and_map(self) -> None:
        recordings = five()
        outputs = set()
        for order in itertools.permutations(recordings):
            data = ExportData(name="Billing", workflow="Billing", recordings=list(order))
            document = data.sop()
            canonical = canonical_order(order)
            outputs.add((render_sop_markdown(document), render_sop_html(document),
                         render_process_map(canonical, "bpmn"),
                         render_process_map(canonical, "svg"),
                         render_process_map(canonical, "json")))
        assert len(outputs) == 1

    def test_any_order_gives_byte_identical_diffs(self) -> None:
        older = [rec(10, [OPEN, QUESTION, PRIORITY, REPLY, SOLVE], start_ms=0)]
        outputs = set()
        for order in itertools.permutations(five()):
            old, new = procedure_of(None, older), procedure_of(None, order)
            result = diff_procedures(old, new)
            outputs.add((render_diff_json(result), render_diff_markdown(result, "w"),
                         render_diff_html(result, "w")))
        assert len(outputs) == 1


def test_the_docx_has_the_decision_point() -> None:
    document = ExportData(name="Billing", workflow="Billing", recordings=five()).sop()
    xml = zipfile.ZipFile(io.BytesIO(render_sop_docx(document))).read("word/document.xml")
    text = xml.decode("utf-8")
    assert "After step 3, the recordings went different ways (5 got there):" in text
    assert "If Category is Billing" in text and "(2 of 5 recordings): " in text

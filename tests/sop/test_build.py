"""build_sop: procedure, triage, escalation, SLAs, macros, records, variants, prompts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from app.sop.build import build_sop, representative_recording, typical_durations
from app.sop.document import (
    SECTIONS,
    EscalationTarget,
    LeadDetails,
    Revision,
    SlaTarget,
    SopDocument,
    StepNote,
    TriageCondition,
)
from app.sop.sections import PROMPTS
from app.steps.model import RecordingSteps
from tests.sop.builders import recording, step, ticket_specs


def build(recordings: Sequence[RecordingSteps], details: LeadDetails | None = None,
          notes: Mapping[str, StepNote] | None = None,
          revisions: Sequence[Revision] = ()) -> SopDocument:
    return build_sop(recordings, details or LeadDetails(), notes or {}, list(revisions),
                     workflow="Refund request")


class TestProcedure:
    def test_steps_are_numbered_in_order_under_consecutive_phases(self) -> None:
        doc = build([recording(ticket_specs())])
        assert [p.phase for p in doc.phases] == ["triage", "diagnose", "resolve", "confirm",
                                                 "close"]
        numbers = [s.number for p in doc.phases for s in p.steps]
        assert numbers == list(range(1, len(ticket_specs()) + 1))
        assert doc.phases[0].typical_ms == 8_000 + 6_000 + 5_000 + 7_000

    def test_each_step_keeps_system_duration_and_events(self) -> None:
        first = build([recording(ticket_specs())]).phases[1].steps[0]
        assert (first.system, first.screen, first.typical_ms) == ("Stripe", "Subscription", 42_000)
        assert first.event_ids == ("ev-1-5",)

    def test_typical_duration_is_the_median_over_recordings(self) -> None:
        slow = [dict(s, duration_ms=s.get("duration_ms", 10_000) * 3) for s in ticket_specs()]
        recs = [recording(ticket_specs(), recording_id=i) for i in (1, 2)]
        recs.append(recording(slow, recording_id=3))
        key = recs[0].steps[0].activity_key
        assert typical_durations(recs)[key] == 8_000

    def test_most_frequent_path_is_the_base_latest_on_a_tie(self) -> None:
        a = recording(ticket_specs(), recording_id=1)
        b = recording(ticket_specs()[:5], recording_id=2)
        c = recording(ticket_specs(), recording_id=3)
        assert representative_recording([a, b, c]) is c
        assert representative_recording([a, b]) is b

    def test_steps_missing_from_the_base_become_exceptions(self) -> None:
        extra = [*ticket_specs(), step("Open **Annual plan** terms", phase="close")]
        doc = build([recording(ticket_specs(), recording_id=1),
                     recording(ticket_specs(), recording_id=2),
                     recording(extra, recording_id=3)])
        assert doc.exceptions == ("In 1 of 3 recordings: Open Annual plan terms (Zendesk)",)

    def test_notes_and_warnings_attach_by_activity_key(self) -> None:
        rec = recording(ticket_specs())
        key = rec.steps[5].activity_key
        doc = build([rec], notes={key: StepNote("Check the plan", "Do NOT refund over $500")})
        refund = doc.phases[1].steps[1]
        assert (refund.note, refund.warning) == ("Check the plan", "Do NOT refund over $500")

    def test_no_recordings_gives_prompts_not_holes(self) -> None:
        doc = build([])
        assert doc.phases == () and doc.step_count == 0
        assert set(doc.prompts) == {key for key, _ in SECTIONS}


class TestSections:
    def test_triage_rules_from_choices_with_the_leads_condition(self) -> None:
        details = LeadDetails(triage_conditions=(
            TriageCondition("priority", "URGENT", "the customer cannot take payments"),))
        rules = build([recording(ticket_specs())], details).triage_rules
        assert [(r.field, r.choice, r.step_number) for r in rules] == [
            ("Priority", "Urgent", 2), ("Type", "Incident", 3), ("Group", "Billing", 4)]
        assert rules[0].when == "the customer cannot take payments"
        assert rules[1].when == ""

    def test_detected_hand_off_prefills_escalation_and_merges_the_leads_row(self) -> None:
        rec = recording(ticket_specs())
        key = rec.steps[6].activity_key
        doc = build([rec])
        assert [(e.trigger, e.escalate_to, e.detected, e.step_number) for e in doc.escalation] == [
            ("Click Create issue in Jira", "Jira (Create issue)", True, 7)]
        details = LeadDetails(escalation=(
            EscalationTarget("Bug confirmed", "Engineering on call", "#oncall", "1 h", key),
            EscalationTarget("Refund over $500", "Billing lead", "billing@example.test"),
        ))
        rows = build([rec], details).escalation
        assert [(r.trigger, r.contact, r.detected) for r in rows] == [
            ("Bug confirmed", "#oncall", True), ("Refund over $500", "billing@example.test", False)]

    def test_sla_targets_beside_measured_medians(self) -> None:
        details = LeadDetails(sla_targets=(SlaTarget("Triage", 1, "triage"),
                                           SlaTarget("Resolution", 5, "total")))
        rows = build([recording(ticket_specs())], details).slas
        assert [(r.name, r.target_ms, r.measured_ms, r.within) for r in rows] == [
            ("Triage", 60_000, 26_000, True), ("Resolution", 300_000, 341_000, False)]
        measured_only = build([recording(ticket_specs())]).slas
        assert measured_only[0].measure == "total" and measured_only[0].target_ms is None

    def test_macros_and_records(self) -> None:
        doc = build([recording(ticket_specs())])
        assert [(m.name, m.system, m.step_number) for m in doc.macros] == [
            ("Refund issued", "Zendesk", 10)]
        whats = [r.what for r in doc.records]
        assert "Status: set to Solved" in whats and "Submitted: Create" in whats
        assert whats[-1] == "Resolution logged: Submit as Solved"
        assert "Summary: written by the agent" in whats

    def test_review_date_and_revisions(self) -> None:
        revisions = [Revision(2, date(2026, 2, 1), "agent-1", "Stripe step added"),
                     Revision(1, date(2026, 1, 1), "agent-1", "First version")]
        doc = build([recording(ticket_specs())], LeadDetails(review_interval_days=30),
                    revisions=revisions)
        assert [r.version for r in doc.revisions] == [1, 2]
        assert doc.next_review_date == date(2026, 3, 3)
        assert "revisions" not in doc.prompts

    def test_prompts_leave_once_the_lead_fills_in(self) -> None:
        doc = build([recording(ticket_specs())], LeadDetails(purpose="Why", scope="What"))
        assert "purpose" not in doc.prompts and "scope" not in doc.prompts
        assert doc.prompts["roles"] == PROMPTS["roles"]

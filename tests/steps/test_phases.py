"""Phase rules: one case per built-in rule, the inheritance rule, and team extensions."""

from __future__ import annotations

import pytest

from app.steps.phases import PhaseFacts, assign_phases, builtin_rules, parse_rules


def phase_of(fact: PhaseFacts) -> tuple[str, bool, bool]:
    return assign_phases([PhaseFacts("navigate", "help_desk", "Ticket view"), fact])[1]


@pytest.mark.parametrize(("fact", "expected"), [
    (PhaseFacts("marker", "help_desk", label="Escalating now"), ("resolve", False, True)),
    (PhaseFacts("marker", "help_desk", label="Customer confirmed"), ("confirm", False, False)),
    (PhaseFacts("marker", "help_desk", label="Closing"), ("close", False, False)),
    (PhaseFacts("marker", "help_desk", label="Investigating"), ("diagnose", False, False)),
    (PhaseFacts("marker", "help_desk", label="New ticket"), ("triage", False, False)),
    (PhaseFacts("choose", "help_desk", field="Status", choice="Solved"), ("close", False, False)),
    (PhaseFacts("choose", "help_desk", field="Status", choice="Pending"),
     ("confirm", False, False)),
    (PhaseFacts("choose", "help_desk", field="Group", choice="Tier 2 Support"),
     ("resolve", True, True)),
    (PhaseFacts("choose", "help_desk", field="Priority", choice="Urgent"),
     ("triage", True, False)),
    (PhaseFacts("click", "help_desk", control="Escalate to engineering"),
     ("resolve", False, True)),
    (PhaseFacts("submit", "issue_tracker"), ("resolve", False, True)),
    (PhaseFacts("navigate", "issue_tracker", screen="Create issue"), ("resolve", False, True)),
    (PhaseFacts("click", "help_desk", control="Submit as Solved"), ("close", False, False)),
    (PhaseFacts("click", "help_desk", control="Public reply"), ("confirm", False, False)),
    (PhaseFacts("click", "billing", control="Refund payment"), ("resolve", False, False)),
    (PhaseFacts("click", "help_desk", control="Search"), ("diagnose", False, False)),
    (PhaseFacts("navigate", "knowledge_base", screen="Page"), ("diagnose", False, False)),
    (PhaseFacts("navigate", "billing", screen="Customer"), ("diagnose", False, False)),
    (PhaseFacts("navigate", "issue_tracker", screen="Issue view"), ("diagnose", False, False)),
    (PhaseFacts("click", "chat", control="Ask engineering"), ("resolve", False, True)),
])
def test_each_builtin_rule(fact: PhaseFacts, expected: tuple[str, bool, bool]) -> None:
    assert phase_of(fact) == expected


def test_every_builtin_rule_has_a_case_above() -> None:
    assert len(builtin_rules()) == 20


def test_unmatched_steps_keep_the_phase_before_them() -> None:
    facts = [PhaseFacts("navigate", "knowledge_base", "Page"),
             PhaseFacts("click", "other", control="Copy"),
             PhaseFacts("click", "help_desk", control="Public reply"),
             PhaseFacts("click", "help_desk", control="Open")]
    assert [p for p, _, _ in assign_phases(facts)] == [
        "diagnose", "diagnose", "confirm", "confirm"]


def test_first_step_starts_in_triage() -> None:
    assert assign_phases([PhaseFacts("click", "other", control="Hello")])[0][0] == "triage"


def test_words_match_whole_words_only() -> None:
    assert phase_of(PhaseFacts("click", "help_desk", control="Resolver settings"))[0] == "triage"


def test_team_rules_come_first() -> None:
    rules = parse_rules({"rules": [{"name": "vip", "phase": "resolve", "triage": True,
                                    "kinds": ["choose"], "fields": ["priority"]}]},
                        base=builtin_rules())
    fact = PhaseFacts("choose", "help_desk", field="Priority", choice="Urgent")
    assert assign_phases([fact], rules)[0] == ("resolve", True, False)


@pytest.mark.parametrize("bad", [{"rules": [{"phase": "lunch"}]}, {"rule": []}])
def test_bad_rules_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        parse_rules(bad)

"""Phases: place each step in a phase of ticket work, from rules that are data.

The rules live in ``phases.json`` beside this module; a team file with the same shape (the
``phase_rules_path`` setting) is tried first. The first rule whose conditions all hold gives
the phase and the triage / escalation marks; a step that no rule matches keeps the phase of
the step before it, and the first step starts in triage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from app.steps.model import PHASES

__all__ = [
    "PhaseFacts",
    "PhaseRule",
    "assign_phases",
    "builtin_rules",
    "load_rules",
    "parse_rules",
]

BUILTIN_PATH = Path(__file__).with_name("phases.json")
_WORD_CONDITIONS = ("fields", "choices", "controls", "markers", "screens")


class PhaseFacts(NamedTuple):
    """What the rules look at in a step."""

    kind: str
    category: str
    screen: str = ""
    control: str | None = None
    field: str | None = None
    choice: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class PhaseRule:
    """One rule: conditions (None = any) and what it gives."""

    name: str
    phase: str
    kinds: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    words: tuple[tuple[str, re.Pattern[str]], ...] = ()
    triage: bool = False
    escalation: bool = False

    def matches(self, facts: PhaseFacts) -> bool:
        """Whether every condition of the rule holds for ``facts``."""
        if self.kinds is not None and facts.kind not in self.kinds:
            return False
        if self.categories is not None and facts.category not in self.categories:
            return False
        for condition, pattern in self.words:
            value = _fact_text(facts, condition)
            if not value or not pattern.search(value):
                return False
        return True


def _fact_text(facts: PhaseFacts, condition: str) -> str | None:
    return {
        "fields": facts.field,
        "choices": facts.choice,
        "controls": facts.control,
        "markers": facts.label,
        "screens": facts.screen,
    }[condition]


def _words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(str(w).strip().lower()) for w in words if str(w).strip()),
                          key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")", re.IGNORECASE)


def _rule(raw: dict[str, Any]) -> PhaseRule:
    name = str(raw.get("name", "rule"))
    phase = raw.get("phase")
    if phase not in PHASES:
        raise ValueError(f"rule {name!r}: phase must be one of {PHASES}")
    words = tuple(
        (condition, _words_pattern(raw[condition]))
        for condition in _WORD_CONDITIONS
        if raw.get(condition)
    )
    return PhaseRule(
        name=name,
        phase=str(phase),
        kinds=frozenset(raw["kinds"]) if raw.get("kinds") else None,
        categories=frozenset(raw["categories"]) if raw.get("categories") else None,
        words=words,
        triage=bool(raw.get("triage", False)),
        escalation=bool(raw.get("escalation", False)),
    )


def parse_rules(data: dict[str, Any], base: Sequence[PhaseRule] = ()) -> tuple[PhaseRule, ...]:
    """Rules from their JSON shape, tried before ``base``.

    >>> rules = parse_rules({"rules": [{"name": "vip", "phase": "resolve",
    ...                                 "kinds": ["choose"], "choices": ["vip"]}]})
    >>> rules[0].matches(PhaseFacts(kind="choose", category="crm", choice="VIP customer"))
    True
    """
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        raise ValueError('phase rules are {"rules": [...]}')
    return tuple(_rule(raw) for raw in raw_rules) + tuple(base)


@lru_cache(maxsize=1)
def builtin_rules() -> tuple[PhaseRule, ...]:
    """The rules shipped with the product."""
    return parse_rules(json.loads(BUILTIN_PATH.read_text(encoding="utf-8")))


def load_rules(team_path: Path | None = None) -> tuple[PhaseRule, ...]:
    """The built-in rules, after the team's rules (if any)."""
    if team_path is None:
        return builtin_rules()
    data = json.loads(Path(team_path).read_text(encoding="utf-8"))
    return parse_rules(data, base=builtin_rules())


def assign_phases(
    facts: Sequence[PhaseFacts], rules: Sequence[PhaseRule] | None = None
) -> list[tuple[str, bool, bool]]:
    """``(phase, is_triage, is_escalation)`` per step, in order.

    >>> steps = [PhaseFacts("navigate", "help_desk", "Ticket view"),
    ...          PhaseFacts("choose", "help_desk", field="Priority", choice="Urgent"),
    ...          PhaseFacts("navigate", "knowledge_base", "Page"),
    ...          PhaseFacts("click", "knowledge_base", control="Copy link"),
    ...          PhaseFacts("click", "issue_tracker", control="Create issue"),
    ...          PhaseFacts("click", "help_desk", control="Submit as Solved")]
    >>> [p for p, _, _ in assign_phases(steps)]
    ['triage', 'triage', 'diagnose', 'diagnose', 'resolve', 'close']
    >>> [(t, e) for _, t, e in assign_phases(steps)][1], assign_phases(steps)[4][2]
    ((True, False), True)
    """
    rules = builtin_rules() if rules is None else rules
    out: list[tuple[str, bool, bool]] = []
    phase = PHASES[0]
    cache: dict[PhaseFacts, PhaseRule | None] = {}
    for fact in facts:
        if fact in cache:
            rule = cache[fact]
        else:
            rule = cache[fact] = next((r for r in rules if r.matches(fact)), None)
        if rule is None:
            out.append((phase, False, False))
            continue
        phase = rule.phase
        out.append((phase, rule.triage, rule.escalation))
    return out

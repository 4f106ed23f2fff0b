"""Steps rebuilt from their stored JSON: ``steps_from_json`` builds what ``Step.from_dict`` does."""

from __future__ import annotations

import json
from typing import Any

import pydantic_core
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.steps.model import Step, TitlePart, steps_from_json

texts = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)
numbers = st.integers(min_value=-(2**53), max_value=2**53)
steps = st.builds(
    Step,
    position=numbers, kind=texts, title=texts,
    parts=st.lists(st.builds(TitlePart, text=texts, strong=st.booleans()), max_size=3)
    .map(tuple),
    activity_key=texts, system=texts, system_category=texts, screen=texts,
    url_template=texts, phase=texts, started_at_ms=numbers, duration_ms=numbers,
    active_ms=numbers, waiting_ms=numbers, idle_ms=numbers,
    event_ids=st.lists(texts, max_size=3).map(tuple), tab=numbers,
    control=st.none() | texts, field=st.none() | texts, choice=st.none() | texts,
    selectors=st.lists(texts, max_size=3).map(tuple), is_triage=st.booleans(),
    is_escalation=st.booleans(), host=texts,
)


def stored(items: list[dict[str, Any]]) -> str:
    """The JSON array the loader decodes (each step as the database's serializer writes it)."""
    return "[" + ",".join(pydantic_core.to_json(item).decode() for item in items) + "]"


@settings(max_examples=200, deadline=None)
@given(st.lists(steps, max_size=4))
def test_stored_steps_come_back_equal(original: list[Step]) -> None:
    text = stored([step.to_dict() for step in original])
    rebuilt = steps_from_json(text)
    assert rebuilt == original
    assert rebuilt == [Step.from_dict(item) for item in json.loads(text)]
    assert all(type(step) is Step and isinstance(step.parts, tuple) for step in rebuilt)


def a_step(**changes: Any) -> dict[str, Any]:
    data = Step(position=1, kind="choose", title="Set Priority to Urgent",
                parts=(TitlePart("Set "), TitlePart("Priority", strong=True)),
                activity_key="zendesk:ticket:set:priority", system="Zendesk",
                system_category="help_desk", screen="Ticket", url_template="/tickets/{id}",
                phase="triage", started_at_ms=5, duration_ms=10, active_ms=10, waiting_ms=0,
                idle_ms=0, event_ids=("e1", "e2"), selectors=("#priority",),
                choice="Urgent").to_dict()
    data.update(changes)
    return data


class TestShapesTheStrictPassDoesNotTake:
    def test_missing_lists_are_empty_as_from_dict_reads_them(self) -> None:
        data = a_step()
        for key in ("parts", "event_ids", "selectors"):
            del data[key]
        [step] = steps_from_json(stored([data]))
        assert (step.parts, step.event_ids, step.selectors) == ((), (), ())
        assert step == Step.from_dict(data)

    def test_a_value_of_another_type_is_kept_as_from_dict_keeps_it(self) -> None:
        [step] = steps_from_json(stored([a_step(position=True, tab=2.0)]))
        assert step.position is True and step.tab == 2.0 and isinstance(step.tab, float)

    def test_an_unknown_key_is_the_error_from_dict_gives(self) -> None:
        with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
            steps_from_json(stored([a_step(), a_step(colour="red")]))

    def test_a_missing_required_field_is_the_error_from_dict_gives(self) -> None:
        data = a_step()
        del data["title"]
        with pytest.raises(TypeError, match="title"):
            steps_from_json(stored([data]))

    def test_an_empty_array_is_no_steps(self) -> None:
        assert steps_from_json("[]") == []

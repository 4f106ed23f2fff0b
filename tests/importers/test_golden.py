"""Golden tests: every real DevTools Recorder flow segments into the reviewed step titles."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.importers.golden import GOLDEN, derive_flow, flows

EXPECTED: dict[str, Any] = json.loads(GOLDEN.read_text())


def test_golden_file_covers_every_flow() -> None:
    assert set(EXPECTED) == set(flows())
    assert len(EXPECTED) == 36


@pytest.mark.parametrize("name", sorted(flows()))
def test_flow_matches_golden_titles(name: str) -> None:
    assert derive_flow(flows()[name]) == EXPECTED[name]


def test_example_recording_titles_read_as_instructions() -> None:
    titles = [step["title"] for step in EXPECTED["example-recording"]]
    assert titles[0] == "Open the Home page in Coffee Cart"
    assert "Fill in Name in Coffee Cart" in titles
    assert "Fill in Email in Coffee Cart" in titles
    assert "Click Submit in Coffee Cart" in titles


def test_typed_values_are_in_no_golden_output() -> None:
    text = GOLDEN.read_text()
    for typed in ("jane", "jane@doe.com", "Jane"):
        assert typed not in text

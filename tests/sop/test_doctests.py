"""The runnable examples in the docstrings of the SOP, timing-report and export modules."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "app.templating",
    "app.exports",
    "app.sop.build",
    "app.sop.sections",
    "app.timing_report.figures",
    "app.timing_report.percentiles",
    "app.timing_report.render",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no example"

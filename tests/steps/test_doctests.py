"""Run the doctest examples of every pure stage, importer and ingest module."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import app.importers
import app.ingest
import app.steps


def _modules() -> list[ModuleType]:
    out = []
    for package in (app.steps, app.importers, app.ingest):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            out.append(importlib.import_module(info.name))
    return out


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.__name__)
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_stage_functions_have_examples() -> None:
    examples = {
        name
        for module in _modules()
        for name, test in (
            (t.name, t) for t in doctest.DocTestFinder().find(module)
        )
        if test.examples
    }
    for stage in ("normalize_events", "order_events", "drop_noise", "drop_churn",
                  "segment_events", "describe", "assign_phases", "time_steps", "derive_steps",
                  "locate", "template_path", "read_user_flow", "read_ui_log"):
        assert any(name.endswith("." + stage) for name in examples), stage

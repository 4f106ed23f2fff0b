"""Run the doctest examples of the pure version stages."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from app.workflows import carry_over, changelog, diff, matching, merge, staleness

MODULES = (carry_over, changelog, diff, matching, merge, staleness)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.failed == 0
    assert result.attempted > 0, "every pure stage shows an example"

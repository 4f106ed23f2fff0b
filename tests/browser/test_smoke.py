"""Chromium starts and renders a page: the precondition of every browser test."""

from __future__ import annotations

from typing import Any


def test_chromium_renders_a_page(browser: Any) -> None:
    page = browser.new_page()
    page.set_content("<main><h1 id=t>ready</h1></main>")
    assert page.inner_text("#t") == "ready"
    page.close()

"""Lookups in parsed HTML that fail loudly: the element or attribute a test expects, or an
assertion that says what was missing (BeautifulSoup itself answers ``None``)."""

from __future__ import annotations

from bs4 import Tag

__all__ = ["attr", "next_tag", "one"]


def one(page: Tag, selector: str) -> Tag:
    """The one element matching the CSS ``selector``; fails if none or several match."""
    found = page.select(selector)
    assert len(found) == 1, f"{len(found)} elements match {selector!r}"
    return found[0]


def attr(element: Tag, name: str) -> str:
    """The single-valued attribute ``name`` of ``element``; fails if it is missing or a list."""
    value = element.get(name)
    assert isinstance(value, str), f"<{element.name}> has {name}={value!r}"
    return value


def next_tag(element: Tag, name: str) -> Tag:
    """The first ``name`` element after ``element`` in the document; fails if there is none."""
    found = element.find_next(name)
    assert found is not None, f"no <{name}> after <{element.name}>"
    return found

"""The diff between two versions as a readable changelog: Markdown and standalone HTML."""

from __future__ import annotations

import json
from functools import lru_cache

from jinja2 import Environment

from app.templating import format_duration, template_environment
from app.workflows.diff import VersionDiff

__all__ = ["CHANGE_LABELS", "render_diff_html", "render_diff_json", "render_diff_markdown",
           "signed_duration"]

#: How the changelog names each kind of change of a step.
CHANGE_LABELS = {
    "renamed": "renamed", "system": "now in another system:", "screen": "now on another screen:",
    "option": "other option chosen:", "reworded": "reworded:",
}


def signed_duration(ms: int) -> str:
    """A duration with its direction.

    >>> signed_duration(90_000), signed_duration(-4_000), signed_duration(0)
    ('+1 min 30 s', '-4 s', '0 s')
    """
    if ms == 0:
        return "0 s"
    return ("+" if ms > 0 else "-") + format_duration(abs(ms))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = template_environment().overlay()
    env.filters["signed_duration"] = signed_duration
    return env


def render_diff_markdown(diff: VersionDiff, workflow: str) -> str:
    """The changelog as Markdown (every value escaped for Markdown)."""
    template = _environment().get_template("workflows/changelog.md")
    return template.render(diff=diff, workflow=workflow, labels=CHANGE_LABELS)


def render_diff_html(diff: VersionDiff, workflow: str) -> str:
    """The changelog as one standalone HTML page (autoescaped, no script)."""
    template = _environment().get_template("workflows/changelog.html")
    return template.render(diff=diff, workflow=workflow, labels=CHANGE_LABELS)


def render_diff_json(diff: VersionDiff) -> str:
    """The diff as JSON (stable key order)."""
    return json.dumps(diff.to_dict(), ensure_ascii=False, indent=2) + "\n"

"""Text renderers of the SOP: Markdown and standalone HTML from ``templates/sop/``, and JSON."""

from __future__ import annotations

import json
from typing import Any

from app.sop.document import SopDocument
from app.steps.model import PHASE_NAMES, PHASES
from app.templating import template_environment

__all__ = ["render_sop_html", "render_sop_json", "render_sop_markdown"]


def _context(document: SopDocument) -> dict[str, Any]:
    return {"doc": document, "phase_keys": PHASES, "phase_names": PHASE_NAMES}


def render_sop_markdown(document: SopDocument) -> str:
    """The SOP as CommonMark/GFM that renders page text literally (no raw HTML, no links)."""
    return template_environment().get_template("sop/sop.md").render(_context(document))


def render_sop_html(document: SopDocument) -> str:
    """The SOP as one standalone, printable HTML page (inline CSS, no script, no assets)."""
    return template_environment().get_template("sop/sop.html").render(_context(document))


def render_sop_json(document: SopDocument) -> str:
    """The document model as JSON (UTF-8, stable key order)."""
    return json.dumps(document.to_dict(), ensure_ascii=False, indent=2) + "\n"

"""Page text in decision points and changelogs stays inert text in every format."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from bs4 import BeautifulSoup

from app.exports import ExportData
from app.sop.docx import render_sop_docx
from app.sop.render import render_sop_html, render_sop_markdown
from app.steps.model import RecordingSteps
from app.workflows.changelog import render_diff_html, render_diff_markdown
from app.workflows.diff import Procedure, diff_procedures
from tests.injection_corpus import PAYLOADS, payload_ids
from tests.workflows.literal import rec, st

OPEN = st("Ticket", "navigate")
REPLY = st("Reply", "edit", phase="confirm")


def branching(payload: str) -> list[RecordingSteps]:
    hostile = st(payload, system=payload, choice=payload)
    category = st("Category", "choose", choice=payload)
    plain = [OPEN, st("Category", "choose", choice="Other"), REPLY]
    taken = [OPEN, category, hostile, REPLY]
    return [rec(n, steps, start_ms=n) for n, steps in
            enumerate([plain, plain, plain, taken, taken], start=1)]


@pytest.mark.parametrize("payload", PAYLOADS, ids=payload_ids())
def test_decision_points_escape_page_text(payload: str) -> None:
    document = ExportData(name="w", workflow="w", recordings=branching(payload)).sop()
    assert document.decisions, "the hostile branch is a decision point"
    html = BeautifulSoup(render_sop_html(document), "html.parser")
    assert not html.select(".decision script, .decision img, .decision iframe, .decision svg")
    word = next(w for w in re.split(r"\W+", payload) if w)
    assert any(word in li.get_text() for li in html.select(".decision li"))
    markdown = render_sop_markdown(document)
    section = markdown.split("### Decision points", 1)[1].split("\n## ", 1)[0]
    assert "<" not in section and "](" not in section.replace("\\](", "")
    assert "\n#" not in section.replace("\n### ", "")
    zipfile.ZipFile(io.BytesIO(render_sop_docx(document))).read("word/document.xml")


@pytest.mark.parametrize("payload", PAYLOADS, ids=payload_ids())
def test_changelogs_escape_page_text(payload: str) -> None:
    diff = diff_procedures(Procedure(1, (OPEN,)), Procedure(2, (OPEN, st(payload))))
    html = BeautifulSoup(render_diff_html(diff, payload), "html.parser")
    assert not html.select("main script, main img, main iframe, main svg, main style")
    markdown = render_diff_markdown(diff, payload)
    assert "<" not in markdown

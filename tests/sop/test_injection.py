"""The injection corpus in step names, page titles, field and option labels and the lead's fields,
through every SOP and timing-report renderer: it stays inert text."""

from __future__ import annotations

import csv
import io
import json
import re
from io import BytesIO

import pytest
from bs4 import BeautifulSoup
from docx import Document
from markdown_it import MarkdownIt

from app.sop.build import build_sop
from app.sop.document import (
    EscalationTarget,
    LeadDetails,
    RaciRole,
    RelatedDocument,
    Revision,
    SlaTarget,
    SopDocument,
    StepNote,
    TriageCondition,
)
from app.sop.docx import render_sop_docx
from app.sop.render import render_sop_html, render_sop_json, render_sop_markdown
from app.steps.model import RecordingSteps
from app.timing_report.figures import build_timing_report
from app.timing_report.render import render_timing_csv, render_timing_html, render_timing_json
from tests.html import attr
from tests.injection_corpus import PAYLOADS, payload_ids
from tests.sop.builders import recording, step, style_name

FORMULA_START = ("=", "+", "-", "@")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


def hostile_recordings(payload: str) -> list[RecordingSteps]:
    specs = [
        step(f"Open **{payload}** view", kind="navigate", screen=payload, system=payload),
        step(f"Set **{payload}** to **{payload}**", kind="choose", field=payload, choice=payload,
             is_triage=True, control=payload),
        step(f"Click **{payload}**", phase="resolve", is_escalation=True, system="Jira",
             screen=payload),
        step(f"Apply macro **{payload}**", kind="choose", field="Macro", choice=payload,
             phase="confirm"),
        step(f"Submit **{payload}**", kind="submit", control=payload, phase="close"),
    ]
    return [recording(specs, recording_id=1, ticket_ref=payload, agent=payload),
            recording([*specs[:3], step(payload, phase="close")], recording_id=2)]


def hostile_details(payload: str) -> LeadDetails:
    return LeadDetails(
        title=payload, purpose=f"{payload}\n\n{payload}", scope=payload, out_of_scope=payload,
        owner=payload, approver=payload, review_interval_days=30,
        roles=(RaciRole(payload, payload, {"triage": "R"}),), prerequisites=(payload,),
        sla_targets=(SlaTarget(payload, 5, "total"),),
        escalation=(EscalationTarget(payload, payload, payload, payload),),
        triage_conditions=(TriageCondition(payload, payload, payload),),
        exceptions=(payload,), quality_checks=(payload,),
        related_documents=(RelatedDocument(payload, payload),
                           RelatedDocument(payload, "javascript:alert(1)")),
    )


def hostile_document(payload: str) -> tuple[list[RecordingSteps], SopDocument]:
    recordings = hostile_recordings(payload)
    notes = {s.activity_key: StepNote(payload, payload) for s in recordings[0].steps}
    revisions = [Revision(1, __import__("datetime").date(2026, 1, 1), payload, payload, payload)]
    return recordings, build_sop(recordings, hostile_details(payload), notes, revisions,
                                 workflow=payload, version=1)


def assert_inert_html(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None
    assert soup.find("iframe") is None and soup.find("img") is None
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), (tag.name, name)
            if name.lower() in URL_ATTRIBUTES:
                url = re.sub(r"\s", "", str(value)).lower()
                assert not url.startswith(("javascript:", "data:", "vbscript:")), (tag.name, url)
    assert "\x00" not in html and "\u202e" not in html


@pytest.mark.parametrize("payload", PAYLOADS, ids=payload_ids())
class TestEveryRenderer:
    def test_sop_html(self, payload: str) -> None:
        _, doc = hostile_document(payload)
        html = render_sop_html(doc)
        assert_inert_html(html)
        soup = BeautifulSoup(html, "html.parser")
        links = [attr(a, "href") for a in soup.find_all("a")]
        assert all(h.startswith("#") or h.startswith("http") for h in links)

    def test_sop_markdown_renders_no_raw_html(self, payload: str) -> None:
        _, doc = hostile_document(payload)
        markdown = render_sop_markdown(doc)
        parser = MarkdownIt("commonmark", {"html": True}).enable("table")
        tokens = parser.parse(markdown)
        flat = [t for tok in tokens for t in [tok, *(tok.children or [])]]
        assert not [t for t in flat if t.type in ("html_block", "html_inline")]
        hrefs = [t.attrs.get("href") for t in flat if t.type == "link_open"]
        assert all(str(h).startswith("http") for h in hrefs), hrefs
        assert_inert_html(parser.render(markdown))
        headings = [t for t in tokens if t.type == "heading_open" and t.tag == "h2"]
        assert len(headings) == 16

    def test_sop_docx_opens(self, payload: str) -> None:
        _, doc = hostile_document(payload)
        opened = Document(BytesIO(render_sop_docx(doc)))
        assert len(opened.tables) >= 5
        assert sum(style_name(p) == "List Number" for p in opened.paragraphs) == doc.step_count

    def test_sop_json_round_trips_text(self, payload: str) -> None:
        _, doc = hostile_document(payload)
        assert json.loads(render_sop_json(doc))["details"]["purpose"] == doc.details.purpose

    def test_timing_report_html_json_csv(self, payload: str) -> None:
        recordings, _ = hostile_document(payload)
        report = build_timing_report(recordings, workflow=payload)
        assert_inert_html(render_timing_html(report))
        assert json.loads(render_timing_json(report))["workflow"] == payload
        rows = list(csv.reader(io.StringIO(render_timing_csv(report))))
        assert len(rows) == 1 + len(report.steps)
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(FORMULA_START) or re.fullmatch(r"-?\d+", cell), cell


def test_the_corpus_is_big_enough() -> None:
    assert len(PAYLOADS) >= 30
    assert max(len(p) for p in PAYLOADS) >= 10_000

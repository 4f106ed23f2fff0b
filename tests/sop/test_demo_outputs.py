"""The demo workflow through the real ingest and pipeline: golden files, parsed HTML, DOCX, report.

Regenerate the golden files after a reviewed change with
``SOP_RECORDER_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/sop/test_demo_outputs.py``
and read the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from io import BytesIO
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from docx import Document
from sqlalchemy.orm import Session

from app.demo.load import load_demo
from app.exports import ExportData, load_workflow_export
from app.models import Workflow
from app.settings import Settings
from app.sop.document import SECTIONS
from app.sop.docx import render_sop_docx
from app.sop.render import render_sop_html, render_sop_markdown
from app.templating import TEMPLATES_DIR, format_duration
from app.timing_report.render import render_timing_html, render_timing_json
from tests.html import attr, one
from tests.sop.builders import style_name

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "sop"
REGENERATE = os.environ.get("SOP_RECORDER_REGENERATE_GOLDEN") == "1"


@pytest.fixture
def demo(session: Session, settings: Settings) -> ExportData:
    """The demo workflow's data, with ids fixed so the outputs do not depend on the database."""
    result = load_demo(session, settings)
    data = load_workflow_export(session, session.get_one(Workflow, result.workflow_id))
    stable = [dataclasses.replace(r, recording_id=1, agent="agent-demo") for r in data.recordings]
    return dataclasses.replace(data, recordings=stable)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGENERATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not REGENERATE:
            pytest.fail(f"wrote the missing golden file {path}; review it and run again")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; review and regenerate"


def test_golden_markdown(demo: ExportData) -> None:
    check_golden("demo-sop.md", render_sop_markdown(demo.sop()))


def test_golden_html(demo: ExportData) -> None:
    check_golden("demo-sop.html", render_sop_html(demo.sop()))


def test_html_has_every_section_and_numbered_steps_under_phases(demo: ExportData) -> None:
    doc = demo.sop()
    soup = BeautifulSoup(render_sop_html(doc), "html.parser")
    for key, heading in SECTIONS:
        section = soup.find("section", id=key)
        assert section is not None, key
        assert one(section, "h2").get_text(strip=True) == heading
    phases = soup.select("#procedure section.phase")
    assert [p["data-phase"] for p in phases] == [p.phase for p in doc.phases]
    numbers: list[int] = []
    for phase in phases:
        items = phase.select("ol.procedure > li")
        assert int(attr(one(phase, "ol"), "start")) == int(attr(items[0], "value"))
        numbers += [int(attr(li, "value")) for li in items]
    assert numbers == list(range(1, doc.step_count + 1)) and doc.step_count >= 15
    first = one(soup, "#step-1")
    assert "Zendesk" in one(first, ".meta").get_text()
    assert first["data-events"]
    rules = [li.get_text(" ", strip=True) for li in soup.select("#triage li")]
    assert any("Priority" in r and "Urgent" in r for r in rules)
    assert soup.select("#escalation tbody tr"), "the Jira hand-off is prefilled"
    assert "Billing: refund issued" in one(soup, "#macros").get_text()
    assert soup.select("#slas td[data-ms]")


def test_docx_has_headings_numbered_procedure_and_tables(demo: ExportData) -> None:
    doc = demo.sop()
    opened = Document(BytesIO(render_sop_docx(doc)))
    headings = [p.text for p in opened.paragraphs if style_name(p) == "Heading 1"]
    assert headings == [heading for _, heading in SECTIONS]
    phase_headings = [p.text for p in opened.paragraphs if style_name(p) == "Heading 2"]
    assert len(phase_headings) == len(doc.phases)
    numbered = [p.text for p in opened.paragraphs if style_name(p) == "List Number"]
    titles = [s.title for p in doc.phases for s in p.steps]
    assert len(numbered) == len(titles)
    assert all(text.startswith(title) for text, title in zip(numbered, titles, strict=True))
    header_rows = [[c.text for c in t.rows[0].cells] for t in opened.tables]
    assert ["Trigger", "Escalate to", "Contact", "Within", "Source"] in header_rows
    assert ["Target", "Measures", "Target time", "Measured (median)", "Status"] in header_rows
    assert ["System", "Category", "Screens used", "Steps", "Time spent"] in header_rows


def test_timing_report_html_figures_equal_the_json(demo: ExportData) -> None:
    report = demo.timing()
    figures = json.loads(render_timing_json(report))
    soup = BeautifulSoup(render_timing_html(report), "html.parser")
    for key in ("total", "active", "waiting", "idle"):
        shown = one(soup, f'[data-figure="{key}"] strong')
        assert int(attr(shown, "data-ms")) == figures["totals"][f"{key}_ms"]
        assert shown.get_text() == format_duration(figures["totals"][f"{key}_ms"])
    switches = one(soup, '[data-figure="context_switches"] strong')
    assert int(attr(switches, "data-count")) == figures["context_switches"] > 0
    for table in ("phases", "systems"):
        rows = soup.select(f'table[data-groups="{table}"] tbody tr')
        assert [r["data-key"] for r in rows] == [g["key"] for g in figures[table]]
        for row, group in zip(rows, figures[table], strict=True):
            cells = [int(attr(c, "data-ms")) for c in row.select("[data-ms]")]
            time = group["time"]
            assert cells == [time["total_ms"], time["active_ms"], time["waiting_ms"],
                             time["idle_ms"], group["median_ms"], group["p90_ms"]]
    assert len(soup.select("svg.chart")) == 5
    assert len(soup.select("#chart-timeline rect")) == len(figures["steps"])
    assert figures["totals"]["idle_ms"] >= 60_000, "the demo's idle gap is measured"


def test_markdown_templates_escape_every_value() -> None:
    allowed = re.compile(r"\|\s*(md|md_block|md_url)\s*$|^(cell|runs|prompt)\(")
    for path in TEMPLATES_DIR.rglob("*.md"):
        for expression in re.findall(r"{{(.*?)}}", path.read_text(encoding="utf-8")):
            assert allowed.search(expression.strip()), f"{path.name}: {{{{{expression}}}}}"

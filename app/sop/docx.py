"""The SOP as a Word document (python-docx): headings, a numbered procedure and real tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from io import BytesIO
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import RGBColor
from lxml.etree import Element, SubElement  # type: ignore[import-untyped]

from app.sop.document import SopDocument
from app.steps.model import PHASE_NAMES, PHASES
from app.templating import clean_text, format_date, format_duration, safe_url

__all__ = ["render_sop_docx"]

_TODO_COLOUR = RGBColor(0x7A, 0x5A, 0x00)


def _t(value: object) -> str:
    """Text safe for XML 1.0 (python-docx refuses control characters)."""
    return clean_text("" if value is None else str(value))


def render_sop_docx(document: SopDocument) -> bytes:
    """The SOP as DOCX bytes that open in Word and LibreOffice."""
    docx = Document()
    docx.core_properties.title = _t(document.title)[:255]
    docx.core_properties.subject = "Standard operating procedure"
    docx.add_heading(_t(document.title), level=0)
    version = f"version {document.version}" if document.version else "draft"
    docx.add_paragraph(f"Standard operating procedure for {_t(document.workflow)}, {version}.")
    headings = dict(document.sections)
    for key, writer in _WRITERS:
        docx.add_heading(headings[key], level=1)
        writer(docx, document)
        if key in document.prompts:
            paragraph = docx.add_paragraph()
            label = paragraph.add_run("To fill in: ")
            label.bold = True
            label.font.color.rgb = _TODO_COLOUR
            paragraph.add_run(_t(document.prompts[key])).italic = True
    out = BytesIO()
    docx.save(out)
    return out.getvalue()


def _table(docx: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    if not rows:
        return
    table = docx.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = _t(value)


def _bullets(docx: DocxDocument, items: Sequence[str]) -> None:
    for item in items:
        docx.add_paragraph(_t(item), style="List Bullet")


def _control(docx: DocxDocument, doc: SopDocument) -> None:
    d = doc.details
    _table(
        docx,
        ["Owner", "Approver", "Version", "Effective date", "Next review"],
        [[d.owner, d.approver, doc.version or "draft", format_date(d.effective_date),
          format_date(doc.next_review_date)]],
    )
    if d.review_interval_days:
        docx.add_paragraph(f"Reviewed every {d.review_interval_days} days.")


Writer = Callable[[DocxDocument, SopDocument], None]


def _text(attribute: str) -> Writer:
    def write(docx: DocxDocument, doc: SopDocument) -> None:
        for paragraph in _t(getattr(doc.details, attribute)).split("\n\n"):
            if paragraph.strip():
                docx.add_paragraph(paragraph.strip())

    return write


def _scope(docx: DocxDocument, doc: SopDocument) -> None:
    d = doc.details
    for label, text in (("In scope: ", d.scope), ("Out of scope: ", d.out_of_scope)):
        if text:
            paragraph = docx.add_paragraph()
            paragraph.add_run(label).bold = True
            paragraph.add_run(_t(text))


def _roles(docx: DocxDocument, doc: SopDocument) -> None:
    _table(
        docx,
        ["Role", "Responsibilities", *(PHASE_NAMES[p] for p in PHASES)],
        [[r.role, r.responsibilities, *(r.raci.get(p, "") for p in PHASES)]
         for r in doc.details.roles],
    )


def _tools(docx: DocxDocument, doc: SopDocument) -> None:
    _table(
        docx,
        ["System", "Category", "Screens used", "Steps", "Time spent"],
        [[t.system, t.category.replace("_", " "), ", ".join(t.screens), t.step_count,
          format_duration(t.total_ms)] for t in doc.tools],
    )


def _run(paragraph: Any, text: str, *flags: str) -> None:
    """Append a ``w:r`` to a raw ``w:p``; ``flags`` are empty rPr children such as ``w:b``."""
    run = SubElement(paragraph, qn("w:r"))
    if flags:
        properties = SubElement(run, qn("w:rPr"))
        for flag in flags:
            SubElement(properties, qn(flag))
    node = SubElement(run, qn("w:t"))
    node.text = _t(text)
    node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _raw_paragraph(docx: DocxDocument, style_id: str) -> Any:
    """A ``w:p`` built with lxml directly: python-docx's generic insertion and style lookups
    made a 1,000-step procedure take seconds. Text still goes through ``_t`` and lxml escapes."""
    body = docx.element.body
    paragraph = Element(qn("w:p"))
    SubElement(SubElement(paragraph, qn("w:pPr")), qn("w:pStyle")).set(qn("w:val"), style_id)
    body.insert(len(body) - 1, paragraph)
    return paragraph


def _procedure(docx: DocxDocument, doc: SopDocument) -> None:
    numbered = docx.styles["List Number"].style_id
    continued = docx.styles["List Continue"].style_id
    for index, phase in enumerate(doc.phases, start=1):
        docx.add_heading(
            f"Phase {index}: {phase.name} (typically {format_duration(phase.typical_ms)})", level=2
        )
        for step in phase.steps:
            paragraph = _raw_paragraph(docx, numbered)
            for part in step.parts:
                _run(paragraph, part.text, *(("w:b",) if part.strong else ()))
            _run(paragraph, f" — {step.system} · {step.screen} · typically "
                 f"{format_duration(step.typical_ms)}", "w:i")
            for label, text in (("Warning: ", step.warning), ("Note: ", step.note)):
                if text:
                    line = _raw_paragraph(docx, continued)
                    _run(line, label, "w:b")
                    _run(line, text)
    _decisions(docx, doc)


def _decisions(docx: DocxDocument, doc: SopDocument) -> None:
    """Where the recordings split: one paragraph per decision point, one bullet per branch."""
    if doc.decisions:
        docx.add_heading("Decision points", level=2)
    for point in doc.decisions:
        where = f"After step {point.after_step}" if point.after_step else "Before step 1"
        docx.add_paragraph(f"{where}, the recordings went different ways "
                           f"({point.reached} got there):")
        for branch in point.branches:
            label = (f"If {branch.condition}" if branch.condition
                     else "Usually" if branch.follows_procedure else "Otherwise")
            then = f"continue with step {branch.rejoins_at}" if branch.rejoins_at else "finish"
            steps = "".join(f"{title}; then " for title in branch.steps)
            item = docx.add_paragraph(style="List Bullet")
            item.add_run(_t(label)).bold = True
            item.add_run(_t(f" ({branch.count} of {point.reached} recordings): {steps}{then}."))


def _triage(docx: DocxDocument, doc: SopDocument) -> None:
    _table(
        docx,
        ["Field", "Set to", "System", "When", "Step"],
        [[r.field, r.choice, r.system, r.when or "to fill in", r.step_number or ""]
         for r in doc.triage_rules],
    )


def _escalation(docx: DocxDocument, doc: SopDocument) -> None:
    _table(
        docx,
        ["Trigger", "Escalate to", "Contact", "Within", "Source"],
        [[r.trigger, r.escalate_to, r.contact or "to fill in", r.sla or "to fill in",
          f"recorded hand-off, step {r.step_number}" if r.detected else "entered by the lead"]
         for r in doc.escalation],
    )


def _slas(docx: DocxDocument, doc: SopDocument) -> None:
    status = {None: "", True: "within target", False: "over target"}
    _table(
        docx,
        ["Target", "Measures", "Target time", "Measured (median)", "Status"],
        [[r.name, PHASE_NAMES.get(r.measure, "Total handling time"),
          format_duration(r.target_ms) if r.target_ms is not None else "to fill in",
          format_duration(r.measured_ms), status[r.within]] for r in doc.slas],
    )


def _macros(docx: DocxDocument, doc: SopDocument) -> None:
    _bullets(docx, [f"{m.name} in {m.system}" + (f" (step {m.step_number})" if m.step_number
                                                 else "") for m in doc.macros])


def _records(docx: DocxDocument, doc: SopDocument) -> None:
    _table(docx, ["What is logged", "System", "Where", "Step"],
           [[r.what, r.system, r.screen, r.step_number or ""] for r in doc.records])


def _revisions(docx: DocxDocument, doc: SopDocument) -> None:
    _table(docx, ["Version", "Date", "Recorded by", "Published by", "What changed"],
           [[r.version, format_date(r.date), r.author, r.published_by, r.summary]
            for r in doc.revisions])


def _related(docx: DocxDocument, doc: SopDocument) -> None:
    _bullets(docx, [f"{d.title} ({safe_url(d.url) or d.url})" if d.url else d.title
                    for d in doc.details.related_documents])


_WRITERS: tuple[tuple[str, Writer], ...] = (
    ("document-control", _control),
    ("purpose", _text("purpose")),
    ("scope", _scope),
    ("roles", _roles),
    ("tools", _tools),
    ("prerequisites", lambda docx, doc: _bullets(docx, doc.details.prerequisites)),
    ("procedure", _procedure),
    ("triage", _triage),
    ("escalation", _escalation),
    ("slas", _slas),
    ("macros", _macros),
    ("exceptions", lambda docx, doc: _bullets(docx, doc.exceptions)),
    ("quality", lambda docx, doc: _bullets(docx, doc.details.quality_checks)),
    ("records", _records),
    ("revisions", _revisions),
    ("related", _related),
)

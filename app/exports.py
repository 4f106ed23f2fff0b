"""The downloadable outputs: artifact -> format -> (media type, file extension, render function).

The HTTP downloads and ``sop-recorder export`` both look formats up here and render the same
``ExportData``, so adding an output is one ``register`` call (see the bottom of this module).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy.orm import Session

from app.errors import NotFound, PayloadTooLarge, Unprocessable
from app.event_log.csv import render_event_csv
from app.event_log.xes import render_xes
from app.models import Recording, Workflow
from app.pipeline import StepTexts, load_recording_steps, load_workflow_recordings
from app.process_map.export import FORMATS as MAP_FORMATS
from app.process_map.export import render_process_map
from app.sop.build import build_sop
from app.sop.document import LeadDetails, Revision, SopDocument, StepNote
from app.sop.render import render_sop_html, render_sop_json, render_sop_markdown
from app.steps.model import RecordingSteps
from app.timing_report.figures import TimingReport, build_timing_report
from app.timing_report.render import render_timing_csv, render_timing_html, render_timing_json
from app.workflows.merge import canonical_order, merge_recordings

__all__ = [
    "EXPORTS",
    "ExportData",
    "ExportFormat",
    "content_disposition",
    "download_name",
    "find_export",
    "load_recording_export",
    "load_workflow_export",
    "register",
    "slugify",
    "step_notes_of",
]


@dataclass(frozen=True, slots=True)
class ExportData:
    """Everything an output is rendered from: steps, the lead's edits, versions."""

    name: str
    workflow: str
    recordings: Sequence[RecordingSteps]
    details: LeadDetails = field(default_factory=LeadDetails)
    step_notes: Mapping[str, StepNote] = field(default_factory=dict)
    revisions: Sequence[Revision] = ()
    version: int | None = None

    def sop(self) -> SopDocument:
        """The SOP document of this data: recordings merged into a procedure with decisions."""
        merged = merge_recordings(self.recordings)
        return build_sop(merged.recordings, self.details, self.step_notes, self.revisions,
                         workflow=self.workflow, version=self.version,
                         procedure=merged.procedure, decisions=merged.decisions,
                         variants=merged.exceptions)

    def timing(self) -> TimingReport:
        """The timing figures of this data."""
        return build_timing_report(self.recordings, workflow=self.workflow)


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """How one format of one artifact is served and written."""

    media_type: str
    extension: str
    render: Callable[[ExportData], str | bytes]


EXPORTS: dict[str, dict[str, ExportFormat]] = {}


def register(
    artifact: str, format_: str, media_type: str, extension: str,
    render: Callable[[ExportData], str | bytes],
) -> None:
    """Add (or replace) one format of an artifact."""
    EXPORTS.setdefault(artifact, {})[format_] = ExportFormat(media_type, extension, render)


def find_export(artifact: str, format_: str) -> ExportFormat:
    """The format, or a 422 that lists the formats there are."""
    formats = EXPORTS.get(artifact)
    if formats is None:
        raise NotFound(f"no output called {artifact!r}; there are: {', '.join(sorted(EXPORTS))}")
    if format_ not in formats:
        raise Unprocessable(
            f"{artifact} has no format {format_[:20]!r}; use one of: {', '.join(formats)}",
            errors=[{"loc": "format", "msg": f"one of {', '.join(formats)}"}],
        )
    return formats[format_]


def slugify(text: str, *, fallback: str = "workflow") -> str:
    """A file-name-safe ASCII slug.

    >>> slugify("Refund request (EU) / Über"), slugify("<script>"), slugify("///")
    ('refund-request-eu-uber', 'script', 'workflow')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def download_name(data: ExportData, artifact: str, extension: str) -> str:
    """``refund-request-sop-v3.md``: what a person would keep."""
    version = f"-v{data.version}" if data.version else ""
    return f"{slugify(data.name)}-{artifact}{version}.{extension}"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """An RFC 6266 header value with an ASCII fallback and the UTF-8 name."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def step_notes_of(raw: Mapping[str, object] | None) -> dict[str, StepNote]:
    """The lead's notes as stored (activity key -> ``{note, warning}``) as document data."""
    notes = {}
    for key, value in (raw or {}).items():
        if isinstance(value, dict):
            notes[key] = StepNote(note=value.get("note") or "", warning=value.get("warning") or "")
    return notes


def load_workflow_export(
    session: Session, workflow: Workflow, *, version: int | None = None,
    max_steps: int | None = None, step_texts: StepTexts | None = None,
) -> ExportData:
    """The data of a workflow's outputs: version ``version``, else the published version in
    force, else (nothing published yet) its included finished recordings and the lead's edits.

    Past ``max_steps`` steps in all, a 413 before any output is rendered from them.
    ``step_texts`` (:func:`app.pipeline.workflow_step_texts`, already read by the caller in this
    transaction) saves the loader reading the steps again.
    """
    from app.workflows import version_data

    chosen = (version_data.find_version(session, workflow, version) if version is not None
              else version_data.current_version(session, workflow))
    if chosen is not None:
        data = version_data.version_export(session, workflow, chosen)
    else:
        data = ExportData(
            name=workflow.name,
            workflow=workflow.name,
            recordings=canonical_order(
                load_workflow_recordings(session, workflow, step_texts=step_texts)),
            details=LeadDetails.from_dict(workflow.details),
            step_notes=step_notes_of(workflow.step_notes),
        )
    total = sum(len(recording.steps) for recording in data.recordings)
    if max_steps is not None and total > max_steps:
        raise PayloadTooLarge(
            f"this output would be made from {total} steps of {len(data.recordings)} recordings; "
            f"the limit is {max_steps} (setting SOP_RECORDER_MAX_OUTPUT_STEPS): exclude "
            "recordings from the workflow or ask for a smaller version (?version=N)"
        )
    return data


def load_recording_export(session: Session, recording: Recording) -> ExportData:
    """The data of one recording's outputs (with its workflow's edits)."""
    workflow = recording.workflow
    return ExportData(
        name=f"{workflow.name} recording {recording.id}",
        workflow=workflow.name,
        recordings=[load_recording_steps(session, recording)],
        details=LeadDetails.from_dict(workflow.details),
        step_notes=step_notes_of(workflow.step_notes),
    )


def _render_sop_docx(document: SopDocument) -> bytes:
    """The DOCX renderer, imported when first asked for: python-docx and lxml add a fifth to
    the service's start-up time, and most runs never write a Word file."""
    from app.sop.docx import render_sop_docx

    return render_sop_docx(document)


register("sop", "md", "text/markdown; charset=utf-8", "md",
         lambda d: render_sop_markdown(d.sop()))
register("sop", "html", "text/html; charset=utf-8", "html", lambda d: render_sop_html(d.sop()))
register("sop", "docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
         lambda d: _render_sop_docx(d.sop()))
register("sop", "json", "application/json", "json", lambda d: render_sop_json(d.sop()))
register("timing-report", "html", "text/html; charset=utf-8", "html",
         lambda d: render_timing_html(d.timing()))
register("timing-report", "json", "application/json", "json",
         lambda d: render_timing_json(d.timing()))
register("timing-report", "csv", "text/csv; charset=utf-8", "csv",
         lambda d: render_timing_csv(d.timing()))


def _process_map(fmt: str) -> Callable[[ExportData], str]:
    """A renderer of the process map in ``fmt`` (one of :data:`MAP_FORMATS`)."""
    return lambda data: render_process_map(data.recordings, fmt, title=data.workflow)


for _name, _spec in MAP_FORMATS.items():
    register("process-map", _name, _spec.media_type, _spec.extension, _process_map(_name))
register("event-log", "xes", "application/xml", "xes",
         lambda d: render_xes(d.recordings, title=d.workflow))
register("event-log", "csv", "text/csv; charset=utf-8", "csv",
         lambda d: render_event_csv(d.recordings))

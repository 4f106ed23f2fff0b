"""The workflow page's outputs (SOP model and HTML, timing report and charts, process-map SVG),
rendered once per distinct input and kept in a small in-process cache.

Outputs are derived data: they follow from the included recordings' stored steps and the lead's
stored edits. The cache key is a digest of exactly those inputs (the workflow's name, details and
notes; each recording's id, status, inclusion, agent and ticket; each version's number, status
and last change, since the published version in force is what the page shows; the stored text
of every step), read without decoding any JSON; so a view after any change (an edit, a new
recording, steps derived again, a publish) renders afresh, and each worker's cache is correct
on its own.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from app.exports import load_workflow_export
from app.models import Recording, RecordingStatus, Workflow, WorkflowVersion
from app.models import Step as StepRow
from app.process_map.export import render_process_map
from app.sop.document import SopDocument
from app.sop.render import render_sop_html
from app.templating import template_environment
from app.timing_report.charts import Chart, build_charts, system_colours
from app.timing_report.figures import TimingReport

#: Distinct workflow states kept per process (a few hundred KiB each).
CACHE_SIZE = 32
_cache: OrderedDict[str, RenderedOutputs] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class RenderedChart:
    """A timing chart and its SVG (the timing report's own chart template)."""

    key: str
    title: str
    svg: Markup


@dataclass(frozen=True, slots=True)
class RenderedOutputs:
    """What the workflow and preview pages show of a workflow's outputs."""

    recording_count: int
    document: SopDocument
    report: TimingReport
    sop_html: str
    map_svg: Markup
    charts: tuple[RenderedChart, ...]
    colours: dict[str, str]


def inputs_digest(session: Session, workflow: Workflow) -> str:
    """A digest of everything the outputs are derived from: the lead's edits, the recordings,
    and the stored text of every step of the included, finished ones."""
    digest = hashlib.sha256()
    head = [workflow.id, workflow.name, workflow.details or {}, workflow.step_notes or {}]
    digest.update(json.dumps(head, sort_keys=True, default=str).encode())
    recordings = session.execute(
        select(Recording.id, Recording.status, Recording.included, Recording.user_id,
               Recording.ticket_ref)
        .where(Recording.workflow_id == workflow.id).order_by(Recording.id)
    ).all()
    digest.update(repr([tuple(row) for row in recordings]).encode())
    versions = session.execute(
        select(WorkflowVersion.id, WorkflowVersion.number, WorkflowVersion.status,
               WorkflowVersion.updated_at, WorkflowVersion.published_at)
        .where(WorkflowVersion.workflow_id == workflow.id).order_by(WorkflowVersion.id)
    ).all()
    digest.update(repr([tuple(row) for row in versions]).encode())
    steps = session.execute(
        select(StepRow.recording_id, StepRow.position, cast(StepRow.data, Text))
        .join(Recording, Recording.id == StepRow.recording_id)
        .where(Recording.workflow_id == workflow.id, Recording.included.is_(True),
               Recording.status == RecordingStatus.finished)
        .order_by(StepRow.recording_id, StepRow.position)
    )
    for recording_id, position, data in steps:
        digest.update(f"{recording_id}:{position}:{data}\n".encode())
    return digest.hexdigest()


def render_outputs(session: Session, workflow: Workflow) -> RenderedOutputs:
    """Load the workflow's included recordings and render what its pages show."""
    data = load_workflow_export(session, workflow)
    document, report = data.sop(), data.timing()
    return RenderedOutputs(
        recording_count=len(data.recordings),
        document=document,
        report=report,
        sop_html=render_sop_html(document),
        # Built with ElementTree: every label is escaped as XML text.
        map_svg=Markup(render_process_map(data.recordings, "svg", title=workflow.name)),
        charts=tuple(RenderedChart(c.key, c.title, render_chart(c)) for c in build_charts(report)),
        colours=system_colours(report),
    )


def render_chart(chart: Chart) -> Markup:
    """One chart as inline SVG, from the (autoescaped) template the timing report uses."""
    template = template_environment().get_template("timing_report/_chart.svg")
    return Markup(template.render(chart=chart))


def workflow_outputs(session: Session, workflow: Workflow) -> RenderedOutputs:
    """The rendered outputs of the workflow as it is now, from the cache when unchanged."""
    key = inputs_digest(session, workflow)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    outputs = render_outputs(session, workflow)
    with _lock:
        _cache[key] = outputs
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return outputs


def clear_cache() -> None:
    """Forget every rendered output (tests and benchmarks measure the cold path with it)."""
    with _lock:
        _cache.clear()

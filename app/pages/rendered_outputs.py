"""The workflow page's outputs (SOP model and HTML, timing report and charts, process-map SVG),
and the preview's SOP alone, rendered once per distinct input and kept in a small in-process
cache.

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
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.exports import ExportData, load_workflow_export
from app.models import Recording, Workflow, WorkflowVersion
from app.pipeline import StepTexts, workflow_step_texts
from app.process_map.export import render_process_map
from app.sop.document import SopDocument
from app.sop.render import render_sop_html
from app.templating import template_environment
from app.timing_report.charts import Chart, build_charts, system_colours
from app.timing_report.figures import TimeSplit

#: Distinct workflow states kept per process (a few hundred KiB each).
CACHE_SIZE = 32
_cache: OrderedDict[tuple[str, str], RenderedOutputs | RenderedSop] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class RenderedChart:
    """A timing chart and its SVG (the timing report's own chart template)."""

    key: str
    title: str
    svg: Markup


@dataclass(frozen=True, slots=True)
class RenderedSop:
    """The SOP of a workflow's outputs: all that the preview page shows."""

    recording_count: int
    document: SopDocument
    sop_html: str


@dataclass(frozen=True, slots=True)
class TimingFacts:
    """The timing figures the workflow page lists beside its charts: a cached entry keeps
    these rather than the whole report, whose row per step the page does not show."""

    totals: TimeSplit
    median_total_ms: int
    context_switches: int


@dataclass(frozen=True, slots=True)
class RenderedOutputs:
    """What the workflow page shows of a workflow's outputs."""

    sop: RenderedSop
    timing: TimingFacts
    map_svg: Markup
    charts: tuple[RenderedChart, ...]
    colours: dict[str, str]


def inputs_digest(session: Session, workflow: Workflow, step_texts: StepTexts) -> str:
    """A digest of everything the outputs are derived from: the lead's edits, the recordings,
    and the stored text of every step of the included, finished ones (``step_texts``, from
    :func:`app.pipeline.workflow_step_texts`)."""
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
    # Each recording's digest is of its texts in position order, each with its length.
    for recording_id, texts_digest in sorted(step_texts.digests.items()):
        digest.update(b"%d:" % recording_id + texts_digest)
    return digest.hexdigest()


def render_sop(data: ExportData) -> RenderedSop:
    """The SOP document of loaded outputs data, and its HTML."""
    document = data.sop()
    return RenderedSop(len(data.recordings), document, render_sop_html(document))


def render_outputs(
    session: Session, workflow: Workflow, step_texts: StepTexts | None = None
) -> RenderedOutputs:
    """Load the workflow's included recordings and render what its page shows."""
    data = load_workflow_export(session, workflow, step_texts=step_texts)
    report = data.timing()
    return RenderedOutputs(
        sop=render_sop(data),
        timing=TimingFacts(report.totals, report.median_total_ms, report.context_switches),
        # Built with ElementTree: every label is escaped as XML text.
        map_svg=Markup(render_process_map(data.recordings, "svg", title=workflow.name)),
        charts=tuple(RenderedChart(c.key, c.title, render_chart(c))
                      for c in build_charts(report, step_bars=False)),
        colours=system_colours(report),
    )


def render_chart(chart: Chart) -> Markup:
    """One chart as inline SVG, from the (autoescaped) template the timing report uses."""
    template = template_environment().get_template("timing_report/_chart.svg")
    return Markup(template.render(chart=chart))


def workflow_outputs(session: Session, workflow: Workflow) -> RenderedOutputs:
    """The rendered outputs of the workflow as it is now, from the cache when unchanged."""
    step_texts = workflow_step_texts(session, workflow)
    key = inputs_digest(session, workflow, step_texts)
    hit = _cached(("outputs", key))
    if isinstance(hit, RenderedOutputs):
        return hit
    outputs = render_outputs(session, workflow, step_texts)
    _keep(("outputs", key), outputs)
    return outputs


def workflow_sop(session: Session, workflow: Workflow) -> RenderedSop:
    """The workflow's SOP as it is now: the preview needs neither the map nor the timing
    report, so a first view renders only the SOP (and reuses the whole outputs if cached)."""
    step_texts = workflow_step_texts(session, workflow)
    key = inputs_digest(session, workflow, step_texts)
    outputs = _cached(("outputs", key))
    if isinstance(outputs, RenderedOutputs):
        return outputs.sop
    hit = _cached(("sop", key))
    if isinstance(hit, RenderedSop):
        return hit
    sop = render_sop(load_workflow_export(session, workflow, step_texts=step_texts))
    _keep(("sop", key), sop)
    return sop


def _cached(key: tuple[str, str]) -> RenderedOutputs | RenderedSop | None:
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
        return hit


def _keep(key: tuple[str, str], value: RenderedOutputs | RenderedSop) -> None:
    with _lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def clear_cache() -> None:
    """Forget every rendered output (tests and benchmarks measure the cold path with it)."""
    with _lock:
        _cache.clear()

"""The one place that loads from the database, runs the pure stages, and saves their results."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, delete, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.models import Event as EventRow
from app.models import Recording, RecordingStatus, Workflow
from app.models import Step as StepRow
from app.settings import Settings, get_settings
from app.steps.catalogue import Catalogue, load_catalogue
from app.steps.derive import DerivedSteps, derive_steps
from app.steps.model import RawEvent, RecordingSteps, Step, TargetInfo, steps_from_json
from app.steps.phases import PhaseRule, load_rules
from app.steps.schemas import RecordingStepsRead, StepRead
from app.steps.timing import summarize_timing

log = logging.getLogger(__name__)
#: How many dropped event ids the manifest keeps (the counts per reason are always complete).
MAX_DROPPED_LISTED = 2_000


def pseudonym(user_id: int | None) -> str:
    """A stable pseudonymous agent id for outputs (never the email)."""
    if user_id is None:
        return "agent-unknown"
    return "agent-" + hashlib.sha256(f"sop-recorder-agent:{user_id}".encode()).hexdigest()[:6]


def load_recording_steps(session: Session, recording: Recording) -> RecordingSteps:
    """The stored steps of one recording, as plain data for the generators."""
    texts = read_step_texts(session, StepRow.recording_id == recording.id)
    return _recording_steps(recording, _decode_steps(texts).get(recording.id, ()))


@dataclass(frozen=True, slots=True)
class StepTexts:
    """The stored text of some recordings' steps, in position order, with a digest of each
    recording's texts: what the loader decodes, and what a digest of outputs is made from."""

    texts: dict[int, list[str]]
    digests: dict[int, bytes]

    def with_texts(self, more: StepTexts) -> StepTexts:
        """These texts and ``more``'s (``more``'s for a recording both hold)."""
        return StepTexts({**self.texts, **more.texts}, {**self.digests, **more.digests})


def read_step_texts(session: Session, *where: ColumnElement[bool]) -> StepTexts:
    """The stored text of the steps that ``where`` selects (joined to their recording), read
    without decoding it."""
    rows = session.execute(
        select(StepRow.recording_id, cast(StepRow.data, Text))
        .join(Recording, Recording.id == StepRow.recording_id)
        .where(*where)
        .order_by(StepRow.recording_id, StepRow.position)
    )
    texts: dict[int, list[str]] = {}
    for recording_id, text in rows:
        texts.setdefault(recording_id, []).append(text)
    return StepTexts(texts, {recording_id: _texts_digest(items)
                             for recording_id, items in texts.items()})


def workflow_step_texts(session: Session, workflow: Workflow) -> StepTexts:
    """The stored steps' text of the workflow's finished, included recordings: the recordings
    that :func:`load_workflow_recordings` loads by default."""
    return read_step_texts(session, *_included_finished(workflow))


def _included_finished(workflow: Workflow) -> tuple[ColumnElement[bool], ...]:
    return (Recording.workflow_id == workflow.id, Recording.included.is_(True),
            Recording.status == RecordingStatus.finished)


def load_workflow_recordings(
    session: Session, workflow: Workflow, *, included_only: bool = True,
    step_texts: StepTexts | None = None,
) -> list[RecordingSteps]:
    """The finished recordings of a workflow (oldest first), each with the steps stored for it.

    ``step_texts``, from :func:`workflow_step_texts` in the same transaction, saves reading
    the steps a second time (only with ``included_only``, the recordings those texts cover).
    A recording read here whose steps the texts lack, because it finished after they were read
    or changed between the two reads (on PostgreSQL each statement sees the latest commits),
    has its steps read by its id: no recording comes without the steps stored for it.
    """
    where = (_included_finished(workflow) if included_only else
             (Recording.workflow_id == workflow.id, Recording.status == RecordingStatus.finished))
    recordings = session.scalars(
        select(Recording).where(*where).order_by(Recording.created_at, Recording.id)
    ).all()
    if step_texts is None or not included_only:
        step_texts = read_step_texts(session, *where)
    missing = [recording.id for recording in recordings if recording.id not in step_texts.texts]
    if missing:
        step_texts = step_texts.with_texts(read_step_texts(session, Recording.id.in_(missing)))
    steps = _decode_steps(step_texts)
    return [_recording_steps(recording, steps.get(recording.id, ())) for recording in recordings]


#: How many decoded steps the loader keeps (about 1 KiB each): two workflows of 50 x 100.
DECODED_STEPS_KEPT = 10_000
_decoded: OrderedDict[int, tuple[bytes, tuple[Step, ...]]] = OrderedDict()
_decoded_lock = threading.Lock()


def _decode_steps(stored: StepTexts) -> dict[int, tuple[Step, ...]]:
    """The steps of these stored texts, per recording, in position order.

    Decoding is most of the time of loading a workflow, and a change to a workflow (an edit, a
    new recording, an exclusion) leaves most of its recordings' steps as they were: steps are
    decoded again only when their stored text is not the text last decoded for that recording.
    """
    out: dict[int, tuple[Step, ...]] = {}
    missing: list[int] = []
    with _decoded_lock:
        for recording_id, digest in stored.digests.items():
            kept = _decoded.get(recording_id)
            if kept is not None and kept[0] == digest:
                _decoded.move_to_end(recording_id)
                out[recording_id] = kept[1]
            else:
                missing.append(recording_id)
    # One decode of all the texts instead of one per row: fewer calls, and the decoder keeps a
    # single copy of the keys that every step repeats.
    decoded = steps_from_json("[" + ",".join(t for r in missing for t in stored.texts[r]) + "]")
    start = 0
    for recording_id in missing:
        end = start + len(stored.texts[recording_id])
        out[recording_id] = tuple(decoded[start:end])
        start = end
    _keep_decoded({r: (stored.digests[r], out[r]) for r in missing})
    return out


def _texts_digest(texts: list[str]) -> bytes:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(b"%d:" % len(text))
        digest.update(text.encode())
    return digest.digest()


def _keep_decoded(entries: dict[int, tuple[bytes, tuple[Step, ...]]]) -> None:
    with _decoded_lock:
        _decoded.update(entries)
        total = sum(len(steps) for _, steps in _decoded.values())
        while total > DECODED_STEPS_KEPT and len(_decoded) > 1:
            total -= len(_decoded.popitem(last=False)[1][1])


def forget_decoded_steps() -> None:
    """Empty the loader's decoded steps (benchmarks measure a first load with it)."""
    with _decoded_lock:
        _decoded.clear()


def _recording_steps(recording: Recording, steps: tuple[Step, ...]) -> RecordingSteps:
    started = steps[0].started_at_ms if steps else 0
    ended = steps[-1].started_at_ms + steps[-1].duration_ms if steps else 0
    dropped = ((recording.manifest or {}).get("derived") or {}).get("dropped_events", [])
    return RecordingSteps(
        recording_id=recording.id,
        workflow=recording.workflow.name,
        agent=pseudonym(recording.user_id),
        started_at_ms=started,
        ended_at_ms=ended,
        steps=steps,
        ticket_ref=recording.ticket_ref,
        dropped=tuple((str(pair[0]), str(pair[1])) for pair in dropped),
    )


def raw_event(row: EventRow) -> RawEvent:
    """The pipeline's view of a stored event."""
    target = None
    if row.target:
        context = row.target.get("context") or {}
        target = TargetInfo(
            tag=row.target.get("tag") or "",
            role=row.target.get("role"),
            name=row.target.get("name"),
            input_type=row.target.get("input_type"),
            selectors=tuple(row.target.get("selectors") or ()),
            heading=context.get("heading"),
            dialog=context.get("dialog"),
            form=context.get("form"),
            landmark=context.get("landmark"),
        )
    return RawEvent(
        id=row.client_id, seq=row.seq, type=row.type, ts=row.ts, tab=row.tab, frame=row.frame,
        url=row.url, title=row.title, target=target, field=row.field, control=row.control,
        choice=row.choice, checked=row.checked, transition=row.transition,
        load_ms=row.load_ms, state=row.state, label=row.label,
    )


def load_raw_events(session: Session, recording_id: int) -> list[RawEvent]:
    """The stored events of a recording, in ``seq`` order, as pipeline input."""
    rows = session.scalars(
        select(EventRow).where(EventRow.recording_id == recording_id).order_by(EventRow.seq)
    )
    return [raw_event(row) for row in rows]


@lru_cache(maxsize=8)
def _catalogue(path: str | None, mtime: float) -> Catalogue:
    return load_catalogue(Path(path) if path else None)


@lru_cache(maxsize=8)
def _rules(path: str | None, mtime: float) -> tuple[PhaseRule, ...]:
    return load_rules(Path(path) if path else None)


def _stamp(path: Path | None) -> tuple[str | None, float]:
    return (str(path), path.stat().st_mtime) if path else (None, 0.0)


def configured_stages(settings: Settings) -> tuple[Catalogue, tuple[PhaseRule, ...]]:
    """The catalogue and phase rules the settings name (re-read when their files change)."""
    return _catalogue(*_stamp(settings.system_catalogue_path)), _rules(
        *_stamp(settings.phase_rules_path)
    )


def _step_row(recording_id: int, step: Step) -> dict[str, Any]:
    return {
        "recording_id": recording_id,
        "position": step.position,
        "activity_key": step.activity_key[:300],
        "kind": step.kind,
        "title": step.title,
        "system": step.system[:200],
        "phase": step.phase,
        "started_at_ms": step.started_at_ms,
        "duration_ms": step.duration_ms,
        "data": step.to_dict(),
    }


def process_recording(
    session: Session, recording: Recording, settings: Settings | None = None
) -> DerivedSteps:
    """Derive the recording's steps from its events and replace its stored steps.

    Does not commit: the use case that calls it does.
    """
    settings = settings or get_settings()
    catalogue, rules = configured_stages(settings)
    result = derive_steps(
        load_raw_events(session, recording.id),
        catalogue=catalogue,
        rules=rules,
        idle_threshold_ms=settings.idle_threshold_ms,
    )
    session.execute(delete(StepRow).where(StepRow.recording_id == recording.id))
    if result.steps:
        session.execute(insert(StepRow), [_step_row(recording.id, s) for s in result.steps])
    manifest = dict(recording.manifest or {})
    manifest["derived"] = {
        "steps": len(result.steps),
        "dropped": dict(sorted(Counter(reason for _, reason in result.dropped).items())),
        "dropped_events": [list(pair) for pair in result.dropped[:MAX_DROPPED_LISTED]],
    }
    manifest.pop("pipeline_error", None)
    recording.manifest = manifest
    return result


def process_or_mark_failed(
    session: Session, recording: Recording, settings: Settings | None = None
) -> bool:
    """Run :func:`process_recording` in a savepoint; on any error mark the recording failed.

    A failing pipeline never turns finishing a recording into a server error: the recording
    becomes ``failed`` with the reason in its manifest, and its events stay stored so that
    it can be re-run after a fix. Returns whether the steps were derived. Does not commit.
    """
    try:
        with session.begin_nested():
            process_recording(session, recording, settings)
    except Exception as exc:
        log.exception("pipeline failed for recording %s", recording.id)
        manifest = dict(recording.manifest or {})
        manifest["pipeline_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        recording.manifest = manifest
        recording.status = RecordingStatus.failed
        return False
    if recording.status == RecordingStatus.failed:
        recording.status = RecordingStatus.finished
    return True


def steps_view(session: Session, recording: Recording) -> RecordingStepsRead:
    """The API view of a recording's stored steps, with its timing totals."""
    steps = load_recording_steps(session, recording).steps
    derived = (recording.manifest or {}).get("derived") or {}
    return RecordingStepsRead(
        recording_id=recording.id,
        status=recording.status,
        steps=[StepRead.model_validate(step.to_dict()) for step in steps],
        timing=summarize_timing(steps),
        dropped=dict(derived.get("dropped") or {}),
        pipeline_error=(recording.manifest or {}).get("pipeline_error"),
    )

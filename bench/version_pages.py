"""Server time of the version pages for a workflow of 50 recordings x 100 steps (target < 200 ms).

Run: ``taskset -c 0 .venv/bin/python bench/version_pages.py``. The workflow of ``bench/pages.py``
(50 finished recordings) gets version 1 published from all of them, then 10 more recordings
(another variant of a few steps) open draft 2, so the workflow page carries the draft's diff
against a 50-recording version. Each page is requested in-process and timed.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.database import make_engine, make_session_factory
from app.ingest.store import new_manifest
from app.main import create_app
from app.migrate import upgrade
from app.models import Recording, RecordingStatus, User, Workflow, utcnow
from app.models import Step as StepRow
from app.settings import Settings
from app.workflows import versions
from bench.pages import RUNS, fill, sign_in, specs, timed
from tests.sop.builders import recording

NEW_RECORDINGS = 10


def add_versions(session: Session, workflow_id: int) -> None:
    """Publish version 1 from every recording, then stage NEW_RECORDINGS into draft 2."""
    workflow = session.get(Workflow, workflow_id)
    assert workflow is not None
    lead = session.get(User, workflow.created_by_id)
    assert lead is not None
    versions.create_draft(session, workflow, lead)
    versions.publish_version(session, workflow, lead)
    for index in range(NEW_RECORDINGS):
        row = Recording(team_id=lead.team_id, workflow_id=workflow.id, user_id=lead.id,
                        status=RecordingStatus.finished, manifest=new_manifest(), client={},
                        event_count=300, finished_at=utcnow())
        session.add(row)
        session.flush()
        steps = recording(specs(index + 1), recording_id=row.id,
                          start_ms=1_763_900_000_000 + index * 3_600_000).steps
        session.add_all(StepRow(recording_id=row.id, position=s.position,
                                activity_key=s.activity_key, kind=s.kind, title=s.title,
                                system=s.system, phase=s.phase, started_at_ms=s.started_at_ms,
                                duration_ms=s.duration_ms, data=s.to_dict()) for s in steps)
        session.flush()
        versions.stage_recording(session, row)
        session.commit()


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-version-pages-"))
    settings = Settings(data_dir=folder)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        workflow_id, _ = fill(session)
        add_versions(session, workflow_id)
    base = f"/workflows/{workflow_id}"
    pages = [base, f"{base}/versions/1", f"{base}/versions/2", f"{base}/diff",
             f"{base}/preview", "/workflows"]
    with TestClient(create_app(settings, engine=engine)) as client:
        sign_in(client)
        print(f"version 1: 50 recordings x 100 steps; draft 2: {NEW_RECORDINGS} more; "
              f"median of {RUNS} runs after one warm-up")
        print(f"{'page':<30} {'median ms':>10} {'max ms':>8} {'KiB':>6}")
        for path in pages:
            assert client.get(path).status_code == 200, path
            warm, size = timed(client, path, RUNS)
            label = re.sub(r"/workflows/\d+", "/workflows/{id}", path)
            print(f"{label:<30} {statistics.median(warm):>10.1f} {max(warm):>8.1f} "
                  f"{size / 1024:>6.0f}")
    engine.dispose()


if __name__ == "__main__":
    main()

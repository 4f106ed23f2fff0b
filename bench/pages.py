"""Server time of every lead page for a workflow of 50 recordings x 100 steps (target < 200 ms).

Run: ``taskset -c 0 .venv/bin/python bench/pages.py``. A fresh SQLite database in a temp folder
is migrated and filled through the ORM; each page is then requested in-process (the full app:
session cookie, database, pipeline loaders, generators, templates) and timed.

Three ways: warm (nothing changed since the last view); cold (every in-process cache emptied:
the rendered outputs and the loader's decoded steps, as after a restart); and the first view
after the lead edits the workflow (a real change of its stored details, committed through the
ORM, so the outputs are rendered afresh from recordings whose steps did not change).
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app import accounts
from app.database import make_engine, make_session_factory
from app.ingest.store import new_manifest
from app.main import create_app
from app.migrate import upgrade
from app.models import Recording, RecordingStatus, Workflow, utcnow
from app.models import Step as StepRow
from app.pages.rendered_outputs import clear_cache
from app.pipeline import forget_decoded_steps
from app.settings import Settings
from app.steps.model import PHASES
from tests.sop.builders import recording, step

RECORDINGS, STEPS, RUNS = 50, 100, 7
SYSTEMS = ("Zendesk", "Stripe", "Jira", "Confluence")
PASSWORD = "bench password 123"


def specs(variant: int) -> list[dict[str, object]]:
    """One recording's steps: a shared path with a few variants, so the map has branches."""
    out = []
    for i in range(STEPS):
        branch = f" v{variant % 3}" if i % 17 == 5 else ""
        out.append(step(f"Do **thing {i}{branch}**", system=SYSTEMS[(i // 9) % len(SYSTEMS)],
                        screen=f"Screen {i % 12}", phase=PHASES[i * len(PHASES) // STEPS],
                        duration_ms=3_000 + (i * 37 + variant * 11) % 15_000,
                        waiting_ms=(i % 4) * 150))
    return out


def fill(session: Session) -> tuple[int, int]:
    """A lead, and a workflow of RECORDINGS finished recordings; returns (workflow, recording)."""
    lead, _ = accounts.create_user(session, "lead@bench.test", "lead", "Bench", PASSWORD)
    workflow = Workflow(team_id=lead.team_id, name="Refund request", created_by_id=lead.id,
                        details={"owner": "Bench lead", "purpose": "Benchmark the pages."},
                        step_notes={})
    session.add(workflow)
    session.flush()
    first = 0
    for index in range(RECORDINGS):
        row = Recording(team_id=lead.team_id, workflow_id=workflow.id, user_id=lead.id,
                        status=RecordingStatus.finished, manifest=new_manifest(), client={},
                        event_count=STEPS * 3, finished_at=utcnow())
        session.add(row)
        session.flush()
        first = first or row.id
        steps = recording(specs(index), recording_id=row.id,
                          start_ms=1_763_800_000_000 + index * 3_600_000).steps
        session.add_all(StepRow(recording_id=row.id, position=s.position,
                                activity_key=s.activity_key, kind=s.kind, title=s.title,
                                system=s.system, phase=s.phase, started_at_ms=s.started_at_ms,
                                duration_ms=s.duration_ms, data=s.to_dict()) for s in steps)
    session.commit()
    return workflow.id, first


def sign_in(client: TestClient) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    client.post("/login", data={"email": "lead@bench.test", "password": PASSWORD,
                                "csrf_token": token.group(1)})


def empty_caches() -> None:
    clear_cache()
    forget_decoded_steps()


def timed(client: TestClient, path: str, runs: int,
          before: Callable[[], None] | None = None) -> tuple[list[float], int]:
    """Milliseconds of ``runs`` requests of ``path`` (each after ``before``), and the size of
    the last reply."""
    times, size = [], 0
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        size = len(response.content)
    return times, size


def lead_edit(sessions: sessionmaker[Session], workflow_id: int) -> Callable[[], None]:
    """A change of the workflow's stored details, as the edit form makes it."""
    edits = iter(range(1, 1_000_000))

    def edit() -> None:
        with sessions() as session:
            workflow = session.get(Workflow, workflow_id)
            assert workflow is not None
            workflow.details = {**workflow.details, "purpose": f"Edit {next(edits)}."}
            session.commit()
    return edit


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    settings = Settings(data_dir=folder)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        workflow_id, recording_id = fill(session)
    edit = lead_edit(sessions, workflow_id)
    pages = ["/workflows", "/recordings", f"/recordings/{recording_id}",
             f"/workflows/{workflow_id}", f"/workflows/{workflow_id}/edit",
             f"/workflows/{workflow_id}/preview", "/account"]
    with TestClient(create_app(settings, engine=engine)) as client:
        sign_in(client)
        print(f"{RECORDINGS} recordings x {STEPS} steps; median of {RUNS} runs after one warm-up;"
              " cold = every in-process cache emptied before each request (median of 3);"
              " edit = first view after the lead edits the workflow (median of 3)")
        print(f"{'page':<30} {'median ms':>10} {'max ms':>8} {'cold ms':>8} {'edit ms':>8}"
              f" {'KiB':>6}")
        for path in pages:
            assert client.get(path).status_code == 200, path
            warm, size = timed(client, path, RUNS)
            cold, _ = timed(client, path, 3, empty_caches)
            client.get(path)
            edited, _ = timed(client, path, 3, edit)
            label = re.sub(r"/\d+", "/{id}", path)
            print(f"{label:<30} {statistics.median(warm):>10.1f} {max(warm):>8.1f} "
                  f"{statistics.median(cold):>8.1f} {statistics.median(edited):>8.1f} "
                  f"{size / 1024:>6.0f}")
    engine.dispose()


if __name__ == "__main__":
    main()

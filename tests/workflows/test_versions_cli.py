"""``sop-recorder versions | publish | diff`` on a fresh data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.database import make_engine, make_session_factory
from app.demo.load import DEMO_AGENT
from app.demo.ticket import DEMO_WORKFLOW
from app.ingest import store
from app.ingest.schemas import RecordingCreate
from app.models import User
from app.settings import Settings, get_settings
from tests.workflows.recorded import second_recording


def record_again(settings: Settings) -> None:
    """The demo agent records the ticket again, after the process changed."""
    engine = make_engine(settings.resolved_database_url)
    with make_session_factory(engine)() as session:
        agent = session.scalars(select(User).where(User.email == DEMO_AGENT)).one()
        recording = store.create_recording(session, agent,
                                           RecordingCreate(workflow=DEMO_WORKFLOW))
        events = store.validate_batch({"events": second_recording()}, settings)
        batch = store.prepare_batch(recording.id, events, settings)
        store.store_batch(session, agent, batch, settings)
        store.finish_recording(session, recording, settings)
    engine.dispose()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SOP_RECORDER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SOP_RECORDER_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_versions_publish_and_diff(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    capsys.readouterr()
    assert main(["versions", DEMO_WORKFLOW]) == 0
    listing = capsys.readouterr().out
    assert "v1   draft" in listing and "First version, from 1 recording." in listing

    assert main(["publish", DEMO_WORKFLOW, "--summary", "Demo procedure"]) == 0
    assert "Published version 1" in capsys.readouterr().out

    record_again(get_settings())
    assert main(["versions", DEMO_WORKFLOW]) == 0
    listing = capsys.readouterr().out
    assert "v2   draft" in listing and "v1   published" in listing
    assert "Review: " in listing

    out = data_dir / "changes.md"
    assert main(["diff", DEMO_WORKFLOW, "--from", "1", "--to", "2", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"# What changed in {DEMO_WORKFLOW}: 1 \u2192 2")
    assert "## Removed\n\n- Was step 3: Set Type to Incident in Zendesk" in text
    assert "renamed “Apply macro” → “Use macro”" in text

    assert main(["diff", DEMO_WORKFLOW, "--from", "1", "--to", "7"]) == 2
    assert "has no version 7" in capsys.readouterr().err
    assert main(["publish", "no such workflow"]) == 2

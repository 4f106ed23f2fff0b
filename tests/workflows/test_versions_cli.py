"""``sop-recorder versions | publish | diff`` on a fresh data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.demo.ticket import DEMO_WORKFLOW
from app.settings import get_settings
from tests.conftest import SHARED


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

    flow = SHARED / "fixtures" / "devtools-recorder" / "example-recording.json"
    assert main(["import", str(flow), "--workflow", DEMO_WORKFLOW]) == 0
    capsys.readouterr()
    assert main(["versions", DEMO_WORKFLOW]) == 0
    listing = capsys.readouterr().out
    assert "v2   draft" in listing and "v1   published" in listing
    assert "Review: " in listing

    out = data_dir / "changes.md"
    assert main(["diff", DEMO_WORKFLOW, "--from", "1", "--to", "2", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"# What changed in {DEMO_WORKFLOW}: 1 \u2192 2")
    assert "## Removed" in text and "## Added" in text
    assert "jane@doe.com" not in text, "typed values never reach a changelog"

    assert main(["diff", DEMO_WORKFLOW, "--from", "1", "--to", "7"]) == 2
    assert "has no version 7" in capsys.readouterr().err
    assert main(["publish", "no such workflow"]) == 2

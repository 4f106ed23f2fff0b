"""``sop-recorder demo`` and ``sop-recorder export`` as a person runs them (a real subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from docx import Document

from tests.sop.builders import style_name


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOP_RECORDER_DATA_DIR": str(tmp_path / "data")}
    env.pop("SOP_RECORDER_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def test_demo_then_export_every_sop_and_timing_format(tmp_path: Path) -> None:
    first = run(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "Loaded the demo ticket: workflow 1" in first.stdout
    assert "/api/v1/workflows/1/sop?format=md|html|docx|json" in first.stdout
    again = run(tmp_path, "demo")
    assert "Already loaded" in again.stdout, "loading twice stores nothing twice"

    docx = tmp_path / "refund.docx"
    assert run(tmp_path, "export", "1", "--format", "docx", "-o", str(docx)).returncode == 0
    assert any(style_name(p) == "List Number" for p in Document(str(docx)).paragraphs)
    by_name = run(tmp_path, "export", "Refund a duplicate charge (demo)", "--format", "md",
                  "-o", "-")
    assert by_name.stdout.startswith("# Refund a duplicate charge (demo)")
    csv_out = run(tmp_path, "export", "1", "--artifact", "timing-report", "--format", "csv",
                  "-o", "-")
    assert csv_out.stdout.splitlines()[0].startswith("recording_id,position,title")

    missing = run(tmp_path, "export", "No such workflow", "--format", "md", "-o", "-")
    assert missing.returncode == 2 and "no workflow called" in missing.stderr
    bad = run(tmp_path, "export", "1", "--format", "pdf", "-o", "-")
    assert bad.returncode == 2 and "md, html, docx, json" in bad.stderr

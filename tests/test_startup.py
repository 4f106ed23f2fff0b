"""What the app does when a server process starts serving."""

from __future__ import annotations

import gc
import subprocess
import sys
from typing import Any

from fastapi.testclient import TestClient

from app.main import SWITCH_INTERVAL_S, YOUNG_GENERATION_THRESHOLD


def test_startup_tunes_the_interpreter_for_serving(app: Any) -> None:
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 1000
        assert gc.get_threshold()[0] == YOUNG_GENERATION_THRESHOLD
        assert sys.getswitchinterval() == SWITCH_INTERVAL_S


def test_the_service_starts_without_the_output_libraries() -> None:
    """networkx and python-docx (with lxml) are loaded by the first output that needs them:
    together they were a fifth of a server's start-up, which a restart after a crash waits for."""
    probe = ("import sys; from app.main import create_app; create_app(); "
             "print(sorted({'networkx', 'docx', 'lxml'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == "[]"

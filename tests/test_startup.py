"""What the app does when a server process starts serving."""

from __future__ import annotations

import gc
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

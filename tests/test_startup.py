"""What the app does when a server process starts serving."""

from __future__ import annotations

import gc
from typing import Any

from fastapi.testclient import TestClient

from app.main import YOUNG_GENERATION_THRESHOLD


def test_startup_moves_the_heap_out_of_the_collectors_reach(app: Any) -> None:
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 1000
        assert gc.get_threshold()[0] == YOUNG_GENERATION_THRESHOLD

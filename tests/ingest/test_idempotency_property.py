"""Property: resending any parts of a recording, in any order and split, stores each event once."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Event, Recording
from tests.factories import event

KINDS = ["click", "change", "navigation", "visibility", "marker", "submit", "tab_switch"]


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[int, list[list[int]]]:
    """``(n, batches)``: every index below ``n`` sent at least once, some several times,
    shuffled and cut into batches of 1 to 500."""
    n = draw(st.integers(min_value=1, max_value=40))
    resent = draw(st.lists(st.integers(min_value=0, max_value=n - 1), max_size=60))
    order = draw(st.permutations(list(range(n)) + resent))
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=len(order) - 1)))) \
        if len(order) > 1 else []
    bounds = [0, *cuts, len(order)]
    return n, [order[a:b] for a, b in pairwise(bounds)]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=deliveries(), kinds=st.lists(st.sampled_from(KINDS), min_size=40, max_size=40))
def test_stored_events_are_the_distinct_ids_in_seq_order(
    client: TestClient, quick_account: Any, session: Session,
    plan: tuple[int, list[list[int]]], kinds: list[str],
) -> None:
    n, batches = plan
    agent = quick_account("agent")
    created = client.post("/api/v1/recordings", json={"workflow": "Property"},
                          headers=agent.headers)
    rid = created.json()["id"]
    # Seqs are increasing but not contiguous: order comes from seq, never from arrival.
    events = [event(kinds[i], seq=10 + 3 * i) for i in range(n)]

    inserted = 0
    for indexes in batches:
        response = client.post(f"/api/v1/recordings/{rid}/events",
                               json={"events": [events[i] for i in indexes]},
                               headers=agent.headers)
        assert response.status_code == 200, response.text
        ack = response.json()
        assert ack["inserted"] + ack["duplicates"] == ack["received"] == len(indexes)
        inserted += ack["inserted"]

    stored = session.scalars(
        select(Event.client_id).where(Event.recording_id == rid).order_by(Event.seq)
    ).all()
    assert stored == [e["id"] for e in events]
    assert inserted == n
    recording = session.get(Recording, rid, populate_existing=True)
    assert recording is not None and recording.event_count == n
    assert sum(recording.manifest["event_counts"].values()) == n

"""Two requests opening recordings in the same new workflow at once get the same workflow."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app import accounts
from app.ingest import store
from app.ingest.schemas import RecordingCreate
from app.models import Team, User, Workflow


@pytest.fixture
def committing(engine: Engine) -> Iterator[tuple[sessionmaker[Session], str]]:
    """Real commits on the suite's database (this test needs two live transactions), in a
    team of the test's own that is deleted afterwards."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    team = f"Race {uuid.uuid4().hex[:8]}"
    yield factory, team
    with factory() as session:
        session.execute(delete(Team).where(Team.name == team))
        session.commit()


def test_racing_creations_of_one_workflow_meet(
    committing: tuple[sessionmaker[Session], str],
) -> None:
    factory, team = committing
    with factory() as session:
        first, _ = accounts.create_user(session, f"a-{uuid.uuid4().hex}@x.test", "agent", team)
        second, _ = accounts.create_user(session, f"b-{uuid.uuid4().hex}@x.test", "agent", team)
    data = RecordingCreate(workflow="Refund request")
    results: dict[str, int] = {}

    with factory() as holder:
        # The first request has inserted the workflow but not committed yet...
        user = holder.get(User, first.id)
        assert user is not None
        created = store.find_or_create_workflow(holder, user, data)

        def racer() -> None:
            with factory() as session:
                other = session.get(User, second.id)
                assert other is not None
                results["racer"] = store.create_recording(session, other, data).workflow_id

        thread = threading.Thread(target=racer)
        thread.start()
        thread.join(timeout=1)  # ...and the second one reads "no such workflow", then waits
        holder.commit()
        results["first"] = created.id
    thread.join(timeout=60)

    assert results["racer"] == results["first"]
    with factory() as session:
        names = session.scalars(
            select(Workflow.name).join(Team).where(Team.name == team)
        ).all()
    assert names == ["Refund request"]

"""Page-test helpers: sign in through the real form, read CSRF tokens, parse HTML."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ingest.store import new_manifest
from app.models import Recording, RecordingStatus, Workflow, utcnow
from app.models import Step as StepRow
from app.pages.rendered_outputs import clear_cache
from app.steps.model import Step, TitlePart
from tests.conftest import Account


def soup(response: Response) -> BeautifulSoup:
    """The parsed HTML of a response."""
    return BeautifulSoup(response.text, "html.parser")


def csrf_of(response: Response) -> str:
    """The CSRF token of the first form on a page."""
    field = soup(response).find("input", attrs={"name": "csrf_token"})
    assert field is not None, "the page has no CSRF field"
    return str(field["value"])


def sign_in(client: TestClient, account: Account) -> str:
    """Sign ``account`` in through the form; returns the session's CSRF token."""
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"email": account.user.email, "password": "pw-" + account.user.email,
              "csrf_token": csrf_of(form), "next": "/workflows"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/account"))


@pytest.fixture
def browser_client(app: Any) -> Any:
    """A client that does not follow redirects, like a test of the raw page replies."""
    with TestClient(app, follow_redirects=False) as client:
        yield client


__all__ = ["csrf_of", "make_step", "sign_in", "soup", "store_recording"]


def make_step(index: int, title: str = "Click Submit", *, phase: str = "triage",
              system: str = "Zendesk", started_at_ms: int = 1_763_800_000_000,
              duration_ms: int = 30_000, key: str | None = None) -> Step:
    """A pipeline step with literal values; positions count from 1 as the pipeline's do."""
    return Step(
        position=index + 1, kind="click", title=title, parts=(TitlePart(title, strong=True),),
        activity_key=key or f"zendesk:ticket:click:{index}", system=system,
        system_category="help_desk", screen="Ticket view", url_template="/agent/tickets/{id}",
        phase=phase, started_at_ms=started_at_ms, duration_ms=duration_ms,
        active_ms=duration_ms, waiting_ms=0, idle_ms=0, event_ids=(f"e{index}",),
    )


def store_recording(session: Session, account: Account, workflow: str,
                    steps: list[Step]) -> Recording:
    """A finished recording of ``workflow`` (created if new) holding ``steps``."""
    user = account.user
    flow = session.scalar(
        select(Workflow).where(Workflow.team_id == user.team_id, Workflow.name == workflow)
    )
    if flow is None:
        flow = Workflow(team_id=user.team_id, name=workflow, created_by_id=user.id,
                        details={}, step_notes={})
        session.add(flow)
        session.flush()
    recording = Recording(
        team_id=user.team_id, workflow_id=flow.id, user_id=user.id,
        status=RecordingStatus.finished, manifest=new_manifest(), client={},
        event_count=len(steps), finished_at=utcnow(),
    )
    session.add(recording)
    session.flush()
    session.add_all(
        StepRow(recording_id=recording.id, position=s.position, activity_key=s.activity_key,
                kind=s.kind, title=s.title, system=s.system, phase=s.phase,
                started_at_ms=s.started_at_ms, duration_ms=s.duration_ms, data=s.to_dict())
        for s in steps
    )
    session.commit()
    return recording


@pytest.fixture
def make_recording(session: Session) -> Any:
    """``make_recording(account, workflow, steps)`` -> a stored, finished recording."""

    def make(account: Account, workflow: str = "Refund request",
             steps: list[Step] | None = None) -> Recording:
        return store_recording(session, account, workflow, steps or [make_step(0), make_step(1)])

    return make


@pytest.fixture(autouse=True)
def _fresh_rendered_outputs() -> None:
    """Rolled-back tests reuse row ids: no test may see another's cached outputs."""
    clear_cache()

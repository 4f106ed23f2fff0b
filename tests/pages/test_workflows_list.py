"""The workflows list: figures, search, sort, review due and stale flag, empty state."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import Workflow
from app.pages.workflows import WorkflowRow, sort_rows
from tests.html import attr
from tests.pages.conftest import make_step, sign_in, soup

T0 = 1_763_800_000_000


def _rows(client: TestClient, query: str = "") -> list[dict[str, str]]:
    page = soup(client.get("/workflows" + query))
    return [{attr(td, "data-label"): td.get_text(strip=True) for td in tr.find_all("td")}
            for tr in page.select("#workflows tbody tr")]


@pytest.fixture
def team(make_account: Any, make_recording: Any, session: Any) -> Any:
    lead = make_account("lead")
    for span in (60_000, 120_000, 600_000):
        make_recording(lead, "Refund request", [make_step(0, started_at_ms=T0, duration_ms=span)])
    make_recording(lead, "Password reset", [make_step(0, started_at_ms=T0, duration_ms=30_000)])
    flow = session.scalar(select(Workflow).where(Workflow.name == "Password reset"))
    flow.details = {"owner": "Dana Lead", "effective_date": "2020-01-01",
                    "review_interval_days": 90}
    session.commit()
    return lead


def test_each_workflow_shows_its_figures(client: TestClient, team: Any) -> None:
    sign_in(client, team)
    rows = {r["Name"]: r for r in _rows(client)}
    refund = rows["Refund request"]
    assert refund["Recordings"] == "3"
    assert refund["Median duration"] == "2 min"
    assert refund["Owner"] == team.user.email
    assert refund["Review due"] == "—" and refund["Status"] == "Up to date"
    reset = rows["Password reset"]
    assert reset["Owner"] == "Dana Lead"
    assert reset["Review due"] == "2020-03-31"
    assert reset["Status"] == "Needs review: the review was due on 2020-03-31"
    assert reset["Version"] == "not published"


def test_search_filters_by_name(client: TestClient, team: Any) -> None:
    sign_in(client, team)
    assert [r["Name"] for r in _rows(client, "?q=REFUND")] == ["Refund request"]
    empty = soup(client.get("/workflows?q=nothing")).select_one("p.empty")
    assert empty is not None and "nothing" in empty.text


@pytest.mark.parametrize(("query", "names"), [
    ("?sort=name", ["Password reset", "Refund request"]),
    ("?sort=name&order=desc", ["Refund request", "Password reset"]),
    ("?sort=recordings", ["Refund request", "Password reset"]),
    ("?sort=duration&order=asc", ["Password reset", "Refund request"]),
])
def test_sort(client: TestClient, team: Any, query: str, names: list[str]) -> None:
    sign_in(client, team)
    assert [r["Name"] for r in _rows(client, query)] == names


def test_a_bad_sort_key_is_a_404_page_not_a_500(client: TestClient, team: Any) -> None:
    sign_in(client, team)
    assert client.get("/workflows?sort=drop_table").status_code == 404


def test_an_empty_team_is_told_what_to_do(client: TestClient, make_account: Any) -> None:
    sign_in(client, make_account("lead"))
    empty = soup(client.get("/workflows")).select_one("section.empty")
    assert empty is not None
    assert "sop-recorder demo" in empty.text and empty.find("a", href="/account")


class TestSortRows:
    def test_rows_without_a_value_go_last_in_both_directions(self) -> None:
        rows = [WorkflowRow(i, n, "", None, 0, None, ms, None, None)
                for i, (n, ms) in enumerate([("a", None), ("b", 5), ("c", 9)])]
        assert [r.name for r in sort_rows(rows, "duration", False)] == ["b", "c", "a"]
        assert [r.name for r in sort_rows(rows, "duration", True)] == ["c", "b", "a"]

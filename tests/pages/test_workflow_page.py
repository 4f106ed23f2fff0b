"""The workflow page, the lead's edit forms, step notes, the preview and the page downloads."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection

from app.exports import EXPORTS
from tests.conftest import table_counts
from tests.html import attr, one
from tests.pages.conftest import make_step, sign_in, soup
from tests.pages.test_injection import assert_inert

T0 = 1_763_800_000_000
PHASE_OF = ("triage", "diagnose", "resolve", "confirm", "close")


@pytest.fixture
def flow(make_account: Any, make_recording: Any) -> dict[str, Any]:
    lead, agent = make_account("lead"), make_account("agent")
    steps = [make_step(i, f"Step {i} of the refund", phase=PHASE_OF[i % 5],
                       system=("Zendesk", "Stripe Dashboard")[i % 2],
                       started_at_ms=T0 + i * 20_000, duration_ms=20_000,
                       key=f"zendesk:ticket:click:{i}") for i in range(6)]
    recording = make_recording(agent, "Refund request", steps)
    return {"lead": lead, "agent": agent, "id": recording.workflow_id, "recording": recording}


def test_the_page_shows_the_sop_map_timing_recordings_and_downloads(
    client: TestClient, flow: dict[str, Any]
) -> None:
    sign_in(client, flow["lead"])
    response = client.get(f"/workflows/{flow['id']}")
    assert response.status_code == 200
    page = soup(response)
    sop = soup_of_frame(one(page, "iframe.sop-frame"))
    assert one(sop, "h1").text == "Refund request"
    assert [li.get_text(strip=True) for li in sop.select("#procedure li")][:1]
    assert page.select_one("#map .map-viewport svg[role=img]") is not None
    assert len(page.select("#timing svg.chart")) == 5
    assert attr(one(page, "#included a"), "href") == f"/recordings/{flow['recording'].id}"
    links = {a["href"] for a in page.select("#downloads a")}
    expected = {f"/workflows/{flow['id']}/download/{artifact}.{fmt}"
                for artifact, formats in EXPORTS.items() for fmt in formats}
    assert links == expected and len(links) >= 7
    assert page.find("a", href=f"/workflows/{flow['id']}/edit") is not None
    assert_inert(page)


def soup_of_frame(frame: Tag) -> BeautifulSoup:
    """The document shown in a ``srcdoc`` frame."""
    return BeautifulSoup(attr(frame, "srcdoc"), "html.parser")


def test_an_agent_reads_but_cannot_edit(client: TestClient, flow: dict[str, Any],
                                        connection: Connection) -> None:
    csrf = sign_in(client, flow["agent"])
    page = soup(client.get(f"/workflows/{flow['id']}"))
    assert page.find("a", href=f"/workflows/{flow['id']}/edit") is None
    assert page.select_one("#notes") is None
    assert client.get(f"/workflows/{flow['id']}/edit").status_code == 403
    before = table_counts(connection)
    posted = client.post(f"/workflows/{flow['id']}/edit",
                         data={"csrf_token": csrf, "section": "purpose", "purpose": "x"})
    assert posted.status_code == 403
    noted = client.post(f"/workflows/{flow['id']}/notes",
                        data={"csrf_token": csrf, "activity_key": "k", "note": "x"})
    assert noted.status_code == 403
    assert table_counts(connection) == before


def test_another_team_gets_404(client: TestClient, flow: dict[str, Any],
                               make_account: Any) -> None:
    sign_in(client, make_account("lead", team="Billing"))
    for path in ("", "/edit", "/preview", "/download/sop.md"):
        response = client.get(f"/workflows/{flow['id']}{path}")
        assert response.status_code == 404, path
        assert "Refund request" not in response.text


def test_saving_a_section_changes_the_sop(client: TestClient, flow: dict[str, Any]) -> None:
    csrf = sign_in(client, flow["lead"])
    response = client.post(f"/workflows/{flow['id']}/edit", follow_redirects=False, data={
        "csrf_token": csrf, "section": "purpose", "purpose": "Refund a charge <fast>."})
    assert response.status_code == 303
    assert response.headers["location"].endswith("/edit?saved=purpose#purpose")
    form = soup(client.get(response.headers["location"]))
    assert one(form, "#purpose .flash").text == "Saved."
    assert one(form, "#f-purpose").text == "Refund a charge <fast>."
    sop = client.get(f"/workflows/{flow['id']}/download/sop.md").text
    assert "Refund a charge &lt;fast&gt;." in sop


def test_table_sections_keep_their_rows(client: TestClient, flow: dict[str, Any]) -> None:
    csrf = sign_in(client, flow["lead"])
    client.post(f"/workflows/{flow['id']}/edit", data={
        "csrf_token": csrf, "section": "roles", "roles-0-role": "Agent",
        "roles-0-raci-triage": "r", "roles-2-role": "Team lead", "roles-2-raci-resolve": "A"})
    form = soup(client.get(f"/workflows/{flow['id']}/edit"))
    assert attr(one(form, "#f-roles-0-role"), "value") == "Agent"
    assert attr(one(form, "#f-roles-0-raci-triage"), "value") == "R"
    assert attr(one(form, "#f-roles-1-role"), "value") == "Team lead"
    assert attr(one(form, "#f-roles-3-role"), "value") == ""


@pytest.mark.parametrize(("data", "field"), [
    ({"section": "document-control", "review_interval_days": "soon"}, "f-review_interval_days"),
    ({"section": "document-control", "owner": "x" * 201}, "f-owner"),
    ({"section": "related", "related_documents-1-title": "Policy",
      "related_documents-1-url": "javascript:alert(1)"}, "f-related_documents-1-url"),
    ({"section": "slas", "sla_targets-0-name": "First reply",
      "sla_targets-0-target_minutes": "0"}, "f-sla_targets-0-target_minutes"),
])
def test_a_refused_section_shows_the_message_next_to_the_field(
    client: TestClient, flow: dict[str, Any], connection: Connection,
    data: dict[str, str], field: str,
) -> None:
    csrf = sign_in(client, flow["lead"])
    before = table_counts(connection)
    response = client.post(f"/workflows/{flow['id']}/edit", data={"csrf_token": csrf, **data})
    assert response.status_code == 422
    page = soup(response)
    element = one(page, f"#{field}")
    assert attr(element, "aria-invalid") == "true"
    assert f"{field}-error" in attr(element, "aria-describedby")
    assert one(page, f"#{field}-error").text
    assert page.select_one("[role=alert]") is not None
    assert table_counts(connection) == before


def test_a_raci_error_is_shown_under_its_row(client: TestClient, flow: dict[str, Any]) -> None:
    csrf = sign_in(client, flow["lead"])
    response = client.post(f"/workflows/{flow['id']}/edit", data={
        "csrf_token": csrf, "section": "roles", "roles-1-role": "Agent",
        "roles-1-raci-triage": "XYZ"})
    assert response.status_code == 422
    assert "R, A, C, I" in one(soup(response), "#f-roles-1-error").text


def test_a_step_note_appears_in_the_sop(client: TestClient, flow: dict[str, Any]) -> None:
    csrf = sign_in(client, flow["lead"])
    response = client.post(f"/workflows/{flow['id']}/notes", follow_redirects=False, data={
        "csrf_token": csrf, "activity_key": "zendesk:ticket:click:2",
        "note": "Check the plan first", "warning": "Do NOT refund over $500"})
    assert response.status_code == 303
    page = soup(client.get(f"/workflows/{flow['id']}"))
    notes = one(page, "#notes")
    assert "Do NOT refund over $500" in one(notes, ".warning").text
    assert "Check the plan first" in soup_of_frame(one(page, "iframe")).text


def test_a_too_long_note_is_refused_next_to_the_field(
    client: TestClient, flow: dict[str, Any], connection: Connection
) -> None:
    csrf = sign_in(client, flow["lead"])
    before = table_counts(connection)
    response = client.post(f"/workflows/{flow['id']}/notes", data={
        "csrf_token": csrf, "activity_key": "zendesk:ticket:click:2", "warning": "w" * 1001})
    assert response.status_code == 422
    error = soup(response).select_one("#notes .field-error")
    assert error is not None and "1000" in error.text
    assert table_counts(connection) == before


def test_the_preview_shows_the_sop_as_downloaded(client: TestClient,
                                                 flow: dict[str, Any]) -> None:
    sign_in(client, flow["lead"])
    frame = one(soup(client.get(f"/workflows/{flow['id']}/preview")), "iframe")
    downloaded = client.get(f"/workflows/{flow['id']}/download/sop.html").text
    assert attr(frame, "srcdoc") == downloaded


@pytest.mark.parametrize("seen_first", ["/preview", ""])
def test_the_preview_follows_an_edit(client: TestClient, flow: dict[str, Any],
                                     seen_first: str) -> None:
    # The preview renders the SOP alone, or takes it from the page's outputs: both follow.
    csrf = sign_in(client, flow["lead"])
    assert client.get(f"/workflows/{flow['id']}{seen_first}").status_code == 200
    client.post(f"/workflows/{flow['id']}/edit", data={
        "csrf_token": csrf, "section": "purpose", "purpose": "Refund within a day."})
    frame = one(soup(client.get(f"/workflows/{flow['id']}/preview")), "iframe")
    assert "Refund within a day." in soup_of_frame(frame).get_text()


def test_the_page_follows_steps_derived_again(client: TestClient, flow: dict[str, Any],
                                              session: Any) -> None:
    # The loader keeps decoded steps by recording; a new stored text must be decoded again.
    from sqlalchemy import select

    from app.models import Step as StepRow

    sign_in(client, flow["lead"])
    notes = one(soup(client.get(f"/workflows/{flow['id']}")), "#notes").get_text()
    assert "Step 0 of the refund" in notes
    row = session.scalars(select(StepRow).where(
        StepRow.recording_id == flow["recording"].id, StepRow.position == 1)).one()
    row.data = {**row.data, "title": "Step 0 done again",
                "parts": [{"text": "Step 0 done again", "strong": True}]}
    session.commit()
    notes = one(soup(client.get(f"/workflows/{flow['id']}")), "#notes").get_text()
    assert "Step 0 done again" in notes and "Step 0 of the refund" not in notes


def test_a_first_view_reads_the_steps_once(client: TestClient, flow: dict[str, Any],
                                          connection: Connection) -> None:
    # The digest of the outputs' inputs and the loader share one read of the steps' text.
    from sqlalchemy import event

    from app.pipeline import forget_decoded_steps

    sign_in(client, flow["lead"])
    reads: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "steps.data" in statement:
            reads.append(statement)

    forget_decoded_steps()
    event.listen(connection, "before_cursor_execute", count)
    try:
        page = client.get(f"/workflows/{flow['id']}")
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert page.status_code == 200
    assert "Step 0 of the refund" in one(soup(page), "#notes").get_text()
    assert len(reads) == 1, reads


def test_the_page_timeline_draws_runs_of_one_system_and_the_download_every_step(
    client: TestClient, make_account: Any, make_recording: Any
) -> None:
    lead, agent = make_account("lead"), make_account("agent")
    systems = ("Zendesk", "Zendesk", "Stripe Dashboard", "Stripe Dashboard", "Stripe Dashboard",
               "Zendesk")
    steps = [make_step(i, f"Step {i}", system=system, started_at_ms=T0 + i * 10_000,
                       duration_ms=10_000) for i, system in enumerate(systems)]
    workflow_id = make_recording(agent, "Handover", steps).workflow_id
    sign_in(client, lead)
    page = soup(client.get(f"/workflows/{workflow_id}"))
    bars = [one(rect, "title").text
            for rect in page.select("#timing svg[aria-labelledby^=timeline] rect")]
    assert bars == ["Steps 1 to 2 in Zendesk (2 steps, 20 s)",
                    "Steps 3 to 5 in Stripe Dashboard (3 steps, 30 s)", "6. Step 5 (Zendesk, 10 s)"]
    report = soup(client.get(f"/workflows/{workflow_id}/download/timing-report.html"))
    assert len(report.select("#chart-timeline rect")) == len(steps)


class TestDownloads:
    def test_every_registered_format_downloads(self, client: TestClient,
                                               flow: dict[str, Any]) -> None:
        # An agent downloads only published SOPs (tests/pages/test_versions_pages.py).
        sign_in(client, flow["lead"])
        for artifact, formats in EXPORTS.items():
            for fmt, spec in formats.items():
                response = client.get(f"/workflows/{flow['id']}/download/{artifact}.{fmt}")
                assert response.status_code == 200, (artifact, fmt)
                assert response.headers["content-type"].startswith(spec.media_type.split(";")[0])
                assert "attachment" in response.headers["content-disposition"]

    def test_the_docx_opens(self, client: TestClient, flow: dict[str, Any]) -> None:
        sign_in(client, flow["lead"])
        body = client.get(f"/workflows/{flow['id']}/download/sop.docx").content
        assert docx.Document(io.BytesIO(body)).paragraphs

    @pytest.mark.parametrize("name", ["sop.exe", "nothing.md", "sop", "../etc.md"])
    def test_unknown_downloads_are_refused(self, client: TestClient, flow: dict[str, Any],
                                           name: str) -> None:
        sign_in(client, flow["lead"])
        status = client.get(f"/workflows/{flow['id']}/download/{name}").status_code
        assert status in (404, 422)

    def test_signed_out_downloads_go_to_login(self, browser_client: TestClient,
                                              flow: dict[str, Any]) -> None:
        response = browser_client.get(f"/workflows/{flow['id']}/download/sop.md")
        assert response.status_code == 303


def test_publishing_renders_the_page_afresh(client: TestClient, flow: dict[str, Any],
                                            session: Any) -> None:
    from app.models import Workflow
    from app.workflows.versions import create_draft, publish_version

    sign_in(client, flow["lead"])
    before = soup_of_frame(one(soup(client.get(f"/workflows/{flow['id']}")), "iframe"))
    assert "draft" in one(before, ".subtitle").text
    workflow = session.get(Workflow, flow["id"])
    create_draft(session, workflow, flow["lead"].user)
    publish_version(session, workflow, flow["lead"].user, "First version")
    after = soup_of_frame(one(soup(client.get(f"/workflows/{flow['id']}")), "iframe"))
    assert "version 1" in one(after, ".subtitle").text
    listed = one(soup(client.get("/workflows")), "#workflows tbody tr")
    assert one(listed, "td[data-label=Version]").text == "1"

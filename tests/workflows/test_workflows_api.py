"""The workflows API: list, get, the lead's edits, step notes, and the downloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.models import Recording, RecordingStatus, Workflow
from app.models import Step as StepRow
from tests.conftest import Account, table_counts
from tests.sop.builders import recording, style_name, ticket_specs


def make_workflow(session: Session, account: Account, name: str = "Refund request") -> Workflow:
    """A workflow of the account's team with one finished recording and its steps."""
    workflow = Workflow(team_id=account.user.team_id, name=name, details={}, step_notes={})
    session.add(workflow)
    session.flush()
    row = Recording(team_id=account.user.team_id, workflow_id=workflow.id,
                    user_id=account.user.id, status=RecordingStatus.finished, client={},
                    manifest={}, event_count=0)
    session.add(row)
    session.flush()
    for step in recording(ticket_specs(), recording_id=row.id).steps:
        session.add(StepRow(recording_id=row.id, position=step.position,
                            activity_key=step.activity_key, kind=step.kind, title=step.title,
                            system=step.system, phase=step.phase,
                            started_at_ms=step.started_at_ms, duration_ms=step.duration_ms,
                            data=step.to_dict()))
    session.commit()
    return workflow


DETAILS = {
    "purpose": "Refund customers quickly and correctly.",
    "owner": "Dana Lead",
    "approver": "Head of Support",
    "review_interval_days": 90,
    "effective_date": "2026-01-05",
    "roles": [{"role": "Agent", "responsibilities": "Works the ticket",
               "raci": {"triage": "R", "close": "ar"}}],
    "sla_targets": [{"name": "Resolution", "target_minutes": 30, "measure": "total"}],
    "related_documents": [{"title": "Refund policy", "url": "https://wiki.example/refunds"}],
}


class TestListAndGet:
    def test_list_is_team_scoped_and_paged(self, client: TestClient, session: Session,
                                           make_account: Any) -> None:
        lead = make_account("lead", "Support")
        other = make_account("lead", "Other team")
        for name in ("Refund request", "Bug report", "Cancel plan"):
            make_workflow(session, lead, name)
        make_workflow(session, other, "Secret workflow")
        page = client.get("/api/v1/workflows?limit=2", headers=lead.headers).json()
        assert page["total"] == 3
        assert [i["name"] for i in page["items"]] == ["Bug report", "Cancel plan"]
        assert page["items"][0]["recordings"] == 1
        rest = client.get("/api/v1/workflows?limit=2&offset=2", headers=lead.headers).json()
        assert [i["name"] for i in rest["items"]] == ["Refund request"]
        found = client.get("/api/v1/workflows?q=cancel", headers=lead.headers).json()
        assert [i["name"] for i in found["items"]] == ["Cancel plan"]

    def test_agent_reads_but_another_team_gets_404(self, client: TestClient, session: Session,
                                                   make_account: Any) -> None:
        lead = make_account("lead")
        agent = make_account("agent")
        stranger = make_account("lead", "Other team")
        workflow = make_workflow(session, lead)
        response = client.get(f"/api/v1/workflows/{workflow.id}", headers=agent.headers)
        assert response.status_code == 200
        for path in ("", "/sop", "/timing-report"):
            response = client.get(f"/api/v1/workflows/{workflow.id}{path}",
                                  headers=stranger.headers)
            assert response.status_code == 404, path
            assert "Refund" not in response.text


    def test_agents_do_not_read_the_working_sections(self, client: TestClient, session: Session,
                                                     make_account: Any) -> None:
        # What a lead writes is a draft until published; agents read published SOPs only.
        lead, agent = make_account("lead"), make_account("agent")
        workflow = make_workflow(session, lead)
        client.patch(f"/api/v1/workflows/{workflow.id}", json={"details": DETAILS},
                     headers=lead.headers)
        client.put(f"/api/v1/workflows/{workflow.id}/step-notes/click:submit",
                   json={"note": "Check the invoice first"}, headers=lead.headers)
        as_lead = client.get(f"/api/v1/workflows/{workflow.id}", headers=lead.headers).json()
        as_agent = client.get(f"/api/v1/workflows/{workflow.id}", headers=agent.headers).json()
        assert as_lead["details"]["purpose"] == DETAILS["purpose"] and as_lead["step_notes"]
        assert (as_agent["details"], as_agent["step_notes"]) == ({}, {})
        assert as_agent["name"] == as_lead["name"]


class TestEdits:
    def test_lead_patches_sections_and_they_reach_the_sop(self, client: TestClient,
                                                          session: Session,
                                                          make_account: Any) -> None:
        lead = make_account("lead")
        workflow = make_workflow(session, lead)
        response = client.patch(f"/api/v1/workflows/{workflow.id}",
                                json={"details": DETAILS}, headers=lead.headers)
        assert response.status_code == 200, response.text
        assert response.json()["details"]["roles"][0]["raci"] == {"triage": "R", "close": "AR"}
        client.patch(f"/api/v1/workflows/{workflow.id}", json={"details": {"scope": "EU only"}},
                     headers=lead.headers)
        stored = client.get(f"/api/v1/workflows/{workflow.id}", headers=lead.headers).json()
        assert stored["details"]["purpose"] == DETAILS["purpose"]
        assert stored["details"]["scope"] == "EU only"
        sop = client.get(f"/api/v1/workflows/{workflow.id}/sop?format=json",
                         headers=lead.headers).json()
        assert sop["details"]["owner"] == "Dana Lead"
        assert sop["next_review_date"] == "2026-04-05"
        assert sop["slas"][0]["target_ms"] == 30 * 60_000
        assert "purpose" not in sop["prompts"]

    def test_agent_cannot_patch(self, client: TestClient, session: Session,
                                make_account: Any) -> None:
        lead, agent = make_account("lead"), make_account("agent")
        workflow = make_workflow(session, lead)
        response = client.patch(f"/api/v1/workflows/{workflow.id}",
                                json={"details": {"purpose": "x"}}, headers=agent.headers)
        assert response.status_code == 403

    def test_invalid_edits_are_422_and_write_nothing(self, client: TestClient, session: Session,
                                                     connection: Connection,
                                                     make_account: Any) -> None:
        lead = make_account("lead")
        workflow = make_workflow(session, lead)
        before = table_counts(connection)
        bad_bodies = [
            {"details": {"purpose": "x" * 5001}},
            {"details": {"related_documents": [{"title": "x", "url": "javascript:alert(1)"}]}},
            {"details": {"roles": [{"role": "Agent", "raci": {"triage": "X"}}]}},
            {"details": {"roles": [{"role": "Agent", "raci": {"nope": "R"}}]}},
            {"details": {"quality_checks": ["ok"] * 51}},
            {"details": {"review_interval_days": 0}},
            {"details": {"sla_targets": [{"name": "x", "target_minutes": 5, "measure": "x"}]}},
            {"details": {"unknown": 1}},
            {"details": {"owner": "nul\x00byte"}},
            {"name": ""},
        ]
        for body in bad_bodies:
            response = client.patch(f"/api/v1/workflows/{workflow.id}", json=body,
                                    headers=lead.headers)
            assert response.status_code == 422, body
            assert response.json()["errors"], body
        assert table_counts(connection) == before
        session.refresh(workflow)
        assert workflow.details == {}

    def test_validation_messages_say_what_to_do(self, client: TestClient, session: Session,
                                                make_account: Any) -> None:
        lead = make_account("lead")
        workflow = make_workflow(session, lead)
        cases = [
            ({"roles": [{"role": "A", "raci": {"triage": "XYZ"}}]}, "R, A, C, I"),
            ({"related_documents": [{"title": "x", "url": "javascript:alert(1)"}]}, "https://"),
            ({"owner": "a\x00b"}, "NUL"),
        ]
        for details, words in cases:
            response = client.patch(f"/api/v1/workflows/{workflow.id}",
                                    json={"details": details}, headers=lead.headers)
            assert response.status_code == 422
            assert words in response.json()["detail"], response.json()

    def test_rename_to_a_taken_name_is_409(self, client: TestClient, session: Session,
                                           make_account: Any) -> None:
        lead = make_account("lead")
        workflow = make_workflow(session, lead)
        make_workflow(session, lead, "Bug report")
        response = client.patch(f"/api/v1/workflows/{workflow.id}", json={"name": "Bug report"},
                                headers=lead.headers)
        assert response.status_code == 409

    def test_step_notes_set_show_and_delete(self, client: TestClient, session: Session,
                                            make_account: Any) -> None:
        lead = make_account("lead")
        workflow = make_workflow(session, lead)
        key = recording(ticket_specs()).steps[5].activity_key
        url = f"/api/v1/workflows/{workflow.id}/step-notes/{key}"
        note = {"warning": "Do NOT refund over $500 without approval", "note": "Check the plan"}
        assert client.put(url, json=note, headers=lead.headers).status_code == 200
        markdown = client.get(f"/api/v1/workflows/{workflow.id}/sop?format=md",
                              headers=lead.headers).text
        assert "**Warning:** Do NOT refund over \\$500 without approval" in markdown
        assert client.delete(url, headers=lead.headers).status_code == 204
        assert client.delete(url, headers=lead.headers).status_code == 404
        markdown = client.get(f"/api/v1/workflows/{workflow.id}/sop?format=md",
                              headers=lead.headers).text
        assert "Warning" not in markdown


class TestDownloads:
    def test_every_format_with_a_file_name_to_keep(self, client: TestClient, session: Session,
                                                   make_account: Any) -> None:
        lead = make_account("lead")
        workflow = make_workflow(session, lead)
        expected = {
            ("sop", "md"): "text/markdown", ("sop", "html"): "text/html",
            ("sop", "docx"): "application/vnd.openxmlformats", ("sop", "json"): "application/json",
            ("timing-report", "html"): "text/html", ("timing-report", "json"): "application/json",
            ("timing-report", "csv"): "text/csv",
        }
        for (artifact, fmt), media in expected.items():
            response = client.get(f"/api/v1/workflows/{workflow.id}/{artifact}?format={fmt}",
                                  headers=lead.headers)
            assert response.status_code == 200, (artifact, fmt)
            assert response.headers["content-type"].startswith(media)
            disposition = response.headers["content-disposition"]
            assert f'filename="refund-request-{artifact}.{fmt}"' in disposition
            assert f"filename*=UTF-8''refund-request-{artifact}.{fmt}" in disposition
        html = client.get(f"/api/v1/workflows/{workflow.id}/sop?format=html", headers=lead.headers)
        assert "script-src" not in html.headers["content-security-policy"]
        assert html.headers["content-security-policy"].startswith("default-src 'none'")

    def test_recording_outputs(self, client: TestClient, session: Session, make_account: Any,
                               tmp_path: Path) -> None:
        lead = make_account("lead")
        workflow = make_workflow(session, lead)
        recording_id = session.query(Recording.id).filter_by(workflow_id=workflow.id).scalar()
        response = client.get(f"/api/v1/recordings/{recording_id}/sop?format=docx",
                              headers=lead.headers)
        assert response.status_code == 200
        assert f"refund-request-recording-{recording_id}-sop.docx" in (
            response.headers["content-disposition"])
        path = tmp_path / "sop.docx"
        path.write_bytes(response.content)
        assert any(style_name(p) == "List Number" for p in Document(str(path)).paragraphs)
        csv_text = client.get(f"/api/v1/recordings/{recording_id}/timing-report?format=csv",
                              headers=lead.headers).text
        assert len(csv_text.strip().splitlines()) == 1 + len(ticket_specs())

    def test_unknown_format_and_version_are_clear_4xx(self, client: TestClient, session: Session,
                                                      make_account: Any) -> None:
        lead = make_account("lead")
        workflow = make_workflow(session, lead)
        response = client.get(f"/api/v1/workflows/{workflow.id}/sop?format=pdf",
                              headers=lead.headers)
        assert response.status_code == 422
        assert "md, html, docx, json" in response.json()["detail"]
        response = client.get(f"/api/v1/workflows/{workflow.id}/sop?version=7",
                              headers=lead.headers)
        assert response.status_code == 404


class TestBadIds:
    def test_huge_or_negative_ids_are_4xx_not_500(self, client: TestClient,
                                                  make_account: Any) -> None:
        lead = make_account("lead")
        for path in ("/api/v1/workflows/99999999999", "/api/v1/workflows/-1/sop",
                     "/api/v1/workflows/abc", "/api/v1/recordings/99999999999/sop"):
            response = client.get(path, headers=lead.headers)
            assert response.status_code in (404, 422), (path, response.status_code)
        response = client.patch("/api/v1/workflows/99999999999", json={},
                                headers=lead.headers)
        assert response.status_code in (404, 422)

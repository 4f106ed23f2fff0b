"""POST /api/v1/recordings/import and `sop-recorder import`: real files in, nothing typed kept."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from tests.conftest import SHARED, table_counts
from tests.importers.golden import flows

FLOWS = SHARED / "fixtures" / "devtools-recorder"
LOGS = SHARED / "fixtures" / "uilogs"
TYPED = ("jane", "jane@doe.com")


def import_file(client: TestClient, account: Any, body: bytes, media: str,
                **params: str) -> Any:
    return client.post("/api/v1/recordings/import", content=body, params=params,
                       headers={**account.headers, "Content-Type": media})


def all_stored_text(session: Session) -> str:
    connection = session.connection()
    names = [n for n in inspect(connection).get_table_names() if n != "alembic_version"]
    return "\n".join(
        repr(row) for name in names for row in connection.execute(text(f'SELECT * FROM "{name}"'))
    )


class TestDevToolsFlows:
    def test_example_recording_imports_as_a_finished_recording(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        agent = make_account("agent")
        response = import_file(client, agent, (FLOWS / "example-recording.json").read_bytes(),
                               "application/json")
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["status"] == "finished" and body["workflow"] == "order-a-coffee"
        assert body["source"] == "devtools-recorder"
        assert body["manifest"]["imported"]["skipped"] == {
            "keyDown step": 1, "keyUp step": 1, "setViewport step": 1}
        steps = client.get(f"/api/v1/recordings/{body['id']}/steps",
                           headers=agent.headers).json()["steps"]
        assert [s["title"] for s in steps][6:8] == [
            "Fill in Name in Coffee Cart", "Fill in Email in Coffee Cart"]

    def test_typed_values_reach_no_row_and_no_output(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        agent = make_account("agent")
        created = import_file(client, agent, (FLOWS / "example-recording.json").read_bytes(),
                              "application/json")
        rid = created.json()["id"]
        outputs = [created.text,
                   client.get(f"/api/v1/recordings/{rid}", headers=agent.headers).text,
                   client.get(f"/api/v1/recordings/{rid}/steps", headers=agent.headers).text]
        stored = all_stored_text(session)
        for typed in TYPED:
            assert typed not in stored
            assert all(typed not in output for output in outputs)
        assert "Coffee Cart" in stored

    @pytest.mark.parametrize("name", sorted(flows()))
    def test_every_flow_imports(
        self, name: str, client: TestClient, make_account: Any
    ) -> None:
        agent = make_account("agent")
        response = import_file(client, agent, json.dumps(flows()[name]).encode(),
                               "application/json", workflow="Recorder flows")
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "finished"
        assert response.json()["manifest"]["derived"]["steps"] >= 1


class TestUiLogs:
    @pytest.mark.parametrize(("log", "form_fields", "rounds"),
                             [("StudentRecord.csv", 9, 45), ("Reimbursement.csv", 12, 45)])
    def test_log_segments_into_its_repeated_routine(
        self, log: str, form_fields: int, rounds: int, client: TestClient,
        make_account: Any, session: Session,
    ) -> None:
        agent = make_account("agent")
        response = import_file(client, agent, (LOGS / log).read_bytes(), "text/csv")
        assert response.status_code == 201, response.text
        rid = response.json()["id"]
        steps = client.get(f"/api/v1/recordings/{rid}/steps", headers=agent.headers).json()
        keys = [s["activity_key"] for s in steps["steps"]]
        # A routine ends with a click on "Add another response": split there.
        routines: list[tuple[str, ...]] = []
        start = 0
        for index, key in enumerate(keys):
            if key.endswith(":click:add-another-response"):
                routines.append(tuple(keys[start:index + 1]))
                start = index + 1
        assert len(routines) >= rounds
        # Most rounds fill the same fields: the commonest field set repeats.
        field_sets = Counter(frozenset(k for k in r if ":edit:" in k) for r in routines)
        common, repeats = field_sets.most_common(1)[0]
        assert len(common) >= form_fields and repeats >= rounds * 0.6
        assert all(any(k.endswith(":click:submit") or ":submit" in k for k in r)
                   for r in routines)

    def test_typed_and_copied_values_are_never_stored(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        agent = make_account("agent")
        import_file(client, agent, (LOGS / "StudentRecord.csv").read_bytes(), "text/csv")
        stored = all_stored_text(session)
        for typed in ("jdoe@gmail.com", "Albert St", "John Doe", "11/03/1986", "039 689 9324"):
            assert typed not in stored


class TestRefusals:
    @pytest.mark.parametrize(("body", "media", "status"), [
        (b"{not json", "application/json", 400),
        (b"[]", "application/json", 422),
        (b'{"steps": "no"}', "application/json", 422),
        (b'{"steps": [{"type": 3}]}', "application/json", 422),
        (b'{"steps": [{"type": "setViewport"}]}', "application/json", 422),
        (b'{"steps": [1]}', "application/json", 422),
        (b"a,b\n1,2\n", "text/csv", 422),
        (b'"timeStamp","targetApp","eventType","url"\n'
         b'"yesterday","Chrome","clickButton","https://a.test/"\n', "text/csv", 422),
        (b"\xff\xfe\x00bad", "text/csv", 400),
        (b"hello", "text/plain", 415),
    ])
    def test_bad_files_get_a_clear_4xx_and_write_nothing(
        self, body: bytes, media: str, status: int, client: TestClient, make_account: Any,
        session: Session,
    ) -> None:
        agent = make_account("agent")
        before = table_counts(session.connection())
        response = import_file(client, agent, body, media)
        assert response.status_code == status, response.text
        assert response.json()["detail"]
        assert table_counts(session.connection()) == before

    def test_too_large_is_413(self, client: TestClient, make_account: Any) -> None:
        client.app.state.settings = client.app.state.settings.model_copy(  # type: ignore[attr-defined]
            update={"max_import_bytes": 2048})
        response = import_file(client, make_account("agent"), b" " * 4096, "application/json")
        assert response.status_code == 413

    def test_needs_a_token(self, client: TestClient) -> None:
        response = client.post("/api/v1/recordings/import", content=b"{}",
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 401


def test_cli_import(tmp_path: Path, capsys: Any) -> None:
    from app.cli import main

    env_db = f"sqlite:///{tmp_path / 'cli.db'}"
    import os

    os.environ["SOP_RECORDER_DATABASE_URL"] = env_db
    os.environ["SOP_RECORDER_DATA_DIR"] = str(tmp_path)
    from app.settings import get_settings

    get_settings.cache_clear()
    try:
        assert main(["users", "create", "lead@example.test", "--role", "lead",
                     "--team", "Support"]) == 0
        code = main(["import", str(FLOWS / "example-recording.json"), "--workflow", "Coffee",
                     "--as", "lead@example.test"])
        out = capsys.readouterr().out
        assert code == 0, out
        assert "into workflow 'Coffee'" in out and "11 steps" in out
        assert main(["reprocess"]) == 0
        assert "recording 1: steps derived" in capsys.readouterr().out
        assert main(["import", str(FLOWS / "replay-fail.json"), "--as", "nobody@x.test"]) == 2
    finally:
        del os.environ["SOP_RECORDER_DATABASE_URL"], os.environ["SOP_RECORDER_DATA_DIR"]
        get_settings.cache_clear()

"""The ``sop-recorder`` command, run as a real subprocess on a data directory of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[1]


def run_cli(
    data_dir: Path, *args: str, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``sop-recorder ARGS`` with ``data_dir`` (SQLite there, unless ``database_url`` is given)
    and no other SOP_RECORDER_* setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_RECORDER_")}
    env["SOP_RECORDER_DATA_DIR"] = str(data_dir)
    if database_url is not None:
        env["SOP_RECORDER_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def me(api: TestClient, token: str) -> int:
    status: int = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
    return status


def test_users_create_prints_a_working_token_last(data_dir: Path) -> None:
    result = run_cli(data_dir, "users", "create", "Agent@Example.test", "--role", "agent",
                     "--team", "Support")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("sr_") and " " not in token

    app = create_app(Settings(data_dir=data_dir))
    with TestClient(app) as api:
        response = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert response.json()["email"] == "agent@example.test"
        assert response.json()["team"] == "Support"
        assert response.json()["role"] == "agent"
    app.state.engine.dispose()


def test_tokens_revoke_makes_the_token_fail(data_dir: Path) -> None:
    created = run_cli(data_dir, "users", "create", "lead@example.test", "--role", "lead",
                      "--team", "Support")
    first = created.stdout.strip().splitlines()[-1]
    issued = run_cli(data_dir, "tokens", "create", "lead@example.test", "--name", "laptop")
    assert issued.returncode == 0, issued.stderr
    second = issued.stdout.strip().splitlines()[-1]

    revoked = run_cli(data_dir, "tokens", "revoke", first[:12])
    assert revoked.returncode == 0, revoked.stderr
    assert "Revoked 1 token" in revoked.stdout

    app = create_app(Settings(data_dir=data_dir))
    with TestClient(app) as api:
        assert me(api, first) == 401
        assert me(api, second) == 200
    app.state.engine.dispose()
    again = run_cli(data_dir, "tokens", "revoke", first[:12])
    assert again.returncode == 1 and "Revoked 0 token" in again.stdout


def test_refusals_are_errors_without_a_traceback(data_dir: Path) -> None:
    assert run_cli(data_dir, "users", "create", "a@example.test", "--role", "agent",
                   "--team", "T").returncode == 0
    duplicate = run_cli(data_dir, "users", "create", "a@example.test", "--role", "agent",
                        "--team", "T")
    assert duplicate.returncode == 2
    assert "error: a user with email a@example.test already exists" in duplicate.stderr
    assert "Traceback" not in duplicate.stderr
    bad_role = run_cli(data_dir, "users", "create", "b@example.test", "--role", "boss",
                       "--team", "T")
    assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr
    short = run_cli(data_dir, "tokens", "revoke", "sr_")
    assert short.returncode == 2 and "at least the first 8" in short.stderr


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@pytest.mark.parametrize("command", [["serve"], ["migrate"],
                                     ["users", "create", "a@example.test", "--role", "agent",
                                      "--team", "T"]])
def test_a_database_it_cannot_reach_is_one_line_without_the_password(
    data_dir: Path, tmp_path: Path, kind: str, command: list[str]
) -> None:
    if kind == "sqlite":
        url, check = f"sqlite:///{tmp_path / 'no-such-folder' / 'sop.db'}", "write that file"
    else:
        url, check = f"postgresql://sop:s3cret@127.0.0.1:{free_port()}/sop", "server running"
    result = run_cli(data_dir, *command, database_url=url)
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot use the database ")
    assert check in result.stderr and "SOP_RECORDER_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr

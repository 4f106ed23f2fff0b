"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when asked), rolled back per test.

Set ``SOP_RECORDER_TEST_DATABASE_URL`` to run the suite on PostgreSQL, for example
``postgresql://postgres@127.0.0.1:5432/test``. Without it, each run gets a fresh SQLite file.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from app import accounts
from app.database import make_engine
from app.main import create_app
from app.migrate import downgrade, upgrade
from app.models import User
from app.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.exists():
    SHARED = Path(os.environ.get("SOP_RECORDER_SHARED", "/work/shared"))


def test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database the suite runs on."""
    url = os.environ.get("SOP_RECORDER_TEST_DATABASE_URL")
    if url:
        return Settings(database_url=url).resolved_database_url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated engine for the whole run; starts from an empty schema."""
    engine = make_engine(test_database_url(tmp_path_factory))
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits become savepoints of the test's transaction."""
    return sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def app(settings: Settings, engine: Engine, session_factory: sessionmaker[Session]) -> Any:
    app = create_app(settings, engine=engine)
    app.state.session_factory = session_factory
    return app


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@dataclass
class Account:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_account(session: Session) -> Any:
    """``make_account(role, team)`` -> an :class:`Account` with a fresh API token."""

    def make(role: str = "agent", team: str = "Support") -> Account:
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.test"
        user, token = accounts.create_user(session, email, role, team, password="pw-" + email)
        return Account(user, token)

    return make


def table_counts(connection: Connection) -> dict[str, int]:
    """Row counts of every table, to show that a refused request wrote nothing."""
    names = [n for n in inspect(connection).get_table_names() if n != "alembic_version"]
    return {
        name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
        for name in sorted(names)
    }


__all__ = ["SHARED", "Account", "downgrade", "table_counts"]

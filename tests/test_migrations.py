"""Migrations on a fresh database: upgrade to head, downgrade to base, upgrade again.

Always on a SQLite temp file; also on PostgreSQL when ``SOP_RECORDER_TEST_DATABASE_URL``
points to one, in a scratch database of this test's own (never the suite's database).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine, make_url

from app.database import Base, make_engine
from app.migrate import downgrade, upgrade

EXPECTED = {"teams", "users", "api_tokens", "workflows", "recordings", "events", "steps"}


def _postgres_url() -> str | None:
    url = os.environ.get("SOP_RECORDER_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of the asked kind."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return
    url = _postgres_url()
    if url is None:
        pytest.skip("SOP_RECORDER_TEST_DATABASE_URL does not point to PostgreSQL")
    base = make_url(url).set(drivername="postgresql")
    name = f"sop_migrations_{uuid.uuid4().hex[:10]}"
    maintenance = base.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    scratch = base.set(drivername="postgresql+psycopg", database=name)
    engine = make_engine(scratch.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_downgrade_upgrade(fresh_engine: Engine) -> None:
    assert _tables(fresh_engine) == set()

    upgrade(fresh_engine)
    after_first = _tables(fresh_engine)
    assert after_first >= EXPECTED | {"alembic_version"}
    assert after_first - {"alembic_version"} == set(Base.metadata.tables)

    downgrade(fresh_engine)
    assert _tables(fresh_engine) - {"alembic_version"} == set()

    upgrade(fresh_engine)
    assert _tables(fresh_engine) == after_first


def test_head_schema_matches_the_models(fresh_engine: Engine) -> None:
    """Every model column exists after the migrations (no model change without a migration)."""
    upgrade(fresh_engine)
    inspector = inspect(fresh_engine)
    for name, table in Base.metadata.tables.items():
        migrated = {column["name"] for column in inspector.get_columns(name)}
        assert migrated == {column.name for column in table.columns}, name

"""ORM tables: teams, users, API tokens, workflows, recordings, events, steps and versions."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base, UtcDateTime


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Role(enum.StrEnum):
    agent = "agent"
    lead = "lead"
    admin = "admin"


class RecordingStatus(enum.StrEnum):
    recording = "recording"
    finished = "finished"
    failed = "failed"


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[Role] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    team: Mapped[Team] = relationship(lazy="joined")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="default")
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship(lazy="joined")


class Workflow(Base):
    __tablename__ = "workflows"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # What the lead enters and a recording cannot know (purpose, scope, RACI, SLAs, ...).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Per-step notes and warnings keyed by activity key; they survive re-recording.
    step_notes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Recording(Base):
    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    workflow_id: Mapped[int] = mapped_column(
        ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[RecordingStatus] = mapped_column(String(16), default=RecordingStatus.recording)
    source: Mapped[str] = mapped_column(String(32), default="extension")
    ticket_ref: Mapped[str | None] = mapped_column(String(200))
    client: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    included: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    workflow: Mapped[Workflow] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")


class Event(Base):
    """One stored wire-format event; ``client_id`` is the idempotency key."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("recording_id", "client_id"),
        Index("ix_events_recording_id_seq", "recording_id", "seq"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(16))
    ts: Mapped[int] = mapped_column(BigInteger)
    tab: Mapped[int] = mapped_column(BigInteger)
    frame: Mapped[int] = mapped_column(BigInteger)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    target: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    field: Mapped[str | None] = mapped_column(Text)
    control: Mapped[str | None] = mapped_column(String(32))
    choice: Mapped[str | None] = mapped_column(Text)
    checked: Mapped[bool | None] = mapped_column(Boolean)
    transition: Mapped[str | None] = mapped_column(String(16))
    load_ms: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str | None] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Step(Base):
    """One derived step of a recording; regenerated whenever the pipeline runs."""

    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("recording_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    activity_key: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    system: Mapped[str] = mapped_column(String(200))
    phase: Mapped[str] = mapped_column(String(32))
    started_at_ms: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    # The whole step as the pipeline produced it (app.steps.model.Step.to_dict()).
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class VersionStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    discarded = "discarded"


class WorkflowVersion(Base):
    """One SOP version of a workflow. A published version never changes: it keeps a snapshot
    of the steps it was built from, the lead's sections and notes, and its diff."""

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("workflow_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[int] = mapped_column(
        ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(String(16), default=VersionStatus.draft)
    recording_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # {"recordings": [RecordingSteps as JSON, ...]}: what the version was built from.
    # Deferred: megabytes for a version of many recordings, read only when a page needs it.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, deferred=True)
    # The lead's sections and step notes as published (None while a draft: live ones apply).
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    step_notes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The diff against ``base_number`` (the published version before it) and the notes left over.
    base_number: Mapped[int | None] = mapped_column(Integer)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    orphaned_notes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(String(300), default="")
    recorded_by: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    published_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    discarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

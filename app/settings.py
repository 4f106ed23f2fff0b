"""Settings: the one reader of the environment (``SOP_RECORDER_*``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service, validated once at start-up."""

    model_config = SettingsConfigDict(env_prefix="SOP_RECORDER_", extra="ignore")

    data_dir: Path = Field(default=Path("data"))
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = None

    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_events_per_batch: int = Field(default=500, ge=1, le=10_000)
    max_event_bytes: int = Field(default=32_768, ge=512)
    max_events_per_recording: int = Field(default=200_000, ge=1)
    max_recordings_per_team: int = Field(default=100_000, ge=1)
    #: The most steps one workflow output (SOP, process map, timing report, event log) is
    #: generated from; past it the API answers 413 before rendering.
    max_output_steps: int = Field(default=50_000, ge=1)
    max_page_size: int = Field(default=200, ge=1, le=1000)
    allowed_query_params: list[str] = Field(
        default_factory=lambda: ["tab", "view", "filter", "status", "sort", "page", "section"]
    )
    ingest_capacity: int = Field(default=2, ge=1, le=256)
    ingest_queue: int = Field(default=4, ge=0, le=10_000)
    #: A waiting ingest request is refused (429) after this long without its turn.
    ingest_max_wait_ms: int = Field(default=200, ge=1, le=600_000)
    retry_after_s: int = Field(default=1, ge=1, le=3600)
    idle_threshold_ms: int = Field(default=60_000, ge=1000)
    #: A team's system catalogue (JSON, same shape as app/steps/catalogue.json), merged over
    #: the built-in one; and a team's phase rules (like app/steps/phases.json), tried first.
    system_catalogue_path: Path | None = None
    phase_rules_path: Path | None = None
    max_import_bytes: int = Field(default=10_000_000, ge=1024)
    #: An XES file sent to ``POST /api/v1/event-log/check`` (read in memory, stored nowhere).
    max_xes_bytes: int = Field(default=20_000_000, ge=1024)
    #: Signs the web pages' session cookies; generated once into the data directory when unset
    #: (set it explicitly when several hosts share one database).
    session_secret: str | None = Field(default=None, min_length=32)
    session_max_age_s: int = Field(default=12 * 3600, ge=60)
    #: Mark the session cookie ``Secure`` even when the request reached us over plain HTTP
    #: (behind a TLS-terminating proxy).
    cookie_secure: bool = False

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL: the configured one, or SQLite in the data directory."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{(self.data_dir / 'sop-recorder.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()

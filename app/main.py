"""``create_app(settings)``: the FastAPI application with its routers and error handlers."""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app import __version__
from app.body_limit import BodyLimit
from app.database import SessionDep, make_engine, make_session_factory
from app.errors import install_error_handlers
from app.event_log.routes import router as event_log_router
from app.ingest.routes import router as ingest_router
from app.overload import AdmissionLimit
from app.pages import install_pages
from app.process_map.routes import router as process_map_router
from app.replay.routes import router as replay_router
from app.settings import Settings, get_settings
from app.workflows.routes import router as workflows_router
from app.workflows.version_routes import router as versions_router

#: New container objects between two collections of the youngest generation (CPython's
#: default is 700). A batch of 500 events makes tens of thousands, nearly all freed with
#: their request, so the default runs a collection every few events for nothing.
YOUNG_GENERATION_THRESHOLD = 10_000
#: Seconds a thread waiting for the GIL lets the running one go on before asking it to switch
#: (CPython's default is 0.005). The thread that holds SQLite's write turn gives the GIL up at
#: every row it inserts and at the commit, and would wait up to this long to get it back each
#: time another request is validating: 1 ms keeps the write turn short.
SWITCH_INTERVAL_S = 0.001


@functools.cache
def tune_interpreter_for_serving() -> None:
    """Tune the garbage collector and thread switching for serving, once per process.

    Every object alive at startup (modules, routes, templates, ORM mappings: they live as long
    as the process) moves out of the collector's reach. Without this, each full collection
    walks all of them, and a batch of events sets off full collections often: the ingest
    benchmark measured a third less CPU per event and p99 halved with it. The youngest
    generation is then collected less often (:data:`YOUNG_GENERATION_THRESHOLD`), which saves
    a further few per cent per batch, and threads switch sooner (:data:`SWITCH_INTERVAL_S`;
    up to 40 % more events/s in paired runs, never fewer; docs/benchmarks.md, Ingest).
    """
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, oldest)
    sys.setswitchinterval(SWITCH_INTERVAL_S)


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    tune_interpreter_for_serving()
    yield


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the application; ``engine`` lets tests and benchmarks bring their own."""
    settings = settings or get_settings()
    if engine is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.resolved_database_url)
    app = FastAPI(
        title="SOP Recorder",
        version=__version__,
        description="Turns recorded support work into SOPs, process maps and timing reports.",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    install_error_handlers(app)
    app.add_middleware(
        AdmissionLimit,
        capacity=settings.ingest_capacity,
        queue=settings.ingest_queue,
        retry_after_s=settings.retry_after_s,
        max_wait_s=settings.ingest_max_wait_ms / 1000,
    )
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        setting="SOP_RECORDER_MAX_BODY_BYTES",
        per_path={
            "/api/v1/recordings/import": (settings.max_import_bytes,
                                          "SOP_RECORDER_MAX_IMPORT_BYTES"),
            "/api/v1/event-log/check": (settings.max_xes_bytes, "SOP_RECORDER_MAX_XES_BYTES"),
        },
    )
    app.include_router(ingest_router)
    app.include_router(workflows_router)
    app.include_router(versions_router)
    app.include_router(process_map_router)
    app.include_router(event_log_router)
    app.include_router(replay_router)

    @app.get("/healthz", tags=["health"])
    def healthz(session: SessionDep) -> dict[str, Any]:
        """Liveness and database reachability."""
        session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": engine.dialect.name}

    install_pages(app)
    return app

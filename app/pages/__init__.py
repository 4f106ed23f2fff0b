"""Server-rendered pages for leads, agents and admins (routes; templates in templates/pages)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from app.pages import (
    account,
    admin,
    downloads,
    recordings,
    sign_in,
    version_actions,
    versions,
    workflow,
    workflow_edit,
    workflows,
)
from app.pages.rendering import STATIC_DIR, install_page_error_pages

router = APIRouter(include_in_schema=False)
for module in (sign_in, workflows, workflow, workflow_edit, downloads, recordings, account,
               admin, versions, version_actions):
    router.include_router(module.router)


def install_pages(app: FastAPI) -> None:
    """Mount the pages, their static files and their HTML error pages on ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_page_error_pages(app)

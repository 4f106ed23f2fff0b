"""The rendered SOP and timing report in real Chromium: screenshots for review, no console error."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog

from app.sop.build import build_sop
from app.sop.document import LeadDetails, StepNote
from app.sop.render import render_sop_html
from app.timing_report.figures import build_timing_report
from app.timing_report.render import render_timing_html
from tests.injection_corpus import PAYLOADS
from tests.sop.builders import recording, step, ticket_specs

pytestmark = pytest.mark.browser


def outputs() -> dict[str, str]:
    recordings = [recording(ticket_specs(), recording_id=1),
                  recording(ticket_specs()[:9], recording_id=2, start_ms=1_763_900_000_000)]
    key = recordings[0].steps[5].activity_key
    hostile = recording([step(p[:200], system=p[:40]) for p in PAYLOADS], recording_id=3)
    notes = {key: StepNote("Check the plan first", "Do NOT refund over $500 without approval")}
    details = LeadDetails(purpose="Refund customers who were charged twice.")
    return {
        "sop": render_sop_html(build_sop(recordings, details, notes, [],
                                         workflow="Refund request")),
        "timing-report": render_timing_html(build_timing_report(recordings,
                                                                workflow="Refund request")),
        "hostile-sop": render_sop_html(build_sop([hostile], details, {}, [], workflow=PAYLOADS[0])),
        "hostile-timing-report": render_timing_html(build_timing_report([hostile],
                                                                        workflow=PAYLOADS[0])),
    }


def test_outputs_render_in_chromium_without_errors(browser: Browser, artifacts_dir: Path,
                                                   tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        problems.append("dialog: " + dialog.message)
        dialog.dismiss()

    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", on_dialog)
    for name, html in outputs().items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        page.goto(path.as_uri())
        assert page.locator("h1").count() == 1
        assert page.evaluate("document.scripts.length") == 0
        page.screenshot(path=str(artifacts_dir / f"{name}.png"), full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=str(artifacts_dir / f"{name}-print.png"), full_page=True)
        page.emulate_media(media="screen")
    assert problems == []
    page.close()
    shots = sorted(p.name for p in artifacts_dir.glob("*.png"))
    assert len(shots) == 8, shots

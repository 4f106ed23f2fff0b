"""The lead pages in real Chromium against a real server: the main flows by keyboard and mouse,
downloads checked, access and CSRF refusals, the injection corpus inert, axe-core, screenshots.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest
import xmlschema
from playwright.sync_api import Dialog

from app.demo.load import DEMO_TEAM
from app.demo.ticket import DEMO_WORKFLOW
from tests.conftest import SHARED
from tests.factories import event
from tests.injection_corpus import PAYLOADS
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"
WIDTHS = {"desktop": 1280, "narrow": 390}
EDIT_LINK = "Edit the lead\u2019s sections"
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target).join(" | ")}`);
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A served app with the demo loaded, a lead and an agent of the demo's team, an admin."""
    live = LiveServer(tmp_path_factory.mktemp("pages-server"))
    admin_line = next(line for line in live.cli("demo").splitlines() if "password" in line)
    users = {"admin@localhost": admin_line.rsplit(" ", 1)[-1]}
    for role in ("lead", "agent"):
        live.cli("users", "create", f"{role}@example.test", "--role", role, "--team", DEMO_TEAM,
                 "--password", PASSWORD)
        users[f"{role}@example.test"] = PASSWORD
    live.start()
    yield {"live": live, "url": live.url, "passwords": users}
    live.stop()


class Watch:
    """Console errors, page errors and dialogs of one page: any of them fails the test."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("dialog", self._dismiss)

    def _dismiss(self, dialog: Dialog) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def expected(self, status: int) -> None:
        """Chromium logs a refused form's reply (a 4xx we asked for) as a console error."""
        self.problems = [p for p in self.problems if f"status of {status}" not in p]


def new_page(browser: Any, *, width: int = 1280, axe: bool = True) -> tuple[Any, Watch]:
    # axe-core is injected as an inline script, which the pages' CSP forbids: those contexts
    # bypass it; the injection test keeps it, so a blocked script still shows as an error.
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  accept_downloads=True, bypass_csp=axe)
    page = context.new_page()
    return page, Watch(page)


def sign_in_by_keyboard(page: Any, url: str, email: str, password: str) -> None:
    page.goto(url + "/")
    assert page.url.startswith(url + "/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == url + "/workflows"


def check_page(page: Any, shots: Path, name: str) -> None:
    """No serious or critical axe violation; a screenshot at each width."""
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(AXE_RUN) == [], name
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def check_download(path: Path, name: str) -> None:
    """Each file is what it says: DOCX opens, BPMN and XES validate, SVG and XML parse."""
    data = path.read_bytes()
    assert data, name
    if name.endswith(".docx"):
        assert docx.Document(io.BytesIO(data)).paragraphs
    elif name.endswith(".bpmn"):
        xmlschema.XMLSchema(str(SHARED / "schemas/bpmn/BPMN20.xsd")).validate(str(path))
    elif name.endswith(".xes"):
        schema = xmlschema.XMLSchema(str(SHARED / "schemas/xes/xes-ieee-1849-2016.xsd"),
                                     namespace="http://www.xes-standard.org/")
        schema.validate(str(path))
    elif name.endswith((".svg", ".graphml")):
        ET.fromstring(data)
    elif name.endswith(".json"):
        import json

        json.loads(data)


def test_a_lead_signs_in_edits_downloads_and_signs_out(
    browser: Any, server: dict[str, Any], artifacts_dir: Path
) -> None:
    url = server["url"]
    page, watch = new_page(browser)
    sign_in_by_keyboard(page, url, "lead@example.test", PASSWORD)
    check_page(page, artifacts_dir, "workflows")

    link = page.get_by_role("link", name=DEMO_WORKFLOW)
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    workflow_url = page.url
    assert re.fullmatch(rf"{url}/workflows/\d+", workflow_url)
    assert page.locator(".map-viewport svg").count() == 1
    page.get_by_role("button", name="Zoom in").click()
    check_page(page, artifacts_dir, "workflow")

    page.get_by_role("link", name=EDIT_LINK).click()
    purpose = page.get_by_label("Purpose")
    purpose.fill("")
    purpose.focus()
    page.keyboard.type("Refund a customer who was charged twice, within a day.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Save purpose"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#purpose .flash").inner_text() == "Saved."
    check_page(page, artifacts_dir, "workflow-edit")
    page.get_by_label("Review every (days)").fill("5000")
    page.get_by_role("button", name="Save document control").click()
    assert page.locator("#f-review_interval_days-error").is_visible()
    watch.expected(422)

    page.goto(workflow_url + "#notes")
    page.locator("#notes details summary").first.click()
    page.locator("#notes textarea[name=warning]").first.fill("Do NOT refund over $500")
    page.locator("#notes button[type=submit]").first.click()
    assert "Do NOT refund over $500" in page.locator("#notes .warning").first.inner_text()
    frame = page.frame_locator("iframe.sop-frame")
    assert "charged twice, within a day" in frame.locator("#purpose").inner_text()

    names = download_everything(page, artifacts_dir)
    assert {"sop.docx", "process-map.bpmn", "process-map.svg", "event-log.xes"} <= names

    page.goto(workflow_url + "/preview")
    check_page(page, artifacts_dir, "preview")
    page.get_by_role("button", name="Sign out").click()
    assert page.url == url + "/login"
    page.goto(workflow_url)
    assert page.url.startswith(url + "/login?next=")
    assert watch.problems == []


def download_everything(page: Any, folder: Path) -> set[str]:
    """Click every link of the download menu; each file is saved and checked."""
    links = page.locator("#downloads a")
    names = set()
    for index in range(links.count()):
        # Chromium throttles a tab's run of downloads (a later one can wait for a prompt a
        # headless browser never shows): each download starts from a freshly loaded page.
        page.reload()
        href = links.nth(index).get_attribute("href")
        name = href.rsplit("/", 1)[-1]
        with page.expect_download() as info:
            links.nth(index).click()
        target = folder / f"download-{name}"
        info.value.save_as(target)
        check_download(target, name)
        names.add(name)
    return names


def test_a_lead_publishes_the_draft(browser: Any, server: dict[str, Any],
                                    artifacts_dir: Path) -> None:
    """Publish the demo's draft by clicking, see it current; the version and diff pages."""
    url = server["url"]
    page, watch = new_page(browser)
    sign_in_by_keyboard(page, url, "lead@example.test", PASSWORD)
    page.get_by_role("link", name=DEMO_WORKFLOW).click()
    workflow_url = page.url
    heading = page.locator("#draft h3").inner_text()
    number = re.fullmatch(r"Draft (\d+), waiting for publication", heading)
    assert number, heading
    with page.expect_navigation():
        page.get_by_role("button", name=f"Publish version {number[1]}").click()
    assert page.locator("#versions .flash").inner_text().startswith(
        f"Version {number[1]} is published")
    current = page.locator(f"#versions-table tr[data-version='{number[1]}']")
    assert current.locator(".badge").inner_text() == "current"
    assert page.locator("#draft h3").inner_text() == "No draft waiting"
    frame = page.frame_locator("iframe.sop-frame")
    assert frame.locator("#revisions tbody tr").first.locator("td").first.inner_text() \
        == number[1]
    check_page(page, artifacts_dir, "workflow-published")
    current.get_by_role("link").click()
    assert page.locator("h1").inner_text() == f"{DEMO_WORKFLOW}: version {number[1]}"
    check_page(page, artifacts_dir, "version")
    page.goto(workflow_url)
    with page.expect_navigation():
        page.get_by_role("button", name="Start a new draft").click()
    assert page.locator("#draft h3").inner_text().startswith("Draft ")
    check_page(page, artifacts_dir, "workflow-draft")
    page.goto(workflow_url + "/diff")
    assert page.locator("#changes").is_visible()
    check_page(page, artifacts_dir, "diff")
    page.goto(workflow_url)
    with page.expect_navigation():
        page.locator("#draft").get_by_role("button", name=re.compile("^Discard draft")).click()
    assert page.locator("#draft h3").inner_text() == "No draft waiting"
    assert watch.problems == []


def test_agents_and_forged_forms_are_refused(
    browser: Any, server: dict[str, Any], artifacts_dir: Path
) -> None:
    url = server["url"]
    page, watch = new_page(browser)
    sign_in_by_keyboard(page, url, "agent@example.test", PASSWORD)
    page.get_by_role("link", name=DEMO_WORKFLOW).click()
    assert page.get_by_role("link", name=EDIT_LINK).count() == 0
    response = page.goto(page.url + "/edit")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Not allowed"
    watch.expected(403)
    check_page(page, artifacts_dir, "forbidden")
    forged = page.request.post(url + "/logout", form={"csrf_token": "forged"})
    assert forged.status == 403
    for path in ("/account", "/recordings"):
        page.goto(url + path)
        check_page(page, artifacts_dir, path.strip("/"))
    assert page.locator("section.empty").is_visible()
    admin, admin_watch = new_page(browser)
    sign_in_by_keyboard(admin, url, "admin@localhost", server["passwords"]["admin@localhost"])
    admin.goto(url + "/recordings")
    admin.locator("tbody a[href^='/recordings/']").first.click()
    assert admin.locator("#manifest").is_visible()
    check_page(admin, artifacts_dir, "recording")
    admin.goto(url + "/admin")
    check_page(admin, artifacts_dir, "admin")
    admin.goto(url + "/login")
    check_page(admin, artifacts_dir, "login")
    assert watch.problems == [] and admin_watch.problems == []


def hostile_recording(url: str) -> int:
    """A recording whose page titles, control names, labels and choices are the corpus."""
    token = httpx.post(url + "/api/v1/recordings", json={"workflow": PAYLOADS[0][:200]},
                       headers={"Authorization": "Bearer " + LEAD_TOKEN[0]}, timeout=30)
    recording_id = int(token.json()["id"])
    headers = {"Authorization": "Bearer " + LEAD_TOKEN[0]}
    for index, payload in enumerate(PAYLOADS):
        text = payload[:200]
        change = event("change", seq=2 * index + 1, field=text, choice=text,
                       page={"url": "https://acme.zendesk.com/agent/tickets/1", "title": text})
        change["target"].update(name=text, selectors=[f"#field-{index}"], tag="select")
        click = event("click", seq=2 * index + 2, page=change["page"])
        click["target"].update(name=text, selectors=[f"#button-{index}"])
        httpx.post(f"{url}/api/v1/recordings/{recording_id}/events",
                   json={"events": [change, click]}, headers=headers, timeout=30)
    finished = httpx.post(f"{url}/api/v1/recordings/{recording_id}/finish", headers=headers,
                          timeout=60)
    assert finished.status_code == 200, finished.text
    return recording_id


LEAD_TOKEN: list[str] = []


def test_page_text_from_recordings_stays_text(browser: Any, server: dict[str, Any],
                                              artifacts_dir: Path) -> None:
    url = server["url"]
    LEAD_TOKEN.append(server["live"].cli("tokens", "create", "lead@example.test")
                      .strip().splitlines()[-1])
    recording_id = hostile_recording(url)
    page, watch = new_page(browser, axe=False)
    sign_in_by_keyboard(page, url, "lead@example.test", PASSWORD)
    page.goto(f"{url}/recordings/{recording_id}")
    shown = page.locator("main").inner_text()
    (artifacts_dir / "hostile-recording.txt").write_text(shown)
    assert "<script>alert(1)</script>" in shown
    assert page.locator("#timeline ~ div table tbody tr").count() > len(PAYLOADS)
    workflow_href = page.locator("main p.muted a").first.get_attribute("href")
    for path in ("/workflows", "/recordings", f"/recordings/{recording_id}", workflow_href,
                 workflow_href + "/edit", workflow_href + "/preview"):
        page.goto(url + path)
        assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
        page.screenshot(path=str(artifacts_dir / f"hostile{path.replace('/', '-')}.png"),
                        full_page=True)
    assert watch.problems == []

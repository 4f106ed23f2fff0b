"""The recorder loses nothing and stores nothing twice: the server goes away and comes back, the
service worker is stopped mid-recording; and the cost of capture per click, measured in the page.
"""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from tests.browser.extension_fixtures import (
    SESSION,
    ExtensionBrowser,
    LiveService,
    SiteOrigins,
    configure,
    open_popup,
    start,
    stop,
    wait_until,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def recording(
    extension_browser: ExtensionBrowser,
    live_service: LiveService,
    site_origins: SiteOrigins,
) -> Any:
    """A configured extension, the ticket page open and the popup, ready to Start."""
    configure(extension_browser, live_service, deny=site_origins.bank)
    page = extension_browser.context.new_page()
    page.goto(f"{site_origins.helpdesk}/helpdesk/tickets/4821")
    popup = open_popup(extension_browser)
    yield page, popup
    page.close()
    popup.close()


def click_buttons(page: Any, count: int) -> None:
    """``count`` clicks, alternating between two buttons of the ticket page."""
    for index in range(count):
        page.click("#solve" if index % 2 == 0 else "#escalate")


def delivered(popup: Any) -> dict[str, Any] | None:
    """The session once nothing is left to send, else None."""
    session = popup.evaluate(SESSION)
    return session if not session["pending"] else None


def assert_exactly_once(events: list[dict[str, Any]], popup: Any) -> None:
    """Every event captured up to Stop (tab switches to the popup included) stored once."""
    session = popup.evaluate(SESSION)
    assert not session["pending"]
    assert [e["seq"] for e in events] == list(range(session["captured"]))
    assert len({e["client_id"] for e in events}) == len(events)
    assert session["dropped"] == 0 and session["rejected"] == 0


def test_server_down_and_back_every_event_stored_exactly_once(
    recording: Any,
    live_service: LiveService,
) -> None:
    page, popup = recording
    start(popup, "Server outage")
    page.bring_to_front()
    click_buttons(page, 4)
    wait_until(lambda: delivered(popup))

    live_service.stop()
    click_buttons(page, 6)
    popup.bring_to_front()
    popup.wait_for_selector("#error:has-text('Cannot reach the server')", timeout=15_000)
    assert int(popup.inner_text("#unsent")) == 6
    live_service.start()
    wait_until(lambda: delivered(popup), timeout=40)

    recording_id = stop(popup)
    events = live_service.events(recording_id)
    assert_exactly_once(events, popup)
    assert [e["target"]["name"] for e in events if e["type"] == "click"] == [
        "Solve ticket",
        "Escalate to billing",
    ] * 5


def test_worker_stopped_mid_recording_loses_nothing(
    recording: Any,
    extension_browser: ExtensionBrowser,
    live_service: LiveService,
) -> None:
    page, popup = recording

    def starts() -> int:
        count: int = popup.evaluate("chrome.storage.session.get('workerStarts')")["workerStarts"]
        return count

    start(popup, "Server outage", pick=True)
    before = starts()
    page.bring_to_front()
    click_buttons(page, 5)
    extension_browser.stop_service_worker()
    click_buttons(page, 5)
    wait_until(lambda: delivered(popup), timeout=40)
    assert starts() > before

    recording_id = stop(popup)
    events = live_service.events(recording_id)
    assert_exactly_once(events, popup)
    assert len([e for e in events if e["type"] == "click"]) == 10
    assert live_service.workflow_of(recording_id) == "Server outage"


def test_a_full_queue_drops_new_events_and_says_how_many(
    recording: Any, live_service: LiveService
) -> None:
    page, popup = recording
    set_queue_limit = (
        "limit => chrome.storage.local.get('capture')"
        ".then(({capture}) => chrome.storage.local.set({capture: {...capture, maxQueue: limit}}))"
    )
    popup.evaluate(set_queue_limit, 3)
    start(popup, "Queue overflow")
    live_service.stop()
    try:
        page.bring_to_front()
        click_buttons(page, 5)
        popup.bring_to_front()
        popup.wait_for_selector("#error:has-text('events were dropped')", timeout=15_000)
        session = popup.evaluate(SESSION)
        assert popup.inner_text("#unsent") == "3"
        assert session["dropped"] >= 2 and popup.inner_text("#dropped") == str(session["dropped"])
        assert f"{session['dropped']} events were dropped" in popup.inner_text("#error")
    finally:
        live_service.start()
        popup.evaluate(set_queue_limit, None)
    events = live_service.events(stop(popup))
    assert [e["seq"] for e in events] == [0, 1, 2]


def set_choice_capture(ext: ExtensionBrowser, enabled: bool) -> None:
    """Flip the options page's choice-capture switch and save."""
    options = ext.context.new_page()
    options.goto(ext.page_url("options/options.html"))
    options.wait_for_function("document.querySelector('#token').value !== ''")
    options.set_checked("#choice-capture", enabled)
    options.click("#save")
    options.wait_for_selector("#result:has-text('Saved.')")
    options.close()


def test_choice_capture_off_records_the_field_but_not_the_choice(
    recording: Any, extension_browser: ExtensionBrowser, live_service: LiveService
) -> None:
    page, popup = recording
    set_choice_capture(extension_browser, False)
    try:
        start(popup, "No choices")
        page.bring_to_front()
        page.select_option("#priority", "urgent")
        page.check("#notify")
        page.check("text=Problem")
        changes = [e for e in live_service.events(stop(popup)) if e["type"] == "change"]
    finally:
        set_choice_capture(extension_browser, True)
    assert [(e["control"], e["field"], e["choice"], e["checked"]) for e in changes] == [
        ("select", "Priority", None, None),
        ("checkbox", "Notify customer", None, None),
        ("radio", "Ticket type", None, None),
    ]


def test_capture_cost_per_click_in_the_page(recording: Any, live_service: LiveService) -> None:
    """300 clicks recorded, 300 paused; the page times batches of 10 (its timer steps by 0.1 ms)."""
    page, popup = recording
    start(popup, "Overhead")
    batches = (
        "n => { const b = document.getElementById('solve'); const t = [];"
        " for (let i = 0; i < n; i++) { const s = performance.now();"
        " for (let j = 0; j < 10; j++) b.click(); t.push((performance.now() - s) / 10); }"
        " return t; }"
    )
    recorded = page.evaluate(batches, 30)
    popup.click("#pause")
    popup.wait_for_selector("#resume:not([hidden])")
    paused = page.evaluate(batches, 30)
    handler = popup.evaluate("chrome.storage.local.get('stats').then(s => s.stats.handlerMs)")
    popup.click("#resume")
    recording_id = stop(popup)

    clicks = [e for e in live_service.events(recording_id) if e["type"] == "click"]
    assert len(clicks) == 300
    handler = handler[-300:]
    print(
        f"\nclick capture, 300 clicks: handler median {statistics.median(handler):.2f} ms, "
        f"p95 {sorted(handler)[int(len(handler) * 0.95)]:.2f} ms; per click in the page "
        f"(median of 30 batches of 10): {statistics.median(recorded):.3f} ms recording, "
        f"{statistics.median(paused):.3f} ms paused, overhead "
        f"{statistics.median(recorded) - statistics.median(paused):.3f} ms"
    )

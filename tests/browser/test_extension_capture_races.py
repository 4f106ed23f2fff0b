"""Events that reach the service worker late still count: a click on a link that leaves for a
denied site at once, a route change just before Stop, an edit that Stop ends. A busy tab
(``site/busy.html``) holds up the worker's ordered handlers for about 1.5 s, so that the first two
are handled only after the tab has left the page, or after the agent has pressed Stop.
"""

from __future__ import annotations

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
    summary,
    wait_until,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def pages(
    extension_browser: ExtensionBrowser,
    live_service: LiveService,
    site_origins: SiteOrigins,
) -> Any:
    """A configured extension (the bank denied), a page of the help desk origin, and the popup."""
    configure(extension_browser, live_service, deny=site_origins.bank)
    page = extension_browser.context.new_page()
    popup = open_popup(extension_browser)
    yield page, popup
    for each in extension_browser.context.pages:
        if each.url.startswith(("http://", "https://")) or each is popup:
            each.close()


def hold_up_the_worker(ext: ExtensionBrowser, site: SiteOrigins) -> Any:
    """Load the busy page in a new tab: its load-time answer keeps the worker's handlers waiting."""
    busy = ext.context.new_page()
    busy.goto(f"{site.billing}/busy.html")
    return busy


def shown(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The predictable events (tab switches and visibility depend on the window manager)."""
    return [summary(e) for e in events if e["type"] not in ("visibility", "tab_switch")]


def test_a_click_that_leaves_for_a_denied_site_at_once_is_recorded(
    pages: Any,
    extension_browser: ExtensionBrowser,
    live_service: LiveService,
    site_origins: SiteOrigins,
) -> None:
    page, popup = pages
    page.goto(f"{site_origins.helpdesk}/kb/article.html")
    start(popup, "Leave for the bank")
    busy = hold_up_the_worker(extension_browser, site_origins)
    page.bring_to_front()
    page.click("text=Open the bank portal")
    page.wait_for_url(f"{site_origins.bank}/bank/portal.html")
    page.click("#bank-button")
    # The worker handles events in order: once this route change is handled, so was the click.
    busy.evaluate("location.hash = '#/done'")
    done = f"{site_origins.billing}/busy.html#/done"
    wait_until(lambda: done in popup.evaluate(SESSION)["lastUrl"].values())

    events = live_service.events(stop(popup))
    assert shown(events) == [
        ("navigation", "new_tab", f"{site_origins.billing}/busy.html"),
        ("click", "link", "Open the bank portal"),
        ("navigation", "history", done),
    ]
    assert [e for e in events if e["url"].startswith(site_origins.bank)] == []


def test_a_route_change_just_before_stop_is_recorded(
    pages: Any,
    extension_browser: ExtensionBrowser,
    live_service: LiveService,
    site_origins: SiteOrigins,
) -> None:
    page, popup = pages
    page.goto(f"{site_origins.helpdesk}/helpdesk/tickets/4821")
    start(popup, "Stop right after a route change")
    hold_up_the_worker(extension_browser, site_origins)
    page.bring_to_front()
    page.click("#solve")
    page.click("#help-link")

    events = live_service.events(stop(popup))
    assert shown(events) == [
        ("navigation", "new_tab", f"{site_origins.billing}/busy.html"),
        ("click", "button", "Solve ticket"),
        ("click", "link", "Help"),
        ("navigation", "history", f"{site_origins.helpdesk}/helpdesk/tickets/{{id}}#/help"),
    ]
    session = popup.evaluate(SESSION)
    assert session["pending"] == [] and session["dropped"] == 0
    assert session["captured"] == len(events)


def test_an_edit_still_in_progress_at_stop_is_recorded(
    pages: Any, live_service: LiveService, site_origins: SiteOrigins
) -> None:
    page, popup = pages
    page.goto(f"{site_origins.helpdesk}/helpdesk/tickets/4821")
    start(popup, "Stop while editing")
    page.bring_to_front()
    page.click("#solve")
    page.fill("#subject", "Refund sent")
    # Stop as the toolbar popup sends it: the ticket stays in front and the field keeps focus, so
    # the edit burst is still open when the page learns that the recording stops.
    answer = popup.evaluate("chrome.runtime.sendMessage({type: 'stop'})")
    assert answer["ok"] and answer["session"]["status"] == "finished"

    events = live_service.events(answer["session"]["recordingId"])
    assert shown(events) == [
        ("click", "button", "Solve ticket"),
        ("change", "text", "Subject", None, None),
    ]

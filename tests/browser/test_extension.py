"""The recorder extension in a real Chromium against the real service: a person-like ticket run.

One run (the ``ticket_run`` fixture) configures the extension through its options page, starts
through the popup, works a ticket across two origins and three tabs, and stops. Each test then
checks one promise of issue 3 against what the service stored and received.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.extension_fixtures import (
    ExtensionBrowser,
    LiveService,
    SiteOrigins,
    configure,
    open_popup,
    start,
    stop,
    summary,
    tab_id,
)

pytestmark = pytest.mark.browser

CANARY = "CANARY-7f3a-typed"
PASSWORD_CANARY = "PIN-CANARY-9931"
EMAIL = "jane.canary@example.com"
SECRETS = [
    CANARY,
    PASSWORD_CANARY,
    EMAIL,
    "jane.canary",
    "4111111111111111",
    "4111 1111 1111 1111",
    "jane.canary%40example.com",
]


@dataclass
class TicketRun:
    recording_id: int
    events: list[dict[str, Any]]
    options_status: str
    page_effects: dict[str, str]
    page_errors: list[str]
    tabs: dict[str, int]
    storage_dump: str
    handler_ms: list[float]


@pytest.fixture(scope="module")
def ticket_run(
    extension_browser: ExtensionBrowser,
    live_service: LiveService,
    site_origins: SiteOrigins,
) -> TicketRun:
    """Options page, popup Start, one ticket across two origins and three tabs, popup Stop."""
    ext, site = extension_browser, site_origins
    options_status = configure(ext, live_service, deny=site.bank)

    errors: list[str] = []
    helpdesk = ext.context.new_page()
    helpdesk.on("pageerror", lambda error: errors.append(str(error)))
    helpdesk.goto(f"{site.helpdesk}/helpdesk/")

    popup = open_popup(ext)
    start(popup, "Refund request", ticket="ZD-4821")

    helpdesk.bring_to_front()
    helpdesk.click("text=Refund for double charge")
    helpdesk.wait_for_selector("#ticket-view:not(.hidden)")
    helpdesk.fill("#subject", CANARY)
    helpdesk.fill("#reply", CANARY)
    helpdesk.click("#note")
    helpdesk.keyboard.type(CANARY)
    helpdesk.fill("#pin", PASSWORD_CANARY)
    helpdesk.select_option("#priority", "urgent")
    helpdesk.check("text=Problem")
    helpdesk.check("#notify")
    helpdesk.click("macro-picker >> text=Apply macro: Refund issued")
    helpdesk.frame_locator("#customer-frame").locator("#copy").click()
    helpdesk.click("#escalate")
    helpdesk.click("#assign")
    helpdesk.click("text=Save ticket")
    effects = {
        "escalate_assign": helpdesk.inner_text("#toolbar-status"),
        "saved": helpdesk.inner_text("#saved"),
        "iframe": helpdesk.frame_locator("#customer-frame").locator("#copy").inner_text(),
    }

    with ext.context.expect_page() as opened:
        helpdesk.click("text=Open in billing")
    billing = opened.value
    billing.wait_for_load_state("load")
    billing.select_option("#reason", "Duplicate charge")
    billing.click("#refund")
    billing.click("#confirm-refund")
    effects["refund"] = billing.inner_text("#done")
    popup.bring_to_front()
    popup.fill("#marker", "Refund issued to jane.canary@example.com")
    popup.click("#add-marker")
    billing.bring_to_front()

    with ext.context.expect_page() as opened:
        billing.click("text=How to refund")
    kb = opened.value
    kb.wait_for_load_state("load")
    kb.click("[aria-label='Mark as helpful']")
    kb.click("text=Open the bank portal")
    kb.wait_for_url(f"{site.bank}/bank/portal.html")
    kb.click("#bank-button")

    helpdesk.bring_to_front()
    helpdesk.click("#solve")
    helpdesk.click("#help-link")
    helpdesk.wait_for_selector("#help-view:not(.hidden)")
    tabs = {
        "helpdesk": tab_id(popup, "/helpdesk/"),
        "billing": tab_id(popup, "/billing/"),
        "kb": tab_id(popup, "/bank/portal"),
    }

    recording_id = stop(popup)
    storage = popup.evaluate("chrome.storage.local.get(null).then(JSON.stringify)")
    stats = popup.evaluate("chrome.storage.local.get('stats').then(s => s.stats.handlerMs)")
    for page in (billing, kb, helpdesk):
        page.close()
    popup.close()
    return TicketRun(
        recording_id,
        live_service.events(recording_id),
        options_status,
        effects,
        errors,
        tabs,
        storage,
        stats,
    )


def test_options_page_tests_the_token_before_saving(ticket_run: TicketRun) -> None:
    refused, saved = ticket_run.options_status.splitlines()
    assert refused == "The server refused this token. Copy it again from your admin."
    assert saved == "Saved. Signed in as agent@example.com (Support)."


def test_person_like_run_stores_every_step_in_order(
    ticket_run: TicketRun, site_origins: SiteOrigins
) -> None:
    events = ticket_run.events
    assert [e["seq"] for e in events] == list(range(len(events)))
    ids = [uuid.UUID(e["client_id"]) for e in events]
    assert {i.version for i in ids} == {7}, "the worker makes time-ordered ids (lib/ids.js)"
    assert [i.int >> 80 for i in ids] == sorted(i.int >> 80 for i in ids)
    helpdesk_tab, billing_tab, kb_tab = (ticket_run.tabs[k] for k in ("helpdesk", "billing", "kb"))
    visible = [summary(e) for e in events if e["type"] not in ("visibility", "tab_switch")]
    billing_url = site_origins.billing + "/billing/customer.html"
    assert visible == [
        ("click", "link", "Refund for double charge"),
        ("navigation", "history", f"{site_origins.helpdesk}/helpdesk/tickets/{{id}}"),
        ("change", "text", "Subject", None, None),
        ("change", "textarea", "Public reply", None, None),
        ("change", "contenteditable", "Internal note", None, None),
        ("change", "select", "Priority", "Urgent", None),
        ("change", "radio", "Ticket type", "Problem", None),
        ("change", "checkbox", "Notify customer", None, True),
        ("click", "button", "Apply macro: Refund issued"),
        ("click", "button", "Copy customer ID"),
        ("click", "button", "Escalate to billing"),
        ("click", "button", "Assign to me"),
        ("click", "button", "Save ticket"),
        ("submit", "Ticket properties"),
        ("click", "link", "Open in billing"),
        ("navigation", "new_tab", billing_url),
        ("change", "select", "Refund reason", "Duplicate charge", None),
        ("click", "button", "Issue refund"),
        ("click", "button", "Confirm"),
        ("marker", "Refund issued to [email]"),
        ("click", "link", "How to refund"),
        ("navigation", "new_tab", f"{site_origins.helpdesk}/kb/article.html"),
        ("click", "button", "Mark as helpful"),
        ("click", "link", "Open the bank portal"),
        ("click", "button", "Solve ticket"),
        ("click", "link", "Help"),
        ("navigation", "history", f"{site_origins.helpdesk}/helpdesk/tickets/{{id}}#/help"),
    ]
    tabs_by_kind = {
        (summary(e)[2] if e["type"] == "click" else e["url"]): e["tab"]
        for e in events
        if e["type"] in ("click", "navigation")
    }
    assert tabs_by_kind["Refund for double charge"] == helpdesk_tab
    assert tabs_by_kind["Issue refund"] == billing_tab
    assert tabs_by_kind["Mark as helpful"] == kb_tab
    switches = [e["tab"] for e in events if e["type"] == "tab_switch"]
    assert switches[0] == helpdesk_tab and switches[-1] == helpdesk_tab
    new_tab = next(e for e in events if e["type"] == "navigation" and e["transition"] == "new_tab")
    assert new_tab["load_ms"] is not None and 0 < new_tab["load_ms"] < 60_000
    assert new_tab["title"] == "Billing · [email] · [card]"
    assert all(e["ts"] > 0 for e in events)
    odd = [
        (e["type"], e["url"])
        for e in events
        if not e["url"].startswith(("http://127.0.0.1", "http://localhost"))
    ]
    assert odd == []


def test_descriptors_carry_role_selectors_and_context(ticket_run: TicketRun) -> None:
    clicks = {e["target"]["name"]: e["target"] for e in ticket_run.events if e["type"] == "click"}
    save = clicks["Save ticket"]
    assert save["selectors"][:2] == [
        'aria/Save ticket[role="button"]',
        '[data-testid="save-ticket"]',
    ]
    assert save["context"] == {
        "heading": "Ticket 4821: Refund for double charge",
        "dialog": None,
        "form": "Ticket properties",
        "landmark": "main",
    }
    assert clicks["Confirm"]["context"]["dialog"] == "Confirm refund"
    assert clicks["Refund for double charge"]["context"]["landmark"] == "main"
    priority = next(e for e in ticket_run.events if e["field"] == "Priority")
    assert priority["target"]["role"] == "combobox" and priority["target"]["selectors"][
        -1
    ].endswith("select#priority")


def test_spa_navigation_iframe_and_shadow_dom_are_captured(ticket_run: TicketRun) -> None:
    by_name = {e["target"]["name"]: e for e in ticket_run.events if e["type"] == "click"}
    shadow = by_name["Apply macro: Refund issued"]
    assert shadow["target"]["context"]["landmark"] == "Macros"
    iframe = by_name["Copy customer ID"]
    assert iframe["frame"] != 0 and iframe["url"].endswith("/helpdesk/customer.html")
    assert any(
        e["type"] == "navigation" and e["transition"] == "history" for e in ticket_run.events
    )
    assert ticket_run.page_effects["iframe"] == "Copied"


def test_hostile_page_handlers_still_work_and_are_recorded(ticket_run: TicketRun) -> None:
    assert ticket_run.page_effects["escalate_assign"] == "Assigned to you"
    assert ticket_run.page_effects["saved"] == "Saved"
    assert ticket_run.page_effects["refund"] == "Refunded"
    assert any("on purpose" in error for error in ticket_run.page_errors)
    names = [e["target"]["name"] for e in ticket_run.events if e["type"] == "click"]
    assert "Escalate to billing" in names and "Assign to me" in names


def test_denied_site_is_never_recorded(ticket_run: TicketRun, site_origins: SiteOrigins) -> None:
    assert not [e for e in ticket_run.events if site_origins.bank in e["url"]]
    assert "Transfer funds" not in str(ticket_run.events)


def test_typed_text_and_personal_data_reach_no_request_and_no_table(
    ticket_run: TicketRun,
    live_service: LiveService,
    extension_browser: ExtensionBrowser,
) -> None:
    sent = extension_browser.sent
    assert any(r.url.endswith(f"/recordings/{ticket_run.recording_id}/events") for r in sent)
    assert {r.url.split("/api/")[0] for r in sent} == {live_service.url}
    for secret in SECRETS:
        assert not [r for r in sent if secret in r.url or secret in r.body], secret
    received = live_service.requests()
    event_posts = [r for r in received if r["path"].endswith("/events")]
    assert event_posts and sum(r["body"].count('"seq"') for r in event_posts) >= len(
        ticket_run.events
    )
    everything = "\n".join(r["path"] + r["query"] + r["body"] for r in received)
    database = live_service.database_text()
    for secret in SECRETS:
        assert secret not in everything, secret
        assert secret not in database, secret
        assert secret not in ticket_run.storage_dump, secret
    password_events = [
        e
        for e in ticket_run.events
        if e["field"] == "Admin PIN" or (e["target"] or {}).get("input_type") == "password"
    ]
    assert password_events == []


def test_click_capture_cost_is_measured(ticket_run: TicketRun) -> None:
    samples = sorted(ticket_run.handler_ms)
    assert len(samples) >= 10
    print(
        f"\nclick handler: n={len(samples)} median={samples[len(samples) // 2]:.3f} ms "
        f"max={samples[-1]:.3f} ms"
    )



def test_tab_switches_and_leaving_a_page_are_recorded_without_content(
    ticket_run: TicketRun,
) -> None:
    """The tab a person works in, and a page going out of view, are recorded as bare facts.

    The ticket starts in the help desk, opens billing in a new tab, and comes back to the
    help desk; the knowledge-base article goes out of view when its tab leaves for the bank
    portal (a site the extension must not record). These events carry their tab and page and
    the visibility state, never a target, a field, a choice or a label.
    """
    events = ticket_run.events
    tabs = ticket_run.tabs
    switches = [e["tab"] for e in events if e["type"] == "tab_switch"]
    assert switches == [tabs["helpdesk"], tabs["billing"], tabs["helpdesk"]]
    hidden = [(e["tab"], e["state"], e["url"].rsplit("/", 2)[-2:])
              for e in events if e["type"] == "visibility"]
    assert hidden == [(tabs["kb"], "hidden", ["kb", "article.html"])]
    content = ("target", "field", "control", "choice", "checked", "transition", "load_ms",
               "label")
    for e in events:
        if e["type"] in ("tab_switch", "visibility"):
            assert {name: e[name] for name in content} == dict.fromkeys(content), e

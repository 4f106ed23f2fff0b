"""Recorded tickets for the version tests: the demo ticket, and the same ticket recorded again
after the process changed (one control renamed, one step gone, one step new, a slower phase)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from app.demo.ticket import HELPDESK, HELPDESK_TITLE, demo_events

DAY_MS = 86_400_000
#: Activity keys of the steps the re-recording changes.
PRIORITY = "zendesk:ticket-view:set:priority"
TYPE = "zendesk:ticket-view:set:type"
APPLY_MACRO = "zendesk:ticket-view:click:apply-macro"
USE_MACRO = "zendesk:ticket-view:click:use-macro"
CHANNEL = "zendesk:ticket-view:set:channel"
#: How much longer the diagnose phase takes in the re-recording.
SLOWER_MS = 120_000


def _fresh(events: list[dict[str, Any]], shift_ms: int) -> list[dict[str, Any]]:
    """New ids and seq numbers, times moved by ``shift_ms``: another recording of the ticket."""
    out = []
    for seq, event in enumerate(events, start=1):
        copied = copy.deepcopy(event)
        copied.update(id=str(uuid.uuid4()), seq=seq, ts=event["ts"] + shift_ms)
        out.append(copied)
    return out


def first_recording() -> list[dict[str, Any]]:
    """The demo ticket as an agent records it (wire format v1)."""
    return _fresh(demo_events(), 0)


def _channel_event(at_ms: int) -> dict[str, Any]:
    return {
        "id": "", "seq": 0, "type": "change", "ts": at_ms, "frame": 0, "tab": 101,
        "page": {"url": HELPDESK, "title": HELPDESK_TITLE},
        "target": {"tag": "select", "role": "combobox", "name": "Channel",
                   "selectors": ["aria/Channel", "[data-test-id=channel]"],
                   "context": {"heading": "Ticket #4821", "form": "Ticket properties"}},
        "field": "Channel", "control": "select", "choice": "Email",
    }


def second_recording() -> list[dict[str, Any]]:
    """The ticket a day later: "Apply macro" is labelled "Use macro" (same control), nobody
    sets the Type any more, the Channel is set after the Group, and finding the payment in the
    billing admin takes two minutes longer."""
    events = demo_events()
    start = events[0]["ts"]
    out = []
    for event in events:
        event = copy.deepcopy(event)
        if event.get("field") == "Type":
            continue
        target = event.get("target") or {}
        if target.get("name") == "Apply macro":
            target["name"] = "Use macro"
            target["selectors"] = ["aria/Use macro", "[data-test-id=apply-macro]"]
        if event["ts"] - start >= 88_000:
            event["ts"] += SLOWER_MS
        out.append(event)
        if event.get("field") == "Group":
            out.append(_channel_event(start + 30_000))
    return _fresh(out, DAY_MS)


TICKET = "https://acme.zendesk.com/agent/tickets/{n}"
CUSTOMER = "https://dashboard.stripe.com/customers/cus_Q2x8LmN4pR7sT1"
BOARD = "https://acme.atlassian.net/jira/software/projects/BILL/boards/12"


def _control(name: str, *, tag: str = "button", role: str = "button") -> dict[str, Any]:
    slug = name.lower().replace(" ", "-")
    return {"tag": tag, "role": role, "name": name,
            "selectors": [f"aria/{name}", f"[data-test-id={slug}]"],
            "context": {"heading": "Ticket", "form": "Ticket properties"}}


def ticket_events(ticket: int, category: str, branch: str, start_ms: int,
                  pace_s: int = 20) -> list[dict[str, Any]]:
    """One help-desk ticket: open, set Category and Priority, then (``branch``) refund in the
    billing admin, escalate in the tracker, or neither; reply and solve."""
    zd = {"tab": 1, "page": {"url": TICKET.format(n=ticket), "title": f"Ticket #{ticket}"}}
    script: list[tuple[str, dict[str, Any]]] = [
        ("navigation", {**zd, "transition": "link", "load_ms": 800}),
        ("change", {**zd, "target": _control("Category", tag="select", role="combobox"),
                    "field": "Category", "control": "select", "choice": category}),
        ("change", {**zd, "target": _control("Priority", tag="select", role="combobox"),
                    "field": "Priority", "control": "select", "choice": "Normal"}),
    ]
    if branch == "billing":
        stripe = {"tab": 2, "page": {"url": CUSTOMER, "title": "Jane - Customers - Stripe"}}
        script += [("navigation", {**stripe, "transition": "new_tab", "load_ms": 1500}),
                   ("click", {**stripe, "target": _control("Refund payment")}),
                   ("tab_switch", {**zd})]
    elif branch == "escalation":
        jira = {"tab": 3, "page": {"url": BOARD, "title": "BILL board - Jira"}}
        script += [("navigation", {**jira, "transition": "new_tab", "load_ms": 2100}),
                   ("click", {**jira, "target": _control("Create issue")}),
                   ("tab_switch", {**zd})]
    script += [
        ("change", {**zd, "target": _control("Public reply", tag="div", role="textbox"),
                    "field": "Public reply", "control": "contenteditable"}),
        ("submit", {**zd, "target": _control("Submit as Solved")}),
    ]
    return [
        {"id": str(uuid.uuid4()), "seq": seq, "type": kind, "ts": start_ms + seq * pace_s * 1000,
         "frame": 0, **fields}
        for seq, (kind, fields) in enumerate(script, start=1)
    ]


#: (ticket, category, branch, agent index) of the five recordings of the merge test.
FIVE_TICKETS = (
    (101, "Question", "none", 0),
    (102, "Billing", "billing", 1),
    (103, "Question", "none", 2),
    (104, "Billing", "billing", 0),
    (105, "Bug", "escalation", 1),
)

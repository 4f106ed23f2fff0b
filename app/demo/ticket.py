# ruff: noqa: RUF001 -- real page titles use en dashes, so the demo does too.
"""A bundled, realistic recording of one support ticket, as wire-format v1 events.

Ticket #4821, "Charged twice for the annual plan": the agent triages it in the help desk
(Zendesk-like), refunds the duplicate charge in the billing admin (Stripe-like), files a bug in the
tracker (Jira-like), replies with a macro, and solves the ticket. Page loads, a four-minute idle
gap, markers and tab switches are where a real recording has them. Typed text is never here:
edits of text fields carry the field's label only, as the extension sends them.
"""

from __future__ import annotations

import uuid
from typing import Any

__all__ = ["DEMO_DETAILS", "DEMO_TICKET", "DEMO_WORKFLOW", "demo_events"]

DEMO_WORKFLOW = "Refund a duplicate charge (demo)"
DEMO_TICKET = "#4821"
#: 2026-11-20 09:14:03 UTC.
START_MS = 1_795_158_843_000
_NAMESPACE = uuid.UUID("5d0c3f5e-7f4e-4d55-9a43-2f1f0c7a9b10")

HELPDESK = "https://acme.zendesk.com/agent/tickets/4821"
HELPDESK_TITLE = "Charged twice for the annual plan – Ticket #4821 – Acme Support"
CUSTOMER = "https://dashboard.stripe.com/customers/cus_Q2x8LmN4pR7sT1"
PAYMENT = "https://dashboard.stripe.com/payments/pi_3Q2x8LmN4pR7sT1AbCdEf"
BOARD = "https://acme.atlassian.net/jira/software/projects/BILL/boards/12"
ISSUE = "https://acme.atlassian.net/browse/BILL-2291"

#: What the lead of the demo team has filled in; the rest of the SOP says what to fill in.
DEMO_DETAILS: dict[str, Any] = {
    "purpose": "Refund a customer who was charged twice, fix the cause with engineering, and "
    "tell the customer what happened, within one business day.",
    "scope": "Duplicate or unexpected charges on monthly and annual plans, from any channel.",
    "owner": "Support team lead",
    "review_interval_days": 90,
    "sla_targets": [
        {"name": "Triage", "target_minutes": 5, "measure": "triage"},
        {"name": "Handling time", "target_minutes": 20, "measure": "total"},
    ],
}


def _target(name: str, *, tag: str = "button", role: str | None = "button",
            heading: str | None = None, dialog: str | None = None,
            form: str | None = None) -> dict[str, Any]:
    slug = name.lower().replace(" ", "-")
    return {
        "tag": tag, "role": role, "name": name,
        "selectors": [f"aria/{name}", f"[data-test-id={slug}]"],
        "context": {"heading": heading, "dialog": dialog, "form": form, "landmark": "main"},
    }


def _script() -> list[tuple[float, str, dict[str, Any]]]:
    """(seconds after the start, type, fields) of every event, in order."""
    zd = {"tab": 101, "page": {"url": HELPDESK, "title": HELPDESK_TITLE}}
    ticket = {"heading": "Ticket #4821", "form": "Ticket properties"}
    return [
        (0, "navigation", {**zd, "transition": "link", "load_ms": 1450}),
        (9, "change", {**zd, "target": _target("Priority", tag="select", role="combobox", **ticket),
                       "field": "Priority", "control": "select", "choice": "Urgent"}),
        (15, "change", {**zd, "target": _target("Type", tag="select", role="combobox", **ticket),
                        "field": "Type", "control": "select", "choice": "Incident"}),
        (24, "change", {**zd, "target": _target("Group", tag="select", role="combobox", **ticket),
                        "field": "Group", "control": "select", "choice": "Billing"}),
        (41, "navigation", {"tab": 102, "transition": "new_tab", "load_ms": 2100,
                            "page": {"url": CUSTOMER,
                                     "title": "Jane Customer – Customers – Stripe"}}),
        (62, "click", {"tab": 102, "page": {"url": CUSTOMER, "title": "Jane Customer – Stripe"},
                       "target": _target("Payments", tag="a", role="tab",
                                         heading="Jane Customer")}),
        (63, "navigation", {"tab": 102, "transition": "history", "load_ms": 650,
                            "page": {"url": PAYMENT, "title": "Payment – Stripe"}}),
        (88, "click", {"tab": 102, "page": {"url": PAYMENT, "title": "Payment – Stripe"},
                       "target": _target("Refund payment", heading="Payment")}),
        (97, "change", {"tab": 102, "page": {"url": PAYMENT, "title": "Payment – Stripe"},
                        "target": _target("Reason", tag="select", role="combobox",
                                          dialog="Refund payment"),
                        "field": "Reason", "control": "select", "choice": "Duplicate"}),
        (104, "submit", {"tab": 102, "page": {"url": PAYMENT, "title": "Payment – Stripe"},
                         "target": _target("Refund", dialog="Refund payment",
                                           form="Refund payment")}),
        (110, "visibility", {"tab": 102, "page": {"url": PAYMENT, "title": "Payment – Stripe"},
                             "state": "hidden"}),
        (352, "visibility", {"tab": 102, "page": {"url": PAYMENT, "title": "Payment – Stripe"},
                             "state": "visible"}),
        (360, "marker", {"tab": 102, "page": {"url": PAYMENT, "title": "Payment – Stripe"},
                         "label": "Escalating now"}),
        (362, "navigation", {"tab": 103, "transition": "new_tab", "load_ms": 2800,
                             "page": {"url": BOARD, "title": "BILL board – Jira"}}),
        (371, "click", {"tab": 103, "page": {"url": BOARD, "title": "BILL board – Jira"},
                        "target": _target("Create", heading="BILL board")}),
        (380, "change", {"tab": 103, "page": {"url": BOARD, "title": "BILL board – Jira"},
                         "target": _target("Issue type", tag="select", role="combobox",
                                           dialog="Create issue"),
                         "field": "Issue type", "control": "select", "choice": "Bug"}),
        (425, "change", {"tab": 103, "page": {"url": BOARD, "title": "BILL board – Jira"},
                         "target": _target("Summary", tag="input", role="textbox",
                                           dialog="Create issue"),
                         "field": "Summary", "control": "text"}),
        (431, "change", {"tab": 103, "page": {"url": BOARD, "title": "BILL board – Jira"},
                         "target": _target("Priority", tag="select", role="combobox",
                                           dialog="Create issue"),
                         "field": "Priority", "control": "select", "choice": "High"}),
        (446, "submit", {"tab": 103, "page": {"url": BOARD, "title": "BILL board – Jira"},
                         "target": _target("Create", dialog="Create issue", form="Create issue")}),
        (448, "navigation", {"tab": 103, "transition": "history", "load_ms": 900,
                             "page": {"url": ISSUE, "title": "[BILL-2291] Duplicate charge on "
                                      "annual plan – Jira"}}),
        (470, "tab_switch", {**zd}),
        (476, "click", {**zd, "target": _target("Apply macro", heading="Ticket #4821")}),
        (481, "change", {**zd, "target": _target("Macro", tag="select", role="listbox",
                                                 heading="Ticket #4821"),
                         "field": "Macro", "control": "select",
                         "choice": "Billing: refund issued"}),
        (566, "change", {**zd, "target": _target("Public reply", tag="div", role="textbox",
                                                 form="Reply"),
                         "field": "Public reply", "control": "contenteditable"}),
        (571, "marker", {**zd, "label": "Customer confirmed"}),
        (578, "submit", {**zd, "target": _target("Submit as Solved", form="Ticket")}),
        (580, "navigation", {**zd, "transition": "form_submit", "load_ms": 1200}),
    ]


def demo_events() -> list[dict[str, Any]]:
    """The demo recording's events; ids are stable, so loading twice stores them once."""
    events = []
    for seq, (seconds, kind, fields) in enumerate(_script(), start=1):
        event: dict[str, Any] = {
            "id": str(uuid.uuid5(_NAMESPACE, f"demo-event-{seq}")),
            "seq": seq, "type": kind, "ts": START_MS + int(seconds * 1000), "frame": 0,
        }
        event.update(fields)
        events.append(event)
    return events

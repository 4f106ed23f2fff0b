"""Table-driven tests of each pure stage: places, normalization, segmentation, titles, timing."""

from __future__ import annotations

from typing import Any

import pytest

from app.steps.catalogue import builtin_catalogue, parse_catalogue
from app.steps.model import RawEvent, TargetInfo
from app.steps.normalize import drop_churn, drop_noise, order_events
from app.steps.places import Place, host_label, locate, site_names, template_path
from app.steps.segment import Segment, segment_events
from app.steps.timing import summarize_timing, time_steps
from app.steps.titles import describe, slug

TICKET = "https://acme.zendesk.com/agent/tickets/{id}"
ZD = Place("Zendesk", "help_desk", "Ticket view", "/agent/tickets/{id}", "acme.zendesk.com")


def ev(id_: str, type_: str, ts: int, **fields: Any) -> RawEvent:
    return RawEvent(id=id_, seq=int(ts), type=type_, ts=ts, tab=fields.pop("tab", 1),
                    url=fields.pop("url", TICKET), **fields)


def button(name: str | None, selector: str = "#b", **kw: Any) -> TargetInfo:
    return TargetInfo(tag=kw.pop("tag", "button"), name=name, selectors=(selector,), **kw)


class TestCatalogue:
    def test_has_at_least_30_tools_in_every_named_category(self) -> None:
        catalogue = builtin_catalogue()
        assert len(catalogue.systems) >= 30
        categories = {entry.category for entry in catalogue.systems}
        assert {"help_desk", "issue_tracker", "billing", "knowledge_base", "chat", "crm",
                "identity", "monitoring"} <= categories

    @pytest.mark.parametrize(("url", "system", "category", "screen", "template"), [
        ("https://acme.zendesk.com/agent/tickets/4821", "Zendesk", "help_desk", "Ticket view",
         "/agent/tickets/{id}"),
        ("https://acme.atlassian.net/browse/SUP-12", "Jira", "issue_tracker", "Issue view",
         "/browse/{key}"),
        ("https://acme.atlassian.net/secure/CreateIssue.jspa", "Jira", "issue_tracker",
         "Create issue", "/secure/CreateIssue.jspa"),
        ("https://acme.atlassian.net/wiki/spaces/SUP/pages/{id}/Refunds", "Confluence",
         "knowledge_base", "Page", "/wiki/spaces/SUP/pages/{id}/Refunds"),
        ("https://dashboard.stripe.com/customers/{id}", "Stripe Dashboard", "billing",
         "Customer", "/customers/{id}"),
        ("https://app.slack.com/client/T1/C2", "Slack", "chat", "Channel", "/client/{slug}/{slug}"),
        ("https://acme.lightning.force.com/lightning/r/Case/{id}/view",
         "Salesforce Service Cloud", "crm", "Case", "/lightning/r/Case/{id}/view"),
        ("https://acme-admin.okta.com/admin/users", "Okta", "identity", "Users", "/admin/users"),
        ("https://github.com/acme/app/issues/new", "GitHub", "issue_tracker", "Create issue",
         "/{slug}/{slug}/issues/new"),
    ])
    def test_known_hosts(self, url: str, system: str, category: str, screen: str,
                         template: str) -> None:
        place = locate(url, builtin_catalogue())
        assert (place.system, place.category, place.screen, place.url_template) == (
            system, category, screen, template)

    def test_team_file_overrides_and_extends(self) -> None:
        team = parse_catalogue({"systems": [
            {"name": "Zendesk", "category": "help_desk", "hosts": ["help.acme.test"]},
            {"name": "Billing admin", "category": "billing", "hosts": ["admin.acme.test"],
             "screens": [{"path": "/accounts/{id}", "name": "Account"}]},
        ]}, base=builtin_catalogue())
        assert locate("https://admin.acme.test/accounts/9", team).screen == "Account"
        assert locate("https://help.acme.test/x", team).system == "Zendesk"
        assert locate("https://acme.zendesk.com/agent", team).category == "other"

    @pytest.mark.parametrize("bad", [{"systems": [{"name": "X", "category": "food",
                                                   "hosts": ["x"]}]},
                                     {"systems": [{"name": "X", "hosts": []}]},
                                     {"nope": []}])
    def test_bad_team_files_are_refused(self, bad: dict[str, Any]) -> None:
        with pytest.raises(ValueError):
            parse_catalogue(bad)


class TestUnknownHosts:
    @pytest.mark.parametrize(("host", "name"), [
        ("coffee-cart.netlify.app", "Coffee Cart"), ("admin.acme-internal.com", "Acme Internal"),
        ("localhost", "Localhost"), ("", "Browser"), ("10.0.0.7", "10.0.0.7"),
    ])
    def test_named_from_the_host(self, host: str, name: str) -> None:
        assert host_label(host) == name

    def test_named_from_the_title_suffix_most_pages_share(self) -> None:
        names = site_names([("https://ops.acme.test/a", "Orders | Acme Ops"),
                            ("https://ops.acme.test/b", "Order 7 | Acme Ops"),
                            ("https://ops.acme.test/c", "Loading")])
        assert names == {"ops.acme.test": "Acme Ops"}
        assert locate("https://ops.acme.test/orders/{id}", builtin_catalogue(),
                      names).system == "Acme Ops"

    @pytest.mark.parametrize(("path", "template"), [
        ("/agent/tickets/4821", "/agent/tickets/{id}"), ("/browse/SUP-1", "/browse/{key}"),
        ("/o/a1b2c3d4e5f6a7b8", "/o/{id}"), ("/e2e/x", "/e2e/x"), ("/", "/"),
    ])
    def test_url_templates(self, path: str, template: str) -> None:
        assert template_path(path) == template


class TestNormalization:
    def test_orders_by_seq_not_arrival(self) -> None:
        kept, _ = order_events([ev("b", "click", 2), ev("a", "navigation", 1)])
        assert [e.id for e in kept] == ["a", "b"]

    @pytest.mark.parametrize(("events", "reasons"), [
        ([ev("a", "click", 1, target=button("Save")), ev("a", "click", 1, target=button("Save"))],
         [("a", "duplicate event id")]),
        ([ev("a", "click", 1, target=button("Save")), ev("b", "click", 1, target=button("Save"))],
         [("b", "duplicate event")]),
    ])
    def test_duplicates(self, events: list[RawEvent], reasons: list[tuple[str, str]]) -> None:
        assert order_events(events)[1] == reasons

    @pytest.mark.parametrize(("event", "reason"), [
        (ev("a", "click", 1), "click on nothing"),
        (ev("a", "click", 1, target=TargetInfo(tag="body")), "click on nothing"),
        (ev("a", "change", 1, control="text"), "change of an unnamed field"),
        (ev("a", "marker", 1, label="  "), "empty marker"),
        (ev("a", "scroll", 1), "unknown event type"),
        (ev("a", "click", 1, target=button("Save")), None),
    ])
    def test_noise(self, event: RawEvent, reason: str | None) -> None:
        kept, dropped = drop_noise([event])
        assert dropped == ([(event.id, reason)] if reason else [])
        assert kept == ([] if reason else [event])

    @pytest.mark.parametrize(("events", "kept"), [
        ([ev("n", "navigation", 0), ev("s", "tab_switch", 100, tab=2),
          ev("h", "visibility", 150, tab=1, state="hidden"), ev("r", "tab_switch", 900)],
         ["n"]),
        ([ev("n", "navigation", 0), ev("s", "tab_switch", 100, tab=2),
          ev("r", "tab_switch", 5_000)], ["n", "s", "r"]),
        ([ev("n", "navigation", 0), ev("h", "visibility", 10, state="hidden"),
          ev("v", "visibility", 500, state="visible")], ["n"]),
        ([ev("n", "navigation", 0), ev("h", "visibility", 10, state="hidden"),
          ev("v", "visibility", 90_000, state="visible")], ["n", "h", "v"]),
        ([ev("n", "navigation", 0), ev("s", "tab_switch", 100)], ["n"]),
    ])
    def test_focus_churn(self, events: list[RawEvent], kept: list[str]) -> None:
        result, dropped = drop_churn(events)
        assert [e.id for e in result] == kept
        assert all(reason == "focus churn" for _, reason in dropped)


def kinds_and_ids(events: list[RawEvent]) -> list[tuple[str, list[str]]]:
    segments, _ = segment_events(events, [ZD] * len(events))
    return [(s.kind, [e.id for e in s.events]) for s in segments]


class TestSegmentation:
    @pytest.mark.parametrize(("events", "expected"), [
        ([ev("c", "click", 0, target=button("Open")),
          ev("n", "navigation", 500, transition="link")], [("click", ["c", "n"])]),
        ([ev("c", "click", 0, target=button("Open")),
          ev("n", "navigation", 20_000, transition="link")],
         [("click", ["c"]), ("navigate", ["n"])]),
        ([ev("c", "click", 0, target=button("Open")),
          ev("n", "navigation", 500, transition="typed")],
         [("click", ["c"]), ("navigate", ["n"])]),
        ([ev("n", "navigation", 0, transition="typed"),
          ev("h", "navigation", 400, transition="history")], [("navigate", ["n", "h"])]),
        ([ev("a", "click", 0, target=button("Save")), ev("b", "click", 200, target=button("Save"))],
         [("click", ["a", "b"])]),
        ([ev("a", "click", 0, target=button("Save")),
          ev("b", "click", 200, target=button("Send", "#s"))],
         [("click", ["a"]), ("click", ["b"])]),
        ([ev("f", "click", 0, target=button("Subject", "#subj", tag="input")),
          ev("e1", "change", 900, control="text", field="Subject",
             target=button("Subject", "#subj", tag="input")),
          ev("e2", "change", 1900, control="text", field="Subject",
             target=button("Subject", "#subj", tag="input"))],
         [("edit", ["f", "e1", "e2"])]),
        ([ev("p1", "change", 0, control="select", field="Priority", choice="Low",
             target=button("Priority", "#p", tag="select")),
          ev("p2", "change", 500, control="select", field="Priority", choice="Urgent",
             target=button("Priority", "#p", tag="select"))],
         [("choose", ["p1", "p2"])]),
        ([ev("c", "click", 0, target=button("Submit")), ev("s", "submit", 100,
                                                          target=TargetInfo(tag="form")),
          ev("n", "navigation", 600, transition="form_submit")], [("submit", ["c", "s", "n"])]),
        ([ev("c", "click", 0, target=button("Open in new tab")),
          ev("t", "tab_switch", 300, tab=2), ev("n", "navigation", 900, tab=2,
                                                transition="new_tab")],
         [("click", ["c", "t", "n"])]),
        ([ev("n", "navigation", 0, transition="typed"), ev("t", "tab_switch", 5_000, tab=2),
          ev("c", "click", 6_000, tab=2, target=button("X"))],
         [("navigate", ["n"]), ("switch_tab", ["t"]), ("click", ["c"])]),
        ([ev("h", "visibility", 0, state="hidden"), ev("m", "marker", 10, label="Escalating")],
         [("marker", ["h", "m"])]),
    ])
    def test_rules(self, events: list[RawEvent], expected: list[tuple[str, list[str]]]) -> None:
        assert kinds_and_ids(events) == expected

    def test_visibility_alone_is_dropped_with_a_reason(self) -> None:
        segments, dropped = segment_events([ev("h", "visibility", 0, state="hidden")], [ZD])
        assert segments == [] and dropped == [("h", "no action in the recording")]


def title_of(kind: str, *events: RawEvent, place: Place = ZD) -> tuple[str, str]:
    described = describe(Segment(kind, list(events), [place] * len(events)))
    return described.title, described.activity_key


KB = Place("Confluence", "knowledge_base", "Page", "/wiki/x", "acme.atlassian.net")


class TestTitles:
    @pytest.mark.parametrize(("kind", "events", "place", "title", "key"), [
        ("choose", [ev("a", "change", 0, control="select", field="Priority", choice="Urgent",
                       target=button("Priority", tag="select"))], ZD,
         "Set Priority to Urgent in Zendesk", "zendesk:ticket-view:set:priority"),
        ("click", [ev("a", "click", 0, target=button("Customer", role="tab"))], ZD,
         "Open the Customer tab in Zendesk", "zendesk:ticket-view:click:customer"),
        ("click", [ev("a", "click", 0, target=button("Create issue"))],
         Place("Jira", "issue_tracker", "Issue view", "/browse/{key}", "x.atlassian.net"),
         "Click Create issue in Jira", "jira:issue-view:click:create-issue"),
        ("click", [ev("a", "click", 0, target=button("Search"))], KB,
         "Search the knowledge base in Confluence", "confluence:page:click:search"),
        ("edit", [ev("a", "change", 0, control="text", field="Subject",
                     target=button("Subject", tag="input"))], ZD,
         "Fill in Subject in Zendesk", "zendesk:ticket-view:edit:subject"),
        ("choose", [ev("a", "change", 0, control="checkbox", field="Notify", checked=False,
                       target=button("Notify", tag="input"))], ZD,
         "Uncheck Notify in Zendesk", "zendesk:ticket-view:set:notify"),
        ("navigate", [ev("a", "navigation", 0, transition="back_forward")], ZD,
         "Go back to the Ticket view page in Zendesk", "zendesk:ticket-view:open"),
        ("switch_tab", [ev("a", "tab_switch", 0)], ZD,
         "Switch to the Ticket view tab in Zendesk", "zendesk:ticket-view:switch"),
        ("marker", [ev("a", "marker", 0, label="Escalating now")], ZD,
         "Mark Escalating now", "zendesk:ticket-view:mark:escalating-now"),
        ("submit", [ev("a", "submit", 0, target=TargetInfo(tag="form", form="Refund"))], ZD,
         "Submit the Refund form in Zendesk", "zendesk:ticket-view:submit"),
        ("click", [ev("a", "click", 0, target=button(None, "[data-test=checkout]"))], ZD,
         "Click Checkout in Zendesk", "zendesk:ticket-view:click:checkout"),
    ])
    def test_sentences_and_keys(self, kind: str, events: list[RawEvent], place: Place,
                                title: str, key: str) -> None:
        assert title_of(kind, *events, place=place) == (title, key)

    def test_names_are_strong_parts(self) -> None:
        event = ev("a", "change", 0, control="select", field="Priority", choice="Urgent",
                   target=button("Priority", tag="select"))
        parts = describe(Segment("choose", [event], [ZD])).parts
        assert [p.text for p in parts if p.strong] == ["Priority", "Urgent"]

    @pytest.mark.parametrize(("text", "expected"), [
        ("Ticket #4821 details", "ticket-details"), ("Order 12345", "order"),
        ("Tier 2", "tier-2"), ("{id}", ""),
    ])
    def test_keys_carry_no_ids(self, text: str, expected: str) -> None:
        assert slug(text) == expected


class TestTiming:
    @pytest.mark.parametrize(("steps", "expected"), [
        ([[ev("a", "click", 0)], [ev("b", "click", 5_000)]],
         [(0, 5_000, 5_000, 0, 0), (5_000, 0, 0, 0, 0)]),
        ([[ev("a", "navigation", 0, load_ms=1_500)], [ev("b", "click", 4_000)]],
         [(0, 4_000, 2_500, 1_500, 0), (4_000, 0, 0, 0, 0)]),
        ([[ev("a", "click", 0)], [ev("b", "click", 100_000)]],
         [(0, 100_000, 60_000, 0, 40_000), (100_000, 0, 0, 0, 0)]),
        ([[ev("a", "click", 0), ev("h", "visibility", 1_000, state="hidden")],
          [ev("b", "click", 30_000)]], [(0, 30_000, 1_000, 0, 29_000), (30_000, 0, 0, 0, 0)]),
        ([[ev("a", "click", 10_000)], [ev("b", "click", 4_000)], [ev("c", "click", 12_000)]],
         [(10_000, 0, 0, 0, 0), (10_000, 2_000, 2_000, 0, 0), (12_000, 0, 0, 0, 0)]),
        ([[ev("a", "navigation", 0, load_ms=9_000)], [ev("b", "click", 2_000)]],
         [(0, 2_000, 0, 2_000, 0), (2_000, 0, 0, 0, 0)]),
    ])
    def test_active_waiting_idle(self, steps: list[list[RawEvent]],
                                 expected: list[tuple[int, ...]]) -> None:
        timings = time_steps(steps, idle_threshold_ms=60_000)
        assert [(t.started_at_ms, t.duration_ms, t.active_ms, t.waiting_ms, t.idle_ms)
                for t in timings] == expected

    def test_summary_per_system_phase_and_context_switches(self) -> None:
        from app.steps.derive import derive_steps

        jira = "https://acme.atlassian.net/browse/{key}"
        result = derive_steps([
            ev("1", "navigation", 0, transition="typed"),
            ev("2", "navigation", 10_000, url=jira, transition="typed"),
            ev("3", "navigation", 30_000, transition="typed"),
        ])
        summary = summarize_timing(result.steps)
        assert summary["context_switches"] == 2
        assert summary["per_system"]["Zendesk"]["duration_ms"] == 10_000
        assert summary["per_system"]["Jira"]["duration_ms"] == 20_000
        assert summary["total"]["duration_ms"] == 30_000

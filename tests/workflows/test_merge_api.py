"""Five recordings of one workflow through the API: two take a billing branch, one escalates."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import pairwise
from typing import Any

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.workflows.recorded import FIVE_TICKETS, ticket_events

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
XES = "{http://www.xes-standard.org/}"
DAY_MS = 86_400_000
START_MS = 1_795_158_843_000


def record_five(client: TestClient, agents: list[Any]) -> int:
    workflow_id = 0
    for day, (ticket, category, branch, who) in enumerate(FIVE_TICKETS):
        headers = agents[who].headers
        opened = client.post("/api/v1/recordings", json={"workflow": "Billing question"},
                             headers=headers).json()
        events = ticket_events(ticket, category, branch, START_MS + day * DAY_MS,
                               pace_s=20 + 10 * who)
        assert client.post(f"/api/v1/recordings/{opened['id']}/events", json={"events": events},
                           headers=headers).status_code == 200
        assert client.post(f"/api/v1/recordings/{opened['id']}/finish",
                           headers=headers).json()["status"] == "finished"
        workflow_id = opened["workflow_id"]
    return workflow_id


def test_five_recordings_merge_into_decisions_gateway_and_exceptions(
    client: TestClient, make_account: Any
) -> None:
    agents = [make_account("agent") for _ in range(3)]
    lead = make_account("lead")
    wid = record_five(client, agents)
    api = f"/api/v1/workflows/{wid}"

    draft = client.get(f"{api}/versions/1", headers=lead.headers).json()
    assert len(draft["recording_ids"]) == 5
    assert [d["after_step"] for d in draft["decisions"]] == [3]
    point = draft["decisions"][0]
    assert point["reached"] == 5
    assert [(b["count"], b["follows_procedure"], b["condition"]) for b in point["branches"]] == [
        (2, True, "Category is Question"), (2, False, "Category is Billing")]
    assert point["branches"][1]["systems"] == ["Stripe Dashboard", "Zendesk"]
    assert len(draft["timing"]["agents"]) == 3
    assert draft["timing"]["agent_spread_ms"] > 0

    sop = client.get(f"{api}/sop?format=md", headers=lead.headers).text
    assert "### Decision points" in sop
    assert "After step 3, the recordings went different ways (5 got there):" in sop
    assert "- **If Category is Question** (2 of 5 recordings): continue with step 4." in sop
    assert ("- **If Category is Billing** (2 of 5 recordings): Open the Customer page in Stripe "
            "Dashboard; then Click Refund payment in Stripe Dashboard; then Switch to the "
            "Ticket view tab in Zendesk; then continue with step 4.") in sop
    exceptions = sop.split("## Exceptions and edge cases", 1)[1].split("\n## ", 1)[0]
    assert ("- In 1 of 5 recordings, after step 3: Open the Board page in Jira; then Click "
            "Create issue in Jira; then Switch to the Ticket view tab in Zendesk; continuing "
            "with step 4.") in exceptions
    assert "Stripe" not in exceptions, "a frequent branch is a decision, not an exception"
    html = BeautifulSoup(client.get(f"{api}/sop?format=html", headers=lead.headers).text,
                         "html.parser")
    assert [li["data-count"] for li in html.select(".decision li")] == ["2", "2"]

    bpmn = ET.fromstring(client.get(f"{api}/process-map?format=bpmn",
                                    headers=lead.headers).content)
    gateways = bpmn.findall(f".//{BPMN}exclusiveGateway")
    assert gateways, "the split is a gateway in the BPMN"
    flows = {f.get("id"): f for f in bpmn.iter(f"{BPMN}sequenceFlow")}
    splits = [g for g in gateways if len(g.findall(f"{BPMN}outgoing")) == 3]
    assert len(splits) == 1
    outgoing = splits[0].findall(f"{BPMN}outgoing")
    names = sorted(flows[o.text or ""].get("name", "") for o in outgoing)
    assert [name.split("\u00d7")[0].strip() for name in names] == ["1", "2", "2"]

    graph = json.loads(client.get(f"{api}/process-map?format=json",
                                  headers=lead.headers).text)
    from_map = Counter({(e["source"], e["target"]): e["count"] for e in graph["edges"]})
    log = ET.fromstring(client.get(f"{api}/event-log?format=xes",
                                   headers=lead.headers).content)
    from_log: Counter[tuple[str, str]] = Counter()
    for trace in log.iter(f"{XES}trace"):
        keys = ["__start__"]
        keys += [attribute.get("value", "") for attribute in trace.iter(f"{XES}string")
                 if attribute.get("key") == "activity"]
        from_log.update(pairwise([*keys, "__end__"]))
    assert sum(from_log.values()) == 2 * (5 + 1) + 3 * (8 + 1), "5 or 8 steps per trace"
    assert from_map == from_log

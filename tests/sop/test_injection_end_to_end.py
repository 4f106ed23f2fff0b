"""The injection corpus as a recording sends it (page titles, control names, field and option
labels, markers) and in the lead's fields, through ingest, the pipeline and every download."""

from __future__ import annotations

import csv
import io
from io import BytesIO
from typing import Any

from bs4 import BeautifulSoup
from docx import Document
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt

from tests.factories import event
from tests.injection_corpus import PAYLOADS
from tests.sop.test_injection import assert_inert_html

HOSTS = ("https://acme.zendesk.com/agent/tickets/4821", "https://intranet.example/admin/users/7")


def hostile_events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for index, payload in enumerate(PAYLOADS):
        text = payload[:500].replace("\x00", "")  # ingest refuses NUL with a 422
        page = {"url": HOSTS[index % 2], "title": text}
        target = {"tag": "button", "role": "button", "name": text, "selectors": [],
                  "context": {"heading": text, "dialog": None, "form": text, "landmark": None}}
        base = 1 + index * 4
        events += [
            event("navigation", seq=base, page=page),
            event("click", seq=base + 1, page=page, target=target),
            event("change", seq=base + 2, page=page, target=target, field=text,
                  control="select", choice=text),
            event("marker", seq=base + 3, page=page, label=text[:200] or "x"),
        ]
    return events


def test_corpus_through_ingest_pipeline_and_every_download(client: TestClient,
                                                           make_account: Any) -> None:
    lead = make_account("lead")
    opened = client.post("/api/v1/recordings", json={"workflow": PAYLOADS[0], "ticket_ref":
                                                     PAYLOADS[5][:200]}, headers=lead.headers)
    assert opened.status_code == 201, opened.text
    recording_id, workflow_id = opened.json()["id"], opened.json()["workflow_id"]
    sent = client.post(f"/api/v1/recordings/{recording_id}/events",
                       json={"events": hostile_events()}, headers=lead.headers)
    assert sent.status_code == 200, sent.text
    finished = client.post(f"/api/v1/recordings/{recording_id}/finish", headers=lead.headers)
    assert finished.json()["status"] == "finished"
    safe = [p.replace("\x00", "") or "x" for p in PAYLOADS]
    details = {"purpose": "\n\n".join(p[:100] for p in safe), "owner": safe[2][:200],
               "quality_checks": [p[:500] for p in safe[:50]],
               "related_documents": [{"title": p[:300], "url": ""} for p in safe[:50]]}
    patched = client.patch(f"/api/v1/workflows/{workflow_id}", json={"details": details},
                           headers=lead.headers)
    assert patched.status_code == 200, patched.text

    base = f"/api/v1/workflows/{workflow_id}"
    sop = client.get(f"{base}/sop?format=json", headers=lead.headers).json()
    assert sop["phases"], "the pipeline made steps of the hostile events"
    for path in (f"{base}/sop?format=html", f"{base}/timing-report?format=html",
                 f"/api/v1/recordings/{recording_id}/sop?format=html"):
        assert_inert_html(client.get(path, headers=lead.headers).text)
    markdown = client.get(f"{base}/sop?format=md", headers=lead.headers).text
    tokens = MarkdownIt("commonmark", {"html": True}).enable("table").parse(markdown)
    flat = [t for tok in tokens for t in [tok, *(tok.children or [])]]
    assert not [t for t in flat if t.type in ("html_block", "html_inline")]
    assert not [t for t in flat if t.type == "link_open"]
    docx = client.get(f"{base}/sop?format=docx", headers=lead.headers)
    assert Document(BytesIO(docx.content)).paragraphs
    rows = list(csv.reader(io.StringIO(
        client.get(f"{base}/timing-report?format=csv", headers=lead.headers).text)))
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    soup = BeautifulSoup(client.get(f"{base}/sop?format=html", headers=lead.headers).text,
                         "html.parser")
    assert soup.select("#procedure li"), "steps are listed"

"""The extension's redaction (``recorder_extension/lib/redact.js``, run by Node) gives the same
output as the server's (``app/ingest/redaction.py``) on personal data, hostile text and real URLs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from app.ingest.redaction import redact_path, redact_text, redact_url
from tests.injection_corpus import PAYLOADS

REDACT_JS = Path(__file__).resolve().parents[2] / "recorder_extension" / "lib" / "redact.js"
ALLOWED = ["tab", "view", "filter", "status", "sort", "page", "section"]
FULLWIDTH_DIGITS = "".join(chr(0xFF10 + digit) for digit in range(10))
ARABIC_INDIC_DIGITS = "".join(chr(0x0660 + digit) for digit in range(10))

TEXTS = [
    "Refund jane@doe.com card 4111 1111 1111 1111, ticket #4821",
    "Billing · jane.canary@example.com · 4111 1111 1111 1111",
    "Call +1 (415) 555-0100 or 020 7946 0958",
    "IBAN-ish 12345678901234567890123 and order 123456",
    "Due 2024-05-01T10:00:00 and 2024-05-01 12:30",
    "Müller <hans.müller@beispiel.de> wrote",
    "short 12345 and #4821 and 2024",
    "Submit as Solved",
    f"Phone {FULLWIDTH_DIGITS} or {ARABIC_INDIC_DIGITS} (other scripts' digits)",
    "4111-1111-1111-1111 (Visa)",
    "",
    *PAYLOADS,
]
PATHS = [
    "/agent/tickets/4821/users/jane@doe.com",
    "/r/0b7f2d9e-1c2a-4a7b-9f00-3c1d2e4f5a6b/edit",
    "/customers/cus_Na6dX7aXxi11N4/subscriptions/sub_1MowQVLkdIwHu7ix",
    "/u/jane%40doe.com/profile",
    "/reset/a8F3kLm9Qw2Zx7Cv1Bn4Hj6Kp",
    "/orders/AB123456/items",
    "/browse/PROJ-123",
    f"/orders/{FULLWIDTH_DIGITS[1:8]}/items",
    "/files/deadbeefdeadbeefcafe/abcdefabcdefabcd/Straße",
    "/",
]
URLS = [
    "https://x.zendesk.com/agent/tickets/4821?email=a@b.co&tab=notes#top",
    "http://localhost:8080/billing/customer.html?email=jane.canary%40example.com&card=4111111111111111",
    "https://app.example.com/#/tickets/99?x=1",
    "https://app.example.com/#!/users/jane@doe.com",
    "https://user:secret@host.example:8443/a/b",
    "https://dashboard.stripe.com/customers/cus_Na6dX7aXxi11N4?status=active&sort=created",
    "https://jira.example.net/browse/PROJ-123?filter=jane%40doe.com&page=2",
    "https://kb.example.org/articles/how-to-refund?section=steps&utm_source=mail",
    "https://h.example/search?filter=a+b&view=list%20grid",
    "file:///home/agent/notes.html",
]


def run_node(cases: dict[str, list[str]]) -> dict[str, list[str]]:
    """Redact the cases with the extension's module under Node."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is needed for the extension's tests")
        pytest.skip("node is not installed")
    script = (
        f"const r = require({json.dumps(str(REDACT_JS))});"
        "const c = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        f"const allowed = {json.dumps(ALLOWED)};"
        "process.stdout.write(JSON.stringify({"
        "texts: c.texts.map(t => r.redactText(t, {})),"
        "paths: c.paths.map(p => r.redactPath(p, {})),"
        "urls: c.urls.map(u => r.redactUrl(u, allowed, {}))}));"
    )
    out = subprocess.run(
        [node, "-e", script], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    result: dict[str, list[str]] = json.loads(out.stdout)
    return result


@pytest.fixture(scope="module")
def from_node() -> dict[str, list[str]]:
    return run_node({"texts": TEXTS, "paths": PATHS, "urls": URLS})


def test_text_redaction_matches_the_server(from_node: dict[str, list[str]]) -> None:
    expected = [redact_text(text, Counter()) for text in TEXTS]
    assert from_node["texts"] == expected


def test_path_redaction_matches_the_server(from_node: dict[str, list[str]]) -> None:
    assert from_node["paths"] == [redact_path(path, Counter()) for path in PATHS]


def test_url_redaction_matches_the_server(from_node: dict[str, list[str]]) -> None:
    assert from_node["urls"] == [redact_url(url, ALLOWED, Counter()) for url in URLS]

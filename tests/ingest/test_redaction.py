"""Server-side redaction of a batch, a column at a time, against the one-value functions."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.ingest.redaction import (
    Redactor,
    _encoded_query,
    _host_and_credentials,
    redact_text,
    redact_url,
)

ALLOWED = ["tab", "view", "filter", "status", "sort", "page", "section"]

#: Values that repeat, and that mask (or not) e-mails, numbers and ids, to draw columns from.
FULLWIDTH_NUMBER = "".join(chr(0xFF10 + digit) for digit in (1, 2, 3, 4, 5, 6, 7))
TEXTS = ["Submit as Solved", "Ticket #4821", "Call +1 (555) 010-4477", "jane.doe@example.com",
         "Card 4111 1111 1111 1111", "", "Order 2024-05-01", f"No. {FULLWIDTH_NUMBER}", "x"]
URLS = [
    "https://acme.zendesk.com/agent/tickets/4821?tab=notes&x=1",
    "https://acme.zendesk.com/agent/tickets/4821?tab=notes&x=1#/route/99912345",
    "https://user:secret@billing.example.com:8443/customers/cus_A1b2C3d4e5?view=full",
    "https://Billing.Example.COM/invoices/jane%40doe.com?email=jane@doe.com",
    "https://[::1]:8080/a/0123456789abcdef0123",
    "http://host:99999/bad-port",
    "javascript:alert(1)",
    "https://kb.example.com/articles/how-to-refund?page=2&Tab=x&tab=a%2Bb+c",
]


class TestRedactorColumns:
    @given(st.lists(st.sampled_from(TEXTS) | st.none(), max_size=60))
    def test_texts_are_each_value_redacted_and_every_use_counted(
        self, values: list[str | None]
    ) -> None:
        redactor = Redactor(ALLOWED)
        expected: Counter[str] = Counter()
        assert redactor.texts(values) == [
            value if value is None else redact_text(value, expected) for value in values
        ]
        assert redactor.counts == expected

    @given(st.lists(st.lists(st.sampled_from(URLS), max_size=30), max_size=3))
    def test_urls_over_several_columns_count_as_one_tally(self, columns: list[list[str]]) -> None:
        redactor = Redactor(ALLOWED)
        expected: Counter[str] = Counter()
        for column in columns:
            assert redactor.urls(column) == [
                redact_url(url, ALLOWED, expected) for url in column
            ]
        assert redactor.counts == expected


class TestHostAndCredentials:
    @given(st.text(alphabet="aZ09.-_:@[]%/ é", max_size=24))
    def test_is_what_urllib_parses(self, netloc: str) -> None:
        # The plain-host shortcut gives what urllib's properties give, or both raise.
        url = f"https://{netloc}/path"
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            with pytest.raises(ValueError):
                _host_and_credentials(urlsplit(url))
            return
        host = (parts.hostname or "") + (f":{port}" if port is not None else "")
        credentials = bool(parts.username or parts.password)
        assert _host_and_credentials(parts) == (host, credentials)


class TestEncodedQuery:
    @given(st.lists(st.tuples(st.text(alphabet="aZ09_.~- +%&=é/", max_size=8),
                              st.text(alphabet="aZ09_.~- +%&=é/", max_size=8)), max_size=4))
    def test_is_urlencode(self, kept: list[tuple[str, str]]) -> None:
        assert _encoded_query(kept) == urlencode(kept)

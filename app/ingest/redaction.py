"""Server-side redaction (DESIGN §3 rule 4), applied on ingest whatever the client did.

Pure functions over strings. Each takes a ``Counter`` and adds what it masked, so the
recording's capture manifest can say how much was redacted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

__all__ = ["Redactor", "redact_path", "redact_text", "redact_url"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGIT = re.compile(r"\d")
_DIGITISH = re.compile(r"\+?\(?\d[\d \t().-]{5,}\d")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
_NUMBER = re.compile(r"^\d+$")
_HEXISH = re.compile(r"^[0-9a-f]{16,}$", re.I)
_TOKENISH = re.compile(r"^[A-Za-z0-9_-]{24,}$")
_PREFIXED_ID = re.compile(r"^[a-z]{2,6}_[A-Za-z0-9]{8,}$")  # cus_abc123..., sub_..., in_...


def _mask_digit_run(match: re.Match[str], counts: Counter[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < 6 or (_ISO_DATE.match(text) and digits <= 12):
        return text
    if 13 <= digits <= 19 and not re.search(r"[()]", text):
        counts["cards"] += 1
        return "[card]"
    if digits >= 9 and re.search(r"[ ().+-]", text):
        counts["phones"] += 1
        return "[phone]"
    counts["numbers"] += 1
    return "[number]"


def redact_text(text: str, counts: Counter[str]) -> str:
    """Mask emails, phone and card-like numbers and long digit runs in a label or title.

    >>> c: Counter[str] = Counter()
    >>> redact_text("Refund jane@doe.com card 4111 1111 1111 1111, ticket #4821", c)
    'Refund [email] card [card], ticket #4821'
    >>> sorted(c.items())
    [('cards', 1), ('emails', 1)]
    """
    if not text:
        return text
    if "@" in text:  # the cheap test first: most labels hold no address and no digits

        def _email(match: re.Match[str]) -> str:
            counts["emails"] += 1
            return "[email]"

        text = _EMAIL.sub(_email, text)
    if _DIGIT.search(text) is None:
        return text
    return _DIGITISH.sub(lambda m: _mask_digit_run(m, counts), text)


def _placeholder(segment: str) -> str | None:
    if not segment or (len(segment) < 16 and segment.isalpha()):  # a word: never an id
        return None
    if _NUMBER.match(segment):
        return "{id}"
    if _UUID.match(segment):
        return "{uuid}"
    if "@" in segment and _EMAIL.search(segment.replace("%40", "@")):
        return "{email}"
    if "%40" in segment:
        return "{email}"
    if _HEXISH.match(segment) or _PREFIXED_ID.match(segment):
        return "{id}"
    if _TOKENISH.match(segment) and any(ch.isdigit() for ch in segment):
        return "{token}"
    if sum(ch.isdigit() for ch in segment) >= 6:
        return "{id}"
    return None


def redact_path(path: str, counts: Counter[str]) -> str:
    """Replace path segments that identify a person or an object with placeholders.

    >>> redact_path("/agent/tickets/4821/users/jane@doe.com", Counter())
    '/agent/tickets/{id}/users/{email}'
    """
    out = []
    for segment in path.split("/"):
        replacement = _placeholder(segment)
        if replacement is None:
            out.append(segment)
        else:
            counts["path_segments"] += 1
            out.append(replacement)
    return "/".join(out)


def redact_url(url: str, allowed_params: Iterable[str], counts: Counter[str]) -> str:
    """Drop credentials, query and fragment (but allow-listed parameters and SPA routes).

    >>> redact_url("https://x.zendesk.com/agent/tickets/4821?email=a@b.co&tab=notes#top",
    ...            ["tab"], Counter())
    'https://x.zendesk.com/agent/tickets/{id}?tab=notes'
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        counts["urls_dropped"] += 1
        return ""
    if parts.scheme not in ("http", "https", "file", "chrome-extension", ""):
        counts["urls_dropped"] += 1
        return ""
    host = parts.hostname or ""
    if port is not None:
        host = f"{host}:{port}"
    allowed = allowed_params if isinstance(allowed_params, frozenset) else frozenset(allowed_params)
    kept = []
    # parse_qsl(query, keep_blank_values=True), but a value is decoded only when it is kept
    for field in parts.query.split("&") if parts.query else ():
        if not field:
            continue
        name, _, value = field.partition("=")
        key = unquote_plus(name)
        if key in allowed:
            kept.append((key, redact_text(unquote_plus(value), counts)))
        else:
            counts["query_params"] += 1
    fragment = ""
    if parts.fragment.startswith(("/", "!/")):
        route = parts.fragment.split("?", 1)[0]
        fragment = redact_path(route, counts)
    elif parts.fragment:
        counts["fragments"] += 1
    if parts.username or parts.password:
        counts["credentials"] += 1
    path = redact_path(parts.path, counts)
    return urlunsplit((parts.scheme, host, path, urlencode(kept) if kept else "", fragment))


class Redactor:
    """The redaction of one batch: one tally of what was masked, repeated strings done once.

    Pages repeat within a batch (many clicks on one ticket view), so each distinct URL and
    text is redacted once; a repeat costs a dictionary look-up and a use count, and
    :attr:`counts` multiplies each string's masks by its uses when it is read.

    >>> r = Redactor(["tab"])
    >>> r.url("https://x.test/u/jane@doe.com?tab=a"), r.url("https://x.test/u/jane@doe.com?tab=a")
    ('https://x.test/u/{email}?tab=a', 'https://x.test/u/{email}?tab=a')
    >>> dict(r.counts)
    {'path_segments': 2}
    """

    __slots__ = ("_allowed", "_texts", "_urls")

    def __init__(self, allowed_params: Iterable[str]) -> None:
        self._allowed = frozenset(allowed_params)
        # value -> [redacted, what its redaction masked, uses]
        self._texts: dict[str, list[Any]] = {}
        self._urls: dict[str, list[Any]] = {}

    def text(self, value: str | None) -> str | None:
        """``redact_text`` of a label or title; ``None`` and ``""`` pass through."""
        if not value:
            return value
        done = self._texts.get(value)
        if done is None:
            delta: Counter[str] = Counter()
            done = self._texts[value] = [redact_text(value, delta), delta, 0]
        done[2] += 1
        redacted: str = done[0]
        return redacted

    def url(self, value: str) -> str:
        """``redact_url`` of a page URL with the configured allow-list."""
        done = self._urls.get(value)
        if done is None:
            delta: Counter[str] = Counter()
            done = self._urls[value] = [redact_url(value, self._allowed, delta), delta, 0]
        done[2] += 1
        redacted: str = done[0]
        return redacted

    @property
    def counts(self) -> Counter[str]:
        """What was masked so far, by kind, counting every use of a string."""
        total: Counter[str] = Counter()
        for done in (*self._texts.values(), *self._urls.values()):
            for kind, n in done[1].items():
                total[kind] += n * done[2]
        return total

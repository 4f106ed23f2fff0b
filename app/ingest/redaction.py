"""Server-side redaction (DESIGN §3 rule 4), applied on ingest whatever the client did.

Pure functions over strings. Each takes a ``Counter`` and adds what it masked, so the
recording's capture manifest can say how much was redacted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import SplitResult, unquote_plus, urlencode, urlsplit, urlunsplit

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
        host, credentials = _host_and_credentials(parts)
    except ValueError:
        counts["urls_dropped"] += 1
        return ""
    if parts.scheme not in ("http", "https", "file", "chrome-extension", ""):
        counts["urls_dropped"] += 1
        return ""
    allowed = allowed_params if isinstance(allowed_params, frozenset) else frozenset(allowed_params)
    kept = []
    # parse_qsl(query, keep_blank_values=True), but a value is decoded only when it is kept
    for field in parts.query.split("&") if parts.query else ():
        if not field:
            continue
        name, _, value = field.partition("=")
        key = unquote_plus(name) if "%" in name or "+" in name else name
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
    if credentials:
        counts["credentials"] += 1
    path = redact_path(parts.path, counts)
    return urlunsplit((parts.scheme, host, path, _encoded_query(kept), fragment))


_PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]*")
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*")  # what ``quote_plus`` leaves as it is


def _encoded_query(kept: list[tuple[str, str]]) -> str:
    """``urlencode(kept)``, without quoting names and values that need none (the usual)."""
    if all(_UNQUOTED.fullmatch(name) and _UNQUOTED.fullmatch(value) for name, value in kept):
        return "&".join(f"{name}={value}" for name, value in kept)
    return urlencode(kept)


def _host_and_credentials(parts: SplitResult) -> tuple[str, bool]:
    """The host of a URL in lower case, with its port, and whether it carried credentials.

    A host of letters, digits, dots and hyphens (the usual one) is taken as it is; any
    other goes through ``urllib``'s own parsing, which raises ``ValueError`` for a bad port.
    """
    if _PLAIN_HOST.fullmatch(parts.netloc):
        return parts.netloc.lower(), False
    port = parts.port
    host = parts.hostname or ""
    if port is not None:
        host = f"{host}:{port}"
    return host, bool(parts.username or parts.password)


class Redactor:
    """The redaction of one batch, a column of values at a time: one tally of what was masked.

    Values repeat within a batch (many clicks on one ticket view), so each distinct URL and
    text is redacted once and every repeat is a dictionary look-up made in C; a value that
    had something masked adds its masks to :attr:`counts` once for each of its uses.

    >>> r = Redactor(["tab"])
    >>> r.urls(["https://x.test/u/jane@doe.com?tab=a", "https://x.test/u/jane@doe.com?tab=a"])
    ['https://x.test/u/{email}?tab=a', 'https://x.test/u/{email}?tab=a']
    >>> r.texts(["Call 555 123 4567", None, ""])
    ['Call [phone]', None, '']
    >>> dict(r.counts)
    {'path_segments': 2, 'phones': 1}
    """

    __slots__ = ("_allowed", "_text_masks", "_texts", "_url_masks", "_urls", "counts")

    def __init__(self, allowed_params: Iterable[str]) -> None:
        self._allowed = frozenset(allowed_params)
        self._texts: dict[str | None, str | None] = {None: None, "": ""}
        self._urls: dict[str, str] = {}
        # value -> what one use of it masked; only values that had something masked
        self._text_masks: dict[str | None, Counter[str]] = {}
        self._url_masks: dict[str, Counter[str]] = {}
        #: What was masked so far, by kind, counting every use of a value.
        self.counts: Counter[str] = Counter()

    def texts(self, values: list[str | None]) -> list[str | None]:
        """``redact_text`` of each label or title; ``None`` and ``""`` pass through."""
        return self._column(values, self._texts, self._text_masks, redact_text)

    def urls(self, values: list[str]) -> list[str]:
        """``redact_url`` of each page URL, with the configured allow-list."""
        allowed = self._allowed
        return self._column(values, self._urls, self._url_masks,
                            lambda url, counts: redact_url(url, allowed, counts))

    def _column(self, values: list[Any], done: dict[Any, Any], masks: dict[Any, Counter[str]],
                redact: Callable[[Any, Counter[str]], Any]) -> list[Any]:
        distinct = set(values)
        for value in distinct.difference(done):
            delta: Counter[str] = Counter()
            done[value] = redact(value, delta)
            if delta:
                masks[value] = delta
        if masks and not distinct.isdisjoint(masks):
            uses = Counter(values)
            for value in distinct.intersection(masks):
                for kind, n in masks[value].items():
                    self.counts[kind] += n * uses[value]
        return list(map(done.__getitem__, values))

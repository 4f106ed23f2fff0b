"""Building wire-format v1 events for imported recordings (pure; typed values never enter).

An :class:`EventWriter` stamps ids (deterministic, from the file's digest), ``seq`` and ``ts``,
tracks the page each tab is on, and emits a navigation when an imported action happens on a
page its tab was not on yet.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = ["EventWriter", "ImportedRecording", "clean_url"]

_NAMESPACE = uuid.UUID("6f1d3b52-8c1e-4b7a-9d64-0c3f2e8a9b10")
_MAX_NAME = 512
_MAX_URL = 2048


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str | None, limit: int = _MAX_NAME) -> str | None:
    r"""A string from a file, fit to store: no control characters or lone surrogates, capped.

    >>> clean_text("Save\x00 draft\ud800"), clean_text(""), clean_text(None)
    ('Save draft?', None, None)
    """
    if not text:
        return None
    text = _CONTROL.sub("", str(text)).encode("utf-8", "replace").decode("utf-8")
    return text[:limit] or None


def clean_url(url: str) -> str:
    """A URL the wire format accepts: a port that is not a number (``<test-port>``) is dropped.

    >>> clean_url("https://localhost:<test-port>/test/recorder.html")
    'https://localhost/test/recorder.html'
    >>> clean_url("not a url at all")
    ''
    """
    url = clean_text(url, _MAX_URL) or ""
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "file") or not parts.hostname:
            return ""
        try:
            port = parts.port
        except ValueError:
            port = None
        netloc = parts.hostname + (f":{port}" if port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))[
            :_MAX_URL
        ]
    except ValueError:
        return ""


@dataclass
class ImportedRecording:
    """What an importer made of a file: a title, wire-format events, what it skipped."""

    title: str
    source: str
    events: list[dict[str, Any]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


@dataclass
class EventWriter:
    """Appends wire-format events with increasing ``seq`` to an :class:`ImportedRecording`."""

    recording: ImportedRecording
    digest: str
    tab: int = 1
    pages: dict[int, tuple[str, str]] = field(default_factory=dict)

    def _base(self, type_: str, ts: int, frame: int = 0) -> dict[str, Any]:
        seq = len(self.recording.events) + 1
        url, title = self.pages.get(self.tab, ("", ""))
        return {
            "id": str(uuid.uuid5(_NAMESPACE, f"{self.digest}:{seq}")),
            "seq": seq,
            "type": type_,
            "ts": ts,
            "tab": self.tab,
            "frame": frame,
            "page": {"url": url, "title": clean_text(title) or ""},
        }

    def navigate(self, url: str, title: str, ts: int, transition: str) -> None:
        """The current tab loads ``url``."""
        self.pages[self.tab] = (clean_url(url), title or "")
        event = self._base("navigation", ts)
        event["transition"] = transition
        self.recording.events.append(event)

    def arrive(self, url: str, ts: int, transition: str = "link") -> None:
        """Emit a navigation if the current tab is not on ``url`` yet."""
        cleaned = clean_url(url)
        if cleaned and self.pages.get(self.tab, ("", ""))[0] != cleaned:
            self.navigate(cleaned, "", ts, transition)

    def switch_tab(self, tab: int, ts: int, url: str = "") -> None:
        """The agent moves to another tab (new or known; ``url`` is a new tab's page)."""
        if tab == self.tab:
            return
        self.tab = tab
        if tab not in self.pages and clean_url(url):
            self.pages[tab] = (clean_url(url), "")
        self.recording.events.append(self._base("tab_switch", ts))

    def act(self, type_: str, ts: int, target: dict[str, Any], frame: int = 0,
            **fields: Any) -> None:
        """A click, submit or change on ``target`` (tag, role, name, input_type, selectors)."""
        event = self._base(type_, ts, frame)
        selectors = (clean_text(s, 1024) for s in target.get("selectors", []))
        event["target"] = {
            "tag": clean_text(target.get("tag"), 64) or "element",
            "role": clean_text(target.get("role"), 64),
            "name": clean_text(target.get("name")),
            "input_type": clean_text(target.get("input_type"), 64),
            "selectors": [s for s in selectors if s][:10],
            "context": {},
        }
        for key, value in fields.items():
            if value is not None:
                event[key] = clean_text(value) if isinstance(value, str) else value
        self.recording.events.append(event)

"""Where an event happened: URL templates, the system (from the catalogue) and the screen.

Pure functions over strings and a :class:`~app.steps.catalogue.Catalogue`. Unknown hosts are
named from the page (the site name that titles end with) or, failing that, from the host.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import urlsplit

from app.steps.catalogue import Catalogue, SystemEntry

__all__ = [
    "Place",
    "host_label",
    "humanize",
    "locate",
    "site_names",
    "split_url",
    "template_path",
]

_NUMBER = re.compile(r"^\d+$")
_ISSUE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9]+-\d+$")
_DIGITS = re.compile(r"\d")
_HEXISH = re.compile(r"^[0-9a-fA-F]{12,}$")
_TITLE_SEPARATORS = re.compile(r"\s+(?:[-|\u2013\u2014\u00b7:\u00bb]|::)\s+")
_GENERIC_LABELS = frozenset(
    {"www", "app", "apps", "admin", "portal", "dashboard", "my", "secure", "web", "console"}
)
_HOSTING = frozenset(
    {"netlify", "herokuapp", "vercel", "github", "gitlab", "pages", "azurewebsites",
     "appspot", "web", "firebaseapp", "onrender", "fly", "glitch", "cloudfront"}
)
_SUFFIXES = frozenset(
    {"com", "org", "net", "io", "app", "co", "dev", "ai", "so", "biz", "info", "us", "uk",
     "de", "fr", "eu", "au", "ca", "nl", "local", "internal", "corp", "lan", "test", "site",
     "cloud", "tech", "me", "gov", "edu", "ac"}
)


class Place(NamedTuple):
    """The system, category, screen and URL template of a page."""

    system: str
    category: str
    screen: str
    url_template: str
    host: str


def split_url(url: str) -> tuple[str, str, str]:
    """``(host, path, fragment route)`` of a URL; never raises on odd ports or schemes.

    >>> split_url("https://localhost:<test-port>/a/b.html?x=1#/route/7")
    ('localhost', '/a/b.html', '/route/7')
    """
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "", "", ""
    fragment = parts.fragment.split("?", 1)[0] if parts.fragment.startswith("/") else ""
    return host, parts.path or "/", fragment


def _template_segment(segment: str) -> str:
    if not segment or segment.startswith("{"):
        return segment
    if _NUMBER.match(segment) or _HEXISH.match(segment):
        return "{id}"
    if _ISSUE_KEY.match(segment):
        return "{key}"
    if len(_DIGITS.findall(segment)) >= 3:
        return "{id}"
    return segment


def template_path(path: str) -> str:
    """Generalize a path: numbers, hex ids and digit-heavy segments become ``{id}``, keys ``{key}``.

    >>> template_path("/agent/tickets/4821")
    '/agent/tickets/{id}'
    >>> template_path("/browse/SUP-1234")
    '/browse/{key}'
    >>> template_path("/test/e2e/resources/recorder.html")
    '/test/e2e/resources/recorder.html'
    """
    return "/".join(_template_segment(segment) for segment in path.split("/"))


def humanize(text: str) -> str:
    """A readable name from an identifier-like string.

    >>> humanize("NewRecord")
    'New Record'
    >>> humanize("coffee-cart")
    'Coffee Cart'
    >>> humanize("q3_name[first]")
    'Q3 Name First'
    """
    text = re.sub(r"\.(html?|php|aspx?|jspa?|do)$", "", text)
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    words = [w for w in re.split(r"[\s_\-\[\]().#/]+", text) if w]
    return " ".join(w if w.isupper() and len(w) > 1 else w[:1].upper() + w[1:] for w in words)


def host_label(host: str) -> str:
    """A system name from a host when nothing better is known.

    >>> host_label("coffee-cart.netlify.app")
    'Coffee Cart'
    >>> host_label("admin.acme-internal.com")
    'Acme Internal'
    >>> host_label("localhost")
    'Localhost'
    """
    if not host:
        return "Browser"
    if re.match(r"^[\d.]+$|^\[", host):
        return host
    labels = [label for label in host.split(".") if label]
    while len(labels) > 1 and labels[-1] in _SUFFIXES:
        labels.pop()
    while len(labels) > 1 and labels[-1] in _HOSTING:
        labels.pop()
    meaningful = [label for label in labels if label not in _GENERIC_LABELS] or labels
    return humanize(meaningful[-1])


def _title_suffix(title: str) -> str | None:
    pieces = _TITLE_SEPARATORS.split(title.strip())
    if len(pieces) < 2:
        return None
    suffix = pieces[-1].strip()
    if not suffix or len(suffix) > 40 or "[" in suffix or _DIGITS.search(suffix):
        return None
    return suffix


def site_names(pages: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The site name of each host: the title suffix most of its pages share (ties by name).

    >>> site_names([("https://help.acme.com/a", "Refunds - Acme Help"),
    ...             ("https://help.acme.com/b", "Plans - Acme Help"),
    ...             ("https://x.test/", "Home")])
    {'help.acme.com': 'Acme Help'}
    """
    counts: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for (url, title), seen in Counter(pages).items():
        host = split_url(url)[0]
        if not host:
            continue
        totals[host] += seen
        suffix = _title_suffix(title) if title else None
        if suffix:
            counts.setdefault(host, Counter())[suffix] += seen
    names: dict[str, str] = {}
    for host, suffixes in sorted(counts.items()):
        best, seen = min(suffixes.items(), key=lambda item: (-item[1], item[0]))
        if seen * 2 >= totals[host]:
            names[host] = best
    return names


def _screen_from_path(path: str, fragment: str) -> str:
    route = fragment or path
    segments = [s for s in route.split("/") if s]
    for index in range(len(segments) - 1, -1, -1):
        segment = segments[index]
        if _template_segment(segment).startswith("{"):
            continue
        name = humanize(segment)
        if index < len(segments) - 1 and name.endswith("s") and not name.endswith("ss"):
            name = name[:-1]
        return name or "Home"
    return "Home"


def _match_screen(entry: SystemEntry, path: str) -> tuple[str, str] | None:
    for screen in entry.screens:
        if screen.pattern.match(path):
            template = screen.path if "*" not in screen.path else template_path(path)
            return screen.name, template
    return None


def locate(url: str, catalogue: Catalogue, names: dict[str, str] | None = None) -> Place:
    """The :class:`Place` of a (redacted) URL, using the catalogue and the known site names.

    >>> from app.steps.catalogue import builtin_catalogue
    >>> p = locate("https://acme.zendesk.com/agent/tickets/{id}", builtin_catalogue())
    >>> p.system, p.category, p.screen, p.url_template, p.host
    ('Zendesk', 'help_desk', 'Ticket view', '/agent/tickets/{id}', 'acme.zendesk.com')
    >>> p = locate("https://tools.acme.test/orders/77", builtin_catalogue(),
    ...            {"tools.acme.test": "Ops"})
    >>> p.system, p.category, p.screen, p.url_template
    ('Ops', 'other', 'Order', '/orders/{id}')
    """
    host, path, fragment = split_url(url)
    entry = catalogue.find(host, path)
    if entry is not None:
        matched = _match_screen(entry, path)
        if matched is not None:
            return Place(entry.name, entry.category, matched[0], matched[1], host)
        screen = _screen_from_path(path, fragment)
        return Place(entry.name, entry.category, screen, _full_template(path, fragment), host)
    system = (names or {}).get(host) or host_label(host)
    return Place(system, "other", _screen_from_path(path, fragment),
                 _full_template(path, fragment), host)


def _full_template(path: str, fragment: str) -> str:
    template = template_path(path)
    return f"{template}#{template_path(fragment)}" if fragment else template

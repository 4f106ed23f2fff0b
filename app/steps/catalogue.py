"""The system catalogue: which tool a host belongs to, its category and its screens.

The catalogue is data (``catalogue.json`` beside this module). A team file with the same shape,
named by the ``system_catalogue_path`` setting, is merged over it: an entry with the name of a
built-in one replaces it, new entries are added, and team entries are matched first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "CATEGORIES",
    "Catalogue",
    "Screen",
    "SystemEntry",
    "builtin_catalogue",
    "load_catalogue",
    "parse_catalogue",
]

#: System categories (DESIGN §5).
CATEGORIES: tuple[str, ...] = (
    "help_desk", "issue_tracker", "billing", "knowledge_base", "chat", "crm", "identity",
    "monitoring", "other",
)
BUILTIN_PATH = Path(__file__).with_name("catalogue.json")
#: The catalogue outlives recordings (one per process): its lookup memo stays bounded.
_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class Screen:
    """A named screen of a system and the path pattern that recognises it."""

    name: str
    path: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class SystemEntry:
    """One tool: its name, category, host patterns and screens."""

    name: str
    category: str
    hosts: tuple[re.Pattern[str], ...]
    screens: tuple[Screen, ...] = ()
    path_prefix: str = ""
    exclude_path_prefixes: tuple[str, ...] = ()
    source: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def matches(self, host: str, path: str) -> bool:
        """Whether a page on ``host`` at ``path`` belongs to this system."""
        if not any(pattern.match(host) for pattern in self.hosts):
            return False
        if self.path_prefix and not path.startswith(self.path_prefix):
            return False
        return not any(path.startswith(prefix) for prefix in self.exclude_path_prefixes)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """An ordered list of systems; the first whose hosts and path match wins."""

    systems: tuple[SystemEntry, ...]
    _cache: dict[tuple[str, str], SystemEntry | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def find(self, host: str, path: str) -> SystemEntry | None:
        """The system of a page, or None for an unknown host."""
        key = (host, path)
        if key not in self._cache:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = next(
                (entry for entry in self.systems if entry.matches(host, path)), None
            )
        return self._cache[key]

    def names(self) -> list[str]:
        """The system names, in matching order."""
        return [entry.name for entry in self.systems]


def _host_pattern(glob: str) -> re.Pattern[str]:
    parts = (re.escape(piece) for piece in glob.lower().split("*"))
    return re.compile("^" + "[a-z0-9.-]*".join(parts) + "$")


def _path_pattern(template: str) -> re.Pattern[str]:
    """``/agent/tickets/{id}`` matches ``/agent/tickets/4821`` and ``/agent/tickets/{id}``."""
    out = []
    for piece in re.split(r"(\{[a-z_]+\}|\*)", template):
        if piece == "*":
            out.append(".*")
        elif piece.startswith("{") and piece.endswith("}"):
            out.append("[^/]+")
        else:
            out.append(re.escape(piece))
    return re.compile("^" + "".join(out) + "/?$", re.IGNORECASE)


def _entry(raw: dict[str, Any]) -> SystemEntry:
    name = str(raw["name"]).strip()
    category = str(raw.get("category", "other"))
    if not name:
        raise ValueError("a catalogue entry needs a name")
    if category not in CATEGORIES:
        raise ValueError(f"{name}: unknown category {category!r}; use one of {CATEGORIES}")
    hosts = raw.get("hosts") or []
    if not hosts or not all(isinstance(h, str) and h for h in hosts):
        raise ValueError(f"{name}: give at least one host pattern")
    screens = tuple(
        Screen(str(s["name"]), str(s["path"]), _path_pattern(str(s["path"])))
        for s in raw.get("screens", [])
    )
    return SystemEntry(
        name=name,
        category=category,
        hosts=tuple(_host_pattern(h) for h in hosts),
        screens=screens,
        path_prefix=str(raw.get("path_prefix", "")).rstrip("/") if raw.get("path_prefix") else "",
        exclude_path_prefixes=tuple(raw.get("exclude_path_prefixes", [])),
        source=raw,
    )


def parse_catalogue(data: dict[str, Any], base: Catalogue | None = None) -> Catalogue:
    """A catalogue from its JSON shape, merged over ``base`` (same name replaces, new first).

    >>> team = parse_catalogue({"systems": [{"name": "Acme Admin", "category": "billing",
    ...                                      "hosts": ["admin.acme.test"]}]},
    ...                        base=builtin_catalogue())
    >>> team.find("admin.acme.test", "/").name, team.find("acme.zendesk.com", "/").name
    ('Acme Admin', 'Zendesk')
    """
    raw_systems = data.get("systems")
    if not isinstance(raw_systems, list):
        raise ValueError('a catalogue is {"systems": [...]}')
    extra = tuple(_entry(raw) for raw in raw_systems)
    names = {entry.name for entry in extra}
    kept = tuple(entry for entry in (base.systems if base else ()) if entry.name not in names)
    return Catalogue(extra + kept)


@lru_cache(maxsize=1)
def _builtin_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BUILTIN_PATH.read_text(encoding="utf-8"))
    return data


def builtin_catalogue() -> Catalogue:
    """The catalogue shipped with the product."""
    return parse_catalogue(_builtin_data())


def load_catalogue(team_path: Path | None = None) -> Catalogue:
    """The built-in catalogue, with the team's file (if any) merged over it."""
    base = builtin_catalogue()
    if team_path is None:
        return base
    return parse_catalogue(json.loads(Path(team_path).read_text(encoding="utf-8")), base=base)

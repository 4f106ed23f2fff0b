"""Normalization: order by ``seq``, remove duplicates and noise (each with a reason), place events.

The output keeps every input event accounted for: an event is either in ``events`` (in order)
or in ``dropped`` with the reason it was removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from app.steps.catalogue import Catalogue
from app.steps.model import RawEvent
from app.steps.places import Place, locate, site_names

__all__ = [
    "CHURN_MS",
    "KNOWN_TYPES",
    "Normalized",
    "drop_churn",
    "drop_noise",
    "normalize_events",
    "order_events",
    "place_events",
]

KNOWN_TYPES = frozenset(
    {"navigation", "click", "change", "submit", "tab_switch", "visibility", "marker"}
)
#: A tab switch and its return, or a hide and a show, closer than this are focus churn.
CHURN_MS = 2_000
_NOTHING_TAGS = frozenset({"html", "body", "main", "#document", ""})


@dataclass(frozen=True, slots=True)
class Normalized:
    """Ordered, cleaned events, their places (same order), and the dropped ``(id, reason)``."""

    events: tuple[RawEvent, ...]
    places: tuple[Place, ...]
    dropped: tuple[tuple[str, str], ...]


def order_events(events: Iterable[RawEvent]) -> tuple[list[RawEvent], list[tuple[str, str]]]:
    """Sort by ``(seq, ts, id)`` and drop repeated ids and exact re-sends.

    >>> a = RawEvent(id="a", seq=2, type="click", ts=20)
    >>> b = RawEvent(id="b", seq=1, type="click", ts=10)
    >>> kept, dropped = order_events([a, b, a])
    >>> [e.id for e in kept], dropped
    (['b', 'a'], [('a', 'duplicate event id')])
    """
    ordered = sorted(events, key=attrgetter("seq", "ts", "id"))
    kept: list[RawEvent] = []
    dropped: list[tuple[str, str]] = []
    seen: set[str] = set()
    previous: tuple[object, ...] | None = None
    for event in ordered:
        if event.id in seen:
            dropped.append((event.id, "duplicate event id"))
            continue
        seen.add(event.id)
        signature = (event.type, event.ts, event.tab, event.frame, event.url, event.target,
                     event.field, event.choice, event.checked, event.transition, event.state,
                     event.label)
        if signature == previous:
            dropped.append((event.id, "duplicate event"))
            continue
        previous = signature
        kept.append(event)
    return kept, dropped


def _noise_reason(event: RawEvent) -> str | None:
    if event.type not in KNOWN_TYPES:
        return "unknown event type"
    target = event.target
    if event.type == "click":
        if target is None or (not target.name and not target.selectors):
            return "click on nothing"
        if not target.name and target.tag.lower() in _NOTHING_TAGS:
            return "click on nothing"
    if event.type == "change" and not event.field and (
        target is None or (not target.name and not target.selectors)
    ):
        return "change of an unnamed field"
    if event.type == "marker" and not (event.label or "").strip():
        return "empty marker"
    return None


def drop_noise(events: Iterable[RawEvent]) -> tuple[list[RawEvent], list[tuple[str, str]]]:
    """Remove clicks on nothing, unnamed changes, empty markers and unknown types.

    >>> from app.steps.model import TargetInfo
    >>> kept, dropped = drop_noise([RawEvent(id="x", seq=1, type="click", ts=0,
    ...                                      target=TargetInfo(tag="body"))])
    >>> kept, dropped
    ([], [('x', 'click on nothing')])
    """
    kept: list[RawEvent] = []
    dropped: list[tuple[str, str]] = []
    for event in events:
        reason = _noise_reason(event)
        if reason is None:
            kept.append(event)
        else:
            dropped.append((event.id, reason))
    return kept, dropped


def _churn_end(events: list[RawEvent], index: int, current_tab: int, churn_ms: int) -> int:
    """The index of the event that closes a churn started at ``index``, or -1."""
    first = events[index]
    for later in range(index + 1, len(events)):
        event = events[later]
        if event.ts - first.ts > churn_ms:
            return -1
        if first.type == "tab_switch" and event.type == "tab_switch":
            return later if event.tab == current_tab else -1
        if first.type == "visibility" and event.type == "visibility" and event.tab == first.tab:
            return later if event.state == "visible" else -1
        if event.type != "visibility":
            return -1
    return -1


def drop_churn(
    events: list[RawEvent], churn_ms: int = CHURN_MS
) -> tuple[list[RawEvent], list[tuple[str, str]]]:
    """Drop focus churn: a tab switch and straight back, a hide and show, a switch to the same tab.

    Only visibility events may lie between the two ends of a churn; they go with it.

    >>> s = lambda i, tab, ts: RawEvent(id=i, seq=ts, type="tab_switch", ts=ts, tab=tab)
    >>> go = RawEvent(id="n", seq=0, type="navigation", ts=0, tab=1)
    >>> kept, dropped = drop_churn([go, s("t1", 2, 100), s("t2", 1, 900), s("t3", 1, 950)])
    >>> [e.id for e in kept], dropped
    (['n'], [('t1', 'focus churn'), ('t2', 'focus churn'), ('t3', 'focus churn')])
    """
    kept: list[RawEvent] = []
    dropped: list[tuple[str, str]] = []
    current_tab: int | None = None
    index = 0
    while index < len(events):
        event = events[index]
        starts = (event.type == "tab_switch" and event.tab != current_tab) or (
            event.type == "visibility" and event.state == "hidden"
        )
        end = -1
        if starts and current_tab is not None:
            end = _churn_end(events, index, current_tab, churn_ms)
        if end >= 0:
            dropped += [(e.id, "focus churn") for e in events[index : end + 1]]
            index = end + 1
            continue
        if event.type == "tab_switch" and event.tab == current_tab:
            dropped.append((event.id, "focus churn"))
        else:
            kept.append(event)
            if event.type != "visibility":
                current_tab = event.tab
        index += 1
    return kept, dropped


def place_events(events: list[RawEvent], catalogue: Catalogue) -> list[Place]:
    """The place of every event; site names of unknown hosts come from all the titles seen."""
    names = site_names((e.url, e.title) for e in events if e.url)
    cache: dict[str, Place] = {}
    places: list[Place] = []
    for event in events:
        place = cache.get(event.url)
        if place is None:
            place = cache[event.url] = locate(event.url, catalogue, names)
        places.append(place)
    return places


def normalize_events(
    events: Iterable[RawEvent], catalogue: Catalogue, *, churn_ms: int = CHURN_MS
) -> Normalized:
    """Order, de-duplicate, drop noise and churn, and place every remaining event.

    >>> from app.steps.catalogue import builtin_catalogue
    >>> url = "https://acme.zendesk.com/agent/tickets/{id}"
    >>> evs = [RawEvent(id="b", seq=2, type="click", ts=5, url=url),
    ...        RawEvent(id="a", seq=1, type="navigation", ts=1, url=url, transition="typed")]
    >>> result = normalize_events(evs, builtin_catalogue())
    >>> [e.id for e in result.events], result.places[0].screen, result.dropped
    (['a'], 'Ticket view', (('b', 'click on nothing'),))
    """
    ordered, dropped = order_events(events)
    cleaned, noise = drop_noise(ordered)
    kept, churn = drop_churn(cleaned, churn_ms)
    places = place_events(kept, catalogue)
    return Normalized(tuple(kept), tuple(places), tuple(dropped + noise + churn))

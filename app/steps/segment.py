"""Segmentation: group normalized events into the steps a person would write down.

Rules, in the order they are tried for each event:

- a navigation caused by the action just before it (link, form submit, SPA route, new tab;
  within :data:`NAV_MERGE_MS`) joins that action's step; a redirect or SPA route right after a
  navigation joins that navigation;
- repeated clicks on one control collapse into one step;
- a click that focuses a field, and the changes of that field right after it, are one step;
  consecutive edits of one field collapse, and so do consecutive choices (the last one counts);
- a submit right after a click on its button joins that click;
- a tab switch is a step of its own (context), and a new tab opened by an action joins it;
- visibility events never make a step: they stay with the step in progress (for idle time);
- a marker is a step of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.steps.model import RawEvent
from app.steps.places import Place

__all__ = [
    "CHOICE_CONTROLS",
    "NAV_MERGE_MS",
    "Segment",
    "control_identity",
    "segment_events",
]

#: A navigation this soon after an action is that action's effect.
NAV_MERGE_MS = 10_000
#: A redirect or SPA route change this soon after a navigation belongs to it.
REDIRECT_MS = 3_000
#: A submit, or a new tab, this soon after a click belongs to that click.
FOLLOW_MS = 2_000
CHOICE_CONTROLS = frozenset({"select", "checkbox", "radio", "toggle"})
_CAUSED = frozenset({"link", "form_submit", "history", "new_tab"})
_ACTIONS = frozenset({"click", "choose", "edit", "submit"})
_FIELD_TAGS = frozenset({"input", "textarea", "select"})
_FIELD_ROLES = frozenset(
    {"textbox", "combobox", "listbox", "checkbox", "radio", "switch", "searchbox", "spinbutton"}
)


@dataclass(slots=True)
class Segment:
    """The events of one step (in order) and their places; ``anchor`` is the defining event."""

    kind: str
    events: list[RawEvent] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    anchor: int = 0
    types: set[str] = field(default_factory=set)

    @property
    def first(self) -> RawEvent:
        """The first event of the step."""
        return self.events[0]

    @property
    def last(self) -> RawEvent:
        """The last event of the step."""
        return self.events[-1]

    def add(self, event: RawEvent, place: Place) -> None:
        """Append an event to the step."""
        self.events.append(event)
        self.places.append(place)
        self.types.add(event.type)

    def has(self, type_: str) -> bool:
        """Whether an event of ``type_`` is in the step."""
        return type_ in self.types


def control_identity(event: RawEvent) -> tuple[int, int, str]:
    """What makes two events act on the same control: tab, frame, and first selector or name.

    >>> from app.steps.model import TargetInfo
    >>> control_identity(RawEvent(id="a", seq=1, type="click", ts=0, tab=3,
    ...                           target=TargetInfo(tag="button", selectors=("#save",))))
    (3, 0, '#save')
    """
    target = event.target
    key = ""
    if target is not None:
        key = target.selectors[0] if target.selectors else (target.name or "")
    if not key:
        key = event.field or ""
    return (event.tab, event.frame, key)


def _change_kind(event: RawEvent) -> str:
    return "choose" if event.control in CHOICE_CONTROLS or event.choice else "edit"


def _is_field_click(event: RawEvent) -> bool:
    target = event.target
    if target is None:
        return False
    return target.tag.lower() in _FIELD_TAGS or (target.role or "") in _FIELD_ROLES


def _joins(current: Segment, event: RawEvent, tabs_seen: set[int]) -> str | None:
    """The kind the current segment has after taking ``event``, or None to start a new one."""
    gap = event.ts - current.last.ts
    same_tab = event.tab == current.last.tab
    if event.type == "navigation":
        caused = event.transition in _CAUSED and gap <= NAV_MERGE_MS
        if current.kind in _ACTIONS and caused and (same_tab or event.transition == "new_tab"):
            return current.kind
        if current.kind == "switch_tab" and same_tab and caused:
            return current.kind
        if current.kind == "navigate" and same_tab and gap <= REDIRECT_MS and (
            event.transition in ("history", "link", "form_submit")
        ):
            return current.kind
        return None
    if current.has("navigation") and current.kind != "navigate":
        return None
    anchor = current.events[current.anchor]
    same_control = control_identity(event) == control_identity(anchor)
    if event.type == "click":
        keeps = current.kind in ("click", "edit", "choose") and same_control
        return current.kind if keeps else None
    if event.type == "change":
        kind = _change_kind(event)
        if current.kind == kind and same_control:
            return kind
        only_focus = current.kind == "click" and all(_is_field_click(e) for e in current.events)
        return kind if only_focus and same_control else None
    if event.type == "submit":
        return "submit" if current.kind == "click" and same_tab and gap <= FOLLOW_MS else None
    if event.type == "tab_switch":
        opened = event.tab not in tabs_seen and current.kind in _ACTIONS
        return current.kind if opened and gap <= FOLLOW_MS else None
    return None


_KIND_OF_TYPE = {
    "click": "click",
    "submit": "submit",
    "navigation": "navigate",
    "tab_switch": "switch_tab",
    "marker": "marker",
}


def segment_events(
    events: tuple[RawEvent, ...] | list[RawEvent], places: tuple[Place, ...] | list[Place]
) -> tuple[list[Segment], list[tuple[str, str]]]:
    """Group ordered, cleaned events (with their places) into step segments.

    Returns the segments and the events that could not join any step (visibility events in
    a recording with no action at all), with their reason.

    >>> from app.steps.model import TargetInfo
    >>> p = Place("Zendesk", "help_desk", "Ticket view", "/agent/tickets/{id}", "acme.zendesk.com")
    >>> button = TargetInfo(tag="button", name="Save", selectors=("#save",))
    >>> evs = [RawEvent(id="1", seq=1, type="click", ts=0, target=button),
    ...        RawEvent(id="2", seq=2, type="click", ts=300, target=button),
    ...        RawEvent(id="3", seq=3, type="navigation", ts=900, transition="link")]
    >>> segments, _ = segment_events(evs, [p, p, p])
    >>> [(s.kind, [e.id for e in s.events]) for s in segments]
    [('click', ['1', '2', '3'])]
    """
    segments: list[Segment] = []
    leading: list[tuple[RawEvent, Place]] = []
    tabs_seen: set[int] = set()
    current: Segment | None = None
    for event, place in zip(events, places, strict=True):
        if event.type == "visibility":
            if current is None:
                leading.append((event, place))
            else:
                current.add(event, place)
            continue
        kind = _joins(current, event, tabs_seen) if current is not None else None
        if current is not None and kind is not None:
            if kind != current.kind:
                current.kind = kind
                if event.type == "change":
                    current.anchor = len(current.events)
            current.add(event, place)
        else:
            kind = _change_kind(event) if event.type == "change" else _KIND_OF_TYPE[event.type]
            current = Segment(kind)
            current.add(event, place)
            segments.append(current)
        tabs_seen.add(event.tab)
    return _attach_leading(segments, leading)


def _attach_leading(
    segments: list[Segment], leading: list[tuple[RawEvent, Place]]
) -> tuple[list[Segment], list[tuple[str, str]]]:
    """Visibility events before the first action go with the first step."""
    if not segments:
        return [], [(event.id, "no action in the recording") for event, _ in leading]
    if leading:
        first = segments[0]
        first.events[:0] = [event for event, _ in leading]
        first.places[:0] = [place for _, place in leading]
        first.types.add("visibility")
        first.anchor += len(leading)
    return segments, []

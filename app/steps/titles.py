"""Titles: one imperative sentence per step, its emphasised parts, and a stable activity key.

The activity key is ``system:screen:verb:control-or-field``, slugged, with ids removed, so the
same action gets the same key in another recording ("zendesk:ticket-view:set:priority").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from app.steps.model import RawEvent, TitlePart
from app.steps.places import Place, humanize
from app.steps.segment import Segment

__all__ = [
    "KEY_VERBS",
    "Description",
    "activity_key",
    "describe",
    "name_from_selectors",
    "slug",
]

#: The verb of each step kind in activity keys.
KEY_VERBS = {
    "click": "click", "choose": "set", "edit": "edit", "submit": "submit",
    "navigate": "open", "switch_tab": "switch", "marker": "mark",
}
_SEARCH = re.compile(r"\bsearch\b|\bfind\b|\blook ?up\b", re.IGNORECASE)
_ID_LIKE = re.compile(r"#\s*\d+|\b\d{3,}\b|\{[a-z]+\}|\[[a-z]+\]")
_MAX_NAME = 80


class Description(NamedTuple):
    """What a step is, in words: the fields of :class:`~app.steps.model.Step` about meaning."""

    kind: str
    title: str
    parts: tuple[TitlePart, ...]
    activity_key: str
    place: Place
    control: str | None
    field: str | None
    choice: str | None
    selectors: tuple[str, ...]
    tab: int
    label: str | None = None


@lru_cache(maxsize=65_536)
def slug(text: str) -> str:
    """Lower-case words joined by ``-``, without ids, placeholders or numbers of 3+ digits.

    >>> slug("Ticket #4821 — Priority")
    'ticket-priority'
    >>> slug("Set {id} Customer's plan")
    'set-customer-s-plan'
    """
    text = _ID_LIKE.sub(" ", text.lower())
    return "-".join(re.findall(r"[a-z0-9]+", text))[:60].strip("-")


def name_from_selectors(selectors: tuple[str, ...]) -> str | None:
    """A readable control name from Recorder-style selectors when the page gave none.

    >>> name_from_selectors(("[data-test=checkout]", "#x"))
    'Checkout'
    >>> name_from_selectors(("#submit-payment",))
    'Submit Payment'
    >>> name_from_selectors(("xpath//html/body/custom-button", "custom-button"))
    'Custom Button'
    """
    for selector in selectors:
        if selector.startswith("aria/"):
            name = selector.split("/", 1)[1]
            if name and not name.startswith("["):
                return name[:_MAX_NAME]
    for selector in selectors:
        match = re.search(r"\[(?:data-[\w-]+|name|aria-label)=['\"]?([^'\"\]]+)", selector)
        if match:
            return humanize(match.group(1))[:_MAX_NAME] or None
        match = re.search(r"#([A-Za-z][\w-]*)\s*$", selector)
        if match:
            return humanize(match.group(1))[:_MAX_NAME] or None
    for selector in selectors:
        if selector.startswith("text/") and len(selector) > 5:
            return selector[5:_MAX_NAME + 5]
    for selector in selectors:
        if selector.startswith(("xpath/", "pierce/")):
            continue
        last = re.split(r"[\s>]+", selector.strip())[-1]
        last = re.sub(r"[:.\[].*$", "", last)
        if re.fullmatch(r"[a-z][a-z0-9-]*", last):
            return humanize(last)
    return None


def _target_name(event: RawEvent) -> str | None:
    target = event.target
    if target is None:
        return None
    name = (target.name or "").strip() or name_from_selectors(target.selectors)
    return name[:_MAX_NAME] if name else None


def activity_key(place: Place, kind: str, name: str | None) -> str:
    """``system:screen:verb[:name]``, each part slugged.

    >>> p = Place("Zendesk", "help_desk", "Ticket view", "/agent/tickets/{id}", "x.zendesk.com")
    >>> activity_key(p, "choose", "Priority")
    'zendesk:ticket-view:set:priority'
    >>> activity_key(p, "navigate", None)
    'zendesk:ticket-view:open'
    """
    parts = [slug(place.system) or "web", slug(place.screen) or "page", KEY_VERBS[kind]]
    if name and slug(name):
        parts.append(slug(name))
    return ":".join(parts)


def _runs(*pieces: str | tuple[str]) -> tuple[TitlePart, ...]:
    """Plain strings are plain runs; 1-tuples are strong runs."""
    out = []
    for piece in pieces:
        if isinstance(piece, tuple):
            out.append(TitlePart(piece[0], strong=True))
        elif piece:
            out.append(TitlePart(piece))
    return tuple(out)


class _Wording(NamedTuple):
    """Everything a title depends on (hashable, so that titles are computed once each)."""

    kind: str
    place: Place
    control: str | None
    field: str | None
    choice: str | None
    label: str | None
    transition: str | None
    control_type: str | None
    checked: bool | None
    role: str | None
    form: str | None


def _sentence(w: _Wording) -> tuple[TitlePart, ...]:
    system = f" in {w.place.system}"
    if w.kind == "navigate":
        verb = {"back_forward": "Go back to the ", "reload": "Reload the "}.get(
            w.transition or "", "Open the "
        )
        return _runs(verb, (w.place.screen,), " page" + system)
    if w.kind == "switch_tab":
        return _runs("Switch to the ", (w.place.screen,), " tab" + system)
    if w.kind == "marker":
        return _runs("Mark ", (w.label or "a moment",))
    if w.kind == "choose":
        if w.control_type == "checkbox" or (w.control_type == "toggle" and w.choice is None):
            verb = "Uncheck " if w.checked is False else "Check "
            return _runs(verb, (w.field or "the box",), system)
        return _runs("Set ", (w.field or "the option",), " to ", (w.choice or "a value",), system)
    if w.kind == "edit":
        return _runs("Fill in ", (w.field or "the field",), system)
    if w.kind == "submit" and not w.control:
        if w.form:
            return _runs("Submit the ", (w.form,), " form" + system)
        return _runs("Submit the form" + system)
    if w.control and _SEARCH.search(w.control) and w.place.category == "knowledge_base":
        return _runs("Search the knowledge base" + system)
    if w.control and w.role == "tab":
        return _runs("Open the ", (w.control,), " tab" + system)
    return _runs("Click ", (w.control or "the page",), system)


@lru_cache(maxsize=65_536)
def _words(w: _Wording) -> tuple[tuple[TitlePart, ...], str, str]:
    """``(parts, title, activity key)`` of a wording."""
    parts = _sentence(w)
    key_name = {"choose": w.field, "edit": w.field, "marker": w.label}.get(w.kind, w.control)
    return parts, "".join(part.text for part in parts), activity_key(w.place, w.kind, key_name)


def describe(segment: Segment) -> Description:
    """Title, parts, activity key and names of one segment.

    >>> from app.steps.model import TargetInfo
    >>> p = Place("Zendesk", "help_desk", "Ticket view", "/agent/tickets/{id}", "x.zendesk.com")
    >>> ev = RawEvent(id="1", seq=1, type="change", ts=0, field="Priority", control="select",
    ...               choice="Urgent", target=TargetInfo(tag="select"))
    >>> d = describe(Segment("choose", [ev], [p]))
    >>> d.title, d.activity_key
    ('Set Priority to Urgent in Zendesk', 'zendesk:ticket-view:set:priority')
    """
    anchor = segment.events[segment.anchor]
    place = segment.places[segment.anchor]
    kind = segment.kind
    transition = None
    if kind == "navigate":
        navigations = [i for i, e in enumerate(segment.events) if e.type == "navigation"]
        transition = segment.events[navigations[0]].transition
        place, anchor = segment.places[navigations[-1]], segment.events[navigations[-1]]
    control = _target_name(anchor) if anchor.type in ("click", "submit") else None
    field_name = None
    choice = None
    if kind in ("choose", "edit"):
        changes = [e for e in segment.events if e.type == "change"]
        field_name = (changes[-1].field or _target_name(changes[-1]) or "").strip()[:_MAX_NAME]
        field_name = field_name or None
        choice = changes[-1].choice if kind == "choose" else None
        anchor = changes[-1]
    label = anchor.label[:_MAX_NAME] if anchor.label else None
    target = anchor.target
    parts, title, key = _words(_Wording(
        kind, place, control, field_name, choice, label, transition, anchor.control,
        anchor.checked, target.role if target else None, target.form if target else None,
    ))
    return Description(
        kind=kind,
        title=title,
        parts=parts,
        activity_key=key,
        place=place,
        control=control,
        field=field_name,
        choice=choice,
        selectors=anchor.target.selectors if anchor.target is not None else (),
        tab=anchor.tab,
        label=label,
    )

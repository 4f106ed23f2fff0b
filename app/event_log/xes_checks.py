"""The rules of IEEE 1849-2016 that the XSD cannot express, checked on a parsed log.

Unique keys in every attribute container; every prefixed key declared by an extension; events
of a trace in time order; every trace and event holding each global of its scope with the
global's type; classifiers with a valid name and keys that are globals of their scope; id
values that are UUIDs; lists with values; the ``nested-attributes`` feature declared exactly
when attributes nest; log-level events after the traces.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

from app.event_log.xes_reader import XesAttribute, XesLog

__all__ = ["check_xes"]

_NCNAME = re.compile(r"[A-Za-z_][\w.\-]*")


def check_xes(log: XesLog) -> list[str]:
    """Every violation found in ``log``, each naming where it is; empty when it conforms.

    >>> from app.event_log.xes_reader import read_xes
    >>> check_xes(read_xes(b'<log xes.version="1849.2016"><string key="a:b" value="x"/></log>'))
    ["log: key 'a:b' uses the prefix 'a', which no extension declares"]
    """
    problems: list[str] = []
    problems += _unique_keys(log)
    problems += _declared_prefixes(log)
    problems += _time_order(log)
    problems += _globals_held(log)
    problems += _classifiers(log)
    problems += _values(log)
    problems += _features(log)
    if log.event_before_trace and log.traces:
        problems.append("log: log-level events must come after the traces")
    return problems


def _containers(log: XesLog) -> Iterator[tuple[str, list[XesAttribute]]]:
    """Every list of sibling attributes in the log, with where it is."""
    stack: list[tuple[str, list[XesAttribute]]] = [("log", log.attributes)]
    stack += [(f"log/global[{scope}]", attrs) for scope, attrs in log.globals]
    for trace in log.traces:
        stack.append((trace.path, trace.attributes))
        stack += [(event.path, event.attributes) for event in trace.events]
    stack += [(event.path, event.attributes) for event in log.events]
    while stack:
        path, attributes = stack.pop(0)
        yield path, attributes
        stack += [(a.path, a.children) for a in attributes if a.children]


def _unique_keys(log: XesLog) -> list[str]:
    problems = []
    for path, attributes in _containers(log):
        for key, count in Counter(a.key for a in attributes).items():
            if count > 1:
                problems.append(f"{path}: key {key[:60]!r} appears {count} times")
    return problems


def _declared_prefixes(log: XesLog) -> list[str]:
    declared = {extension.prefix for extension in log.extensions}
    problems, seen = [], set()
    for path, attributes in _containers(log):
        for attribute in attributes:
            prefix, colon, _ = attribute.key.partition(":")
            if colon and prefix not in declared and attribute.key not in seen:
                seen.add(attribute.key)
                problems.append(f"{path}: key {attribute.key[:60]!r} uses the prefix "
                                f"{prefix[:40]!r}, which no extension declares")
    return problems


def _time_order(log: XesLog) -> list[str]:
    problems = []
    for trace in log.traces:
        previous: datetime | None = None
        for event in trace.events:
            moment = next((a.value for a in event.attributes
                           if a.key == "time:timestamp" and isinstance(a.value, datetime)), None)
            if moment is None:
                continue
            if previous is not None and moment < previous:
                problems.append(f"{event.path}: time:timestamp goes back in time")
            previous = moment
    return problems


def _globals_held(log: XesLog) -> list[str]:
    problems = []
    for scope, declared in log.globals:
        holders = ([(t.path, t.attributes) for t in log.traces] if scope == "trace" else
                   [(e.path, e.attributes) for t in log.traces for e in t.events]
                   + [(e.path, e.attributes) for e in log.events])
        for path, attributes in holders:
            kinds = {a.key: a.kind for a in attributes}
            for wanted in declared:
                if wanted.key not in kinds:
                    problems.append(f"{path}: lacks the {scope} global {wanted.key[:60]!r}")
                elif kinds[wanted.key] != wanted.kind:
                    problems.append(f"{path}: {wanted.key[:60]!r} is a {kinds[wanted.key]}, "
                                    f"but its global is a {wanted.kind}")
    return problems


def _classifiers(log: XesLog) -> list[str]:
    problems = []
    for classifier in log.classifiers:
        where = f"{classifier.path} ({classifier.name[:40]!r})"
        if not _NCNAME.fullmatch(classifier.name):
            problems.append(f"{where}: the name is not an XML NCName (no spaces or colons)")
        if not classifier.keys:
            problems.append(f"{where}: no keys")
        globals_of_scope = {a.key for scope, attrs in log.globals
                            if scope == classifier.scope for a in attrs}
        for key in classifier.keys:
            if key not in globals_of_scope:
                problems.append(
                    f"{where}: key {key[:60]!r} is not among the {classifier.scope} globals")
    return problems


def _values(log: XesLog) -> list[str]:
    problems = []
    for path, attributes in _containers(log):
        for attribute in attributes:
            if attribute.kind == "id" and not _is_uuid(str(attribute.value)):
                problems.append(f"{path}: id {attribute.key[:60]!r} is not a UUID")
            if attribute.kind == "list" and not attribute.has_values:
                problems.append(f"{path}: list {attribute.key[:60]!r} has no <values>")
            elif attribute.kind == "list" and not attribute.children:
                problems.append(f"{path}: list {attribute.key[:60]!r} has no values")
    return problems


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _features(log: XesLog) -> list[str]:
    nested = any(a.children for _, attributes in _containers(log) for a in attributes
                 if a.kind not in ("list", "container"))
    declared = "nested-attributes" in log.features
    if nested and not declared:
        return ["log: attributes nest, but xes.features does not declare nested-attributes"]
    if declared and not nested:
        return ["log: xes.features declares nested-attributes, but no attribute nests"]
    return []

"""Read an XES event log (IEEE 1849-2016) safely, refusing malformed files with a clear 422.

XML is parsed with defusedxml: a DTD, entity declarations and external references are refused,
so nothing expands and nothing is fetched. What the reader does with the four kinds of input of
the promi conformance suite:

* well formed and well typed (``correct/``): read.
* not XES (``non_parsing/``): broken XML, no ``<log>`` root, an unknown element, an attribute
  without its ``key``/``value``, an extension or classifier without its required attributes, a
  scope other than ``event``/``trace``, a value that is not of its type (boolean, int, float,
  a date without time zone), or a header element after the first trace or event: refused with
  :class:`~app.errors.Unprocessable` naming the element path and what is wrong.
* recoverable (``recoverable/``): extra XML attributes, header elements out of order before the
  first trace, a log without ``xes.version``: read, each oddity listed in ``warnings``.
* well formed but breaking the standard (``non_validating/``): read; the rules the XSD cannot
  express are checked by :func:`app.event_log.xes_checks.check_xes`, which lists the problems.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime

import defusedxml
import defusedxml.ElementTree as SafeET

from app.errors import Unprocessable

__all__ = [
    "ATTRIBUTE_KINDS", "XesAttribute", "XesClassifier", "XesEvent", "XesExtension", "XesLog",
    "XesTrace", "read_xes",
]

XES_NS = "http://www.xes-standard.org/"
ATTRIBUTE_KINDS = frozenset({"string", "date", "int", "float", "boolean", "id", "list",
                             "container"})
SCOPES = frozenset({"event", "trace"})
HEADER_RANK = {"extension": 0, "global": 1, "classifier": 2}
BODY_RANK = 4
ATTRIBUTE_RANK = 3
MAX_DEPTH = 16

_INT = re.compile(r"[+-]?\d{1,19}")
_FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN")
_DATE = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
Value = str | int | float | bool | datetime | None


@dataclass
class XesAttribute:
    """A typed attribute; ``children`` are nested attributes (or a list's values)."""

    kind: str
    key: str
    value: Value
    path: str
    children: list[XesAttribute] = field(default_factory=list)
    has_values: bool = False  # a list's <values> element is present


@dataclass
class XesExtension:
    """A declared extension: its name, attribute-key prefix and definition URI."""

    name: str
    prefix: str
    uri: str


@dataclass
class XesClassifier:
    """A named list of attribute keys that identify an event (or trace) class."""

    name: str
    scope: str
    keys: tuple[str, ...]
    path: str


@dataclass
class XesEvent:
    """One event and its attributes."""

    path: str
    attributes: list[XesAttribute] = field(default_factory=list)


@dataclass
class XesTrace:
    """One trace (a case): its attributes and events."""

    path: str
    attributes: list[XesAttribute] = field(default_factory=list)
    events: list[XesEvent] = field(default_factory=list)


@dataclass
class XesLog:
    """A parsed log; ``warnings`` list what was recovered from."""

    version: str
    features: tuple[str, ...]
    extensions: list[XesExtension] = field(default_factory=list)
    globals: list[tuple[str, list[XesAttribute]]] = field(default_factory=list)
    classifiers: list[XesClassifier] = field(default_factory=list)
    attributes: list[XesAttribute] = field(default_factory=list)
    traces: list[XesTrace] = field(default_factory=list)
    events: list[XesEvent] = field(default_factory=list)
    event_before_trace: bool = False
    warnings: list[str] = field(default_factory=list)


def read_xes(data: bytes) -> XesLog:
    """Parse an XES document; raise :class:`Unprocessable` (422) saying where it is wrong.

    >>> log = read_xes(b'<log xes.version="1849.2016"><trace><event>'
    ...                b'<string key="concept:name" value="a"/></event></trace></log>')
    >>> log.traces[0].events[0].attributes[0].value
    'a'
    """
    root = _parse_xml(data)
    if _local(root) != "log":
        raise Unprocessable(f"the root element is <{_local(root)[:40]}>, expected an XES <log>")
    log = XesLog(version=root.get("xes.version", ""), features=tuple(
        root.get("xes.features", "").split()))
    if not log.version:
        log.warnings.append("log: no xes.version attribute; read as 1849.2016")
    _extra_attributes(root, {"xes.version", "xes.features"}, "log", log.warnings)
    _read_log_children(root, log)
    return log


def _parse_xml(data: bytes) -> ET.Element:
    try:
        root: ET.Element = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise Unprocessable(f"refused unsafe XML: {type(exc).__name__} (DTDs, entities and "
                            "external references are not allowed)") from exc
    except ET.ParseError as exc:
        line, column = exc.position
        raise Unprocessable(f"not well-formed XML at line {line}, column {column}: "
                            f"{str(exc).split(':')[0]}") from exc
    return root


def _local(element: ET.Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return local if namespace == XES_NS else f"{{{namespace[:60]}}}{local}"
    return tag


def _extra_attributes(element: ET.Element, allowed: set[str], path: str,
                      warnings: list[str]) -> None:
    for name in element.attrib:
        if name not in allowed:
            warnings.append(f"{path}: ignored the unexpected XML attribute {name[:60]!r}")


def _require(element: ET.Element, names: tuple[str, ...], path: str) -> list[str]:
    missing = [name for name in names if element.get(name) is None]
    if missing:
        raise Unprocessable(f"{path}: <{_local(element)}> lacks the required "
                            f"attribute(s) {', '.join(missing)}")
    return [element.get(name, "") for name in names]


def _scope(element: ET.Element, path: str) -> str:
    scope = element.get("scope", "event")
    if scope not in SCOPES:
        raise Unprocessable(f"{path}: scope {scope[:40]!r} is not 'event' or 'trace'")
    return scope


def _read_log_children(root: ET.Element, log: XesLog) -> None:
    highest = 0
    counters: dict[str, int] = {}
    for child in root:
        tag = _local(child)
        counters[tag] = counters.get(tag, 0) + 1
        path = f"log/{tag[:40]}[{counters[tag]}]"
        rank = HEADER_RANK.get(tag, ATTRIBUTE_RANK if tag in ATTRIBUTE_KINDS else BODY_RANK)
        if tag not in HEADER_RANK and tag not in ATTRIBUTE_KINDS and tag not in ("trace", "event"):
            raise Unprocessable(f"{path}: <{tag[:40]}> is not an XES element")
        if rank < highest:
            if highest == BODY_RANK:
                raise Unprocessable(f"{path}: <{tag}> must come before the first trace or event")
            log.warnings.append(f"{path}: <{tag}> is out of the XES order "
                                "(extensions, globals, classifiers, attributes); read anyway")
        highest = max(highest, rank)
        _read_log_child(child, tag, path, log)


def _read_log_child(child: ET.Element, tag: str, path: str, log: XesLog) -> None:
    if tag == "extension":
        name, prefix, uri = _require(child, ("name", "prefix", "uri"), path)
        _extra_attributes(child, {"name", "prefix", "uri"}, path, log.warnings)
        log.extensions.append(XesExtension(name, prefix, uri))
    elif tag == "global":
        scope = _scope(child, path)
        _extra_attributes(child, {"scope"}, path, log.warnings)
        log.globals.append((scope, _read_attributes(child, path, log.warnings, 0)))
    elif tag == "classifier":
        name, keys = _require(child, ("name", "keys"), path)
        scope = _scope(child, path)
        _extra_attributes(child, {"name", "keys", "scope"}, path, log.warnings)
        log.classifiers.append(XesClassifier(name, scope, tuple(keys.split()), path))
    elif tag in ATTRIBUTE_KINDS:
        log.attributes.append(_read_attribute(child, tag, path, log.warnings, 0))
    elif tag == "trace":
        log.traces.append(_read_trace(child, path, log.warnings))
    else:
        log.event_before_trace = log.event_before_trace or not log.traces
        log.events.append(_read_event(child, path, log.warnings))


def _read_trace(element: ET.Element, path: str, warnings: list[str]) -> XesTrace:
    _extra_attributes(element, set(), path, warnings)
    trace = XesTrace(path)
    counters: dict[str, int] = {}
    for child in element:
        tag = _local(child)
        counters[tag] = counters.get(tag, 0) + 1
        child_path = f"{path}/{tag[:40]}[{counters[tag]}]"
        if tag == "event":
            trace.events.append(_read_event(child, child_path, warnings))
        elif tag in ATTRIBUTE_KINDS:
            if trace.events:
                raise Unprocessable(f"{child_path}: trace attributes must come before its events")
            trace.attributes.append(_read_attribute(child, tag, child_path, warnings, 0))
        else:
            raise Unprocessable(f"{child_path}: <{tag[:40]}> is not allowed in a trace")
    return trace


def _read_event(element: ET.Element, path: str, warnings: list[str]) -> XesEvent:
    _extra_attributes(element, set(), path, warnings)
    return XesEvent(path, _read_attributes(element, path, warnings, 0))


def _read_attributes(element: ET.Element, path: str, warnings: list[str],
                     depth: int) -> list[XesAttribute]:
    return [_read_child_attribute(child, f"{path}/{_local(child)[:40]}[{index}]", warnings,
                                  depth)
            for index, child in enumerate(element, start=1)]


def _read_child_attribute(child: ET.Element, path: str, warnings: list[str],
                          depth: int) -> XesAttribute:
    tag = _local(child)
    if tag not in ATTRIBUTE_KINDS:
        raise Unprocessable(f"{path}: <{tag[:40]}> is not an XES attribute")
    return _read_attribute(child, tag, path, warnings, depth)


def _read_attribute(element: ET.Element, kind: str, path: str, warnings: list[str],
                    depth: int) -> XesAttribute:
    if depth > MAX_DEPTH:
        raise Unprocessable(f"{path}: attributes are nested more than {MAX_DEPTH} levels deep")
    if kind in ("list", "container"):
        (key,) = _require(element, ("key",), path)
        _extra_attributes(element, {"key"}, path, warnings)
        attribute = XesAttribute(kind, key, None, path)
        for index, child in enumerate(element, start=1):
            if _local(child) == "values":
                attribute.has_values = True
                attribute.children += _read_attributes(child, f"{path}/values", warnings,
                                                       depth + 1)
            else:
                attribute.children.append(_read_child_attribute(
                    child, f"{path}/{_local(child)[:40]}[{index}]", warnings, depth + 1))
        return attribute
    key, raw = _require(element, ("key", "value"), path)
    _extra_attributes(element, {"key", "value"}, path, warnings)
    value = _typed(kind, raw, f"{path} (key {key[:60]!r})")
    return XesAttribute(kind, key, value, path, _read_attributes(element, path, warnings,
                                                                 depth + 1))


def _typed(kind: str, raw: str, where: str) -> Value:
    text = raw.strip()
    if kind == "boolean":
        if text in ("true", "1", "false", "0"):
            return text in ("true", "1")
        raise Unprocessable(f"{where}: {raw[:40]!r} is not a boolean (true or false)")
    if kind == "int":
        if _INT.fullmatch(text) and -(2**63) <= int(text) < 2**63:
            return int(text)
        raise Unprocessable(f"{where}: {raw[:40]!r} is not an integer")
    if kind == "float":
        if _FLOAT.fullmatch(text):
            return float(text.replace("INF", "inf"))
        raise Unprocessable(f"{where}: {raw[:40]!r} is not a number")
    if kind == "date":
        return _date(text, raw, where)
    return raw


def _date(text: str, raw: str, where: str) -> datetime:
    if not _DATE.fullmatch(text):
        raise Unprocessable(f"{where}: {raw[:40]!r} is not a date-time with a time zone "
                            "(like 2024-05-30T09:30:10.000+02:00)")
    normal = text.replace("Z", "+00:00")
    head, _, rest = normal.partition(".")
    if rest:
        digits = re.match(r"\d+", rest)
        fraction = digits.group(0) if digits else ""
        normal = f"{head}.{(fraction + '000000')[:6]}{rest[len(fraction):]}"
    try:
        return datetime.fromisoformat(normal)
    except ValueError as exc:
        raise Unprocessable(f"{where}: {raw[:40]!r} is not a valid date-time") from exc

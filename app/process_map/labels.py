"""Text shaping shared by the exporters: XML-safe text, short labels, durations, flow labels."""

from __future__ import annotations

import re
import textwrap

from app import templating

TIMES = "\u00d7"

__all__ = ["TIMES", "flow_label", "format_duration", "short_label", "wrap_label", "xml_safe"]

_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACES = re.compile(r"\s+")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (NUL, most C0 controls, U+FFFE...).

    >>> xml_safe("nul\\x00byte\\x07!")
    'nulbyte!'
    """
    return _XML_FORBIDDEN.sub("", text)


def short_label(text: str, limit: int = 80) -> str:
    """One line of at most ``limit`` characters, XML-safe, with an ellipsis when cut.

    >>> short_label("a\\n b   c"), short_label("abcdef", 4)
    ('a b c', 'abc…')
    """
    flat = _SPACES.sub(" ", xml_safe(text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def wrap_label(text: str, width: int = 22, lines: int = 3) -> list[str]:
    """The label wrapped into at most ``lines`` lines of about ``width`` characters.

    >>> wrap_label("Set Priority to Urgent in Zendesk", 12)
    ['Set Priority', 'to Urgent in', 'Zendesk']
    """
    flat = short_label(text, width * lines * 2)
    wrapped = textwrap.wrap(flat, width, break_long_words=True) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1] + "…"
    return wrapped


def format_duration(ms: int) -> str:
    """A short human duration: tenths of a second below 10 s, where a map's quick hand-offs
    differ, and from there as every other output writes it (``templating.format_duration``).

    >>> format_duration(800), format_duration(12_400), format_duration(185_000)
    ('0.8 s', '12 s', '3 min 5 s')
    """
    if ms < 10_000:
        return f"{ms / 1000:.1f} s"
    return templating.format_duration(ms)


def flow_label(count: int, median_ms: int) -> str:
    """How often a transition happened (``3`` and a multiplication sign) and its median time.

    >>> flow_label(3, 12_000) == f"3{TIMES} · 12 s", flow_label(1, 0) == f"1{TIMES}"
    (True, True)
    """
    return f"{count}{TIMES} · {format_duration(median_ms)}" if median_ms > 0 else f"{count}{TIMES}"

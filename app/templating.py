"""The one Jinja2 environment, and the escaping filters of each output format.

HTML and SVG templates are autoescaped. Markdown templates are not (Markdown is not HTML), so every
value in them goes through ``md`` (inline text) or ``md_block`` (the lead's paragraphs); a test
checks that no ``{{ }}`` in a ``.md`` template skips them. Every value of every template first
loses the control characters and bidirectional overrides that web pages can smuggle in.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

__all__ = [
    "TEMPLATES_DIR",
    "clean_text",
    "format_date",
    "format_duration",
    "markdown_block",
    "markdown_inline",
    "markdown_url",
    "safe_url",
    "template_environment",
]

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# C0/C1 controls except tab and newline, bidi embeddings/overrides/isolates, marks, BOM,
# line/paragraph separators, and the non-characters XML 1.0 forbids.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff"
    "\ud800-\udfff]"
)
_LINE_BREAKS = re.compile("[\r\u2028\u2029]")
_MD_INLINE = re.compile(r"([\\`*_{}\[\]#+!|~$])")
_MD_BLOCK_START = re.compile(r"^(\s*)([-=>]|\d+[.)])")
_WHITESPACE_RUN = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Drop control characters, bidi overrides and XML-forbidden code points; keep \\t and \\n.

    >>> clean_text("rtl \\u202eexe\\x00.txt")
    'rtl exe.txt'
    """
    return _UNSAFE.sub("", _LINE_BREAKS.sub("\n", value))


def markdown_inline(value: object) -> str:
    """Text that Markdown renders literally on one line: no markup, links, HTML or table breaks.

    Contract: whitespace runs (newlines too) become one space, Markdown punctuation is
    backslash-escaped, ``< > &`` become entities, and a leading block marker is escaped.

    >>> markdown_inline("<b>*x*</b> | [a](javascript:y)")
    '&lt;b&gt;\\\\*x\\\\*&lt;/b&gt; \\\\| \\\\[a\\\\](javascript:y)'
    """
    text = _WHITESPACE_RUN.sub(" ", clean_text(str(value)))
    text = _MD_INLINE.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_BLOCK_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), text)


def _escape_marker(marker: str) -> str:
    if marker[-1] in ".)":
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


def markdown_block(value: object) -> str:
    """The lead's multi-paragraph text: paragraphs kept, each line escaped like ``md``."""
    paragraphs = re.split(r"\n\s*\n", clean_text(str(value)).strip())
    return "\n\n".join(
        " ".join(markdown_inline(line) for line in paragraph.splitlines() if line.strip())
        for paragraph in paragraphs
        if paragraph.strip()
    )


def safe_url(value: object) -> str:
    """The URL if it is an absolute http(s) URL without spaces or controls, else ``""``.

    >>> safe_url("javascript:alert(1)"), safe_url("https://wiki.example/refunds")
    ('', 'https://wiki.example/refunds')
    """
    text = str(value or "").strip()
    if not text or clean_text(text) != text or any(c.isspace() for c in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return text


def markdown_url(value: object) -> str:
    """A URL for a Markdown ``<...>`` link destination: brackets, spaces and escapes encoded.

    >>> markdown_url("https://x.example/a b<c>(d)")
    'https://x.example/a%20b%3Cc%3E%28d%29'
    """
    return "".join(_URL_ESCAPES.get(c, c) for c in str(value))


_URL_ESCAPES = {c: f"%{ord(c):02X}" for c in " <>()\\\n\r\t"}


def format_duration(ms: int | float | None) -> str:
    """A duration a person reads at a glance.

    >>> [format_duration(ms) for ms in (0, 4_200, 754_000, 7_260_000)]
    ['0 s', '4 s', '12 min 34 s', '2 h 1 min']
    """
    if ms is None:
        return "–"  # noqa: RUF001 (an en dash is what a reader expects here)
    seconds = math.floor(ms / 1000 + 0.5)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def format_date(value: date | datetime | int | None) -> str:
    """``YYYY-MM-DD`` of a date, a datetime or epoch milliseconds (UTC)."""
    if value is None:
        return ""
    if isinstance(value, int):
        value = datetime.fromtimestamp(value / 1000, tz=UTC)
    return value.strftime("%Y-%m-%d")


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return clean_text(value)


@lru_cache(maxsize=4)
def template_environment(directory: Path = TEMPLATES_DIR) -> Environment:
    """The shared environment: autoescaped for .html/.svg/.xml, filters for every format."""
    env = Environment(
        loader=FileSystemLoader(str(directory)),
        autoescape=select_autoescape(["html", "svg", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=markdown_inline,
        md_block=markdown_block,
        md_url=markdown_url,
        safe_url=safe_url,
        duration=format_duration,
        date=format_date,
    )
    return env

"""Hostile text that real web pages can put into step names, titles, labels and the lead's fields.

Every renderer must carry these as inert text. The SOP, timing-report, process-map, event-log and
page tests all import ``PAYLOADS`` from here so that one list grows for every format at once.
"""

from __future__ import annotations

__all__ = ["LONG_NAME", "PAYLOADS", "payload_ids"]

#: A 10,000-character name: renderers must neither break nor time out on it.
LONG_NAME = "Refund " + "x" * 9_993

PAYLOADS: tuple[str, ...] = (
    # HTML and script
    "<script>alert(1)</script>",
    "</title><script>alert(document.domain)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<body onpageshow=alert(1)>",
    '"><iframe src="javascript:alert(1)"></iframe>',
    "' onmouseover='alert(1)",
    '" onfocus="alert(1)" autofocus="',
    "<a href=\"javascript:alert(1)\">Open</a>",
    "<style>*{display:none}</style>",
    "<!-- comment --><b>bold</b>",
    "--><script>alert(1)</script><!--",
    "<![CDATA[x]]>",
    "]]><script>alert(1)</script>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    # Markdown structure breakers
    "[click me](javascript:alert(1))",
    "![img](https://evil.example/x.png)",
    "<https://evil.example>",
    "| a | b |\n|---|---|\n| c | d |",
    "cell | breaker | here",
    "# Heading injection",
    "\n\n## New section\n\n- list",
    "*emphasis* _under_ `code` ~~strike~~",
    "```\nfenced\n```",
    "[ref]: javascript:alert(1)",
    "1. numbered\n2. list",
    "> quoted\n> block",
    "\\*escaped\\* and \\\\ backslashes",
    # Mermaid, DOT and XML-ish specials (reused by the process-map tests)
    "%%{init: {'theme':'dark'}}%%",
    "classDef evil fill:#f00",
    'A["quoted"] --> B{brace}',
    "node[label=<b>x</b>]; a -> b",
    "Tom & Jerry's <\"quotes\">",
    "&lt;already&gt; &amp; escaped",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    # Control characters, NUL, bidi overrides
    "nul\x00byte",
    "bell\x07 and escape\x1b[31m red",
    "form\x0cfeed and vertical\x0btab",
    "rtl \u202eexe.txt",
    "isolate \u2066hidden\u2069 and \u200f marks",
    "zero\u200bwidth\ufeffbom",
    "line\u2028separator\u2029paragraph",
    "surrogate-free emoji \U0001f600 and CJK 退款",
    # CSV formula injection
    "=HYPERLINK(\"https://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    LONG_NAME,
)


def payload_ids() -> list[str]:
    """Short printable ids for ``pytest.mark.parametrize``."""
    return [f"p{index:02d}" for index in range(len(PAYLOADS))]

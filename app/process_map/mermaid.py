"""Render a laid-out process map as a Mermaid flowchart (left to right, a subgraph per lane).

Node ids are the layout's own (``Activity_3``), never page text. Every label is a quoted
string in which each character outside a small safe set becomes a Mermaid entity code
(``#35;``), so quotes, brackets, ``%%`` directives, ``classDef`` and HTML stay inert text.
"""

from __future__ import annotations

import re

from app.process_map.labels import TIMES, flow_label, short_label
from app.process_map.layout import Box, Layout

__all__ = ["mermaid_label", "render_mermaid"]

_SAFE = re.compile(f"[A-Za-z0-9 ,._\\-()/{TIMES}·…]")
SHAPES = {"activity": ('["', '"]'), "gateway": ('{"', '"}'), "start": ('(("', '"))'),
          "end": ('((("', '")))')}


def mermaid_label(text: str, limit: int = 80) -> str:
    """``text`` as the inside of a quoted Mermaid label; unsafe characters as entity codes.

    >>> mermaid_label('Say "hi" %% <b>')
    'Say #34;hi#34; #37;#37; #60;b#62;'
    """
    flat = short_label(text, limit)
    return "".join(ch if _SAFE.fullmatch(ch) else f"#{ord(ch)};" for ch in flat)


def render_mermaid(layout: Layout) -> str:
    """The Mermaid flowchart text of ``layout``."""
    lines = ["flowchart LR"]
    for lane in layout.lanes:
        lines.append(f'  subgraph {lane.id}["{mermaid_label(lane.name, 40)}"]')
        lines.append("    direction LR")
        lines += [f"    {_node(box)}" for box in layout.boxes if box.lane == lane.name]
        lines.append("  end")
    for flow in layout.flows:
        arrow = "-.->" if flow.back else "-->"
        label = flow_label(flow.count, flow.median_ms)
        lines.append(f'  {flow.source} {arrow}|"{mermaid_label(label)}"| {flow.target}')
    lines.append("  classDef mapStart fill:#e6fffa,stroke:#2c7a7b")
    lines.append("  classDef mapEnd fill:#fff5f5,stroke:#c53030")
    lines.append("  classDef mapDecision fill:#fff8e1,stroke:#b7791f")
    for kind, css in (("start", "mapStart"), ("end", "mapEnd"), ("gateway", "mapDecision")):
        ids = [box.id for box in layout.boxes if box.kind == kind]
        if ids:
            lines.append(f"  class {','.join(ids)} {css}")
    return "\n".join(lines) + "\n"


def _node(box: Box) -> str:
    opening, closing = SHAPES[box.kind]
    if box.kind == "activity":
        text = mermaid_label(box.label)
    elif box.kind == "gateway":
        text = TIMES
    else:
        text = "Start" if box.kind == "start" else "End"
    return f"{box.id}{opening}{text}{closing}"

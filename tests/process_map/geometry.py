"""Geometry checks shared by the layout and BPMN tests."""

from __future__ import annotations

Rect = tuple[float, float, float, float]  # x, y, width, height


def overlaps(a: Rect, b: Rect) -> bool:
    """Whether two rectangles share interior area."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def overlapping_pairs(rects: dict[str, Rect]) -> list[tuple[str, str]]:
    """Every pair of ids whose rectangles overlap."""
    ids = sorted(rects)
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:] if overlaps(rects[a], rects[b])]


def inside(inner: Rect, outer: Rect) -> bool:
    """Whether ``inner`` lies within ``outer``."""
    ix, iy, iw, ih = inner
    ox, oy, ow, oh = outer
    return ox <= ix and oy <= iy and ix + iw <= ox + ow and iy + ih <= oy + oh

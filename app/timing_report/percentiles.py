"""Order statistics for durations: median and p90 across steps or recordings."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["median", "percentile"]


def percentile(values: Sequence[int | float], q: float) -> int:
    """The ``q``-th percentile (0..100) by linear interpolation between ranks, rounded to ms.

    Contract: ``values`` may be in any order; an empty sequence gives 0.

    >>> percentile([10, 20, 30, 40], 50), percentile([10, 20, 30, 40], 90), percentile([], 90)
    (25, 37, 0)
    """
    if not values:
        return 0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    value = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    return math.floor(value + 0.5)


def median(values: Sequence[int | float]) -> int:
    """The median, rounded to ms (0 for no values).

    >>> median([3, 1, 2]), median([1, 2])
    (2, 2)
    """
    return percentile(values, 50)

"""Lay the process map out once: layered left to right, one lane per system, few crossings.

One :class:`Layout` feeds every visual format (SVG, BPMN diagram interchange, Mermaid order).
Columns are layers; inside a lane, a column holds rows. A flow that skips columns passes
through placeholder rows of its own, so it never runs through a shape; vertical segments run on
column boundaries, where no shape ever sits; loops run back through a channel under the lane.
Pure and deterministic; no Graphviz.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from app.process_map.diagram import DiagramFlow, DiagramPlan, plan_diagram
from app.process_map.graph import ProcessGraph

__all__ = ["Box", "Flow", "Lane", "Layout", "layout_process_map"]

COLUMN = 190
ROW = 110
POOL_HEADER = 30
LANE_HEADER = 30
LEFT = POOL_HEADER + LANE_HEADER + 10
LOOP_CHANNEL = 40
SIZES = {"activity": (140, 70), "gateway": (50, 50), "start": (36, 36), "end": (36, 36)}
SWEEPS = 4

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Box:
    """A placed shape; ``x``/``y`` is the top-left corner."""

    id: str
    key: str
    kind: str
    label: str
    lane: str
    layer: int
    x: float
    y: float
    width: float
    height: float
    count: int
    median_ms: int
    p90_ms: int
    system: str = ""
    screen: str = ""
    phase: str = ""

    @property
    def center(self) -> Point:
        """The middle of the shape."""
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True, slots=True)
class Lane:
    """A horizontal band for one system."""

    id: str
    name: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Flow:
    """A routed flow: orthogonal waypoints from the source's edge to the target's edge."""

    id: str
    source: str
    target: str
    count: int
    median_ms: int
    p90_ms: int
    back: bool
    from_gateway: bool
    waypoints: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Layout:
    """Everything a visual exporter needs, in drawing order."""

    title: str
    recordings: int
    boxes: tuple[Box, ...]
    lanes: tuple[Lane, ...]
    flows: tuple[Flow, ...]
    width: float
    height: float


def layout_process_map(graph: ProcessGraph) -> Layout:
    """Place every shape and route every flow of ``graph`` (see :func:`build_process_graph`).

    >>> from app.process_map.graph import build_process_graph
    >>> layout = layout_process_map(build_process_graph([]))
    >>> [(box.kind, box.layer) for box in layout.boxes], len(layout.flows)
    ([('start', 0), ('end', 1)], 0)
    """
    plan = plan_diagram(graph)
    cells, chains = _order_cells(plan)
    rows = {lane: max((len(c) for (ln, _), c in cells.items() if ln == lane), default=1)
            for lane in plan.lanes}
    lanes, lane_of = _place_lanes(plan.lanes, rows, _column_count(plan))
    centers = {item: _cell_center(lane_of[lane], layer, index)
               for (lane, layer), cell in cells.items() for index, item in enumerate(cell)}
    boxes = tuple(_box(plan, node_id, centers[node_id]) for node_id in plan.nodes)
    by_id = {box.id: box for box in boxes}
    flows = tuple(
        _route(flow, by_id, [centers[d] for d in chains.get(flow.id, [])], lane_of, index)
        for index, flow in enumerate(plan.flows)
    )
    width = lanes[0].x + lanes[0].width if lanes else LEFT
    height = lanes[-1].y + lanes[-1].height if lanes else ROW
    return Layout(
        str(graph.graph.get("title", "")), int(graph.graph.get("recordings", 0)),
        boxes, lanes, flows, width, height,
    )


def _column_count(plan: DiagramPlan) -> int:
    return max((node.layer for node in plan.nodes.values()), default=0) + 1


Cells = dict[tuple[str, int], list[str]]


def _order_cells(plan: DiagramPlan) -> tuple[Cells, dict[str, list[str]]]:
    """Cells (lane, layer) -> ordered items (shape ids and placeholders), and each flow's
    placeholders."""
    cells: Cells = defaultdict(list)
    for node in plan.nodes.values():
        cells[node.lane, node.layer].append(node.id)
    links: list[tuple[str, str]] = []
    chains: dict[str, list[str]] = {}
    for flow in plan.flows:
        if flow.back:
            continue
        source, target = plan.nodes[flow.source], plan.nodes[flow.target]
        previous = source.id
        chain = []
        for layer in range(source.layer + 1, target.layer):
            dummy = f"{flow.id}~{layer}"
            cells[source.lane, layer].append(dummy)
            links.append((previous, dummy))
            chain.append(dummy)
            previous = dummy
        links.append((previous, target.id))
        chains[flow.id] = chain
    _reduce_crossings(cells, plan.lanes, links)
    return cells, chains


def _reduce_crossings(cells: Cells, lanes: list[str], links: list[tuple[str, str]]) -> None:
    """Barycenter sweeps: sort each cell by the mean position of its neighbours."""
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    for source, target in links:
        succs[source].append(target)
        preds[target].append(source)
    lane_rank = {lane: index for index, lane in enumerate(lanes)}
    layers = sorted({layer for _, layer in cells})
    for sweep in range(SWEEPS):
        position = {item: lane_rank[lane] * 10_000 + index
                    for (lane, _), cell in cells.items() for index, item in enumerate(cell)}
        neighbours = preds if sweep % 2 == 0 else succs
        for layer in layers if sweep % 2 == 0 else reversed(layers):
            for lane in lanes:
                cell = cells.get((lane, layer))
                if not cell or len(cell) < 2:
                    continue
                keys = {item: (_barycenter(item, neighbours, position), index)
                        for index, item in enumerate(cell)}
                cell.sort(key=keys.__getitem__)
                position.update({item: lane_rank[lane] * 10_000 + i for i, item in enumerate(cell)})


def _barycenter(item: str, neighbours: dict[str, list[str]], position: dict[str, int]) -> float:
    placed = [position[n] for n in neighbours.get(item, ()) if n in position]
    return sum(placed) / len(placed) if placed else position[item]


def _place_lanes(
    names: list[str], rows: dict[str, int], columns: int
) -> tuple[tuple[Lane, ...], dict[str, Lane]]:
    width = LEFT + columns * COLUMN + 10 - POOL_HEADER
    lanes, y = [], 0.0
    for index, name in enumerate(names, start=1):
        height = rows[name] * ROW + LOOP_CHANNEL
        lanes.append(Lane(f"Lane_{index}", name, POOL_HEADER, y, width, height))
        y += height
    return tuple(lanes), {lane.name: lane for lane in lanes}


def _cell_center(lane: Lane, layer: int, row: int) -> Point:
    return (LEFT + layer * COLUMN + COLUMN / 2, lane.y + row * ROW + ROW / 2)


def _box(plan: DiagramPlan, node_id: str, center: Point) -> Box:
    node = plan.nodes[node_id]
    width, height = SIZES[node.kind]
    attrs = node.attrs
    return Box(
        node.id, node.key, node.kind, str(attrs.get("name", "")), node.lane, node.layer,
        center[0] - width / 2, center[1] - height / 2, width, height,
        int(attrs.get("count", 0)), int(attrs.get("median_ms", 0)), int(attrs.get("p90_ms", 0)),  # type: ignore[call-overload]
        str(attrs.get("system", "")), str(attrs.get("screen", "")), str(attrs.get("phase", "")),
    )


def _column_left(layer: int) -> float:
    return LEFT + layer * COLUMN


def _route(
    flow: DiagramFlow, boxes: dict[str, Box], via: list[Point], lanes: dict[str, Lane],
    index: int,
) -> Flow:
    source, target = boxes[flow.source], boxes[flow.target]
    if flow.back:
        points = _route_back(source, target, lanes[source.lane], index)
    else:
        points = _route_forward(source, target, via)
    return Flow(flow.id, flow.source, flow.target, flow.count, flow.median_ms, flow.p90_ms,
                flow.back, flow.from_gateway, tuple(points))


def _route_forward(source: Box, target: Box, via: list[Point]) -> list[Point]:
    sy, ty = source.center[1], target.center[1]
    points: list[Point] = [(source.x + source.width, sy)]
    for x, y in [*via, (target.x, ty)]:
        last_y = points[-1][1]
        if y != last_y:
            boundary = _column_left(int((x - LEFT) // COLUMN))
            points += [(boundary, last_y), (boundary, y)]
        points.append((x, y))
    return _drop_collinear(points)


def _route_back(source: Box, target: Box, lane: Lane, index: int) -> list[Point]:
    """Out of the right side, down to the lane's loop channel, left, up into the target."""
    sy, ty = source.center[1], target.center[1]
    right = _column_left(source.layer + 1)
    left = _column_left(target.layer)
    channel = lane.y + lane.height - LOOP_CHANNEL + 8 + (index % 4) * 7
    return [(source.x + source.width, sy), (right, sy), (right, channel), (left, channel),
            (left, ty), (target.x, ty)]


def _drop_collinear(points: list[Point]) -> list[Point]:
    out: list[Point] = []
    for point in points:
        if out and point == out[-1]:
            continue
        if len(out) >= 2 and (out[-2][0] == out[-1][0] == point[0]
                              or out[-2][1] == out[-1][1] == point[1]):
            out[-1] = point
            continue
        out.append(point)
    return out

"""Turn the process graph into diagram elements: shapes with lanes, gateways, layers, flows.

This is the first half of the layout: it decides *what* is drawn (an exclusive gateway after
every decision point, one lane per system), which flows run backwards (loops), and the layer
(column) of every shape. :mod:`app.process_map.layout` then orders and places them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.process_map.graph import END, START, ProcessGraph

if TYPE_CHECKING:  # networkx is imported where a graph is made: it is slow to import
    import networkx as nx

__all__ = ["DiagramFlow", "DiagramNode", "DiagramPlan", "plan_diagram"]

OTHER_LANE = "Other"


@dataclass
class DiagramNode:
    """A shape to draw: an activity, a gateway, the start or the end event."""

    id: str
    key: str  # the graph node key; a gateway's key is its decision node's key + "#gateway"
    kind: str  # start | end | activity | gateway
    lane: str
    layer: int = 0
    attrs: dict[str, object] = field(default_factory=dict)


@dataclass
class DiagramFlow:
    """A sequence flow between two shapes; ``back`` flows close a loop."""

    id: str
    source: str
    target: str
    count: int
    median_ms: int
    p90_ms: int
    back: bool = False
    from_gateway: bool = False


@dataclass
class DiagramPlan:
    """Shapes in a stable order, flows, and the lanes in drawing order (top to bottom)."""

    nodes: dict[str, DiagramNode]
    flows: list[DiagramFlow]
    lanes: list[str]


def plan_diagram(graph: ProcessGraph) -> DiagramPlan:
    """Shapes, lanes, loop flows and layers for ``graph`` (see :func:`build_process_graph`).

    Deterministic: the same graph (same insertion order) always gives the same plan.

    >>> from app.process_map.graph import build_process_graph
    >>> plan = plan_diagram(build_process_graph([]))
    >>> [(n.kind, n.layer) for n in plan.nodes.values()], plan.lanes
    ([('start', 0), ('end', 1)], ['Other'])
    """
    ids = _node_ids(graph)
    nodes: dict[str, DiagramNode] = {}
    for key, data in graph.nodes(data=True):
        nodes[ids[key]] = DiagramNode(ids[key], key, str(data["kind"]), "", attrs=dict(data))
    flows = _expand_decisions(graph, ids, nodes)
    _assign_lanes(graph, ids, nodes, flows)
    _mark_back_flows(nodes, flows)
    _assign_layers(nodes, flows)
    return DiagramPlan(nodes, flows, _lane_order(nodes))


def _node_ids(graph: ProcessGraph) -> dict[str, str]:
    ids = {START: "StartEvent_1", END: "EndEvent_1"}
    activities = (key for key in graph.nodes if key not in ids)
    ids.update({key: f"Activity_{index}" for index, key in enumerate(activities, start=1)})
    return ids


def _ranked_successors(graph: ProcessGraph, key: str) -> list[str]:
    order = {node: index for index, node in enumerate(graph.nodes)}
    return sorted(graph.successors(key), key=lambda s: (-graph.edges[key, s]["count"], order[s]))


def _expand_decisions(
    graph: ProcessGraph, ids: dict[str, str], nodes: dict[str, DiagramNode]
) -> list[DiagramFlow]:
    flows: list[DiagramFlow] = []

    def add(source: str, target: str, data: dict[str, int], from_gateway: bool = False) -> None:
        flows.append(DiagramFlow(
            f"Flow_{len(flows) + 1}", source, target, int(data["count"]),
            int(data["median_ms"]), int(data["p90_ms"]), from_gateway=from_gateway,
        ))

    gateway_count = 0
    for key in graph.nodes:
        successors = _ranked_successors(graph, key)
        if len(successors) > 1:
            gateway_count += 1
            gateway = f"Gateway_{gateway_count}"
            total = sum(int(graph.edges[key, s]["count"]) for s in successors)
            nodes[gateway] = DiagramNode(
                gateway, f"{key}#gateway", "gateway", "",
                attrs={"name": "", "count": total, "decision_of": ids[key]},
            )
            add(ids[key], gateway, {"count": total, "median_ms": 0, "p90_ms": 0})
            for successor in successors:
                add(gateway, ids[successor], graph.edges[key, successor], from_gateway=True)
        else:
            for successor in successors:
                add(ids[key], ids[successor], graph.edges[key, successor])
    return flows


def _assign_lanes(
    graph: ProcessGraph, ids: dict[str, str], nodes: dict[str, DiagramNode],
    flows: list[DiagramFlow],
) -> None:
    for node in nodes.values():
        if node.kind == "activity":
            node.lane = str(node.attrs.get("system") or OTHER_LANE)
    for node in nodes.values():
        if node.kind == "gateway":
            node.lane = nodes[str(node.attrs["decision_of"])].lane
    start, end = nodes[ids[START]], nodes[ids[END]]
    start.lane = _busiest_lane(graph, START, True, nodes, ids)
    end.lane = _busiest_lane(graph, END, False, nodes, ids)
    for node in nodes.values():
        node.lane = node.lane or OTHER_LANE


def _busiest_lane(
    graph: ProcessGraph, key: str, outgoing: bool, nodes: dict[str, DiagramNode],
    ids: dict[str, str],
) -> str:
    best, best_count = "", -1
    for other in graph.successors(key) if outgoing else graph.predecessors(key):
        edge = (key, other) if outgoing else (other, key)
        count = int(graph.edges[edge]["count"])
        lane = nodes[ids[other]].lane
        if lane and count > best_count:
            best, best_count = lane, count
    return best


def _mark_back_flows(nodes: dict[str, DiagramNode], flows: list[DiagramFlow]) -> None:
    """Depth-first from the start; a flow into a shape still on the stack closes a loop."""
    outgoing: dict[str, list[DiagramFlow]] = {node: [] for node in nodes}
    for flow in flows:
        outgoing[flow.source].append(flow)
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for root in nodes:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(outgoing[root]))]
        while stack:
            node, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                state[node] = 2
                stack.pop()
            elif state.get(following.target) == 1:
                following.back = True
            elif following.target not in state:
                state[following.target] = 1
                stack.append((following.target, iter(outgoing[following.target])))


def _assign_layers(nodes: dict[str, DiagramNode], flows: list[DiagramFlow]) -> None:
    """Longest-path layering over the forward flows; the end event gets the last column."""
    import networkx as nx  # here, not at the top: it is a sixth of the service's start-up

    dag: nx.DiGraph[str] = nx.DiGraph()
    dag.add_nodes_from(nodes)
    dag.add_edges_from((f.source, f.target) for f in flows if not f.back)
    for node in nx.topological_sort(dag):
        preds = [nodes[p].layer + 1 for p in dag.predecessors(node)]
        nodes[node].layer = max(preds, default=0)
    ends = [n for n in nodes.values() if n.kind == "end"]
    last = max((n.layer for n in nodes.values() if n.kind != "end"), default=0) + 1
    for end in ends:
        end.layer = last


def _lane_order(nodes: dict[str, DiagramNode]) -> list[str]:
    first: dict[str, tuple[int, int]] = {}
    for index, node in enumerate(nodes.values()):
        if node.kind in ("start", "end"):
            continue
        first[node.lane] = min(first.get(node.lane, (node.layer, index)), (node.layer, index))
    for node in nodes.values():
        first.setdefault(node.lane, (node.layer, len(nodes)))
    return sorted(first, key=lambda lane: first[lane])

"""Layout: layered left to right, a lane per system, no overlaps, loops drawn back, stable."""

from __future__ import annotations

from itertools import pairwise

from app.process_map.graph import build_process_graph
from app.process_map.layout import Layout, _reduce_crossings, layout_process_map
from app.steps.model import RecordingSteps
from tests.process_map.geometry import inside, overlapping_pairs
from tests.process_map.samples import demo_recording, merged_recordings, recording


def _layout(recordings: list[RecordingSteps]) -> Layout:
    return layout_process_map(build_process_graph(recordings))


def _overlap_1d(lo: float, hi: float, start: float, end: float) -> bool:
    """Whether the segment span [lo, hi] enters the open interval (start, end)."""
    return start < hi and lo < end if lo != hi else start < lo < end


def _segments_cross_box(layout: Layout) -> list[tuple[str, str]]:
    """(flow, box) pairs where a flow segment passes through a shape it does not join."""
    hits = []
    for flow in layout.flows:
        for (x1, y1), (x2, y2) in pairwise(flow.waypoints):
            for box in layout.boxes:
                if box.id in (flow.source, flow.target):
                    continue
                if (_overlap_1d(min(x1, x2), max(x1, x2), box.x, box.x + box.width)
                        and _overlap_1d(min(y1, y2), max(y1, y2), box.y, box.y + box.height)):
                    hits.append((flow.id, box.id))
    return hits


class TestLayoutProcessMap:
    def test_one_lane_per_system_in_order_of_first_use(self) -> None:
        layout = _layout([demo_recording()])
        assert [lane.name for lane in layout.lanes] == ["Zendesk", "Stripe Dashboard",
                                                        "Confluence"]

    def test_every_shape_sits_inside_its_lane(self) -> None:
        layout = _layout(merged_recordings())
        lanes = {lane.name: (lane.x, lane.y, lane.width, lane.height) for lane in layout.lanes}
        for box in layout.boxes:
            assert inside((box.x, box.y, box.width, box.height), lanes[box.lane]), box

    def test_no_two_shapes_overlap(self) -> None:
        for recs in ([demo_recording()], merged_recordings()):
            layout = _layout(recs)
            rects = {b.id: (b.x, b.y, b.width, b.height) for b in layout.boxes}
            assert overlapping_pairs(rects) == []

    def test_left_to_right_forward_flows(self) -> None:
        layout = _layout(merged_recordings())
        boxes = {b.id: b for b in layout.boxes}
        for flow in layout.flows:
            if not flow.back:
                assert boxes[flow.target].x > boxes[flow.source].x, flow

    def test_start_first_end_last(self) -> None:
        layout = _layout(merged_recordings())
        xs = {b.kind: b.x for b in layout.boxes if b.kind in ("start", "end")}
        assert xs["start"] == min(b.x for b in layout.boxes)
        assert xs["end"] == max(b.x for b in layout.boxes)

    def test_loops_are_drawn_back(self) -> None:
        layout = _layout(merged_recordings())
        back = [flow for flow in layout.flows if flow.back]
        assert len(back) == 1
        points = back[0].waypoints
        assert points[-1][0] < points[0][0]  # ends left of where it starts
        lane_bottoms = [lane.y + lane.height for lane in layout.lanes]
        assert any(max(y for _, y in points) < bottom for bottom in lane_bottoms)

    def test_flows_are_orthogonal_and_avoid_other_shapes(self) -> None:
        layout = _layout(merged_recordings())
        for flow in layout.flows:
            assert len(flow.waypoints) >= 2
            for (x1, y1), (x2, y2) in pairwise(flow.waypoints):
                assert x1 == x2 or y1 == y2, flow
        assert _segments_cross_box(layout) == []

    def test_a_gateway_after_each_decision(self) -> None:
        layout = _layout(merged_recordings())
        assert sum(1 for b in layout.boxes if b.kind == "gateway") == 2

    def test_deterministic(self) -> None:
        assert _layout(merged_recordings()) == _layout(merged_recordings())

    def test_barycenter_sweeps_remove_a_crossing(self) -> None:
        cells = {("L", 0): ["a", "b"], ("L", 1): ["d", "c"], ("M", 1): ["e"]}
        _reduce_crossings(cells, ["L", "M"], [("a", "c"), ("b", "d"), ("b", "e")])
        assert cells[("L", 1)] == ["c", "d"]
        assert cells[("L", 0)] == ["a", "b"]

    def test_empty_workflow_has_start_and_end(self) -> None:
        layout = _layout([])
        assert [b.kind for b in layout.boxes] == ["start", "end"]
        assert layout.flows == ()


class TestEdgeCases:
    def test_repeated_activity_is_a_self_loop_drawn_back(self) -> None:
        rows = [("a", "A", "Zendesk", "T", "triage", 1), ("a", "A", "Zendesk", "T", "triage", 1),
                ("b", "B", "Zendesk", "T", "triage", 1)]
        layout = _layout([recording(1, rows)])
        back = [flow for flow in layout.flows if flow.back]
        assert len(back) == 1
        boxes = {b.id: b for b in layout.boxes}
        gateway = boxes[back[0].source]
        assert gateway.kind == "gateway" and boxes[back[0].target].label == "A"
        assert _segments_cross_box(layout) == []

    def test_steps_without_a_system_share_the_other_lane(self) -> None:
        layout = _layout([recording(1, [("a", "A", "", "T", "triage", 1)])])
        assert [lane.name for lane in layout.lanes] == ["Other"]

    def test_start_splits_into_a_gateway_when_recordings_begin_differently(self) -> None:
        recs = [recording(1, [("a", "A", "Zendesk", "T", "triage", 1)]),
                recording(2, [("b", "B", "Jira", "T", "triage", 1)])]
        layout = _layout(recs)
        boxes = {b.id: b for b in layout.boxes}
        first = next(f for f in layout.flows if boxes[f.source].kind == "start")
        assert boxes[first.target].kind == "gateway"

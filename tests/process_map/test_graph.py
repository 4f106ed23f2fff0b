"""Graph building: activities, directly-follows transitions, start/end, decision points."""

from __future__ import annotations

import doctest

import pytest

from app.event_log import csv as event_csv
from app.event_log import xes, xes_checks, xes_reader
from app.process_map import diagram, graph, labels, layout, mermaid
from app.process_map.graph import (
    END,
    START,
    activity_names,
    build_process_graph,
    decision_points,
    directly_follows,
    percentile,
)
from app.replay import flow
from app.steps.model import RecordingSteps
from tests.process_map.samples import demo_recording, merged_recordings, recording, step


@pytest.mark.parametrize("module", [graph, diagram, layout, labels, mermaid, xes, xes_reader,
                                    xes_checks, event_csv, flow])
def test_doctests_hold(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


class TestPercentile:
    def test_nearest_rank(self) -> None:
        assert percentile([5, 1, 3, 2, 4], 50) == 3
        assert percentile(list(range(1, 11)), 90) == 9

    def test_empty_is_zero(self) -> None:
        assert percentile([], 90) == 0

    def test_single_value(self) -> None:
        assert percentile([7], 90) == 7


class TestDirectlyFollows:
    def test_counts_pairs_with_start_and_end(self) -> None:
        rec = RecordingSteps(1, "w", "a", 0, 0, (step(0, "a", "A"), step(1, "b", "B"),
                                                  step(2, "a", "A")))
        counts = directly_follows([rec])
        a, b = rec.steps[0].activity_key, rec.steps[1].activity_key
        assert counts == {(START, a): 1, (a, b): 1, (b, a): 1, (a, END): 1}

    def test_sums_over_recordings(self) -> None:
        counts = directly_follows(merged_recordings())
        assert counts[START, demo_recording().steps[0].activity_key] == 4
        assert sum(v for (s, _), v in counts.items() if s == START) == 4

    def test_empty_recording_goes_from_start_to_end(self) -> None:
        assert directly_follows([RecordingSteps(1, "w", "a", 0, 0, ())]) == {(START, END): 1}


class TestActivityNames:
    def test_most_frequent_title_wins(self) -> None:
        recs = [RecordingSteps(i, "w", "a", 0, 0, (step(0, "k", title),))
                for i, title in enumerate(["Set X", "Set Y", "Set Y"])]
        assert activity_names(recs) == {"zendesk:ticket view:k": "Set Y"}

    def test_tie_keeps_first_seen(self) -> None:
        recs = [RecordingSteps(i, "w", "a", 0, 0, (step(0, "k", t),)) for i, t in
                enumerate(["First", "Second"])]
        assert activity_names(recs)["zendesk:ticket view:k"] == "First"


class TestBuildProcessGraph:
    def test_one_node_per_activity_key_plus_start_and_end(self) -> None:
        g = build_process_graph([demo_recording()])
        keys = {s.activity_key for s in demo_recording().steps}
        assert set(g.nodes) == keys | {START, END}
        assert g.nodes[START]["kind"] == "start" and g.nodes[END]["kind"] == "end"

    def test_node_attributes(self) -> None:
        g = build_process_graph(merged_recordings())
        invoice = next(n for n, d in g.nodes(data=True) if d.get("name") == "Open Invoice")
        data = g.nodes[invoice]
        assert (data["system"], data["screen"], data["phase"]) == (
            "Stripe Dashboard", "Invoice", "diagnose")
        assert data["count"] == 3 + 1  # once in each of three recordings, twice in the loop
        assert data["recordings"] == 3
        assert data["median_ms"] == 25_000 and data["p90_ms"] == 25_000

    def test_edges_carry_counts_and_time_between_starts(self) -> None:
        g = build_process_graph([demo_recording()])
        first, second = (s.activity_key for s in demo_recording().steps[:2])
        edge = g.edges[first, second]
        assert edge == {"count": 1, "median_ms": 12_000, "p90_ms": 12_000}
        assert g.edges[START, first]["count"] == 1

    def test_last_step_leads_to_end_with_its_duration(self) -> None:
        g = build_process_graph([demo_recording()])
        last = demo_recording().steps[-1].activity_key
        assert g.edges[last, END]["median_ms"] == 8_000

    def test_edge_counts_are_the_directly_follows_counts(self) -> None:
        recs = merged_recordings()
        g = build_process_graph(recs)
        assert {(s, t): d["count"] for s, t, d in g.edges(data=True)} == directly_follows(recs)

    def test_median_and_p90_over_recordings(self) -> None:
        recs = [recording(i, [("a", "A", "Zendesk", "T", "triage", secs)])
                for i, secs in enumerate([10, 20, 30, 40, 100])]
        data = build_process_graph(recs).nodes["zendesk:t:a"]
        assert (data["median_ms"], data["p90_ms"]) == (30_000, 100_000)

    def test_title_defaults_to_the_workflow(self) -> None:
        assert build_process_graph([demo_recording()]).graph["title"] == "Refund request"
        assert build_process_graph([], title="X").graph["title"] == "X"


class TestDecisionPoints:
    def test_single_path_has_none(self) -> None:
        assert decision_points(build_process_graph([demo_recording()])) == []

    def test_split_paths_are_decisions(self) -> None:
        g = build_process_graph(merged_recordings())
        names = {g.nodes[n]["name"] for n in decision_points(g)}
        # after the subscription page: invoice or Jira; after the refund: article, reply or back
        assert names == {"Open the customer's Subscription page", "Click Refund"}

"""build_timing_report and the CSV guard, on literal steps."""

from __future__ import annotations

from itertools import groupby

from app.timing_report.charts import LABEL_WIDTH, build_charts, system_colours
from app.timing_report.figures import build_timing_report
from app.timing_report.render import csv_cell, render_timing_csv
from tests.sop.builders import recording, ticket_specs


class TestBuildTimingReport:
    def test_totals_split_and_switches(self) -> None:
        report = build_timing_report([recording(ticket_specs())], workflow="Refund")
        assert report.totals.total_ms == 341_000
        assert report.totals.waiting_ms == 1_200 + 2_400 + 900 + 600
        assert report.totals.idle_ms == 65_000
        assert report.totals.active_ms == (report.totals.total_ms - report.totals.waiting_ms
                                           - report.totals.idle_ms)
        assert report.context_switches == 3
        assert [g.key for g in report.phases] == ["triage", "diagnose", "resolve", "confirm",
                                                  "close"]
        assert report.systems[0].key == "Stripe"
        assert report.slowest[0].title == "Click Refund payment"

    def test_median_and_p90_across_recordings(self) -> None:
        slow = [dict(s, duration_ms=s.get("duration_ms", 10_000) * 2) for s in ticket_specs()]
        report = build_timing_report(
            [recording(ticket_specs(), recording_id=1), recording(slow, recording_id=2)],
            workflow="Refund")
        first = report.activities[0]
        assert (first.occurrences, first.recordings, first.median_ms, first.p90_ms) == (
            2, 2, 12_000, 15_200)
        assert report.median_total_ms == (341_000 + 682_000) // 2

    def test_no_recordings(self) -> None:
        report = build_timing_report([], workflow="Empty")
        assert report.totals.total_ms == 0 and report.steps == ()


def test_csv_has_one_row_per_step_and_no_formulas() -> None:
    specs = [dict(s, title="=cmd|' /C calc'!A0") for s in ticket_specs()]
    text = render_timing_csv(build_timing_report([recording(specs)], workflow="x"))
    lines = text.strip().split("\r\n")
    assert len(lines) == 1 + len(specs)
    assert all(",'=cmd" in line for line in lines[1:])
    assert csv_cell("@SUM(1)") == "'@SUM(1)" and csv_cell(-5) == -5


def test_the_timeline_says_when_it_shows_only_some_recordings() -> None:
    from bs4 import BeautifulSoup

    from app.timing_report.charts import MAX_TIMELINE_ROWS
    from app.timing_report.render import render_timing_html
    from tests.html import one

    many = [recording(ticket_specs()[:3], recording_id=i) for i in range(1, 16)]
    soup = BeautifulSoup(render_timing_html(build_timing_report(many, workflow="x")),
                         "html.parser")
    timeline = one(soup, "#chart-timeline")
    assert f"The first {MAX_TIMELINE_ROWS} of 15 recordings." in timeline.get_text()
    assert len(timeline.select("rect")) == MAX_TIMELINE_ROWS * 3
    assert len(soup.select("#recordings tbody tr")) == 15


class TestBuildCharts:
    def test_the_timeline_has_a_bar_per_step(self) -> None:
        report = build_timing_report([recording(ticket_specs())], workflow="x")
        timeline = build_charts(report)[0]
        assert timeline.key == "timeline"
        assert len(timeline.bars) == len(ticket_specs())
        assert timeline.bars[0].title.startswith("1. Open the Ticket view (Zendesk, ")

    def test_the_overview_timeline_has_a_bar_per_run_of_one_system(self) -> None:
        report = build_timing_report([recording(ticket_specs())], workflow="x")
        runs = [system for system, _ in groupby(s.system for s in report.steps)]
        timeline = build_charts(report, step_bars=False)[0]
        assert [bar.fill for bar in timeline.bars] == [
            system_colours(report)[system] for system in runs]
        assert len(timeline.bars) == report.context_switches + 1 < len(report.steps)
        assert timeline.bars[0].title == "Steps 1 to 4 in Zendesk (4 steps, 26 s)"
        assert timeline.bars[0].x == LABEL_WIDTH
        ends = [round(bar.x + bar.width, 1) for bar in timeline.bars]
        starts = [round(bar.x, 1) for bar in timeline.bars]
        assert starts[1:] == ends[:-1]
        assert "run of consecutive steps" in timeline.description

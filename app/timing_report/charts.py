"""Chart geometry (pure): bars and labels in SVG user units, computed from the report figures.

The HTML template only draws what is here, escaped; no number is computed in a template.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.templating import format_duration
from app.timing_report.figures import StepRow, TimeSplit, TimingReport

__all__ = ["PALETTE", "Bar", "Chart", "Label", "build_charts", "system_colours"]

PALETTE: tuple[str, ...] = (
    "#2457c5", "#e07b00", "#2e9d5b", "#b8336a", "#6b4fbb",
    "#00838f", "#8d6e00", "#c62828", "#546e7a", "#7cb342",
)
SPLIT_COLOURS = {"active": "#2457c5", "waiting": "#e0a800", "idle": "#b0b7c3"}
WIDTH = 860
LABEL_WIDTH = 300
BAR_HEIGHT = 22
GAP = 8
MAX_TIMELINE_ROWS = 12
MAX_LABEL = 42


@dataclass(frozen=True, slots=True)
class Bar:
    """A rectangle; ``title`` becomes its tooltip."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass(frozen=True, slots=True)
class Label:
    """A text at a point; ``anchor`` is the SVG text-anchor."""

    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: its size, what it shows (for screen readers), bars and labels."""

    key: str
    title: str
    description: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    labels: tuple[Label, ...]


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def system_colours(report: TimingReport) -> dict[str, str]:
    """A colour per system, in the order of the systems table (busiest first)."""
    return {g.key: PALETTE[i % len(PALETTE)] for i, g in enumerate(report.systems)}


def build_charts(report: TimingReport, *, step_bars: bool = True) -> tuple[Chart, ...]:
    """Every chart of the report: timeline, per phase, per system, slowest steps, time split.

    The timeline draws one bar per step; with ``step_bars=False``, one bar per run of
    consecutive steps in one system: the same picture (bars are coloured by system) in a
    tenth of the bars, for a page that shows the report beside other outputs.
    """
    colours = system_colours(report)
    return (
        _timeline(report, colours, step_bars),
        _split_rows("phases", "Time per phase", [(g.name, g.time) for g in report.phases]),
        _rows(
            "systems", "Time per system",
            [(g.name, g.time.total_ms, colours[g.key]) for g in report.systems],
        ),
        _rows(
            "slowest", "Slowest steps",
            [(f"#{s.position} {s.title}", s.duration_ms, colours.get(s.system, PALETTE[0]))
             for s in report.slowest],
        ),
        _split_rows("split", "Work vs waiting vs idle", [("All recordings", report.totals)]),
    )


def _scale(maximum: int) -> float:
    return (WIDTH - LABEL_WIDTH - 90) / maximum if maximum > 0 else 0.0


def _timeline(report: TimingReport, colours: dict[str, str], step_bars: bool) -> Chart:
    shown = report.recordings[:MAX_TIMELINE_ROWS]
    span = max((r.time.total_ms for r in shown), default=0)
    scale = _scale(span)
    steps_of: dict[int, list[StepRow]] = {r.recording_id: [] for r in shown}
    for step in report.steps:
        if step.recording_id in steps_of:
            steps_of[step.recording_id].append(step)
    bars, labels = [], []
    for row, recording in enumerate(shown):
        y = GAP + row * (BAR_HEIGHT + GAP)
        labels.append(Label(LABEL_WIDTH - 8, y + BAR_HEIGHT * 0.7,
                            f"Recording #{recording.recording_id}", "end"))
        total = format_duration(recording.time.total_ms)
        labels.append(Label(WIDTH - 85, y + BAR_HEIGHT * 0.7, total))
        steps = steps_of[recording.recording_id]
        runs = [[step] for step in steps] if step_bars else _system_runs(steps)
        for run in runs:
            start, duration = run[0].offset_ms, sum(step.duration_ms for step in run)
            bars.append(Bar(
                x=round(LABEL_WIDTH + start * scale, 2), y=y,
                width=round(max(duration * scale, 0.5), 2), height=BAR_HEIGHT,
                fill=colours.get(run[0].system, PALETTE[0]), title=_run_title(run, duration),
            ))
    height = GAP + max(len(shown), 1) * (BAR_HEIGHT + GAP)
    what = ("Each bar is a step" if step_bars
            else "Each bar is a run of consecutive steps in one system")
    return Chart("timeline", "Timeline of the steps, coloured by system",
                 f"{what}, placed at its start and as long as it lasted.",
                 WIDTH, height, tuple(bars), tuple(labels))


def _system_runs(steps: list[StepRow]) -> list[list[StepRow]]:
    runs: list[list[StepRow]] = []
    for step in steps:
        if runs and runs[-1][-1].system == step.system:
            runs[-1].append(step)
        else:
            runs.append([step])
    return runs


def _run_title(run: list[StepRow], duration: int) -> str:
    first, last = run[0], run[-1]
    if len(run) == 1:
        return f"{first.position}. {first.title} ({first.system}, {format_duration(duration)})"
    return (f"Steps {first.position} to {last.position} in {first.system} "
            f"({len(run)} steps, {format_duration(duration)})")


def _rows(key: str, title: str, rows: list[tuple[str, int, str]]) -> Chart:
    scale = _scale(max((value for _, value, _ in rows), default=0))
    bars, labels = [], []
    for index, (name, value, colour) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        labels.append(Label(LABEL_WIDTH - 8, y + BAR_HEIGHT * 0.7, _short(name), "end"))
        bars.append(Bar(LABEL_WIDTH, y, round(max(value * scale, 0.5), 2), BAR_HEIGHT, colour,
                        f"{name}: {format_duration(value)}"))
        labels.append(Label(round(LABEL_WIDTH + value * scale + 6, 2), y + BAR_HEIGHT * 0.7,
                            format_duration(value)))
    height = GAP + max(len(rows), 1) * (BAR_HEIGHT + GAP)
    return Chart(key, title, f"{title}, longest first.", WIDTH, height, tuple(bars), tuple(labels))


def _split_rows(key: str, title: str, rows: list[tuple[str, TimeSplit]]) -> Chart:
    scale = _scale(max((split.total_ms for _, split in rows), default=0))
    bars, labels = [], []
    for index, (name, split) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        labels.append(Label(LABEL_WIDTH - 8, y + BAR_HEIGHT * 0.7, _short(name), "end"))
        x = float(LABEL_WIDTH)
        for part, value in (("active", split.active_ms), ("waiting", split.waiting_ms),
                            ("idle", split.idle_ms)):
            if value <= 0:
                continue
            width = round(value * scale, 2)
            bars.append(Bar(round(x, 2), y, width, BAR_HEIGHT, SPLIT_COLOURS[part],
                            f"{name}, {part}: {format_duration(value)}"))
            x += width
        labels.append(Label(round(x + 6, 2), y + BAR_HEIGHT * 0.7, format_duration(split.total_ms)))
    height = GAP + max(len(rows), 1) * (BAR_HEIGHT + GAP)
    return Chart(key, title, f"{title}: active, waiting for pages, and idle time.", WIDTH, height,
                 tuple(bars), tuple(labels))

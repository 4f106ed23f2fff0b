"""Process-map benchmark: graph + layout + every export, and directly-follows over 1 M events.

Run with ``.venv/bin/python bench/process_map.py`` (add ``--json`` for machine-readable output).

Workloads (synthetic, seeded, so every run builds the same data): a workflow of 60 activities
over 5 systems; each recording walks a base path of the wanted length with random skips,
detours and repeats, so the graph has decision points and loops like real merged recordings.

1. ``10 x 100`` and ``1000 x 50`` (recordings x steps): time of graph building, layout, and each
   exporter (SVG, BPMN, Mermaid, GraphML, JSON, XES, CSV), best of 3 runs.
2. Directly-follows counts over 1,000,000 events (20,000 recordings x 50 steps), our
   :func:`directly_follows` against a plain-Python baseline (nested loops and a dict) in the
   same run; best of 3, single thread. Target: under 2 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.event_log.csv import render_event_csv  # noqa: E402
from app.event_log.xes import render_xes  # noqa: E402
from app.process_map.bpmn import render_bpmn  # noqa: E402
from app.process_map.graph import END, START, build_process_graph, directly_follows  # noqa: E402
from app.process_map.graphml import render_graphml  # noqa: E402
from app.process_map.json import render_json  # noqa: E402
from app.process_map.layout import layout_process_map  # noqa: E402
from app.process_map.mermaid import render_mermaid  # noqa: E402
from app.process_map.svg import render_svg  # noqa: E402
from app.steps.model import RecordingSteps, Step, TitlePart  # noqa: E402

SYSTEMS = ("Zendesk", "Jira", "Stripe Dashboard", "Confluence", "Salesforce")
ACTIVITIES = 60
BASE_MS = 1_763_800_000_000


def activity_pool() -> list[Step]:
    """One template step per activity; recordings reuse them with their own times."""
    pool = []
    for index in range(ACTIVITIES):
        system = SYSTEMS[index % len(SYSTEMS)]
        title = f"Step {index} in {system}"
        pool.append(Step(
            position=0, kind="click", title=title, parts=(TitlePart(title),),
            activity_key=f"{system.lower()}:screen-{index % 7}:click:{index}", system=system,
            system_category="other", screen=f"Screen {index % 7}", url_template="/x/{id}",
            phase="diagnose", started_at_ms=0, duration_ms=0, active_ms=0, waiting_ms=0,
            idle_ms=0, event_ids=(),
        ))
    return pool


def walk(rng: random.Random, length: int) -> list[int]:
    """A base path through the activities with skips, detours and repeats."""
    path: list[int] = []
    position = 0
    while len(path) < length:
        roll = rng.random()
        if roll < 0.1:
            position += 2
        elif roll < 0.15:
            position = max(0, position - 3)
        elif roll < 0.2:
            path.append(rng.randrange(ACTIVITIES))
            continue
        path.append(position % ACTIVITIES)
        position += 1
    return path


def make_recordings(count: int, length: int, *, timed: bool = True,
                    seed: int = 7) -> list[RecordingSteps]:
    """``count`` recordings of ``length`` steps (timed: with their own positions and times)."""
    rng = random.Random(seed)
    pool = activity_pool()
    out = []
    for number in range(count):
        at = BASE_MS + number * 3_600_000
        steps = []
        for position, activity in enumerate(walk(rng, length)):
            template = pool[activity]
            if timed:
                duration = rng.randrange(1_000, 60_000)
                steps.append(Step(**{**template.to_dict(), "parts": template.parts,
                                     "event_ids": (), "selectors": (), "position": position,
                                     "started_at_ms": at, "duration_ms": duration}))
                at += duration
            else:
                steps.append(template)
        out.append(RecordingSteps(number + 1, "Bench workflow", f"agent-{number % 9}", BASE_MS,
                                  at, tuple(steps)))
    return out


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``work``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def plain_directly_follows(recordings: list[RecordingSteps]) -> dict[tuple[str, str], int]:
    """The baseline: nested loops and a dict, as one would write it without thinking of speed."""
    counts: dict[tuple[str, str], int] = {}
    for recording in recordings:
        previous = START
        for step in recording.steps:
            pair = (previous, step.activity_key)
            counts[pair] = counts.get(pair, 0) + 1
            previous = step.activity_key
        pair = (previous, END)
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def bench_workload(count: int, length: int) -> dict[str, Any]:
    """Timings of every stage for one workload."""
    recordings = make_recordings(count, length)
    graph = build_process_graph(recordings)
    layout = layout_process_map(graph)
    stages: dict[str, Callable[[], object]] = {
        "graph": lambda: build_process_graph(recordings),
        "layout": lambda: layout_process_map(graph),
        "svg": lambda: render_svg(layout),
        "bpmn": lambda: render_bpmn(layout),
        "mermaid": lambda: render_mermaid(layout),
        "graphml": lambda: render_graphml(graph, layout),
        "json": lambda: render_json(graph, layout),
        "xes": lambda: render_xes(recordings),
        "csv": lambda: render_event_csv(recordings),
    }
    times = {name: round(best_of(3, work) * 1000, 1) for name, work in stages.items()}
    return {
        "workload": f"{count} x {length}",
        "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
        "shapes": len(layout.boxes), "flows": len(layout.flows),
        "ms": times, "total_ms": round(sum(times.values()), 1),
    }


def bench_directly_follows() -> dict[str, Any]:
    """Ours against the plain baseline over 1 M events; both must agree."""
    recordings = make_recordings(20_000, 50, timed=False, seed=11)
    events = sum(len(r.steps) for r in recordings)
    assert directly_follows(recordings) == plain_directly_follows(recordings)
    ours = best_of(3, lambda: directly_follows(recordings))
    plain = best_of(3, lambda: plain_directly_follows(recordings))
    return {"events": events, "ours_s": round(ours, 3), "plain_s": round(plain, 3),
            "speedup": round(plain / ours, 2), "target_s": 2.0, "met": ours < 2.0}


def main() -> None:
    """Run every benchmark and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "python": platform.python_version(),
        "workloads": [bench_workload(10, 100), bench_workload(1_000, 50)],
        "directly_follows": bench_directly_follows(),
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    stages = list(results["workloads"][0]["ms"])
    print("| workload | nodes / edges | shapes / flows | " + " | ".join(stages) + " | total |")
    print("|---" * (len(stages) + 4) + "|")
    for row in results["workloads"]:
        cells = " | ".join(f"{row['ms'][stage]:.1f}" for stage in stages)
        print(f"| {row['workload']} | {row['nodes']} / {row['edges']} | "
              f"{row['shapes']} / {row['flows']} | {cells} | {row['total_ms']:.1f} |")
    dfg = results["directly_follows"]
    print(f"\ndirectly-follows over {dfg['events']:,} events: ours {dfg['ours_s']} s, "
          f"plain Python {dfg['plain_s']} s, speedup x{dfg['speedup']} "
          f"(target < {dfg['target_s']} s: {'met' if dfg['met'] else 'NOT met'})")


if __name__ == "__main__":
    main()

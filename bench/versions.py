"""Benchmark: diff of two 1,000-step versions, and merge of 200 recordings x 60 steps.

Run: ``taskset -c 0 .venv/bin/python bench/versions.py`` (one core). Targets: diff < 0.5 s,
merge < 2 s. Inputs are generated from a fixed seed, so every run measures the same work.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.exports import ExportData
from app.steps.model import RecordingSteps, Step, TitlePart
from app.workflows import merge
from app.workflows.changelog import render_diff_json, render_diff_markdown
from app.workflows.diff import Procedure, diff_procedures

SYSTEMS = ("Zendesk", "Stripe", "Jira", "Confluence", "Salesforce")
KINDS = ("click", "choose", "edit", "submit", "navigate")
PHASES = ("triage", "diagnose", "resolve", "confirm", "close")
RUNS = 5


def make_step(n: int, name: str, rng: random.Random, total: int) -> Step:
    system = SYSTEMS[hash(name) % len(SYSTEMS)]
    kind = KINDS[len(name) % len(KINDS)]
    title = f"Click {name} in {system}"
    return Step(
        position=n, kind=kind, title=title, parts=(TitlePart(title),),
        activity_key=f"{system.lower()}:screen-{len(name) % 7}:{kind}:{name}", system=system,
        system_category="other", screen=f"Screen {len(name) % 7}", url_template="/x/{id}",
        phase=PHASES[min(4, n * 5 // max(1, total))], started_at_ms=n * 10_000,
        duration_ms=rng.randint(2_000, 90_000), active_ms=0, waiting_ms=0, idle_ms=0,
        event_ids=(f"e{n}",), control=name, field=name,
        selectors=(f"aria/{name}", f"[data-testid={name}]"),
    )


def two_versions(rng: random.Random, size: int = 1_000) -> tuple[Procedure, Procedure]:
    """A 1,000-step procedure and a new version: 5% renamed, 3% removed, 3% added, 2% moved."""
    names = [f"control-{i}" for i in range(size)]
    old = [make_step(i, name, rng, size) for i, name in enumerate(names)]
    new = list(old)
    for i in rng.sample(range(size), size * 5 // 100):
        step, name = new[i], names[i]
        renamed = {"control": f"{name} v2", "field": f"{name} v2",
                   "activity_key": step.activity_key + "-v2"}
        new[i] = Step(**{**step.to_dict(), "parts": step.parts, "event_ids": step.event_ids,
                         "selectors": step.selectors, **renamed})
    for i in sorted(rng.sample(range(size), size * 3 // 100), reverse=True):
        del new[i]
    for k in range(size * 3 // 100):
        new.insert(rng.randrange(len(new)), make_step(k, f"added-{k}", rng, size))
    for _ in range(size * 2 // 100):
        new.insert(rng.randrange(len(new)), new.pop(rng.randrange(len(new))))
    return Procedure(1, tuple(old)), Procedure(2, tuple(new))


def recordings(rng: random.Random, count: int = 200, length: int = 60) -> list[RecordingSteps]:
    """Recordings of a 60-step process: branches after steps 20 and 40, skips and noise."""
    main = [f"step-{i}" for i in range(length - 4)]
    out = []
    for r in range(count):
        path = list(main)
        roll = rng.random()
        if roll < 0.3:
            path[20:20] = ["billing-a", "billing-b", "billing-c", "billing-d"]
        elif roll < 0.4:
            path[40:40] = ["escalate-a", "escalate-b", "escalate-c", "escalate-d"]
        else:
            path += ["reply-a", "reply-b", "reply-c", "reply-d"]
        if rng.random() < 0.15:
            del path[rng.randrange(len(path))]
        if rng.random() < 0.15:
            path.insert(rng.randrange(len(path)), f"noise-{rng.randrange(30)}")
        steps = tuple(make_step(n, name, rng, len(path)) for n, name in enumerate(path))
        out.append(RecordingSteps(r + 1, "Bench", f"agent-{r % 12:06d}", r * 3_600_000,
                                  r * 3_600_000 + 600_000, steps))
    rng.shuffle(out)
    return out


def best(label: str, run: Callable[[], object], target: float | None = None) -> float:
    times = []
    for _ in range(RUNS):
        merge._align.cache_clear()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    fastest = min(times)
    verdict = "" if target is None else (
        f" (target < {target:.1f} s: {'met' if fastest < target else 'MISSED'})")
    print(f"{label:<52} best {fastest:.3f} s, median {statistics.median(times):.3f} s{verdict}")
    return fastest


def main() -> int:
    rng = random.Random(20261123)
    old, new = two_versions(rng)
    result = diff_procedures(old, new)
    print(f"diff inputs: {len(old.steps)} and {len(new.steps)} steps -> {len(result.added)} "
          f"added, {len(result.removed)} removed, {len(result.changed)} changed, "
          f"{len(result.moved)} moved")
    ok = best("diff of two 1,000-step versions", lambda: diff_procedures(old, new), 0.5) < 0.5
    best("  rendering that diff as JSON and Markdown",
         lambda: (render_diff_json(result), render_diff_markdown(result, "Bench")))
    data = recordings(rng)
    merged = merge.merge_recordings(data)
    print(f"merge inputs: {len(data)} recordings, {sum(len(r.steps) for r in data)} steps -> "
          f"{len(merged.decisions)} decision points, {len(merged.exceptions)} exceptions")
    ok &= best("merge of 200 recordings x 60 steps", lambda: merge.merge_recordings(data),
               2.0) < 2.0
    best("  the whole SOP document (merge included)",
         lambda: ExportData(name="Bench", workflow="Bench", recordings=data).sop())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

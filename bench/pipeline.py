"""Benchmark of the steps stages (normalize, segment, titles, phases, timing) on one core.

Run: .venv/bin/python bench/pipeline.py [--sizes 1000,10000,100000,1000000]

Each size runs in a fresh process: a synthetic support session (help desk, issue tracker,
billing, knowledge base and an unknown admin tool; navigations, clicks, choices, edits,
submits, tab switches, visibility, markers and noise) is built in ``seq`` order, the order in
which the pipeline loads stored events (``--shuffled`` feeds them in random order, to show
the cost of ordering arrivals), then ``derive_steps`` is
timed as CPU time of the process (``time.process_time``: one core, not inflated when other
work shares the machine; wall time shown beside it), best of 5 below 1M events and 1 run at
1M, then run once more under tracemalloc for its peak memory (the input events excluded).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.steps.derive import derive_steps
from app.steps.model import RawEvent, TargetInfo

PAGES = [
    ("https://acme.zendesk.com/agent/tickets/{id}", "Ticket #{id} - Acme Support"),
    ("https://acme.atlassian.net/browse/{key}", "[SUP-1] Login fails - Jira"),
    ("https://dashboard.stripe.com/customers/{id}", "Customer - Stripe"),
    ("https://acme.atlassian.net/wiki/spaces/SUP/pages/{id}/Refunds", "Refunds - Confluence"),
    ("https://admin.acme-internal.com/accounts/{id}", "Account | Acme Admin"),
]
BUTTONS = ["Submit as Solved", "Create issue", "Refund payment", "Public reply", "Search",
           "Customer", "Save", "Escalate"]
FIELDS = [("Priority", "select", "Urgent"), ("Group", "select", "Tier 2"),
          ("Subject", "text", None), ("Internal note", "textarea", None)]


def synthetic_events(count: int, seed: int = 7) -> list[RawEvent]:
    """A deterministic, realistic mix of ``count`` events."""
    rnd = random.Random(seed)
    out: list[RawEvent] = []
    ts = 1_763_800_000_000
    tab = 1
    url, title = PAGES[0]
    for seq in range(count):
        ts += rnd.choice((150, 400, 900, 2_500, 8_000, 70_000))
        roll = rnd.random()
        common = {"id": f"{seq:08d}", "seq": seq, "ts": ts, "tab": tab, "url": url,
                  "title": title}
        if roll < 0.12:
            tab = rnd.randint(1, len(PAGES))
            url, title = PAGES[tab - 1]
            common.update(tab=tab, url=url, title=title)
            out.append(RawEvent(type="navigation", transition=rnd.choice(("link", "typed")),
                                load_ms=rnd.randint(100, 3_000), **common))  # type: ignore[arg-type]
        elif roll < 0.50:
            name = rnd.choice(BUTTONS)
            target = TargetInfo(tag="button", role="button", name=name,
                                selectors=(f"aria/{name}",))
            out.append(RawEvent(type="click", target=target, **common))  # type: ignore[arg-type]
        elif roll < 0.75:
            label, control, choice = rnd.choice(FIELDS)
            target = TargetInfo(tag="select" if control == "select" else "input", name=label,
                                selectors=(f"#{label.lower()}",))
            out.append(RawEvent(type="change", field=label, control=control, choice=choice,
                                target=target, **common))  # type: ignore[arg-type]
        elif roll < 0.80:
            out.append(RawEvent(type="submit", target=TargetInfo(tag="form", form="Ticket"),
                                **common))  # type: ignore[arg-type]
        elif roll < 0.88:
            tab = rnd.randint(1, len(PAGES))
            url, title = PAGES[tab - 1]
            common.update(tab=tab, url=url, title=title)
            out.append(RawEvent(type="tab_switch", **common))  # type: ignore[arg-type]
        elif roll < 0.96:
            out.append(RawEvent(type="visibility", state=rnd.choice(("hidden", "visible")),
                                **common))  # type: ignore[arg-type]
        elif roll < 0.98:
            out.append(RawEvent(type="marker", label=rnd.choice(("Escalating now",
                                                                 "Customer confirmed")),
                                **common))  # type: ignore[arg-type]
        else:
            out.append(RawEvent(type="click", target=TargetInfo(tag="body"),
                                **common))  # type: ignore[arg-type]
    return out


def measure(count: int, shuffled: bool = False) -> dict[str, float]:
    """Time and peak memory of ``derive_steps`` on ``count`` events (in ``seq`` order)."""
    events = synthetic_events(count)
    if shuffled:
        random.Random(11).shuffle(events)
    runs = 1 if count >= 1_000_000 else 5
    best = wall = float("inf")
    steps = 0
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = derive_steps(events)
        best = min(best, time.process_time() - cpu)
        wall = min(wall, time.perf_counter() - started)
        steps = len(result.steps)
        del result
    tracemalloc.start()
    derive_steps(events)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"events": count, "steps": steps, "seconds": round(best, 3),
            "wall": round(wall, 3), "peak_mib": round(peak / 2**20, 1)}


def main() -> None:
    """Run every size in its own process and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--shuffled", action="store_true",
                        help="feed the events in random order instead of seq order")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.shuffled)))
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--one", str(size)]
        done = subprocess.run(command + (["--shuffled"] if args.shuffled else []), check=True,
                              capture_output=True, text=True)
        rows.append(json.loads(done.stdout))
    print("| events | steps | CPU time (s) | wall (s) | µs/event | peak memory (MiB) "
          "| time x vs previous |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    previous = None
    for row in rows:
        ratio = f"{row['seconds'] / previous['seconds']:.1f}x" if previous else "—"
        per = 1e6 * row["seconds"] / row["events"]
        print(f"| {row['events']:,} | {row['steps']:,} | {row['seconds']:.3f} | "
              f"{row['wall']:.3f} | {per:.1f} | {row['peak_mib']} | {ratio} |")
        previous = row


if __name__ == "__main__":
    main()

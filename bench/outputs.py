"""Every SOP and timing-report output for a workflow of 1,000 steps (target: under 1 s in total).

Run: ``taskset -c 0 .venv/bin/python bench/outputs.py``. The steps are literal (no database), so
this measures the document model, the figures and the renderers only.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.exports import EXPORTS, ExportData
from app.sop.document import LeadDetails
from app.steps.model import PHASES
from tests.sop.builders import recording, step

SYSTEMS = ("Zendesk", "Stripe", "Jira", "Confluence", "Slack")
KINDS = ("click", "choose", "edit", "submit", "navigate")


def workflow(steps: int = 1_000) -> ExportData:
    """One recording of ``steps`` steps across five systems and every phase."""
    specs = []
    for i in range(steps):
        kind = KINDS[i % len(KINDS)]
        choose = kind == "choose"
        extra = {"field": f"Field {i % 40}", "choice": f"Option {i % 7}"} if choose else {}
        specs.append(step(f"Do **thing {i % 300}** on screen {i % 25}", kind=kind,
                          system=SYSTEMS[(i // 7) % len(SYSTEMS)], screen=f"Screen {i % 25}",
                          phase=PHASES[min(i * len(PHASES) // steps, len(PHASES) - 1)],
                          duration_ms=2_000 + (i * 37) % 20_000, waiting_ms=(i % 5) * 100,
                          is_triage=i % 50 == 0, is_escalation=i % 97 == 0, **extra))
    return ExportData(name="Bench", workflow="Bench", recordings=[recording(specs)],
                      details=LeadDetails(purpose="Benchmark"))


def main() -> None:
    """Render every format once to warm up, then time each and the total (best of 3)."""
    data = workflow()
    formats = [(a, f, e) for a, fs in EXPORTS.items() if a in ("sop", "timing-report")
               for f, e in fs.items()]
    for _, _, export in formats:
        export.render(data)
    best: dict[str, float] = {}
    for _ in range(3):
        for artifact, name, export in formats:
            started = time.perf_counter()
            export.render(data)
            elapsed = time.perf_counter() - started
            key = f"{artifact} {name}"
            best[key] = min(best.get(key, elapsed), elapsed)
    for key, seconds in best.items():
        print(f"{key:<22} {seconds * 1000:8.1f} ms")
    print(f"{'total':<22} {sum(best.values()) * 1000:8.1f} ms  (1,000 steps, every output)")


if __name__ == "__main__":
    main()

"""Run every benchmark of the project and write the figures into docs/benchmarks.md.

    .venv/bin/python bench/run_all.py [--postgres URL] [--only NAME ...]

Each benchmark's output replaces the block between ``<!-- run_all:NAME -->`` and
``<!-- /run_all:NAME -->`` in its section of docs/benchmarks.md (a section is added at the end
when the markers are missing); the words around the blocks are kept. The header block records the
machine, the date and the command. Benchmarks that the issues ask for on one core run under
``taskset -c 0``. The side-by-side ratios (our ingest against a raw insert; our directly-follows
counting against a plain-Python baseline) are printed by the benchmarks themselves, measured in
the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
PYTHON = sys.executable


@dataclass(frozen=True)
class Bench:
    name: str
    title: str
    args: tuple[str, ...]
    one_core: bool = False
    postgres_flag: bool = False


BENCHES = (
    Bench("ingest", "Ingest", ("bench/ingest.py",), postgres_flag=True),
    Bench("load", "Overload", ("bench/load.py",), postgres_flag=True),
    Bench("pipeline", "Pipeline", ("bench/pipeline.py",), one_core=True),
    Bench("outputs", "Outputs", ("bench/outputs.py",), one_core=True),
    Bench("process_map", "Process map", ("bench/process_map.py",), one_core=True),
    Bench("versions", "Versions", ("bench/versions.py",), one_core=True),
    Bench("pages", "Pages", ("bench/pages.py",), one_core=True),
    Bench("version_pages", "Version pages", ("bench/version_pages.py",), one_core=True),
    Bench(
        "extension",
        "Extension",
        ("-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
         "tests/browser/test_extension_resilience.py", "-k", "cost"),
    ),
)


def command_for(bench: Bench, postgres: str | None) -> list[str]:
    """The command line of one benchmark."""
    command = [PYTHON, *bench.args]
    if bench.postgres_flag and postgres:
        command += ["--postgres", postgres]
    if bench.one_core and shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    return command


def machine() -> str:
    """What the figures were measured on."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1).strip() if match else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"MemTotal:\s*(\d+)", meminfo.read_text())
        memory = f", {int(match.group(1)) // 1024 // 1024} GiB RAM" if match else ""
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    flags = " --postgres URL" if "--postgres" in sys.argv else ""
    return (
        f"- Machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.platform()}\n"
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{postgres or 'PostgreSQL client not found'}\n"
        f"- Load average when the run started: {load}\n"
        f"- Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"`.venv/bin/python bench/run_all.py{flags}`"
    )


def replace_block(text: str, name: str, title: str, body: str) -> str:
    """Put ``body`` between the markers of ``name``.

    Without markers yet, the block goes at the end of the ``## title`` section (the words written
    there are kept), or into a new section at the end of the file.
    """
    start, end = f"<!-- run_all:{name} -->", f"<!-- /run_all:{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text)
    heading = re.search(rf"^## {re.escape(title)}[ \t]*$", text, re.M)
    if heading is None:
        return text.rstrip() + f"\n\n## {title}\n\n{block}\n"
    following = re.search(r"^## ", text[heading.end():], re.M)
    cut = heading.end() + following.start() if following else len(text)
    latest = f"\n### Latest run of bench/run_all.py\n\n{block}\n\n"
    return text[:cut].rstrip() + "\n" + latest + text[cut:].lstrip("\n")


def run(bench: Bench, postgres: str | None) -> tuple[str, bool]:
    """Run one benchmark; returns the Markdown block and whether it succeeded."""
    command = command_for(bench, postgres)
    shown = " ".join(a.replace(PYTHON, ".venv/bin/python") for a in command)
    if postgres:
        shown = shown.replace(postgres, "postgresql://…")
    print(f"== {bench.name}: {shown}", flush=True)
    began = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    elapsed = time.monotonic() - began
    output = (done.stdout + ("\n" + done.stderr if done.returncode else "")).strip()
    print(output, flush=True)
    status = "" if done.returncode == 0 else f" — exited with {done.returncode}"
    body = f"Command: `{shown}` ({elapsed:.0f} s{status})\n\n```\n{output[-6000:]}\n```"
    return body, done.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL URL for the benchmarks that take one")
    parser.add_argument("--only", nargs="+", help="run only these benchmarks")
    args = parser.parse_args()
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if "<!-- run_all:machine -->" not in text:
        first, _, rest = text.partition("\n")
        markers = "<!-- run_all:machine -->\n<!-- /run_all:machine -->"
        text = f"{first}\n\n## Machine\n\n{markers}\n{rest}"
    text = replace_block(text, "machine", "Machine", machine())
    ok = True
    for bench in BENCHES:
        if args.only and bench.name not in args.only:
            continue
        body, succeeded = run(bench, args.postgres)
        ok &= succeeded
        text = replace_block(text, bench.name, bench.title, body)
        DOC.write_text(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

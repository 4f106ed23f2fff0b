"""The replay export is a user flow that Chrome's own Recorder library accepts.

``@puppeteer/replay`` (the library behind the DevTools Recorder panel, from
``tests/browser/node_modules``) parses the flow and turns it into a Puppeteer script.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.replay.flow import to_user_flow
from tests.process_map.demo_data import load_demo_workflow
from tests.process_map.test_injection import hostile_recordings

HERE = Path(__file__).resolve().parent
CHECK = """
const {parse, stringify} = require('@puppeteer/replay');
let text = '';
process.stdin.on('data', chunk => { text += chunk; });
process.stdin.on('end', async () => {
  const flow = parse(JSON.parse(text));
  const script = await stringify(flow);
  console.log(JSON.stringify({types: flow.steps.map(s => s.type), script: script.length}));
});
"""


def replay_parse(flow: dict[str, Any]) -> dict[str, Any]:
    """What @puppeteer/replay makes of ``flow``; fails the test on a parse error."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "@puppeteer" / "replay").exists():
        if os.environ.get("CI"):
            pytest.fail("node and `npm ci --prefix tests/browser` are needed")
        pytest.skip("node or @puppeteer/replay is not installed")
    done = subprocess.run([node, "-e", CHECK], input=json.dumps(flow), capture_output=True,
                          text=True, cwd=HERE, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_demo_recording_replay_parses(client: TestClient, session: Any, settings: Any,
                                      make_account: Any) -> None:
    workflow, recordings = load_demo_workflow(session, settings)
    lead = make_account("lead", team="Support")
    response = client.get(f"/api/v1/recordings/{recordings[0].recording_id}/replay",
                          headers=lead.headers)
    assert response.status_code == 200, response.text
    result = replay_parse(response.json())
    assert result["types"][:2] == ["setViewport", "navigate"]
    assert result["types"].count("click") >= 5 and result["script"] > 0
    assert workflow.name


def test_hostile_selectors_still_parse() -> None:
    result = replay_parse(to_user_flow(hostile_recordings()[0]))
    assert result["types"].count("click") > 40

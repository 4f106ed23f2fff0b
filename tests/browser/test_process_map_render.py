"""The process map as people will open it: the SVG in Chromium, the BPMN in the bpmn-js viewer,
the Mermaid text in the mermaid package, all from ``tests/browser/node_modules`` (``npm ci
--prefix tests/browser``). Screenshots land in ``tests/artifacts/`` for review."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from app.process_map.export import render_process_map
from app.steps.model import RecordingSteps
from tests.process_map.demo_data import load_demo_workflow
from tests.process_map.samples import demo_recording, merged_recordings
from tests.process_map.test_injection import hostile_recordings

pytestmark = pytest.mark.browser

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
BPMN_JS = NODE_MODULES / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"
BPMN_CSS = [NODE_MODULES / "bpmn-js" / "dist" / "assets" / name
            for name in ("diagram-js.css", "bpmn-js.css")]
MERMAID = NODE_MODULES / "mermaid" / "dist" / "mermaid.min.js"
CASES = {"demo": lambda: [demo_recording()], "merged": merged_recordings,
         "hostile": hostile_recordings}


def require_node_modules() -> None:
    """Skip (fail under CI) when the npm packages are not installed."""
    if BPMN_JS.exists() and MERMAID.exists():
        return
    message = "run `npm ci --prefix tests/browser` for bpmn-js and mermaid"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def page(browser: Any) -> Any:
    require_node_modules()
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.errors = errors
    yield page
    page.close()


def _recordings(case: str) -> list[RecordingSteps]:
    return CASES[case]()


def open_in_bpmn_js(page: Any, xml: str) -> dict[str, Any]:
    """Import ``xml`` into the bpmn-js viewer; its warnings and element counts, or the error."""
    page.set_content("<!doctype html><html><head><meta charset=utf-8></head><body>"
                     "<div id=canvas style='width:1580px;height:880px'></div></body></html>")
    for css in BPMN_CSS:
        page.add_style_tag(path=str(css))
    page.add_script_tag(path=str(BPMN_JS))
    result: dict[str, Any] = page.evaluate(
        """async (xml) => {
            const viewer = new BpmnJS({container: '#canvas'});
            try {
                const {warnings} = await viewer.importXML(xml);
                viewer.get('canvas').zoom('fit-viewport');
                const registry = viewer.get('elementRegistry');
                return {
                    warnings: warnings.map(w => String(w.message || w)),
                    shapes: registry.filter(e => e.type === 'bpmn:Task').length,
                    lanes: registry.filter(e => e.type === 'bpmn:Lane').length,
                    gateways: registry.filter(e => e.type === 'bpmn:ExclusiveGateway').length,
                    flows: registry.filter(e => e.type === 'bpmn:SequenceFlow').length,
                };
            } catch (error) {
                return {error: String(error), warnings: (error.warnings || []).map(String)};
            }
        }""",
        xml,
    )
    return result


def render_in_mermaid(page: Any, text: str) -> dict[str, Any]:
    """Parse and render ``text`` with mermaid; node count, scripts, handlers, text, or the error."""
    page.set_content("<!doctype html><html><head><meta charset=utf-8></head>"
                     "<body><div id=out></div></body></html>")
    page.add_script_tag(path=str(MERMAID))
    result: dict[str, Any] = page.evaluate(
        """async (text) => {
            mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});
            try {
                await mermaid.parse(text);
                const {svg} = await mermaid.render('map', text);
                document.getElementById('out').innerHTML = svg;
                const root = document.querySelector('#out svg');
                return {
                    nodes: root.querySelectorAll('.node').length,
                    scripts: root.querySelectorAll('script').length,
                    handlers: [...root.querySelectorAll('*')].flatMap(
                        el => [...el.attributes].map(a => a.name)).filter(n => n.startsWith('on')),
                    text: root.textContent,
                };
            } catch (error) {
                return {error: String(error && error.message || error)};
            }
        }""",
        text,
    )
    return result


@pytest.mark.parametrize("case", ["demo", "merged", "hostile"])
def test_svg_renders_in_chromium(page: Any, artifacts_dir: Path, case: str) -> None:
    svg = render_process_map(_recordings(case), "svg")
    page.set_content("<!doctype html><html><body style='margin:0'>" + svg + "</body></html>")
    box = page.locator("svg").first.bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    assert page.locator("svg .pm-shape-activity").count() >= 7
    assert page.evaluate("() => window.__pwned === undefined && !document.querySelector('script')")
    page.screenshot(path=str(artifacts_dir / f"process-map-{case}.png"), timeout=60_000)
    assert page.errors == []


@pytest.mark.parametrize("case", ["demo", "merged", "hostile"])
def test_bpmn_opens_in_bpmn_js_without_warnings(page: Any, artifacts_dir: Path,
                                                 case: str) -> None:
    xml = render_process_map(_recordings(case), "bpmn")
    result = open_in_bpmn_js(page, xml)
    page.screenshot(path=str(artifacts_dir / f"bpmn-js-{case}.png"), timeout=60_000)
    assert "error" not in result, result
    assert result["warnings"] == []
    tasks = len({s.activity_key for r in _recordings(case) for s in r.steps})
    assert result["shapes"] == tasks
    assert result["lanes"] >= 1 and result["flows"] >= tasks + 1
    if case == "merged":
        assert result["gateways"] == 2
    assert page.errors == []


@pytest.mark.parametrize("case", ["demo", "merged", "hostile"])
def test_mermaid_parses_and_renders(page: Any, artifacts_dir: Path, case: str) -> None:
    text = render_process_map(_recordings(case), "mermaid")
    result = render_in_mermaid(page, text)
    page.screenshot(path=str(artifacts_dir / f"mermaid-{case}.png"), full_page=False,
                    timeout=60_000)
    assert "error" not in result, result.get("error")
    assert result["nodes"] >= 7
    assert result["scripts"] == 0 and result["handlers"] == []
    if case == "hostile":
        assert "<script>alert(1)</script>" in result["text"]  # shown as text
        assert json.dumps(result["text"])  # and nothing ran
    assert not page.evaluate("() => window.__pwned === true")


def test_pipeline_demo_workflow_opens_in_bpmn_js_and_mermaid(
    page: Any, artifacts_dir: Path, session: Any, settings: Any
) -> None:
    _, recordings = load_demo_workflow(session, settings)
    result = open_in_bpmn_js(page, render_process_map(recordings, "bpmn"))
    page.screenshot(path=str(artifacts_dir / "bpmn-js-demo-workflow.png"), timeout=60_000)
    assert "error" not in result, result
    assert result["warnings"] == [] and result["gateways"] >= 1
    rendered = render_in_mermaid(page, render_process_map(recordings, "mermaid"))
    page.screenshot(path=str(artifacts_dir / "mermaid-demo-workflow.png"), timeout=60_000)
    assert "error" not in rendered, rendered.get("error")
    assert page.errors == []

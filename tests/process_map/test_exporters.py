"""SVG, Mermaid, GraphML and node-link JSON exports of one layout."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

import networkx as nx

from app.process_map.export import FORMATS, render_process_map
from app.process_map.graph import build_process_graph
from tests.process_map.samples import demo_recording, merged_recordings

SVG = "{http://www.w3.org/2000/svg}"
MERMAID_LINE = re.compile(
    r'flowchart LR|  subgraph Lane_\d+\["[^"]*"\]|    direction LR|  end'
    r'|    (StartEvent_1|EndEvent_1|Activity_\d+|Gateway_\d+)[\[{(]+"[^"]*"[\]})]+'
    r'|  \w+ (-->|-\.->)\|"[^"]*"\| \w+|  classDef map\w+ [\w:#,]+|  class [\w,]+ map\w+'
)


class TestRenderSvg:
    def test_has_lanes_shapes_flows_labels_and_legend(self) -> None:
        root = ET.fromstring(render_process_map(merged_recordings(), "svg"))
        texts = [t.text or "" for t in root.iter(f"{SVG}text")]
        assert {"Zendesk", "Jira", "Confluence", "Stripe Dashboard"} <= set(texts)
        assert any("Click Refund" in t for t in texts)
        assert any(t.startswith("4\u00d7 ·") for t in texts)  # an edge count and time
        assert len(list(root.iter(f"{SVG}polyline"))) >= 10
        assert root.find(f".//{SVG}g[@class='pm-legend-group']") is not None

    def test_no_external_assets_or_script(self) -> None:
        text = render_process_map(merged_recordings(), "svg")
        root = ET.fromstring(text)
        for element in root.iter():
            assert element.tag not in (f"{SVG}script", f"{SVG}image", f"{SVG}foreignObject")
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on")
                assert "http" not in value or name == "xmlns"
        assert "href" not in text


class TestRenderMermaid:
    def test_every_line_is_in_the_small_grammar_we_emit(self) -> None:
        text = render_process_map(merged_recordings(), "mermaid")
        for line in text.splitlines():
            assert MERMAID_LINE.fullmatch(line), line

    def test_lanes_are_subgraphs_and_loops_dotted(self) -> None:
        text = render_process_map(merged_recordings(), "mermaid")
        assert text.count("subgraph ") == 4
        assert text.count("-.->") == 1


class TestRenderGraphml:
    def test_round_trips_through_networkx(self) -> None:
        recs = merged_recordings()
        graph = build_process_graph(recs)
        back = nx.read_graphml(io.BytesIO(render_process_map(recs, "graphml").encode()))
        assert set(back.nodes) == set(graph.nodes)
        for node, data in graph.nodes(data=True):
            for key, value in data.items():
                assert back.nodes[node][key] == value, (node, key)
        assert {(s, t): d["count"] for s, t, d in back.edges(data=True)} == {
            (s, t): d["count"] for s, t, d in graph.edges(data=True)}


class TestRenderJson:
    def test_node_link_round_trip_with_positions(self) -> None:
        recs = merged_recordings()
        data = json.loads(render_process_map(recs, "json"))
        back = nx.node_link_graph(data, edges="edges")
        graph = build_process_graph(recs)
        assert ({node: name for node, name in back.nodes(data="name")}
                == {node: name for node, name in graph.nodes(data="name")})
        assert all("x" in node and "lane" in node for node in data["nodes"])
        assert data["graph"]["recordings"] == 4


def test_every_format_is_registered_with_a_media_type() -> None:
    assert set(FORMATS) == {"svg", "bpmn", "mermaid", "graphml", "json"}
    for fmt in FORMATS:
        assert render_process_map([demo_recording()], fmt).strip()

"""The process map: graph building, layout (pure), and its exporters."""

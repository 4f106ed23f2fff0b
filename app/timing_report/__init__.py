"""The timing report: pure figures from steps, and their renderers."""

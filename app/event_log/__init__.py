"""The event log for process-mining tools: XES and CSV writers, and the XES reader."""

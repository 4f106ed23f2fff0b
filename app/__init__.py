"""SOP Recorder: recorded support work in, SOPs, process maps and timing reports out."""

__version__ = "0.1.0"

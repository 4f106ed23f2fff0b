"""From events to steps: normalize, place in systems, segment, phase, time (all pure)."""

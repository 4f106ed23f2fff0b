"""Replayable steps: a recording's steps as a Chrome DevTools Recorder user flow."""

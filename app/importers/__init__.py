"""Importers: recordings made by other tools (DevTools Recorder, Action Logger) as our events."""

from app.importers.upload import Upload, import_recording, read_upload

__all__ = ["Upload", "import_recording", "read_upload"]

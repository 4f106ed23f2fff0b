"""Importers: recordings made by other tools (DevTools Recorder, Action Logger) as our events."""

from app.importers.devtools import USER_FLOW_SCHEMA
from app.importers.upload import (
    Upload,
    import_file,
    import_recording,
    read_upload,
    reprocess_recordings,
)

__all__ = [
    "USER_FLOW_SCHEMA",
    "Upload",
    "import_file",
    "import_recording",
    "read_upload",
    "reprocess_recordings",
]

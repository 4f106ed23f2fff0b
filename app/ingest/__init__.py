"""Ingest: the wire format, redaction, the idempotent batch store, and the recording routes."""

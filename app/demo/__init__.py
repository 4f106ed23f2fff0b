"""The bundled demo: a realistic support-ticket recording loaded through the real ingest path."""

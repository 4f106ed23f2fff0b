"""Workflows: what recordings belong to, the lead's edits, versions, merges, and their routes."""

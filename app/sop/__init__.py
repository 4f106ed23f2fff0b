"""The SOP: a typed document model built from steps, and its renderers."""

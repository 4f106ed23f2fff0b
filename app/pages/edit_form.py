"""The lead's sections as HTML forms: which fields each section has, and form <-> details.

Validation is not here: the parsed values go through ``app.workflows.schemas.WorkflowUpdate``,
and its errors come back keyed by form field so that each message sits next to its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.steps.model import PHASE_NAMES, PHASES

__all__ = ["SECTIONS", "Column", "Section", "errors_by_field", "form_values", "parse_section"]

#: Rows a table section offers beyond those already filled in, and the most it reads.
BLANK_ROWS = 2
MAX_ROWS = 100


@dataclass(frozen=True, slots=True)
class Column:
    """One input: a simple field, or a column of a table section."""

    name: str
    label: str
    kind: str = "text"  # text | textarea | date | number | select
    hint: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    """A form of the edit page: ``fields`` (one input each), ``lines`` or ``rows`` (a table)."""

    key: str
    heading: str
    kind: str
    columns: tuple[Column, ...]
    help: str = ""
    name: str = ""  # the details key of a lines or rows section


_MEASURES = ("total", *PHASES)
SECTIONS: tuple[Section, ...] = (
    Section("document-control", "Document control", "fields", (
        Column("title", "Title of the SOP", hint="Leave empty to use the workflow's name."),
        Column("owner", "Owner"), Column("approver", "Approver"),
        Column("effective_date", "Effective date", "date"),
        Column("review_interval_days", "Review every (days)", "number",
               hint="For example 90; the next review date follows from it."),
    )),
    Section("purpose", "Purpose", "fields", (Column("purpose", "Purpose", "textarea"),)),
    Section("scope", "Scope", "fields", (
        Column("scope", "In scope", "textarea"), Column("out_of_scope", "Out of scope", "textarea"),
    )),
    Section("roles", "Roles and responsibilities (RACI)", "rows", (
        Column("role", "Role"), Column("responsibilities", "Responsibilities"),
        *(Column(f"raci-{p}", f"{PHASE_NAMES[p]} (R, A, C, I)") for p in PHASES),
    ), "One row per role; for each phase write R, A, C or I (or several, such as AR).", "roles"),
    Section("prerequisites", "Information needed before starting", "lines",
            (Column("prerequisites", "One item per line", "textarea"),), name="prerequisites"),
    Section("slas", "SLA and response targets", "rows", (
        Column("name", "Target"), Column("target_minutes", "Minutes", "number"),
        Column("measure", "Measured on", "select", options=_MEASURES),
    ), "The measured times appear beside each target in the SOP.", "sla_targets"),
    Section("escalation", "Escalation path", "rows", (
        Column("trigger", "When"), Column("escalate_to", "Escalate to"),
        Column("contact", "Contact"), Column("sla", "Within"),
    ), name="escalation"),
    Section("triage", "Triage conditions", "rows", (
        Column("field", "Field"), Column("choice", "Choice"), Column("when", "Choose it when"),
    ), "Say when each triage choice applies, for example Priority → Urgent when the customer "
       "cannot log in.", "triage_conditions"),
    Section("exceptions", "Exceptions and edge cases", "lines",
            (Column("exceptions", "One case per line", "textarea"),), name="exceptions"),
    Section("quality", "Quality checks", "lines",
            (Column("quality_checks", "One check per line", "textarea"),), name="quality_checks"),
    Section("related", "Related documents", "rows", (
        Column("title", "Title"), Column("url", "Address (https://…)"),
    ), name="related_documents"),
)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


def _row_value(row: Mapping[str, Any], column: str) -> str:
    if column.startswith("raci-"):
        return str((row.get("raci") or {}).get(column.removeprefix("raci-"), ""))
    value = row.get(column)
    return "" if value is None else str(value)


def form_values(details: Mapping[str, Any]) -> dict[str, str]:
    """The stored details as flat form values (``roles-0-role``, ``prerequisites``, ...)."""
    values: dict[str, str] = {}
    for section in SECTIONS:
        if section.kind == "fields":
            for column in section.columns:
                value = details.get(column.name)
                values[column.name] = "" if value is None else str(value)
        elif section.kind == "lines":
            values[section.name] = "\n".join(str(v) for v in details.get(section.name) or ())
        else:
            for index, row in enumerate(details.get(section.name) or ()):
                for column in section.columns:
                    values[f"{section.name}-{index}-{column.name}"] = _row_value(row, column.name)
    return values


def row_count(section: Section, values: Mapping[str, str]) -> int:
    """How many rows a table section shows: those with a value, plus blank ones to fill."""
    used = [i for i in range(MAX_ROWS)
            if any(values.get(f"{section.name}-{i}-{c.name}") for c in section.columns)]
    return (max(used) + 1 if used else 0) + BLANK_ROWS


def _parse_rows(section: Section, form: Mapping[str, str]) -> tuple[list[Any], list[int]]:
    rows: list[Any] = []
    origins: list[int] = []
    for index in range(MAX_ROWS):
        cells = {c.name: form.get(f"{section.name}-{index}-{c.name}", "").strip()
                 for c in section.columns}
        if not any(cells.values()):
            continue
        row: dict[str, Any] = {k: v for k, v in cells.items() if not k.startswith("raci-")}
        if section.name == "roles":
            row["raci"] = {k.removeprefix("raci-"): v for k, v in cells.items()
                           if k.startswith("raci-") and v}
        if section.name == "sla_targets" and not row.get("measure"):
            row.pop("measure")
        rows.append(row)
        origins.append(index)
    return rows, origins


def parse_section(section: Section, form: Mapping[str, str]) -> tuple[dict[str, Any], list[int]]:
    """The section's part of ``WorkflowDetailsIn`` from the posted form, and row origins.

    Empty table rows are dropped; ``origins[i]`` is the form row of parsed row ``i``, so that
    errors can point back at what the lead typed.
    """
    if section.kind == "fields":
        payload: dict[str, Any] = {}
        for column in section.columns:
            raw = form.get(column.name, "").strip()
            payload[column.name] = (raw or None) if column.kind in ("date", "number") else raw
        return payload, []
    if section.kind == "lines":
        lines = [line.strip() for line in form.get(section.name, "").splitlines()]
        return {section.name: [line for line in lines if line]}, []
    rows, origins = _parse_rows(section, form)
    return {section.name: rows}, origins


def errors_by_field(error: ValidationError, origins: list[int]) -> dict[str, str]:
    """Pydantic's errors keyed by form field (``roles-2-role``), or by row (``roles-2``)."""
    out: dict[str, str] = {}
    for item in error.errors():
        loc = [p for p in item["loc"] if p != "details"]
        message = str(item["msg"]).removeprefix("Value error, ")
        if not loc:
            continue
        name = str(loc[0])
        if len(loc) >= 2 and isinstance(loc[1], int):
            row = origins[loc[1]] if loc[1] < len(origins) else loc[1]
            if not origins:
                out.setdefault(name, f"Line {loc[1] + 1}: {message}")
                continue
            cell = len(loc) >= 3 and loc[2] != "raci"
            key = f"{name}-{row}-{loc[2]}" if cell else f"{name}-{row}"
            out.setdefault(key, message)
        else:
            out.setdefault(name, message)
    return out

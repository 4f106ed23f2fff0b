"""Action Logger UI logs (CSV) as wire-format events.

Only the browser's rows become events; spreadsheet and clipboard rows are outside the browser
and are counted as skipped. The ``content`` and ``target.value`` columns hold what the user
typed or copied and are never read, nor is ``target.innerHTML``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime
from typing import Any

from app.importers.wire import EventWriter, ImportedRecording
from app.steps.places import humanize

__all__ = ["REQUIRED_COLUMNS", "field_label", "read_ui_log"]

REQUIRED_COLUMNS = ("timeStamp", "targetApp", "eventType", "url")
_MAX_ROWS = 200_000


def field_label(name: str, element_id: str = "") -> str | None:
    """A readable label from a form element's name (or id); form-builder prefixes dropped.

    >>> field_label("q3_name[first]"), field_label("q6_studentId"), field_label("", "Date-date")
    ('Name First', 'Student Id', 'Date Date')
    >>> field_label("q12_reimbursementDetails[0][]", "input_12_0_3")
    'Reimbursement Details 4'

    """
    raw = re.sub(r"^q\d+_", "", name or element_id)
    label = humanize(re.sub(r"\[\d*\]", " ", raw))
    column = re.search(r"_(\d+)$", element_id)
    if name.endswith("[]") and column:
        label = f"{label} {int(column.group(1)) + 1}"
    return label[:200] or None


def _ms(stamp: str, row: int) -> int:
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"row {row}: timeStamp {stamp[:40]!r} is not an ISO date-time") from exc
    return int(moment.timestamp() * 1000)


def _text(value: str | None) -> str | None:
    text = " ".join((value or "").replace("\\n", " ").replace("\\t", " ").split())
    return text[:200] or None


def _field_target(row: dict[str, str]) -> dict[str, Any]:
    selectors = []
    if row.get("target.id"):
        selectors.append("#" + row["target.id"])
    if row.get("target.name"):
        selectors.append(f"[name={row['target.name']}]")
    return {
        "tag": (row.get("target.tagName") or "input").lower(),
        "input_type": row.get("target.type") or None,
        "name": field_label(row.get("target.name", ""), row.get("target.id", "")),
        "selectors": selectors,
    }


def _control_of(row: dict[str, str]) -> str:
    kind = (row.get("target.type") or "").lower()
    return {"date": "date", "number": "number", "textarea": "textarea", "checkbox": "checkbox",
            "radio": "radio"}.get(kind, "text")


def _emit(writer: EventWriter, row: dict[str, str], ts: int) -> bool:
    """Turn one browser row into events; False when the row is not an action we keep."""
    kind = row["eventType"]
    url = row.get("url") or ""
    if kind == "createNewTab":
        tab_id = row.get("target.id") or ""
        known = tab_id.isdigit() and int(tab_id) < 2**31
        writer.switch_tab(int(tab_id) if known else max(writer.pages, default=1) + 1, ts)
        return True
    if kind == "navigate_to":
        writer.navigate(url, "", ts, "typed")
        return True
    if kind == "form_submit":
        writer.act("submit", ts, {"tag": "form"})
        writer.arrive(url, ts, "form_submit")
        return True
    if kind not in ("clickTextField", "editField", "clickButton", "clickLink", "clickCheckbox"):
        return False
    writer.arrive(url, ts, "new_tab" if writer.tab not in writer.pages else "link")
    target = _field_target(row)
    if kind == "clickTextField":
        writer.act("click", ts, target)
    elif kind == "editField":
        writer.act("change", ts, target, control=_control_of(row), field=target["name"])
    elif kind == "clickCheckbox" or _control_of(row) in ("checkbox", "radio"):
        checked = (row.get("target.checked") or "").lower() == "true"
        writer.act("change", ts, target, control=_control_of(row), field=target["name"],
                   checked=checked)
    else:
        name = _text(row.get("target.innerText")) or _text(row.get("target.title"))
        tag = "a" if kind == "clickLink" else "button"
        writer.act("click", ts, {"tag": tag, "name": name, "selectors": target["selectors"],
                                 "role": "link" if tag == "a" else "button"})
    return True


def read_ui_log(text: str) -> ImportedRecording:
    """The browser events of an Action Logger CSV log, in row order.

    >>> log = ('"timeStamp","targetApp","eventType","url","content","target.name","target.value"\\n'
    ...        '"2020-01-01T00:00:00Z","Chrome","navigate_to","https://f.test/x","","",""\\n'
    ...        '"2020-01-01T00:00:01Z","Chrome","editField","https://f.test/x","","q1_email","j@d.co"\\n'
    ...        '"2020-01-01T00:00:02Z","Excel","getCell","","","","secret"\\n')
    >>> rec = read_ui_log(log)
    >>> [e["type"] for e in rec.events], dict(rec.skipped), "j@d.co" in str(rec.events)
    (['navigation', 'change'], {'Excel getCell': 1}, False)
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"not an Action Logger UI log: missing column(s) {', '.join(missing)}")
    digest = hashlib.sha256(text.encode()).hexdigest()
    recording = ImportedRecording(title="Imported UI log", source="action-logger")
    writer = EventWriter(recording, digest)
    for number, row in enumerate(reader, start=2):
        if number > _MAX_ROWS:
            raise ValueError(f"the log has more than {_MAX_ROWS} rows")
        app = (row.get("targetApp") or "").strip()
        kind = (row.get("eventType") or "").strip()
        if app != "Chrome" or not _emit(writer, row, _ms(row.get("timeStamp") or "", number)):
            recording.skipped[f"{app or 'unknown'} {kind or 'event'}"] += 1
    return recording

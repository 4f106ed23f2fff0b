"""A corpus of malformed requests: each gets a 4xx that says where, and writes nothing."""

from __future__ import annotations

import copy
import gzip
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.accounts import revoke_token
from app.auth import issue_token
from app.models import utcnow
from tests.conftest import table_counts
from tests.factories import event

EVENTS = "/api/v1/recordings/{own}/events"


@dataclass(frozen=True)
class Case:
    """One bad request: what is sent, and the status and location expected back."""

    id: str
    status: int
    body: Any = None  # bytes as is; anything else is sent as JSON
    path: str = EVENTS
    method: str = "POST"
    auth: str = "agent"  # agent, expired, revoked, none, or a literal Authorization header
    headers: dict[str, str] = field(default_factory=dict)
    loc: str | None = None  # must appear in the error message


def batch_with(path: str, value: Any, kind: str = "click", delete: bool = False) -> Any:
    """A one-event batch whose field at dotted ``path`` is ``value`` (or removed)."""
    payload = {"events": [event(kind, seq=1)]}
    node: Any = payload["events"][0]
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    if delete:
        del node[last]
    else:
        node[last] = value
    return payload


def raw_event_json(**replace: str) -> bytes:
    """A valid one-event batch with some ``"key": value`` pairs replaced by raw JSON text."""
    text = json.dumps({"events": [event("navigation", seq=1)]})
    for key, raw in replace.items():
        original = json.dumps(json.loads(text)["events"][0][key])
        text = text.replace(f'"{key}": {original}', f'"{key}": {raw}', 1)
    return text.encode()


def gzip_body(raw: bytes) -> dict[str, str]:
    return {"Content-Encoding": "gzip"}


def deep(levels: int) -> bytes:
    return b'{"events": ' + b"[" * levels + b"]" * levels + b"}"


BIG = 1_100_000
CASES = [
    # The body as bytes: syntax, encoding, size, compression, content type.
    Case("bad_json_truncated", 400, b'{"events": ['),
    Case("bad_json_trailing_garbage", 400, b'{"events": []} trailing'),
    Case("bad_json_single_quotes", 400, b"{'events': []}"),
    Case("empty_body", 400, b""),
    Case("not_utf8", 400, b'{"events": ["\xff\xfe"]}'),
    Case("nan", 400, raw_event_json(seq="NaN")),
    Case("infinity", 400, raw_event_json(ts="Infinity")),
    Case("float_overflow_to_infinity", 422, raw_event_json(ts="1e999"), loc="events[0].ts"),
    Case("lone_surrogate", 400, raw_event_json(page='{"url": "https://a.test/", '
                                                    '"title": "\\ud800"}')),
    Case("nul_character_in_a_key", 422, raw_event_json(page='{"url": "https://a.test/", '
                                                            '"ti\\u0000tle": "a"}'),
         loc="events[0].page"),
    Case("deep_nesting", 400, deep(100_000)),
    Case("deep_nesting_inside_event", 400,
         raw_event_json(page='{"url": "https://a.test/", "title": ' + "[" * 300 + "]" * 300
                        + "}")),
    Case("body_over_1mb", 413, b'{"events": [], "pad": "' + b"x" * BIG + b'"}'),
    Case("gzip_bomb_over_1mb_decoded", 413,
         gzip.compress(b'{"events": [], "pad": "' + b"0" * (BIG * 5) + b'"}'),
         headers={"Content-Encoding": "gzip"}),
    Case("bad_gzip", 400, b'{"events": []}', headers={"Content-Encoding": "gzip"}),
    Case("truncated_gzip", 400, gzip.compress(json.dumps({"events": [event()]}).encode())[:40],
         headers={"Content-Encoding": "gzip"}),
    Case("unsupported_content_encoding", 415, b'{"events": []}',
         headers={"Content-Encoding": "br"}),
    Case("wrong_content_type", 415, b'{"events": []}', headers={"Content-Type": "text/plain"}),
    Case("form_content_type", 415, b"events=1",
         headers={"Content-Type": "application/x-www-form-urlencoded"}),
    Case("no_content_type", 415, b'{"events": []}', headers={"Content-Type": ""}),
    # The document's shape.
    Case("top_level_array", 422, [event()]),
    Case("top_level_string", 422, "events"),
    Case("events_not_a_list", 422, {"events": {"0": event()}}, loc="events"),
    Case("no_events", 422, {"events": []}, loc="events"),
    Case("events_missing", 422, {}, loc="events"),
    Case("unknown_top_level_field", 422, {"events": [event()], "version": 1}, loc="version"),
    Case("event_not_an_object", 422, {"events": [42]}, loc="events[0]"),
    Case("501_events", 413, {"events": [event(seq=i) for i in range(501)]}),
    Case("100k_char_string", 413, batch_with("page.title", "t" * 100_000), loc="events[0]"),
    Case("string_over_its_cap", 422, batch_with("target.name", "n" * 513),
         loc="events[0].target.name"),
    # Fields of an event.
    Case("unknown_event_field", 422, batch_with("colour", "red"), loc="events[0].colour"),
    Case("unknown_nested_field", 422, batch_with("page.html", "<p>"), loc="events[0].page.html"),
    Case("keystrokes_field_refused", 422, batch_with("value", "secret typed text", "change"),
         loc="events[0].value"),
    Case("missing_id", 422, batch_with("id", None, delete=True), loc="events[0].id"),
    Case("missing_type", 422, batch_with("type", None, delete=True), loc="events[0]"),
    Case("unknown_type", 422, batch_with("type", "hover"), loc="events[0]"),
    Case("missing_page", 422, batch_with("page", None, delete=True), loc="events[0].page"),
    Case("missing_target_of_click", 422, batch_with("target", None, delete=True),
         loc="events[0].target"),
    Case("missing_control_of_change", 422, batch_with("control", None, "change", delete=True),
         loc="events[0].control"),
    Case("seq_wrong_type", 422, batch_with("seq", "first"), loc="events[0].seq"),
    Case("seq_fraction", 422, batch_with("seq", 1.5), loc="events[0].seq"),
    Case("negative_seq", 422, batch_with("seq", -1), loc="events[0].seq"),
    Case("huge_integer_seq", 422, batch_with("seq", 10**40), loc="events[0].seq"),
    Case("ts_before_2000", 422, batch_with("ts", 0), loc="events[0].ts"),
    Case("ts_after_2100", 422, batch_with("ts", 4_200_000_000_000), loc="events[0].ts"),
    Case("tab_wrong_type", 422, batch_with("tab", [1]), loc="events[0].tab"),
    Case("page_wrong_type", 422, batch_with("page", "https://a.test/"), loc="events[0].page"),
    Case("bad_uuid", 422, batch_with("id", "not-a-uuid"), loc="events[0].id"),
    Case("selectors_not_a_list", 422, batch_with("target.selectors", "#id"),
         loc="events[0].target.selectors"),
    Case("too_many_selectors", 422, batch_with("target.selectors", ["#a"] * 11),
         loc="events[0].target.selectors"),
    Case("checked_not_bool", 422, batch_with("checked", "maybe", "change"),
         loc="events[0].checked"),
    Case("unknown_control", 422, batch_with("control", "password", "change"),
         loc="events[0].control"),
    Case("unknown_transition", 422, batch_with("transition", "teleport", "navigation"),
         loc="events[0].transition"),
    Case("negative_load_ms", 422, batch_with("load_ms", -5, "navigation"),
         loc="events[0].load_ms"),
    Case("empty_marker_label", 422, batch_with("label", "", "marker"), loc="events[0].label"),
    Case("bad_event_among_good", 422,
         {"events": [event(seq=1), event(seq=2), {**event(seq=3), "ts": "soon"}]},
         loc="events[2].ts"),
    # Who asks, and for what.
    Case("no_authorization", 401, {"events": [event()]}, auth="none"),
    Case("authorization_not_bearer", 401, {"events": [event()]}, auth="Token abc"),
    Case("bearer_without_token", 401, {"events": [event()]}, auth="Bearer"),
    Case("bearer_unknown_token", 401, {"events": [event()]}, auth="Bearer sr_" + "A" * 43),
    Case("bearer_huge_token", 401, {"events": [event()]}, auth="Bearer sr_" + "A" * 10_000),
    Case("expired_token", 401, {"events": [event()]}, auth="expired"),
    Case("revoked_token", 401, {"events": [event()]}, auth="revoked"),
    Case("another_teams_recording", 404, {"events": [event()]},
         path="/api/v1/recordings/{other_team}/events"),
    Case("another_agents_recording", 404, {"events": [event()]},
         path="/api/v1/recordings/{other_agent}/events"),
    Case("unknown_recording", 404, {"events": [event()]}, path="/api/v1/recordings/999999/events"),
    Case("recording_id_zero", 422, {"events": [event()]}, path="/api/v1/recordings/0/events",
         loc="recording_id"),
    Case("recording_id_overflow", 422, {"events": [event()]},
         path="/api/v1/recordings/99999999999999999999/events", loc="recording_id"),
    Case("recording_id_not_a_number", 422, {"events": [event()]},
         path="/api/v1/recordings/abc/events", loc="recording_id"),
    Case("finished_recording", 409, {"events": [event()]},
         path="/api/v1/recordings/{finished}/events"),
    Case("wrong_method", 405, {"events": [event()]}, method="PUT"),
    # Opening a recording.
    Case("create_unknown_field", 422, {"workflow": "A", "owner": 1}, path="/api/v1/recordings",
         loc="owner"),
    Case("create_without_workflow", 422, {}, path="/api/v1/recordings", loc="workflow"),
    Case("create_workflow_name_too_long", 422, {"workflow": "w" * 201},
         path="/api/v1/recordings", loc="workflow"),
    Case("create_in_another_teams_workflow", 404, {"workflow_id": "{other_workflow}"},
         path="/api/v1/recordings"),
    Case("create_bad_json", 400, b"{", path="/api/v1/recordings"),
]


@pytest.fixture
def world(client: TestClient, quick_account: Any, session: Session) -> dict[str, Any]:
    """Two agents of one team, a user of another team, their recordings, bad tokens."""
    agent, colleague = quick_account("agent", "Support"), quick_account("agent", "Support")
    stranger = quick_account("lead", "Other team")

    def open_recording(account: Any, workflow: str = "Refund") -> dict[str, Any]:
        response = client.post("/api/v1/recordings", json={"workflow": workflow},
                               headers=account.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    own = open_recording(agent)
    finished = open_recording(agent)
    client.post(f"/api/v1/recordings/{finished['id']}/finish", headers=agent.headers)
    other_team = open_recording(stranger, "Their workflow")
    _, expired = issue_token(session, agent.user, expires_at=utcnow() - timedelta(minutes=1))
    _, revoked = issue_token(session, agent.user)
    session.commit()
    revoke_token(session, revoked[:10])
    return {
        "ids": {"own": own["id"], "finished": finished["id"], "other_team": other_team["id"],
                "other_agent": open_recording(colleague)["id"],
                "other_workflow": other_team["workflow_id"]},
        "auth": {"agent": agent.headers["Authorization"], "expired": f"Bearer {expired}",
                 "revoked": f"Bearer {revoked}"},
    }


def _request_parts(case: Case, world: dict[str, Any]) -> tuple[str, bytes, dict[str, str]]:
    ids = world["ids"]
    path = case.path.format(**ids)
    if isinstance(case.body, bytes):
        content = case.body
    else:
        body = copy.deepcopy(case.body)
        if isinstance(body, dict) and body.get("workflow_id") == "{other_workflow}":
            body["workflow_id"] = ids["other_workflow"]
        content = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **case.headers}
    if case.auth != "none":
        headers["Authorization"] = world["auth"].get(case.auth, case.auth)
    return path, content, headers


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_request_is_refused_and_writes_nothing(
    case: Case, client: TestClient, connection: Connection, world: dict[str, Any]
) -> None:
    path, content, headers = _request_parts(case, world)
    before = table_counts(connection)

    response = client.request(case.method, path, content=content, headers=headers)

    assert response.status_code == case.status, response.text
    body = response.json()
    assert body["error"] and body["detail"]
    if case.loc is not None:
        assert case.loc in body["detail"], body
    assert table_counts(connection) == before

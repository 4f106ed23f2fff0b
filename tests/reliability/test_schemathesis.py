"""Fuzzing the service through its own OpenAPI schema: every operation, with a valid token.

Zero server errors and responses that match the schema. Path ids are drawn by Hypothesis, so
most name nothing (404); the recording and workflow made by the fixture give some real hits.
(Schemathesis' own pytest loader does not run on pytest 9, so the operations are driven here
with its Hypothesis strategies directly.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, BaseSchema
from schemathesis.core.result import Err

from app.main import create_app
from app.settings import Settings
from tests.factories import batch


def operations(schema: BaseSchema) -> list[APIOperation[Any, Any, Any, Any]]:
    """Every operation of ``schema``; raises the error of any operation it cannot read."""
    found = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        found.append(result.ok())
    return found


def operation_labels() -> list[str]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings()))
    return sorted(operation.label for operation in operations(schema))


@pytest.mark.parametrize("label", operation_labels())
def test_operation_never_fails_on_server(
    label: str, app: Any, client: Any, make_account: Any
) -> None:
    lead = make_account("lead")
    opened = client.post("/api/v1/recordings", json={"workflow": "Fuzzed"}, headers=lead.headers)
    client.post(f"/api/v1/recordings/{opened.json()['id']}/events", json=batch(5),
                headers=lead.headers)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = next(op for op in operations(schema) if op.label == label)

    @given(case=operation.as_strategy(), use_real_id=st.booleans())
    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case: Any, use_real_id: bool) -> None:
        if use_real_id and case.path_parameters:
            for name in case.path_parameters:
                if name.endswith("_id"):
                    case.path_parameters[name] = opened.json()["id"]
        response = case.call(headers=lead.headers)
        where = f"{case.method} {case.formatted_path}"
        assert response.status_code < 500, f"{where}: {response.text[:300]}"
        case.validate_response(response)

    check()

"""The per-event size limit, and the bound that lets a valid batch skip measuring each event."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pydantic_core
import pytest
from pydantic import ValidationError

from app.errors import AppError, PayloadTooLarge
from app.ingest.body import parse_json
from app.ingest.schemas import BATCH, LARGEST_PLAIN_EVENT_BYTES, largest_instance
from app.ingest.store import validate_batch, validate_body
from app.settings import Settings
from tests.factories import event


def largest_event() -> dict[str, Any]:
    schema = BATCH.json_schema()
    items = {**schema["properties"]["events"]["items"], "$defs": schema["$defs"]}
    instance: dict[str, Any] = largest_instance(items)
    return instance


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every string and list of ``value`` with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        yield path, value
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    elif isinstance(value, str):
        yield path, value


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    out = copy.deepcopy(value)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return out


def is_valid(candidate: dict[str, Any]) -> bool:
    try:
        BATCH.validate_python({"events": [candidate]})
    except ValidationError:
        return False
    return True


class TestLargestEvent:
    def test_is_a_valid_event_of_the_size_the_bound_says(self) -> None:
        largest = largest_event()
        assert is_valid(largest)
        assert len(pydantic_core.to_json(largest)) == LARGEST_PLAIN_EVENT_BYTES

    def test_every_string_and_list_is_at_its_cap(self) -> None:
        # One character or one item more anywhere and the event is no longer valid, so no
        # valid event of plain characters is longer (numbers are at their longest bound).
        largest = largest_event()
        grown = 0
        for path, value in leaves(largest):
            if path[-1] in ("type", "control"):  # fixed words: the longest is chosen
                continue
            longer = [*value, value[0]] if isinstance(value, list) else value + "x"
            assert not is_valid(replaced(largest, path, longer)), path
            grown += 1
        assert grown > 20

    def test_every_optional_field_is_present(self) -> None:
        largest = largest_event()
        assert {"field", "choice", "checked"} <= set(largest)
        assert set(largest["target"]) == {"tag", "role", "name", "input_type", "selectors",
                                          "context"}

    def test_an_uncapped_string_has_no_largest_instance(self) -> None:
        with pytest.raises(ValueError, match="maxLength"):
            largest_instance({"type": "object", "properties": {"s": {"type": "string"}}})


def outcome(body: bytes, settings: Settings) -> Any:
    """What a body gets: its events, or the error's class and message."""
    try:
        return validate_body(body, settings)
    except AppError as exc:
        return type(exc).__name__, str(exc)


def reference(body: bytes, settings: Settings) -> Any:
    """What the parsing path, which measures every event, gives the same body."""
    try:
        return validate_batch(parse_json(body), settings)
    except AppError as exc:
        return type(exc).__name__, str(exc)


def sized(size: int, filler: str) -> bytes:
    """A body whose second event serializes to exactly ``size`` bytes, most of them ``filler``."""
    heavy = event("click", seq=2)
    heavy["target"]["name"] = ""
    heavy["target"]["selectors"] = []
    per_char = len(pydantic_core.to_json(filler)) - 2
    fill = filler * ((size - len(pydantic_core.to_json(heavy)) - 300) // per_char)
    heavy["target"]["selectors"] = [fill[i:i + 1000] for i in range(0, len(fill), 1000)]
    heavy["target"]["name"] = "a" * (size - len(pydantic_core.to_json(heavy)))
    assert len(pydantic_core.to_json(heavy)) == size
    return json.dumps({"events": [event("click", seq=1), heavy]}, ensure_ascii=False).encode()


class TestValidateBody:
    @pytest.mark.parametrize("offset", [0, 1])
    @pytest.mark.parametrize(
        ("limit", "filler"),
        [
            (4_000, "a"),  # a limit below the largest plain event: every event is measured
            (9_000, "a"),
            (32_768, "\x01"),  # six bytes a character: escapes count against the bound
            (32_768, "\N{GRINNING FACE}"),  # four bytes: a body above ASCII is measured
            (9_000, "\""),  # two bytes each
        ],
    )
    def test_an_event_over_the_limit_is_refused_at_its_index(
        self, limit: int, filler: str, offset: int
    ) -> None:
        settings = Settings(max_event_bytes=limit)
        body = sized(limit + offset, filler)
        got = outcome(body, settings)
        assert got == reference(body, settings)
        if offset:
            assert got == ("PayloadTooLarge",
                           f"events[1] is {limit + 1} bytes; the limit is {limit}")
        else:
            assert isinstance(got, list) and len(got) == 2

    def test_the_bound_holds_for_the_largest_event_with_escapes(self) -> None:
        # The largest event, each of its selectors' characters escaped as \u0078 ("x"),
        # re-serializes as plain x: the bound stays true and the batch is accepted.
        largest = largest_event()
        body = json.dumps({"events": [largest]}).encode().replace(b"xxxx", b"\\u0078xxx")
        settings = Settings(max_event_bytes=32_768)
        assert validate_body(body, settings) == [largest]
        assert reference(body, settings) == [largest]

    def test_limit_just_below_the_largest_plain_event(self) -> None:
        settings = Settings(max_event_bytes=LARGEST_PLAIN_EVENT_BYTES - 1)
        body = json.dumps({"events": [largest_event()]}).encode()
        with pytest.raises(PayloadTooLarge, match=r"events\[0\]"):
            validate_body(body, settings)

"""The XES reader against the promi conformance suite, and unsafe XML.

correct/ is read without warnings or problems; non_parsing/ is refused with a 422 that says
where and what; recoverable/ is read with warnings; non_validating/ is read, and
:func:`check_xes` names what breaks the standard.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import AppError, Unprocessable
from app.event_log.xes_checks import check_xes
from app.event_log.xes_reader import read_xes
from tests.conftest import SHARED

SUITE = SHARED / "fixtures" / "xes" / "promi-conformance"


def _files(folder: str) -> list[Path]:
    files = sorted((SUITE / folder).glob("*.xes"))
    assert files, folder
    return files


@pytest.mark.parametrize("path", _files("correct"), ids=lambda p: p.stem)
def test_reads_every_correct_file(path: Path) -> None:
    log = read_xes(path.read_bytes())
    assert log.warnings == []
    assert check_xes(log) == []


@pytest.mark.parametrize("path", _files("non_parsing"), ids=lambda p: p.stem)
def test_refuses_every_non_parsing_file_with_a_422_and_a_message(path: Path) -> None:
    with pytest.raises(AppError) as caught:
        read_xes(path.read_bytes())
    assert 400 <= caught.value.status < 500
    assert len(caught.value.message) > 20


@pytest.mark.parametrize("path", _files("recoverable"), ids=lambda p: p.stem)
def test_reads_every_recoverable_file_with_warnings(path: Path) -> None:
    assert read_xes(path.read_bytes()).warnings


@pytest.mark.parametrize("path", _files("non_validating"), ids=lambda p: p.stem)
def test_reads_non_validating_files_and_names_their_problems(path: Path) -> None:
    assert check_xes(read_xes(path.read_bytes()))


class TestReadXes:
    def test_reads_typed_values(self) -> None:
        log = read_xes(
            b'<log xmlns="http://www.xes-standard.org/" xes.version="1849.2016">'
            b'<trace><event><int key="n" value="-4"/><float key="f" value="1e3"/>'
            b'<boolean key="b" value="false"/><date key="d" value="2024-05-30T09:30:10.5Z"/>'
            b"</event></trace></log>"
        )
        values = {a.key: a.value for a in log.traces[0].events[0].attributes}
        assert values["n"] == -4 and values["f"] == 1000.0 and values["b"] is False
        assert values["d"].isoformat() == "2024-05-30T09:30:10.500000+00:00"  # type: ignore[union-attr]

    def test_messages_name_the_element_and_the_fault(self) -> None:
        with pytest.raises(Unprocessable, match=r"log/trace\[1\]/event\[1\]/int\[1\].*'x1'"):
            read_xes(b'<log xes.version="1849.2016"><trace><event><int key="k" value="x1"/>'
                     b"</event></trace></log>")

    def test_other_root_is_refused(self) -> None:
        with pytest.raises(Unprocessable, match="expected an XES <log>"):
            read_xes(b"<html/>")

    @pytest.mark.parametrize("document", [
        b'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><log xes.version="1849.2016">'
        b'<string key="x" value="&b;"/></log>',
        b'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<log xes.version="1849.2016"><string key="x" value="&x;"/></log>',
        b'<?xml version="1.0"?><!DOCTYPE log SYSTEM "http://127.0.0.1:9/x.dtd"><log/>',
    ], ids=["entity-expansion", "external-entity", "external-dtd"])
    def test_refuses_dtds_and_entities(self, document: bytes) -> None:
        with pytest.raises(Unprocessable, match="unsafe XML"):
            read_xes(document)

    def test_refuses_deep_nesting(self) -> None:
        inner = b'<string key="k" value="v">' * 40 + b"</string>" * 40
        with pytest.raises(Unprocessable, match="nested"):
            read_xes(b'<log xes.version="1849.2016" xes.features="nested-attributes">'
                     + inner + b"</log>")

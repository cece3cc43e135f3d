"""The unit tier's guard (tests/unit/conftest.py) refuses network and disk I/O, and a
refusal fails the test even when the code under test swallows the error."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
from pathlib import Path

import pytest
from pytest_socket import SocketBlockedError

from tests.unit.conftest import REPO, UnitTestIO, _Guard


def test_writing_outside_tmp_path_is_refused_by_every_door(unit_io_guard: _Guard) -> None:
    outside = REPO / "written-by-a-unit-test.txt"
    with pytest.raises(UnitTestIO, match=r"writes .*written-by-a-unit-test\.txt"):
        outside.write_text("no")
    with pytest.raises(UnitTestIO, match=r"os\.open"):
        os.open(outside, os.O_WRONLY | os.O_CREAT)
    with pytest.raises(UnitTestIO, match=r"sqlite3\.connect"):
        sqlite3.connect(REPO / "unit.sqlite3")
    assert not outside.exists()
    unit_io_guard.violations.clear()  # expected here; any other test would fail at teardown


def test_reading_outside_the_checkout_and_environment_is_refused(unit_io_guard: _Guard) -> None:
    with pytest.raises(UnitTestIO, match="reads /etc/hostname"), open("/etc/hostname"):
        pass
    unit_io_guard.violations.clear()


def test_a_swallowed_refusal_is_still_recorded_for_teardown(unit_io_guard: _Guard) -> None:
    with contextlib.suppress(Exception):  # what careless code under test would do
        Path("/var/tmp/unit-test-io").write_bytes(b"")
    assert unit_io_guard.violations == [
        "a unit test writes /var/tmp/unit-test-io (open): use tmp_path, or tests/integration"
    ]
    unit_io_guard.violations.clear()


def test_no_socket_reaches_even_the_loopback(unit_io_guard: _Guard) -> None:
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    assert unit_io_guard.violations == [
        "a unit test used the network: A test tried to use socket.socket."
    ]
    unit_io_guard.violations.clear()


def test_tmp_path_in_memory_databases_and_the_checkouts_files_are_allowed(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("yes")
    assert (tmp_path / "notes.txt").read_text() == "yes"
    sqlite3.connect(":memory:").close()
    sqlite3.connect(tmp_path / "unit.sqlite3").close()
    assert "academichub" in (REPO / "pyproject.toml").read_text()

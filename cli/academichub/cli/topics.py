"""``academichub topics``: create the registry's topics on ACADEMICHUB_BOOTSTRAP_SERVERS.

A deployment's one-shot init step (docker compose runs it before the services). It creates
the topics that are missing, with the partition counts of the registry and the durability
given here, and never changes an existing topic.

``--replication-factor`` and ``--min-insync-replicas`` default to 1 and 1: one broker (the
Tansu broker, one Kafka node). A production cluster of three brokers wants 3 and 2. On
Kubernetes the topics are Strimzi ``KafkaTopic`` resources instead (deploy/k8s).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from academichub.platform.errors import ConfigError
from academichub.platform.settings import CommonSettings, load_settings

CONNECT_WITHIN_SECONDS = 60.0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    topics = sub.add_parser("topics", help="create the topics on ACADEMICHUB_BOOTSTRAP_SERVERS")
    topics.add_argument(
        "--replication-factor",
        type=int,
        default=1,
        metavar="N",
        help="copies of every partition (default 1: one broker; production: 3)",
    )
    topics.add_argument(
        "--min-insync-replicas",
        type=int,
        default=1,
        metavar="N",
        help="copies that must hold a write before it is acknowledged "
        "(topic config min.insync.replicas; default 1; production: 2)",
    )


def run_topics(args: argparse.Namespace, *, out: TextIO = sys.stdout) -> int:
    # Imported here: the other commands need no Kafka admin client.
    from academichub.broker.topics_admin import Durability, ensure_topics

    try:
        durability = Durability(args.replication_factor, args.min_insync_replicas)
    except ValueError as exc:
        raise ConfigError(f"--replication-factor/--min-insync-replicas: {exc}") from exc
    servers = load_settings(CommonSettings).bootstrap_servers
    created = asyncio.run(
        ensure_topics(servers, durability=durability, connect_within=CONNECT_WITHIN_SECONDS)
    )
    print(
        f"topics on {servers} (replication factor {durability.replication_factor}, "
        f"min.insync.replicas {durability.min_insync_replicas}): "
        f"created {created or 'none (all existed)'}",
        file=out,
    )
    return 0

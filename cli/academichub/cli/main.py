"""``academichub <command>``: each service, the local broker, the whole system, tools.

The entry point owns only what runs the system as a whole (``up``, ``broker``,
``topics`` and each service's process); every other command is contributed by the
package it belongs to (``academichub.<service>.commands``, ``academichub.bench.commands``)
and dispatched here by name. Commands import their code when they run, so
``academichub parse`` does not load aiokafka and ``academichub gateway`` does not load
the matcher.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Mapping, Sequence

from academichub.bench.commands import COMMANDS as BENCH_COMMANDS
from academichub.briefer.commands import COMMANDS as BRIEFER_COMMANDS
from academichub.cli.settings_help import SettingsHelp
from academichub.cli.topics import add_parser as add_topics_parser
from academichub.gateway.commands import COMMANDS as GATEWAY_COMMANDS
from academichub.ingestor.commands import COMMANDS as INGESTOR_COMMANDS
from academichub.matcher.commands import COMMANDS as MATCHER_COMMANDS
from academichub.platform.commands import Command
from academichub.platform.errors import ConfigError

SERVICES = ("ingestor", "matcher", "briefer", "gateway")
CONTRIBUTED: Mapping[str, Command] = {
    command.name: command
    for command in (
        *INGESTOR_COMMANDS,
        *MATCHER_COMMANDS,
        *BRIEFER_COMMANDS,
        *GATEWAY_COMMANDS,
        *BENCH_COMMANDS,
    )
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="academichub",
        description="AcademicHub: research radars over arXiv, bioRxiv/medRxiv and journals.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = sub.add_parser("up", help="run the broker and all four services on this machine")
    up.add_argument("--offline", action="store_true", help="replay bundled feeds (no network)")
    sub.add_parser("broker", help="run the local Tansu broker and create the topics")
    add_topics_parser(sub)
    for name in SERVICES:
        service = sub.add_parser(
            name,
            help=f"run the {name} service (what its container runs)",
            description=f"Run the {name} service. Every setting is an environment variable, "
            "validated at start-up; the list below gives each with its default.",
            add_help=False,
        )
        service.add_argument("-h", "--help", action=SettingsHelp)
    for command in CONTRIBUTED.values():
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command in SERVICES:
            importlib.import_module(f"academichub.{args.command}.bootstrap").main()
            return 0
        if args.command == "broker":
            from academichub.cli.supervisor import run_broker

            return run_broker()
        if args.command == "topics":
            from academichub.cli.topics import run_topics

            return run_topics(args)
        if args.command == "up":
            from academichub.cli.supervisor import run_up

            return run_up(offline=args.offline)
        command = CONTRIBUTED.get(args.command)
        if command is not None:
            return command.run(args)
    except ConfigError as exc:
        print(f"academichub: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())

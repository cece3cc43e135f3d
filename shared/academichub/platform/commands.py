"""A command that a package contributes to ``academichub``: its arguments and its run.

The entry point (:mod:`academichub.cli.main`) knows no command's code: each service lists
its own in ``academichub.<service>.commands.COMMANDS`` and the benchmarks theirs in
``academichub.bench.commands``. ``add_parser`` only declares arguments; ``run`` imports
the command's code when it runs, so ``academichub parse`` does not load aiokafka and
``academichub users`` does not load the matcher.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

# A string: argparse's sub-parser action is generic only to type checkers.
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


@dataclass(frozen=True, slots=True)
class Command:
    """``academichub <name>``: ``add_parser`` adds the sub-parser named ``name``."""

    name: str
    add_parser: Callable[[SubParsers], None]
    run: Callable[[argparse.Namespace], int]

"""The gateway's command: ``users``, the accounts and API keys the gateway signs in with.

Only arguments are declared here; the command's code is imported when it runs.
"""

from __future__ import annotations

import argparse
from typing import Final

from academichub.gateway.commands.users import add_parser as add_users_parser
from academichub.platform.commands import Command


def _run_users(args: argparse.Namespace) -> int:
    from academichub.gateway.commands.users import run_users

    return run_users(args)


COMMANDS: Final = (Command("users", add_users_parser, _run_users),)

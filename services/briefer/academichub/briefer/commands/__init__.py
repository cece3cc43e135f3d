"""The briefer's command: ``brief``, the service's own code path over a file of papers.

Only arguments are declared here; the command's code is imported when it runs.
"""

from __future__ import annotations

import argparse
from typing import Final

from academichub.platform.commands import Command, SubParsers


def _brief_arguments(sub: SubParsers) -> None:
    brief = sub.add_parser(
        "brief", help="print the briefing of JSON-lines papers (the briefer's own code path)"
    )
    brief.add_argument("--papers", required=True, help="file of canonical paper lines")
    brief.add_argument("--language", required=True, choices=("zh", "en"))
    brief.add_argument(
        "--base-url", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL; none: extractive)"
    )
    brief.add_argument("--model", help="model name (default: OPENAI_MODEL)")


def _run_brief(args: argparse.Namespace) -> int:
    from academichub.briefer.commands.brief import run_brief

    return run_brief(args.papers, args.language, args.base_url, args.model)


COMMANDS: Final = (Command("brief", _brief_arguments, _run_brief),)

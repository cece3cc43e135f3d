"""``academichub <service> --help``: the service's settings, each environment variable
with its real default, read from the service's typed settings class (so the help cannot
drift from what the service runs with).

The settings module is imported only when help is asked for: the service commands stay
lazy (``academichub parse`` loads no aiokafka).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from typing import Any, NoReturn

from pydantic import AliasChoices
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

# Each service's settings class, by module and name.
SETTINGS = {
    "ingestor": ("academichub.ingestor.settings", "IngestorSettings"),
    "matcher": ("academichub.matcher.settings", "MatcherSettings"),
    "briefer": ("academichub.briefer.settings", "BrieferSettings"),
    "gateway": ("academichub.gateway.settings", "GatewaySettings"),
}


def _env_name(prefix: str, name: str, info: FieldInfo) -> str:
    alias = info.validation_alias
    if isinstance(alias, AliasChoices) and alias.choices:
        return str(alias.choices[0]).upper()
    if isinstance(alias, str):
        return alias.upper()
    return f"{prefix}{name}".upper()


def _shown(value: Any) -> str:
    if isinstance(value, float):
        text = f"{value:g}" if value != int(value) else str(int(value))
        if value >= 3600 and value % 3600 == 0:
            hours = int(value // 3600)
            text += f" ({hours // 24} days)" if hours % 24 == 0 else f" ({hours} h)"
        return text
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value) if value else "(none)"
    if value is None:
        return "(unset)"
    return str(value)


def settings_lines(settings: type[BaseSettings]) -> list[str]:
    """``NAME  default  description`` for each setting (nested settings skipped)."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    rows: list[tuple[str, str, str]] = []
    for name, info in settings.model_fields.items():
        if info.default_factory is not None:
            continue  # nested settings (the shared ACADEMICHUB_* ones), documented apart
        rows.append((_env_name(prefix, name, info), _shown(info.default), info.description or ""))
    width = max(len(n) for n, _, _ in rows)
    value_width = max(len(v) for _, v, _ in rows)
    return [f"  {n:<{width}}  {v:<{value_width}}  {d}".rstrip() for n, v, d in rows]


class SettingsHelp(argparse.Action):
    """``-h``/``--help`` of a service command: usage, then its settings and defaults."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show this help and the settings")

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> NoReturn:
        parser.print_help()
        service = parser.prog.rsplit(" ", 1)[-1]
        module, name = SETTINGS[service]
        settings: type[BaseSettings] = getattr(importlib.import_module(module), name)
        print("\nsettings (environment variable, default, meaning):")
        print("\n".join(settings_lines(settings)))
        print("\nshared settings: ACADEMICHUB_BOOTSTRAP_SERVERS, ACADEMICHUB_DATA_DIR, ...")
        parser.exit()

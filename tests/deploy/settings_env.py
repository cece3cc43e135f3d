"""Which environment variables each process reads, derived from its pydantic settings class.

A manifest that sets ``GATEWAY_HOTS`` or gives the matcher ``BRIEFER_METRICS_PORT`` sets a
variable nobody reads: the process silently runs on the default. The names are derived the
way pydantic-settings reads them: ``env_prefix`` + field name, validation aliases as they are
(``OPENAI_BASE_URL``), and each nested settings class (``common: CommonSettings``) with its
own prefix, since its default factory reads the environment itself.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from unittest import mock

from pydantic import AliasChoices, AliasPath, ValidationError
from pydantic_settings import BaseSettings

from academichub.cli.main import SERVICES
from academichub.platform.settings import CommonSettings

REPO = Path(__file__).resolve().parents[2]

# `academichub <command>` -> the settings class that command reads.
SETTINGS_CLASSES: Mapping[str, str] = {
    "gateway": "academichub.gateway.settings:GatewaySettings",
    "matcher": "academichub.matcher.settings:MatcherSettings",
    "briefer": "academichub.briefer.settings:BrieferSettings",
    "ingestor": "academichub.ingestor.settings:IngestorSettings",
    # `academichub topics` reads only the shared settings (the bootstrap servers).
    "topics": "academichub.platform.settings:CommonSettings",
}
COMMANDS = frozenset(SETTINGS_CLASSES)


def settings_class(command: str) -> type[BaseSettings]:
    module, name = SETTINGS_CLASSES[command].split(":")
    cls = getattr(importlib.import_module(module), name)
    assert isinstance(cls, type)
    assert issubclass(cls, BaseSettings)
    return cls


def env_names(cls: type[BaseSettings]) -> frozenset[str]:
    """Every environment variable ``cls()`` reads, upper-cased (the settings are not
    case-sensitive)."""
    config = cls.model_config
    prefix = str(config.get("env_prefix", ""))
    alias_prefix = prefix if config.get("env_prefix_target") in ("alias", "all") else ""
    by_name = bool(config.get("populate_by_name") or config.get("validate_by_name"))
    names: set[str] = set()
    for field_name, field in cls.model_fields.items():
        alias = field.validation_alias
        aliases: list[str] = []
        if isinstance(alias, AliasChoices):
            for choice in alias.choices:
                head = choice.path[0] if isinstance(choice, AliasPath) else choice
                aliases.append(str(head))
        elif isinstance(alias, AliasPath):
            aliases.append(str(alias.path[0]))
        elif isinstance(alias, str):
            aliases.append(alias)
        names.update((alias_prefix + a).upper() for a in aliases)
        if not aliases or by_name:
            names.add((prefix + field_name).upper())
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseSettings):
            names |= env_names(kind)
    return frozenset(names)


def accepted_env(command: str) -> frozenset[str]:
    return env_names(settings_class(command))


def load_settings_from(command: str, env: Mapping[str, str]) -> BaseSettings:
    """The settings ``academichub <command>`` would start with, given exactly ``env``
    (nothing from the test run's own environment). Raises ValidationError when a required
    setting is missing or a value is invalid."""
    cls = settings_class(command)
    with mock.patch.dict(os.environ, dict(env), clear=True):
        return cls()


def settings_problem(command: str, env: Mapping[str, str]) -> str | None:
    try:
        load_settings_from(command, env)
    except ValidationError as exc:
        return f"{command}: the settings do not validate with this environment: {exc}"
    return None


# The topic each service consumes in its consumer group (its composition root): the matcher
# reads `papers` (and `radars` in every replica, without a group), the briefer `matches`.
GROUP_TOPIC: Mapping[str, str] = {"matcher": "papers", "briefer": "matches"}


def consumer_group(command: str, env: Mapping[str, str]) -> str | None:
    """The consumer group a service consumes its main topic in, or None if it has none."""
    if command in GROUP_TOPIC:
        settings = load_settings_from(command, env)
        # The matcher's embedding role consumes `papers` in a group of its own.
        name = "embed_group_id" if getattr(settings, "role", None) == "embed" else "group_id"
        group = getattr(settings, name, None)
        return str(group) if group is not None else None
    return None


def listen_address(command: str, env: Mapping[str, str]) -> tuple[str, int] | None:
    """(bind host, port) of the HTTP server that serves the service's probes and metrics."""
    settings = load_settings_from(command, env)
    fields = {
        "gateway": ("host", "port"),
        "matcher": ("web_bind", "web_port"),
        "briefer": ("metrics_host", "metrics_port"),
        "ingestor": ("metrics_host", "metrics_port"),
    }.get(command)
    if fields is None:
        return None
    host, port = (getattr(settings, f) for f in fields)
    return str(host), int(port)


def data_dir(command: str, env: Mapping[str, str]) -> str:
    settings = load_settings_from(command, env)
    common = settings if isinstance(settings, CommonSettings) else dict(settings)["common"]
    assert isinstance(common, CommonSettings)
    return str(common.data_dir)


def store_of(command: str, env: Mapping[str, str]) -> tuple[str, str | None, str]:
    """(ACADEMICHUB_STORE, the Elasticsearch URL, the index prefix) a command starts with:
    the store the process opens."""
    settings = load_settings_from(command, env)
    common = settings if isinstance(settings, CommonSettings) else dict(settings)["common"]
    assert isinstance(common, CommonSettings)
    return common.store, common.elasticsearch_url, common.elasticsearch_prefix


def index_writer(env: Mapping[str, str]) -> bool:
    from academichub.matcher.settings import MatcherSettings

    settings = load_settings_from("matcher", env)
    assert isinstance(settings, MatcherSettings)
    return settings.index_writer


def unmapped_cli_services() -> set[str]:
    """CLI services without an entry in SETTINGS_CLASSES (should be empty)."""
    return set(SERVICES) - set(SETTINGS_CLASSES)

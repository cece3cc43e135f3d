"""The Dockerfile: multi-stage, pinned base, locked install, non-root, one entry point for
every service. Docker is not needed to check what the file says."""

from __future__ import annotations

import re

from academichub.cli.main import SERVICES
from tests.deploy import settings_env
from tests.deploy.manifests import DOCKERFILE, REPO, dockerfile_user

TEXT = DOCKERFILE.read_text()


def _stages() -> list[tuple[str, str]]:
    return re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", TEXT, flags=re.MULTILINE | re.IGNORECASE)


def _base_image() -> str:
    match = re.search(r"^ARG PYTHON_IMAGE=(\S+)", TEXT, flags=re.MULTILINE)
    assert match, "the base image is an ARG with a default"
    return match.group(1)


def test_multi_stage_from_one_pinned_base() -> None:
    stages = _stages()
    assert len(stages) >= 2
    assert {image for image, _ in stages} == {"${PYTHON_IMAGE}"}
    image = _base_image()
    name, _, tag = image.partition(":")
    assert name == "python"
    # A full version: python:3.11.13-slim-bookworm, not python:3.11 or :latest.
    assert re.match(r"^3\.11\.\d+-slim-\w+$", tag.split("@")[0]), image


def test_dependencies_come_from_the_lockfile_without_dev_tools() -> None:
    syncs = re.findall(r"uv sync ([^\n\\]+)", TEXT)
    assert syncs
    for flags in syncs:
        assert "--frozen" in flags, flags
        assert "--no-dev" in flags, flags
    assert re.search(r'pip install --no-cache-dir "uv==\$\{UV_VERSION\}"', TEXT)
    makefile_uv = re.search(r"^UV_VERSION := (\S+)", (REPO / "Makefile").read_text(), re.MULTILINE)
    assert makefile_uv
    assert f"ARG UV_VERSION={makefile_uv.group(1)}" in TEXT


def test_runs_as_a_non_root_user_with_academichub_as_entry_point() -> None:
    user = dockerfile_user()
    assert user.split(":")[0].isdigit()
    assert int(user.split(":")[0]) > 0
    assert re.search(r'^ENTRYPOINT \["academichub"\]$', TEXT, flags=re.MULTILINE)
    # Every service is a subcommand of that entry point.
    assert set(SERVICES) <= settings_env.COMMANDS


def test_environment_set_in_the_image_is_read_by_the_settings() -> None:
    names = re.findall(r"\b(ACADEMICHUB_[A-Z_]+)=", TEXT)
    assert names
    for name in names:
        assert name in settings_env.accepted_env("topics"), name


def test_the_build_context_leaves_out_local_state() -> None:
    lines = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # An allow-list: everything excluded first, then only what the build copies.
    assert lines[0] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {
        "pyproject.toml",
        "uv.lock",
        "README.md",
        "cli",
        "bench",
        "shared",
        "services",
    }
    copied = set(re.findall(r"^COPY (?!--from)(?:--\S+ )*(.+?) \S+$", TEXT, flags=re.MULTILINE))
    sources = {s for line in copied for s in line.split()}
    assert sources <= allowed | {"./"}, sources

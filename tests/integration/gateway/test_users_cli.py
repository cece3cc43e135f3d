"""``academichub users …`` on a real data folder, then the key it printed used over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from academichub.broker.probe import FakeBrokerProbe
from academichub.broker.publisher import RecordingPublisher
from academichub.gateway.app import create_app
from academichub.gateway.settings import GatewaySettings
from academichub.platform.settings import CommonSettings
from academichub.store.embedded import EmbeddedStore

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))


def users(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACADEMICHUB_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [ACADEMICHUB, "users", *args], capture_output=True, text=True, timeout=60, env=env
    )


def test_create_prints_a_key_once_that_signs_in_until_revoked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = users(data, "create", "--name", "Ada Lovelace", "--email", "Ada@Example.org")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("ahk_")
    prefix = key[:12]
    assert "user" in made.stdout.splitlines()[0]

    listed = users(data, "keys", "--prefix", prefix)
    assert listed.returncode == 0
    assert prefix in listed.stdout
    assert "active" in listed.stdout
    assert "ada@example.org" in listed.stdout
    assert key not in listed.stdout  # a key is printed once, never listed

    admin = users(data, "create", "--name", "Root", "--email", "root@example.org", "--admin")
    assert admin.returncode == 0
    assert "admin" in users(data, "list").stdout

    again = users(data, "create", "--name", "Ada", "--email", "ada@example.org")
    assert again.returncode == 2
    assert "already exists" in again.stderr

    store = EmbeddedStore(data, index_writer=False)
    app = create_app(
        GatewaySettings(common=CommonSettings(data_dir=data)),
        store=store,
        publisher=RecordingPublisher(),
        broker_probe=FakeBrokerProbe(),
    )
    try:
        with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
            me = client.get("/api/me")
            assert me.status_code == 200
            assert me.json()["email"] == "ada@example.org"
            revoked = users(data, "revoke", prefix)
            assert revoked.returncode == 0, revoked.stderr
            assert client.get("/api/me").status_code == 401
        assert "revoked" in users(data, "keys").stdout
        assert users(data, "revoke", prefix).returncode == 2  # not active any more
        extra = users(data, "add-key", "--email", "ada@example.org", "--label", "phone")
        assert extra.returncode == 0
        assert extra.stdout.strip().splitlines()[-1].startswith("ahk_")
    finally:
        store.close()

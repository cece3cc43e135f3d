"""Fixtures of the gateway unit tests (the objects live in :mod:`.harness`)."""

from tests.unit.gateway.harness import gateway, make_paper, settings

__all__ = ["gateway", "make_paper", "settings"]

"""Schemathesis over ``/openapi.json``, in-process through ASGI, with every check on.

Each operation gets schema-valid and schema-violating requests (examples, coverage and
fuzzing phases), bounded in examples and deterministic (a fixed seed, derandomised), and
every response must conform: documented status, headers and body; no 5xx; invalid input
refused; declared authentication enforced; unsupported methods answered 405 with an
``Allow`` that lists what the path serves.

One allowance, stated here rather than hidden: a radar query, a page cursor and a date
range, a time zone or a webhook URL can be well-formed and still not mean anything
(``q=(``, a cursor this API never issued, ``from`` after ``to``, a zone IANA does not
name, a URL resolving to a private address). JSON Schema cannot say so, so for the
operations that take them a 422 is an accepted answer to schema-valid data; every other
status still fails the positive-data check.
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from academichub.broker.probe import FakeBrokerProbe
from academichub.broker.publisher import RecordingPublisher
from academichub.embedding.fake import FakeEmbedder
from academichub.gateway.app import create_app
from academichub.gateway.metrics import GatewayMetrics
from academichub.gateway.settings import GatewaySettings
from academichub.platform.settings import CommonSettings
from academichub.store.memory import InMemoryStore
from tests.unit.gateway.harness import add_user, bearer

SEED = 20260612
EXAMPLES = 25
# Accepted besides schemathesis' own defaults for schema-valid data (see the docstring).
MEANING_CHECKED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]

load_all_checks()
EVERY_CHECK = list(CHECKS.get_all())

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": EXAMPLES, "deterministic": True},
        "operations": [
            {
                "include-path-regex": r"^/api/(papers|radars|radars/preview|radars/\{radar_id\}"
                r"|account/digest|radars/\{radar_id\}/webhook)$",
                "checks": {"positive_data_acceptance": {"expected-statuses": MEANING_CHECKED}},
            }
        ],
    }
)


def _app() -> tuple[FastAPI, str]:
    """The real app over the in-memory store, with Ada's key. Built when the module is
    collected: schemathesis generates one test per operation from its document."""
    store = InMemoryStore()
    _, key = add_user(store.accounts, "Ada")
    budget = 1_000_000  # the run sends thousands of requests: the limits are tested elsewhere
    app = create_app(
        GatewaySettings(
            # The in-memory store writes nothing; the setting is only required.
            common=CommonSettings(data_dir=Path("var/unused-by-the-memory-store")),
            rate_limit_per_minute=budget,
            rate_limit_burst=budget,
            anonymous_rate_limit_per_minute=budget,
            auth_failures_per_minute=budget,
        ),
        store=store,
        publisher=RecordingPublisher(),
        broker_probe=FakeBrokerProbe(),
        metrics=GatewayMetrics.standalone(),
        embedder=FakeEmbedder(dimension=16),
    )
    return app, key


APP, KEY = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_its_openapi_document(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=bearer(KEY), checks=EVERY_CHECK)

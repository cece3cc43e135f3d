from __future__ import annotations
import datetime as dt
import pytest, schemathesis
from hypothesis import settings, HealthCheck
from schemathesis.checks import CHECKS, load_all_checks
from academichub.broker.publisher import RecordingPublisher
from academichub.gateway.app import create_app
from academichub.gateway.probes import FakeBrokerProbe
from academichub.gateway.settings import GatewaySettings
from academichub.gateway.metrics import GatewayMetrics
from academichub.platform.settings import CommonSettings
from academichub.store.accounts import InMemoryAccountStore
from academichub.store.memory import InMemoryStore
from tests.unit.gateway.harness import add_user

load_all_checks()
ALL = list(CHECKS.get_all())
accounts = InMemoryAccountStore()
user, KEY = add_user(accounts, "Ada")
app = create_app(GatewaySettings(common=CommonSettings(data_dir="/tmp/st/data"), rate_limit_per_minute=100000, rate_limit_burst=100000, anonymous_rate_limit_per_minute=100000),
    store=InMemoryStore(), accounts=accounts, publisher=RecordingPublisher(), broker_probe=FakeBrokerProbe(), metrics=GatewayMetrics.standalone())
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

@schema.parametrize()
@settings(max_examples=30, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_api(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"}, checks=ALL)

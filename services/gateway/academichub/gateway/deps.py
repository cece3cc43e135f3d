"""The collaborators a route can ask for, as ``Annotated[..., Depends()]`` aliases.

``create_app`` puts one :class:`GatewayContext` on ``app.state``; every dependency
reads from it, so tests swap collaborators by passing others to ``create_app``. Who is
calling (``Caller``, ``Viewer``) is resolved in :mod:`.auth`.

The accessors are ``async def`` although they never await: FastAPI runs a plain ``def``
dependency on its worker threadpool, a thread hop per dependency per request for what is
an attribute read (see ``bench search``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from academichub.arxiv_calendar import ArxivCalendar
from academichub.broker.probe import BrokerProbe
from academichub.gateway.announce import RadarAnnouncer
from academichub.gateway.domain.owners import OwnerPolicy
from academichub.gateway.gateway_store import GatewayStore
from academichub.gateway.limits import RateLimiter
from academichub.gateway.metrics import GatewayMetrics
from academichub.gateway.radar_service import RadarService
from academichub.gateway.semantic import SemanticService
from academichub.gateway.settings import GatewaySettings
from academichub.store.accounts import AccountStore
from academichub.store.door import AsyncStore


@dataclass(frozen=True)
class GatewayContext:
    settings: GatewaySettings
    store: AsyncStore[GatewayStore]
    accounts: AsyncStore[AccountStore]
    announcer: RadarAnnouncer
    radars: RadarService
    semantic: SemanticService
    broker_probe: BrokerProbe
    metrics: GatewayMetrics
    owners: OwnerPolicy
    templates: Jinja2Templates
    clock: Callable[[], dt.datetime]
    key_limiter: RateLimiter
    anonymous_limiter: RateLimiter
    auth_failure_limiter: RateLimiter
    calendar: ArxivCalendar


async def get_context(request: Request) -> GatewayContext:
    context: GatewayContext = request.app.state.context
    return context


ContextDep = Annotated[GatewayContext, Depends(get_context)]


async def get_settings(context: ContextDep) -> GatewaySettings:
    return context.settings


async def get_store(context: ContextDep) -> AsyncStore[GatewayStore]:
    return context.store


async def get_accounts(context: ContextDep) -> AsyncStore[AccountStore]:
    return context.accounts


async def get_radars(context: ContextDep) -> RadarService:
    return context.radars


async def get_semantic(context: ContextDep) -> SemanticService:
    return context.semantic


async def get_clock(context: ContextDep) -> Callable[[], dt.datetime]:
    return context.clock


SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
StoreDep = Annotated[AsyncStore[GatewayStore], Depends(get_store)]
AccountsDep = Annotated[AsyncStore[AccountStore], Depends(get_accounts)]
RadarsDep = Annotated[RadarService, Depends(get_radars)]
SemanticDep = Annotated[SemanticService, Depends(get_semantic)]
ClockDep = Annotated[Callable[[], dt.datetime], Depends(get_clock)]

"""The collaborators a route can ask for, as ``Annotated[..., Depends()]`` aliases.

``create_app`` puts one :class:`GatewayContext` on ``app.state``; every dependency
reads from it, so tests swap collaborators by passing others to ``create_app``. Who is
calling (``Caller``, ``Viewer``) is resolved in :mod:`.auth`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from academichub.gateway.announce import RadarAnnouncer
from academichub.arxiv_calendar import ArxivCalendar
from academichub.gateway.limits import RateLimiter
from academichub.gateway.metrics import GatewayMetrics
from academichub.gateway.owners import OwnerPolicy
from academichub.gateway.probes import BrokerProbe
from academichub.gateway.radar_service import RadarService
from academichub.gateway.settings import GatewaySettings
from academichub.gateway.store_access import AccountAccess, StoreAccess
from academichub.store.facets import FacetStore


@dataclass(frozen=True)
class GatewayContext:
    settings: GatewaySettings
    store: StoreAccess
    accounts: AccountAccess
    facets: FacetStore
    announcer: RadarAnnouncer
    radars: RadarService
    broker_probe: BrokerProbe
    metrics: GatewayMetrics
    owners: OwnerPolicy
    templates: Jinja2Templates
    clock: Callable[[], dt.datetime]
    key_limiter: RateLimiter
    anonymous_limiter: RateLimiter
    calendar: ArxivCalendar


def get_context(request: Request) -> GatewayContext:
    context: GatewayContext = request.app.state.context
    return context


ContextDep = Annotated[GatewayContext, Depends(get_context)]


def get_settings(context: ContextDep) -> GatewaySettings:
    return context.settings


def get_store(context: ContextDep) -> StoreAccess:
    return context.store


def get_accounts(context: ContextDep) -> AccountAccess:
    return context.accounts


def get_radars(context: ContextDep) -> RadarService:
    return context.radars


def get_owners(context: ContextDep) -> OwnerPolicy:
    return context.owners


def get_templates(context: ContextDep) -> Jinja2Templates:
    return context.templates


def get_clock(context: ContextDep) -> Callable[[], dt.datetime]:
    return context.clock


SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
StoreDep = Annotated[StoreAccess, Depends(get_store)]
AccountsDep = Annotated[AccountAccess, Depends(get_accounts)]
RadarsDep = Annotated[RadarService, Depends(get_radars)]
OwnersDep = Annotated[OwnerPolicy, Depends(get_owners)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
ClockDep = Annotated[Callable[[], dt.datetime], Depends(get_clock)]

"""The collaborators a route can ask for, as ``Annotated[..., Depends()]`` aliases.

``create_app`` puts one :class:`GatewayContext` on ``app.state``; every dependency
reads from it, so tests swap collaborators by passing others to ``create_app`` and
later issues swap a single dependency (e.g. :func:`get_owners` for authentication).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from academichub.gateway.announce import RadarAnnouncer
from academichub.gateway.metrics import GatewayMetrics
from academichub.gateway.owners import OwnerPolicy
from academichub.gateway.probes import BrokerProbe
from academichub.gateway.settings import GatewaySettings
from academichub.gateway.store_access import StoreAccess


@dataclass(frozen=True)
class GatewayContext:
    settings: GatewaySettings
    store: StoreAccess
    announcer: RadarAnnouncer
    broker_probe: BrokerProbe
    metrics: GatewayMetrics
    owners: OwnerPolicy
    templates: Jinja2Templates
    clock: Callable[[], dt.datetime]


def get_context(request: Request) -> GatewayContext:
    context: GatewayContext = request.app.state.context
    return context


ContextDep = Annotated[GatewayContext, Depends(get_context)]


def get_settings(context: ContextDep) -> GatewaySettings:
    return context.settings


def get_store(context: ContextDep) -> StoreAccess:
    return context.store


def get_announcer(context: ContextDep) -> RadarAnnouncer:
    return context.announcer


def get_owners(context: ContextDep) -> OwnerPolicy:
    return context.owners


def get_templates(context: ContextDep) -> Jinja2Templates:
    return context.templates


def get_clock(context: ContextDep) -> Callable[[], dt.datetime]:
    return context.clock


SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
StoreDep = Annotated[StoreAccess, Depends(get_store)]
AnnouncerDep = Annotated[RadarAnnouncer, Depends(get_announcer)]
OwnersDep = Annotated[OwnerPolicy, Depends(get_owners)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
ClockDep = Annotated[Callable[[], dt.datetime], Depends(get_clock)]

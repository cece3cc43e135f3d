"""Delivery settings and status: a user's email digest, a radar's webhook, what was sent,
and the one-click unsubscribe link of every digest.

* ``/api/account/digest`` (GET, PUT) and the page ``/account/digest``: off, daily or
  weekly, at an hour in a time zone, in zh or en. The address is the account's; the
  briefer never reads accounts, so it is copied into the preference when saved.
* ``/api/radars/{id}/webhook`` (GET, PUT, DELETE) and the page ``/radars/{id}/webhook``:
  the URL (checked by :func:`academichub.delivery.addresses.check_webhook_url`; https to
  a public address, http to 127.0.0.1 only with ``DELIVERY_WEBHOOK_ALLOW_LOOPBACK``), the
  format and an optional signing secret. Neither is shown again once saved: the URL of a
  Slack, Feishu or DingTalk robot is itself a credential, so only its host is.
* ``/api/radars/{id}/deliveries``: the latest delivery of each channel (the radar page
  shows the same).
* ``/unsubscribe?token=…``: GET shows one button; POST (the button, or a mail client's
  RFC 8058 one-click ``List-Unsubscribe-Post``) turns the digest off. No sign-in: the
  token is signed with the store's key (:mod:`academichub.delivery.unsubscribe`). A GET
  never unsubscribes, since mail scanners fetch every link they see.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from academichub.contracts.events import Language, time_zone_names
from academichub.delivery.addresses import MAX_URL, check_webhook_url
from academichub.delivery.unsubscribe import unsubscribed_user
from academichub.gateway.auth import CSRF_FIELD, Caller, SignedIn, check_form_csrf, spend
from academichub.gateway.deps import ClockDep, ContextDep, RadarsDep, SettingsDep, StoreDep
from academichub.gateway.domain.i18n import Translator
from academichub.gateway.domain.principal import Principal
from academichub.gateway.errors import InvalidRequest
from academichub.gateway.gateway_store import GatewayStore
from academichub.gateway.openapi_doc import errors
from academichub.gateway.problems import Problem
from academichub.gateway.radar_views import local_time
from academichub.gateway.schemas import Hour, TimeZone, Weekday
from academichub.gateway.web import language, render
from academichub.store.delivery import (
    MAX_SECRET,
    WEBHOOK_FORMATS,
    Cadence,
    Delivery,
    DigestPreference,
    Webhook,
    WebhookFormat,
)

api = APIRouter(tags=["delivery"], responses=errors(401, 422, 429, 503))
pages = APIRouter(include_in_schema=False)

# --- shapes -------------------------------------------------------------------------------


class _Body(BaseModel):
    # As the radar bodies (schemas._Body): a misspelt field or a number sent as false or
    # "5" is refused, not quietly converted.
    model_config = ConfigDict(extra="forbid", strict=True)


class DigestSettings(_Body):
    """A user's email digest."""

    cadence: Cadence = Field(description="off, daily, or weekly")
    hour: Hour = 7
    weekday: Weekday = Field(default=0, description="Weekly: 0 = Monday … 6 = Sunday")
    timezone: TimeZone = "UTC"
    language: Language = "zh"


class DigestView(DigestSettings):
    email: str = Field(description="Where it is sent: the account's address")
    next_digest_at: dt.datetime | None = Field(description="The next close, when on")


class WebhookSettings(_Body):
    url: str = Field(min_length=1, max_length=MAX_URL, examples=["https://hooks.slack.com/…"])
    format: WebhookFormat = "json"
    secret: str | None = Field(
        default=None,
        max_length=MAX_SECRET,
        description="Feishu signature secret, DingTalk 加签 secret, or the key of the JSON "
        "format's X-AcademicHub-Signature HMAC",
    )


class WebhookView(BaseModel):
    radar_id: str
    configured: bool
    host: str | None = Field(description="The URL's host; the URL itself is never shown again")
    format: WebhookFormat | None
    signed: bool
    updated_at: dt.datetime | None


class DeliveryView(BaseModel):
    id: str
    channel: Literal["email", "webhook"]
    state: Literal["sending", "retrying", "sent", "failed", "empty"]
    attempts: int
    detail: str
    updated_at: dt.datetime
    next_attempt_at: dt.datetime | None


class DeliveryList(BaseModel):
    radar_id: str
    items: list[DeliveryView]


# --- the rules ------------------------------------------------------------------------------


def _preference_of(
    principal: Principal, stored: DigestPreference | None, given: DigestSettings, now: dt.datetime
) -> DigestPreference:
    was_on = stored is not None and stored.cadence != "off"
    since = stored.since if stored is not None and was_on else now
    return DigestPreference(
        user_id=principal.user.id,
        email=principal.user.email,
        name=principal.user.name,
        since=since,
        updated_at=now,
        **given.model_dump(),
    )


def _digest_view(
    principal: Principal, stored: DigestPreference | None, now: dt.datetime
) -> DigestView:
    if stored is None:
        return DigestView(cadence="off", email=principal.user.email, next_digest_at=None)
    schedule = stored.schedule
    return DigestView(
        cadence=stored.cadence,
        hour=stored.hour,
        weekday=stored.weekday,
        timezone=stored.timezone,
        language=stored.language,
        email=principal.user.email,
        next_digest_at=schedule.next_close(now) if schedule else None,
    )


def _webhook_view(radar_id: str, hook: Webhook | None) -> WebhookView:
    if hook is None:
        return WebhookView(
            radar_id=radar_id,
            configured=False,
            host=None,
            format=None,
            signed=False,
            updated_at=None,
        )
    return WebhookView(
        radar_id=radar_id,
        configured=True,
        host=urlsplit(hook.url).hostname,
        format=hook.format,
        signed=bool(hook.secret),
        updated_at=hook.updated_at,
    )


def _checked_url(url: str, allow_loopback: bool) -> str:
    try:
        return check_webhook_url(url, allow_loopback=allow_loopback)
    except ValueError as exc:
        raise InvalidRequest(
            f"body field 'url': {exc}",
            problems=[Problem("body field 'url'", str(exc), "url", "value_error", {})],
        ) from exc


def _view(delivery: Delivery) -> DeliveryView:
    return DeliveryView.model_validate(delivery.model_dump(), from_attributes=False)


# --- the API ------------------------------------------------------------------------------


@api.get("/api/account/digest", summary="Your email digest")
async def get_digest(caller: Caller, store: StoreDep, clock: ClockDep) -> DigestView:
    stored = await store.run(lambda s: s.delivery.get_digest_preference(caller.user.id))
    return _digest_view(caller, stored, clock())


@api.put("/api/account/digest", summary="Set your email digest: off, daily or weekly")
async def put_digest(
    body: DigestSettings, caller: Caller, store: StoreDep, clock: ClockDep
) -> DigestView:
    now = clock()

    def save(s: GatewayStore) -> DigestPreference:
        preference = _preference_of(
            caller, s.delivery.get_digest_preference(caller.user.id), body, now
        )
        s.delivery.put_digest_preference(preference)
        return preference

    return _digest_view(caller, await store.run(save), now)


@api.get("/api/radars/{radar_id}/webhook", summary="A radar's webhook", responses=errors(404))
async def get_webhook(
    radar_id: str, caller: Caller, radars: RadarsDep, store: StoreDep
) -> WebhookView:
    await radars.get(caller, radar_id)
    return _webhook_view(radar_id, await store.run(lambda s: s.delivery.get_webhook(radar_id)))


@api.put(
    "/api/radars/{radar_id}/webhook",
    summary="Post the radar's briefings to a webhook (json, slack, feishu, dingtalk)",
    responses=errors(403, 404),
)
async def put_webhook(
    radar_id: str,
    body: WebhookSettings,
    caller: Caller,
    radars: RadarsDep,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> WebhookView:
    await radars.get(caller, radar_id)
    hook = Webhook(
        radar_id=radar_id,
        url=_checked_url(body.url, settings.webhooks.allow_loopback),
        format=body.format,
        secret=body.secret or None,
        updated_at=clock(),
    )
    await store.run(lambda s: s.delivery.put_webhook(hook))
    return _webhook_view(radar_id, hook)


@api.delete(
    "/api/radars/{radar_id}/webhook",
    status_code=204,
    summary="Stop posting the radar's briefings",
    responses=errors(403, 404),
)
async def delete_webhook(
    radar_id: str, caller: Caller, radars: RadarsDep, store: StoreDep
) -> Response:
    await radars.get(caller, radar_id)
    await store.run(lambda s: s.delivery.delete_webhook(radar_id))
    return Response(status_code=204)


@api.get(
    "/api/radars/{radar_id}/deliveries",
    summary="The latest delivery of the radar's briefings per channel",
    responses=errors(404),
)
async def radar_deliveries(
    radar_id: str, caller: Caller, radars: RadarsDep, store: StoreDep
) -> DeliveryList:
    await radars.get(caller, radar_id)
    found = await store.run(lambda s: s.delivery.latest_deliveries(radar_id))
    return DeliveryList(radar_id=radar_id, items=[_view(d) for d in found])


# --- the pages ------------------------------------------------------------------------------


def delivery_lines(deliveries: list[Delivery], zone: str, t: Translator) -> list[dict[str, str]]:
    """The radar page's delivery status, one line per channel."""
    lines = []
    for d in deliveries:
        when = local_time(d.next_attempt_at, zone) if d.next_attempt_at else ""
        lines.append(
            {
                "channel": d.channel,
                "state": d.state,
                "text": t(
                    "delivery.line",
                    channel=t(f"delivery.channel.{d.channel}"),
                    state=t(f"delivery.state.{d.state}", when=when),
                    when=local_time(d.updated_at, zone),
                    attempts=d.attempts,
                ),
                "detail": d.detail,
            }
        )
    return lines


async def radar_delivery(store: Any, radar_id: str) -> tuple[Webhook | None, list[Delivery]]:
    """What the radar page shows of delivery: its webhook and the latest deliveries."""

    def read(s: GatewayStore) -> tuple[Webhook | None, list[Delivery]]:
        return s.delivery.get_webhook(radar_id), s.delivery.latest_deliveries(radar_id)

    found: tuple[Webhook | None, list[Delivery]] = await store.run(read)
    return found


Csrf = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]
Text = Annotated[str, Form()]


def _digest_page(
    request: Request,
    viewer: Principal,
    values: dict[str, str],
    errors_: dict[str, str],
    *,
    saved: bool = False,
    next_at: dt.datetime | None = None,
    status: int = 200,
) -> HTMLResponse:
    t = Translator(language(request))
    zone = values.get("timezone", "UTC")
    when = local_time(next_at, zone) if next_at else ""
    return render(
        request,
        "digest.html",
        {
            "values": values,
            "errors": errors_,
            "saved": saved,
            "next": t("digest.next", when=when) if when else "",
            "zones": sorted(time_zone_names()),
        },
        viewer=viewer,
        status=status,
    )


def _values(preference: DigestPreference | None, lang: str) -> dict[str, str]:
    if preference is None:
        return {"cadence": "off", "hour": "7", "weekday": "0", "timezone": "UTC", "language": lang}
    return {
        "cadence": preference.cadence,
        "hour": str(preference.hour),
        "weekday": str(preference.weekday),
        "timezone": preference.timezone,
        "language": preference.language,
    }


@pages.get("/account/digest", response_class=HTMLResponse)
async def digest_page(
    request: Request, viewer: SignedIn, store: StoreDep, clock: ClockDep
) -> HTMLResponse:
    stored = await store.run(lambda s: s.delivery.get_digest_preference(viewer.user.id))
    schedule = stored.schedule if stored else None
    return _digest_page(
        request,
        viewer,
        _values(stored, language(request)),
        {},
        saved=request.query_params.get("saved") == "1",
        next_at=schedule.next_close(clock()) if schedule else None,
    )


@pages.post("/account/digest")
async def save_digest_page(
    request: Request,
    viewer: SignedIn,
    store: StoreDep,
    clock: ClockDep,
    csrf: Csrf,
    cadence: Text = "off",
    hour: Text = "7",
    weekday: Text = "0",
    timezone: Text = "UTC",
    language_: Annotated[str, Form(alias="language")] = "zh",
) -> Response:
    check_form_csrf(viewer, csrf)
    values = {
        "cadence": cadence,
        "hour": hour,
        "weekday": weekday,
        "timezone": timezone,
        "language": language_,
    }
    try:
        # A form sends text ("7"), so its numbers are read, not refused as JSON's are.
        given = DigestSettings.model_validate(values, strict=False)
    except ValidationError as exc:
        found = {str(e["loc"][0]): str(e["msg"]) for e in exc.errors() if e.get("loc")}
        return _digest_page(request, viewer, values, found, status=422)
    now = clock()

    def save(s: GatewayStore) -> None:
        s.delivery.put_digest_preference(
            _preference_of(viewer, s.delivery.get_digest_preference(viewer.user.id), given, now)
        )

    await store.run(save)
    return RedirectResponse("/account/digest?saved=1", status_code=303)


def _webhook_page(
    request: Request,
    viewer: Principal,
    radar: Any,
    hook: Webhook | None,
    deliveries: list[Delivery],
    form: dict[str, str],
    errors_: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    t = Translator(language(request))
    return render(
        request,
        "webhook.html",
        {
            "radar": radar,
            "webhook": _webhook_view(radar.id, hook),
            "deliveries": delivery_lines(deliveries, radar.schedule.timezone, t),
            "form": form,
            "errors": errors_,
            "formats": WEBHOOK_FORMATS,
        },
        viewer=viewer,
        status=status,
    )


@pages.get("/radars/{radar_id}/webhook", response_class=HTMLResponse)
async def webhook_page(
    request: Request, radar_id: str, viewer: SignedIn, radars: RadarsDep, store: StoreDep
) -> HTMLResponse:
    radar = await radars.get(viewer, radar_id)
    hook, deliveries = await radar_delivery(store, radar_id)
    form = {"url": "", "format": hook.format if hook else "json"}
    return _webhook_page(request, viewer, radar, hook, deliveries, form, {})


@pages.post("/radars/{radar_id}/webhook")
async def save_webhook_page(
    request: Request,
    radar_id: str,
    viewer: SignedIn,
    radars: RadarsDep,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    csrf: Csrf,
    url: Text = "",
    format: Text = "json",
    secret: Text = "",
) -> Response:
    check_form_csrf(viewer, csrf)
    radar = await radars.get(viewer, radar_id)
    t = Translator(language(request))
    problems: dict[str, str] = {}
    try:
        checked = check_webhook_url(
            url[: MAX_URL + 1], allow_loopback=settings.webhooks.allow_loopback
        )
    except ValueError as exc:
        problems["url"] = t("form.webhook_url", why=str(exc))
    if format not in WEBHOOK_FORMATS:
        problems["format"] = t("form.required")
    if len(secret) > MAX_SECRET:
        problems["secret"] = t("form.too_long", length=len(secret), limit=MAX_SECRET)
    if problems:
        hook, deliveries = await radar_delivery(store, radar_id)
        form = {"url": url, "format": format}
        return _webhook_page(request, viewer, radar, hook, deliveries, form, problems, 422)
    hook = Webhook(
        radar_id=radar_id,
        url=checked,
        format=format,  # checked against WEBHOOK_FORMATS above
        secret=secret.strip() or None,
        updated_at=clock(),
    )
    await store.run(lambda s: s.delivery.put_webhook(hook))
    return RedirectResponse(f"/radars/{radar_id}/webhook", status_code=303)


@pages.post("/radars/{radar_id}/webhook/delete")
async def delete_webhook_page(
    radar_id: str, viewer: SignedIn, radars: RadarsDep, store: StoreDep, csrf: Csrf
) -> Response:
    check_form_csrf(viewer, csrf)
    await radars.get(viewer, radar_id)
    await store.run(lambda s: s.delivery.delete_webhook(radar_id))
    return RedirectResponse(f"/radars/{radar_id}/webhook", status_code=303)


# --- unsubscribing ----------------------------------------------------------------------------

Token = Annotated[str, Query(max_length=300)]


async def _unsubscribing(
    context: ContextDep, request: Request, token: str
) -> DigestPreference | None:
    # Anonymous: bounded like every request without a key, by address.
    spend(
        context.anonymous_limiter, f"unsubscribe:{request.client.host if request.client else '-'}"
    )

    def find(s: GatewayStore) -> DigestPreference | None:
        user_id = unsubscribed_user(s.delivery.signing_key(), token)
        return s.delivery.get_digest_preference(user_id) if user_id else None

    found: DigestPreference | None = await context.store.run(find)
    return found


@pages.get("/unsubscribe", response_class=HTMLResponse)
async def unsubscribe_page(
    request: Request, context: ContextDep, token: Token = ""
) -> HTMLResponse:
    preference = await _unsubscribing(context, request, token)
    return render(
        request,
        "unsubscribe.html",
        {"preference": preference, "token": token, "done": False},
        viewer=None,
        status=200 if preference else 404,
    )


@pages.post("/unsubscribe", response_class=HTMLResponse)
async def unsubscribe(
    request: Request, context: ContextDep, clock: ClockDep, token: Token = ""
) -> HTMLResponse:
    """One click, no sign-in: the form's button, or a mail client's RFC 8058 POST (its body,
    ``List-Unsubscribe=One-Click``, says nothing the token does not)."""
    preference = await _unsubscribing(context, request, token)
    if preference is not None and preference.cadence != "off":
        off = preference.model_copy(update={"cadence": "off", "updated_at": clock()})
        await context.store.run(lambda s: s.delivery.put_digest_preference(off))
    return render(
        request,
        "unsubscribe.html",
        {"preference": preference, "token": token, "done": preference is not None},
        viewer=None,
        status=200 if preference else 404,
    )

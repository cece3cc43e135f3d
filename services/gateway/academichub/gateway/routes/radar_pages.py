"""The signed-in pages: your radars (create and edit with a live preview), a radar's
matches with why and 👍/👎, its feed and export, and a briefing.

Forms post here with the session's CSRF token and redirect back (post/redirect/get); the
page script enhances the preview and the feedback buttons through the JSON API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from academichub.contracts import Paper, Radar
from academichub.contracts.events import time_zone_names
from academichub.gateway.auth import CSRF_FIELD, SignedIn, check_form_csrf
from academichub.gateway.deps import (
    AccountsDep,
    ClockDep,
    ContextDep,
    RadarsDep,
    SettingsDep,
    StoreDep,
)
from academichub.gateway.domain.i18n import Translator
from academichub.gateway.domain.presentation import fired_segments, source_line
from academichub.gateway.domain.principal import Principal
from academichub.gateway.domain.query_text import query_reading
from academichub.gateway.errors import InvalidRequest, NotFound
from academichub.gateway.radar_form import Checked, RadarForm, check_form, seed_inputs
from academichub.gateway.radar_service import MATCHES_READ, MatchView, RadarService
from academichub.gateway.radar_views import (
    last_briefing_date,
    local_time,
    match_counts,
    next_briefing_words,
    period_starts,
    schedule_words,
)
from academichub.gateway.routes.delivery import delivery_lines, radar_delivery
from academichub.gateway.routes.feeds import feed_url, issue_feed_token
from academichub.gateway.routes.radars import forget_feedback
from academichub.gateway.schemas import MAX_NAME, MAX_QUERY
from academichub.gateway.web import language, render
from academichub.radar.highlight import fired_words
from academichub.radar.parser import parse_query
from academichub.store.accounts import AccountStore, Feedback
from academichub.store.door import AsyncStore
from academichub.store.port import BackfillMark

router = APIRouter(include_in_schema=False)

Csrf = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]
# Read as plain text and checked in radar_form.py: a mistake re-renders the form with
# everything typed, instead of a bare 422 that loses it (the body limit bounds the size).
Text = Annotated[str, Form()]
MATCHES_PER_PAGE = 20
BRIEFINGS_SHOWN = 10


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


async def posted_form(
    name: Text = "",
    query: Text = "",
    language: Text = "zh",
    schedule_kind: Text = "daily",
    schedule_hour: Text = "7",
    schedule_weekday: Text = "0",
    schedule_timezone: Text = "UTC",
    schedule_n: Text = "10",
    seeds: Text = "",
    interest: Text = "",
    per_day: Text = "3",
) -> RadarForm:
    return RadarForm(
        seeds=seeds,
        interest=interest,
        per_day=per_day,
        name=name,
        query=query,
        language=language,
        kind=schedule_kind,
        hour=schedule_hour,
        weekday=schedule_weekday,
        timezone=schedule_timezone,
        n=schedule_n,
    )


Posted = Annotated[RadarForm, Depends(posted_form)]


def _form_context(form: RadarForm, checked: Checked | None = None) -> dict[str, object]:
    return {
        "form": form,
        "errors": checked.errors if checked else {},
        "query_error": checked.query_error if checked else None,
        "zones": sorted(time_zone_names()),
        "max_query": MAX_QUERY,
        "max_name": MAX_NAME,
    }


def _week_start(now: dt.datetime) -> Callable[[Radar], dt.datetime]:
    return lambda radar: period_starts(now, radar.schedule.timezone)[1]


async def _list_page(
    request: Request,
    viewer: Principal,
    radars: RadarService,
    now: dt.datetime,
    form: RadarForm,
    checked: Checked | None = None,
) -> HTMLResponse:
    t = Translator(language(request))
    rows = []
    for summary in await radars.summaries(viewer, _week_start(now)):
        radar = summary.radar
        today, _ = period_starts(now, radar.schedule.timezone)
        counts = match_counts(summary.week_matches, today, MATCHES_READ)
        rows.append(
            {
                "radar": radar,
                "schedule": schedule_words(radar.schedule, t),
                "counts": counts,
                "last": last_briefing_date(
                    [summary.latest] if summary.latest else [], radar.schedule.timezone
                ),
                "next": next_briefing_words(radar.schedule, summary.window, now, t),
            }
        )
    return render(
        request,
        "radars.html",
        {"rows": rows, **_form_context(form, checked)},
        viewer=viewer,
        status=200 if checked is None else 422,
    )


@router.get("/radars", response_class=HTMLResponse)
async def radars_page(
    request: Request, viewer: SignedIn, radars: RadarsDep, clock: ClockDep
) -> HTMLResponse:
    return await _list_page(request, viewer, radars, clock(), RadarForm.blank(language(request)))


@router.post("/radars")
async def create_radar(
    request: Request,
    viewer: SignedIn,
    radars: RadarsDep,
    clock: ClockDep,
    csrf: Csrf,
    form: Posted,
) -> Response:
    check_form_csrf(viewer, csrf)
    checked = check_form(form, language(request))
    if not checked.ok:
        return await _list_page(request, viewer, radars, clock(), form, checked)
    changes = checked.changes
    entries, references = seed_inputs(changes["seeds"])
    try:
        created = await radars.create(
            viewer,
            name=changes["name"],
            query=changes["query"],
            language=changes["language"],
            schedule=changes["schedule"],
            seeds=entries,
            references=references,
            interest=changes["interest"] or None,
            per_day=changes["per_day"],
        )
    except InvalidRequest as exc:
        refused = Checked(errors={"seeds": _seed_errors(exc)})
        return await _list_page(request, viewer, radars, clock(), form, refused)
    return _to(f"/radars/{created.radar.id}")


def _seed_errors(exc: InvalidRequest) -> str:
    """What the store could not find among the seeds (or what else was refused)."""
    return "; ".join(p.message for p in exc.problems) or exc.message


def _radar_changes(changes: dict[str, object]) -> dict[str, object]:
    """The form's fields as :meth:`RadarService.update` takes them."""
    seeds = str(changes.pop("seeds", ""))
    entries, references = seed_inputs(seeds)
    return {**changes, "seeds": entries, "references": references}


@router.get("/radars/{radar_id}", response_class=HTMLResponse)
async def radar_page(
    request: Request,
    radar_id: str,
    viewer: SignedIn,
    radars: RadarsDep,
    accounts: AccountsDep,
    clock: ClockDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    radar = await radars.get(viewer, radar_id)
    return await _radar_view(
        request,
        viewer,
        radars,
        accounts,
        clock(),
        radar_id,
        page,
        RadarForm.of(radar),
        backfill_days=settings.common.radar_backfill_days,
    )


async def _radar_view(
    request: Request,
    viewer: Principal,
    radars: RadarService,
    accounts: AsyncStore[AccountStore],
    now: dt.datetime,
    radar_id: str,
    page: int,
    form: RadarForm,
    checked: Checked | None = None,
    *,
    backfill_days: int,
) -> HTMLResponse:
    t = Translator(language(request))
    found = await radars.page(
        viewer, radar_id, page=page, size=MATCHES_PER_PAGE, briefings=BRIEFINGS_SHOWN
    )

    def read(a: AccountStore) -> tuple[list[Feedback], bool]:
        return a.feedback_for_radar(radar_id), a.get_feed_token(radar_id) is not None

    feedback, has_feed = await accounts.run(read)
    _, deliveries = await radar_delivery(request.app.state.context.store, radar_id)
    verdicts = {f.paper_id: f.verdict for f in feedback if f.user_id == viewer.user.id}
    radar = found.radar
    pages = max(1, -(-found.total // MATCHES_PER_PAGE))
    latest = found.briefings[0] if found.briefings else None
    zone = radar.schedule.timezone
    # Dates on the radar's own calendar, like "last briefing" and "next due".
    older = [(b, last_briefing_date([b], zone)) for b in found.briefings[1:]]
    return render(
        request,
        "radar.html",
        {
            "radar": radar,
            "reading": query_reading(parse_query(radar.query)) if radar.has_query else "",
            "ranked_by": found.ranked_by,
            "schedule": schedule_words(radar.schedule, t),
            "next": next_briefing_words(radar.schedule, found.window, now, t),
            "last": last_briefing_date(found.briefings, radar.schedule.timezone),
            "latest": latest,
            "latest_date": last_briefing_date(found.briefings, zone),
            "older": older,
            "matches": [
                _match_row(
                    v, verdicts.get(v.match.paper_id), (page - 1) * MATCHES_PER_PAGE + i, zone
                )
                for i, v in enumerate(found.matches, start=1)
            ],
            "total": found.total,
            "capped": found.capped,
            "page": page,
            "pages": pages,
            "prev_url": f"/radars/{radar_id}?page={page - 1}#matches" if page > 1 else None,
            "next_url": f"/radars/{radar_id}?page={page + 1}#matches" if page < pages else None,
            "last_url": f"/radars/{radar_id}?page={pages}#matches",
            "has_feed": has_feed,
            "deliveries": delivery_lines(deliveries, found.radar.schedule.timezone, t),
            "backfill": _backfill_words(found.backfill, radar, backfill_days, t),
            # Reload while the backfill runs, and until its first briefing is written.
            "awaiting": found.backfill is None
            or found.backfill.query != radar.query
            or (latest is None and found.backfill.papers > 0),
            **_form_context(form, checked),
        },
        viewer=viewer,
        status=200 if checked is None else 422,
    )


def _backfill_words(mark: BackfillMark | None, radar: Radar, days: int, t: Translator) -> str:
    """What the radar's backfill found, or that it is looking (the matcher marks it done
    for the query it matched)."""
    if mark is None or mark.query != radar.query:
        return t("radars.backfill_running", days=days)
    return t(
        "radars.backfill_done",
        papers=mark.papers,
        first=mark.first_day.isoformat(),
        last=mark.last_day.isoformat(),
    )


def _match_row(view: MatchView, verdict: str | None, number: int, zone: str) -> dict[str, object]:
    paper: Paper | None = view.paper
    terms = view.match.terms
    return {
        "number": number,
        # On the radar's own clock, like its schedule.
        "matched_at": local_time(view.match.matched_at, zone),
        "paper_id": view.match.paper_id,
        "origin": view.match.origin,
        "score": view.shown_score,
        "kind": view.shown_kind,
        "nearest": [(n.paper_id, f"{n.similarity:.2f}") for n in view.match.nearest[:1]],
        # The words as the paper writes them; nothing where the paper is not stored (yet).
        "terms": list(fired_words(paper, terms)) if paper else [],
        "source_line": source_line(paper) if paper else "",
        "title": fired_segments(paper.title, terms, "title")
        if paper
        else [(view.match.paper_id, False)],
        "abstract": fired_segments(paper.abstract, terms, "abstract", max_chars=400)
        if paper
        else [],
        "verdict": verdict,
    }


@router.post("/radars/{radar_id}")
async def update_radar(
    request: Request,
    radar_id: str,
    viewer: SignedIn,
    radars: RadarsDep,
    accounts: AccountsDep,
    clock: ClockDep,
    settings: SettingsDep,
    csrf: Csrf,
    form: Posted,
) -> Response:
    check_form_csrf(viewer, csrf)
    checked = check_form(form, language(request))
    if not checked.ok:
        await radars.get(viewer, radar_id)  # another user's radar is a 404, form or not
    else:
        try:
            await radars.update(viewer, radar_id, _radar_changes(dict(checked.changes)))
        except InvalidRequest as exc:
            checked = Checked(errors={"seeds": _seed_errors(exc)})
        else:
            return _to(f"/radars/{radar_id}")
    # The form again, with what was wrong in it.
    return await _radar_view(
        request,
        viewer,
        radars,
        accounts,
        clock(),
        radar_id,
        1,
        form,
        checked,
        backfill_days=settings.common.radar_backfill_days,
    )


@router.get("/radars/{radar_id}/delete", response_class=HTMLResponse)
async def confirm_delete(
    request: Request, radar_id: str, viewer: SignedIn, radars: RadarsDep
) -> HTMLResponse:
    radar = await radars.get(viewer, radar_id)
    return render(request, "radar_delete.html", {"radar": radar}, viewer=viewer)


@router.post("/radars/{radar_id}/delete")
async def delete_radar(
    request: Request,
    radar_id: str,
    viewer: SignedIn,
    radars: RadarsDep,
    csrf: Csrf,
    confirmed: Annotated[str, Form()] = "",
) -> Response:
    check_form_csrf(viewer, csrf)
    if confirmed != "yes":
        # Asked without the confirmation page (an old form): ask first, delete nothing.
        radar = await radars.get(viewer, radar_id)
        return render(request, "radar_delete.html", {"radar": radar}, viewer=viewer)
    await radars.delete(viewer, radar_id)
    return _to("/radars")


@router.post("/radars/{radar_id}/feedback")
async def feedback(
    radar_id: str,
    viewer: SignedIn,
    radars: RadarsDep,
    store: StoreDep,
    accounts: AccountsDep,
    context: ContextDep,
    csrf: Csrf,
    paper_id: Annotated[str, Form(max_length=200)],
    verdict: Annotated[Literal["up", "down", "none"], Form()],
) -> Response:
    check_form_csrf(viewer, csrf)
    await radars.get(viewer, radar_id)
    if await store.run(lambda s: s.papers.get_paper(paper_id)) is None:
        raise NotFound(f"no paper with id {paper_id!r}", paper_id=paper_id)
    now = context.clock()

    def record(a: AccountStore) -> list[Feedback]:
        if verdict == "none":
            a.delete_feedback(radar_id, paper_id, viewer.user.id)
        else:
            a.put_feedback(Feedback(radar_id, paper_id, viewer.user.id, verdict, now))
        return a.feedback_for_radar(radar_id)

    given = await accounts.run(record)
    await radars.learn(viewer, radar_id, given)
    return _to(f"/radars/{radar_id}#matches")


@router.post("/radars/{radar_id}/feedback/reset")
async def reset_learning(
    radar_id: str,
    viewer: SignedIn,
    radars: RadarsDep,
    accounts: AccountsDep,
    csrf: Csrf,
) -> Response:
    check_form_csrf(viewer, csrf)
    await radars.get(viewer, radar_id)
    await accounts.run(lambda a: forget_feedback(a, radar_id))
    await radars.learn(viewer, radar_id, [])
    return _to(f"/radars/{radar_id}#matches")


@router.post("/radars/{radar_id}/feed-token", response_class=HTMLResponse)
async def issue_feed(
    request: Request,
    radar_id: str,
    viewer: SignedIn,
    radars: RadarsDep,
    context: ContextDep,
    csrf: Csrf,
) -> Response:
    check_form_csrf(viewer, csrf)
    await radars.get(viewer, radar_id)
    token = await issue_feed_token(context, radar_id)
    # Rendered here rather than redirected: the token is shown this once and never stored.
    return render(
        request,
        "feed_issued.html",
        {"radar_id": radar_id, "new_feed_url": feed_url(request, radar_id, token)},
        viewer=viewer,
    )


@router.post("/radars/{radar_id}/feed-token/revoke")
async def revoke_feed(
    radar_id: str, viewer: SignedIn, radars: RadarsDep, accounts: AccountsDep, csrf: Csrf
) -> Response:
    check_form_csrf(viewer, csrf)
    await radars.get(viewer, radar_id)
    await accounts.run(lambda a: a.delete_feed_token(radar_id))
    return _to(f"/radars/{radar_id}#feed")


@router.get("/briefings/{briefing_id}", response_class=HTMLResponse)
async def briefing_page(
    request: Request, briefing_id: str, viewer: SignedIn, radars: RadarsDep
) -> HTMLResponse:
    briefing, radar, papers = await radars.briefing(viewer, briefing_id)
    return render(
        request,
        "briefing.html",
        {"briefing": briefing, "radar": radar, "papers": papers},
        viewer=viewer,
    )

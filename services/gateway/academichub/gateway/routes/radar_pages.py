"""The signed-in pages: your radars (create and edit with a live preview), a radar's
matches with why and 👍/👎, its feed and export, and a briefing.

Forms post here with the session's CSRF token and redirect back (post/redirect/get); the
page script enhances the preview and the feedback buttons through the JSON API.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from academichub.contracts import Paper
from academichub.contracts.events import Language
from academichub.gateway.auth import CSRF_FIELD, SignedIn, check_form_csrf
from academichub.gateway.deps import AccountsDep, ContextDep, RadarsDep, StoreDep
from academichub.gateway.errors import NotFound, PublishFailed
from academichub.gateway.presentation import fired_segments, source_line
from academichub.gateway.principal import Principal
from academichub.gateway.radar_service import MatchView
from academichub.gateway.routes.feeds import feed_url, issue_feed_token
from academichub.gateway.web import render
from academichub.store.accounts import AccountStore, Feedback

router = APIRouter(include_in_schema=False)

Csrf = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]
NameField = Annotated[str, Form(min_length=1, max_length=200)]
QueryField = Annotated[str, Form(min_length=1, max_length=2000)]
LanguageField = Annotated[Literal["zh", "en"], Form()]
MATCHES_SHOWN = 50


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/radars", response_class=HTMLResponse)
async def radars_page(request: Request, viewer: SignedIn, radars: RadarsDep) -> HTMLResponse:
    mine = await radars.listing(viewer)
    return render(request, "radars.html", {"radars": mine}, viewer=viewer)


@router.post("/radars")
async def create_radar(
    viewer: SignedIn,
    radars: RadarsDep,
    csrf: Csrf,
    name: NameField,
    query: QueryField,
    language: LanguageField = "zh",
) -> Response:
    check_form_csrf(viewer, csrf)
    return await _saved(viewer, radars, None, name=name, query=query, language=language)


async def _saved(
    viewer: Principal,
    radars: RadarsDep,
    radar_id: str | None,
    *,
    name: str,
    query: str,
    language: Language,
) -> Response:
    # A malformed query (the script shows its error live) answers 422 with the position.
    try:
        if radar_id is None:
            radar = await radars.create(
                viewer, name=name.strip(), query=query.strip(), language=language
            )
            radar_id = radar.id
        else:
            await radars.update(
                viewer,
                radar_id,
                {"name": name.strip(), "query": query.strip(), "language": language},
            )
    except PublishFailed as exc:
        saved = exc.extra.get("radar_id", radar_id)
        return _to(f"/radars/{saved}?unannounced=1")
    return _to(f"/radars/{radar_id}")


@router.get("/radars/{radar_id}", response_class=HTMLResponse)
async def radar_page(
    request: Request,
    radar_id: str,
    viewer: SignedIn,
    radars: RadarsDep,
    accounts: AccountsDep,
) -> HTMLResponse:
    radar, views = await radars.matches(viewer, radar_id, None, MATCHES_SHOWN)
    briefings = await radars.briefings(viewer, radar_id, 20)

    def read(a: AccountStore) -> tuple[list[Feedback], bool]:
        return a.feedback_for_radar(radar_id), a.get_feed_token(radar_id) is not None

    feedback, has_feed = await accounts.run(read)
    verdicts = {f.paper_id: f.verdict for f in feedback if f.user_id == viewer.user.id}
    return render(
        request,
        "radar.html",
        {
            "radar": radar,
            "matches": [_match_row(v, verdicts.get(v.match.paper_id)) for v in views],
            "briefings": briefings,
            "has_feed": has_feed,
            "unannounced": request.query_params.get("unannounced") == "1",
        },
        viewer=viewer,
    )


def _match_row(view: MatchView, verdict: str | None) -> dict[str, object]:
    paper: Paper | None = view.paper
    terms = view.match.terms
    return {
        "paper_id": view.match.paper_id,
        "score": view.match.score,
        "terms": [f"{t.field}: {t.term}" for t in terms],
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
    radar_id: str,
    viewer: SignedIn,
    radars: RadarsDep,
    csrf: Csrf,
    name: NameField,
    query: QueryField,
    language: LanguageField = "zh",
) -> Response:
    check_form_csrf(viewer, csrf)
    return await _saved(viewer, radars, radar_id, name=name, query=query, language=language)


@router.post("/radars/{radar_id}/delete")
async def delete_radar(radar_id: str, viewer: SignedIn, radars: RadarsDep, csrf: Csrf) -> Response:
    check_form_csrf(viewer, csrf)
    # Deleted from the store even if the matcher was not told: it drops the radar on reload.
    with contextlib.suppress(PublishFailed):
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
    if await store.run(lambda s: s.get_paper(paper_id)) is None:
        raise NotFound(f"no paper with id {paper_id!r}", paper_id=paper_id)
    now = context.clock()

    def record(a: AccountStore) -> None:
        if verdict == "none":
            a.delete_feedback(radar_id, paper_id, viewer.user.id)
        else:
            a.put_feedback(Feedback(radar_id, paper_id, viewer.user.id, verdict, now))

    await accounts.run(record)
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

"""A radar taken elsewhere: its Atom feed of matches and briefings (with a revocable token,
for feed readers that cannot send headers) and the BibTeX of its matches.

A wrong, revoked or missing token answers 404 like a missing radar, so a guessed URL
reveals nothing. The token is stored as a digest and shown once, when it is issued.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from academichub.contracts import Paper, Radar
from academichub.gateway.auth import (
    Caller,
    api_caller,
    authentication_failed,
    refuse_if_failing,
    spend,
)
from academichub.gateway.deps import AccountsDep, ContextDep, RadarsDep
from academichub.gateway.domain.atom import FeedItem, radar_feed
from academichub.gateway.domain.bibtex import bibliography
from academichub.gateway.gateway_store import GatewayStore
from academichub.gateway.openapi_doc import errors
from academichub.gateway.radar_service import missing_radar
from academichub.gateway.schemas import FeedTokenIssued
from academichub.radar.highlight import fired_words
from academichub.store.accounts import AccountStore, FeedToken, digest, new_secret, same_digest

router = APIRouter(prefix="/api/radars", tags=["feeds"], responses=errors(401, 404, 422, 429, 503))
FEED_ITEMS = 100
FEED_BRIEFINGS = 20


def base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def feed_url(request: Request, radar_id: str, token: str) -> str:
    return f"{base_url(request)}/api/radars/{radar_id}/feed.atom?token={token}"


async def issue_feed_token(context: ContextDep, radar_id: str) -> str:
    """A new feed token for the radar (the caller's access is checked before)."""
    token = new_secret()
    record = FeedToken(radar_id, digest(token), context.clock())
    await context.accounts.run(lambda a: a.set_feed_token(record))
    return token


@router.post(
    "/{radar_id}/feed-token",
    status_code=201,
    summary="Issue the radar's feed token",
    responses=errors(403),
)
async def create_feed_token(
    radar_id: str, request: Request, caller: Caller, radars: RadarsDep, context: ContextDep
) -> FeedTokenIssued:
    await radars.get(caller, radar_id)
    token = await issue_feed_token(context, radar_id)
    return FeedTokenIssued(
        radar_id=radar_id, token=token, feed_url=feed_url(request, radar_id, token)
    )


@router.delete(
    "/{radar_id}/feed-token",
    status_code=204,
    summary="Revoke the feed token",
    responses=errors(403),
)
async def revoke_feed_token(
    radar_id: str, caller: Caller, radars: RadarsDep, accounts: AccountsDep
) -> Response:
    await radars.get(caller, radar_id)
    await accounts.run(lambda a: a.delete_feed_token(radar_id))
    return Response(status_code=204)


def _matched_papers(s: GatewayStore, radar_id: str, limit: int) -> list[tuple[Paper, FeedItem]]:
    matches = s.matches.matches_for_radar(radar_id, limit=limit)
    papers = s.papers.get_papers(m.paper_id for m in matches)
    return [
        (
            papers[m.paper_id],
            FeedItem(papers[m.paper_id], m.matched_at, fired_words(papers[m.paper_id], m.terms)),
        )
        for m in matches
        if m.paper_id in papers
    ]


@router.get(
    "/{radar_id}/feed.atom",
    summary="The radar as an Atom feed (token from POST …/feed-token, or a key)",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}},
)
async def atom_feed(
    radar_id: str,
    request: Request,
    context: ContextDep,
    token: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    radar = await _feed_radar(request, context, radar_id, token)
    found, briefings = await context.store.run(
        lambda s: (
            _matched_papers(s, radar_id, FEED_ITEMS),
            s.briefings.briefings_for_radar(radar_id, FEED_BRIEFINGS),
        )
    )
    # A feed lists what arrived last first; the store gives best matches first.
    items = sorted((item for _, item in found), key=lambda i: i.matched_at, reverse=True)
    body = radar_feed(radar, items, base_url=base_url(request), briefings=briefings)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


async def _feed_radar(
    request: Request, context: ContextDep, radar_id: str, token: str | None
) -> Radar:
    if token is None:
        caller = await api_caller(request, context, None)
        return await context.radars.get(caller, radar_id)

    # Feed readers send no key: their budget is the radar's, whoever polls it; a wrong
    # token is a failed authentication of the address that sent it.
    refuse_if_failing(context, request)
    spend(context.anonymous_limiter, f"feed:{radar_id}")

    def check(a: AccountStore) -> bool:
        stored = a.get_feed_token(radar_id)
        return stored is not None and same_digest(stored.digest, token)

    radar = await context.store.run(lambda s: s.radars.get_radar(radar_id))
    if radar is None or not await context.accounts.run(check):
        authentication_failed(context, request, missing_radar(radar_id))
    return radar


@router.get(
    "/{radar_id}/export.bib",
    summary="BibTeX of the radar's matches",
    response_class=Response,
    responses={200: {"content": {"application/x-bibtex": {}}}},
)
async def export_bibtex(
    radar_id: str, caller: Caller, radars: RadarsDep, context: ContextDep
) -> Response:
    await radars.get(caller, radar_id)
    found = await context.store.run(
        lambda s: _matched_papers(s, radar_id, context.settings.max_api_limit * 10)
    )
    return Response(
        bibliography(paper for paper, _ in found),
        media_type="application/x-bibtex; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{radar_id}.bib"'},
    )

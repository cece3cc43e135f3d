"""Turn a window's papers into a :class:`~academichub.contracts.Briefing`.

The one code path for the service's window closer and for the CLI. With a model, the
model's draft is cleaned (:mod:`.citations`) and used if anything cited survives; when
the model fails (:class:`~academichub.briefer.model.ModelError`) or its draft cites
nothing usable, the extractive summariser writes the briefing, marked ``degraded`` with
the reason. Without a model the extractive briefing is the intended path, not degraded.

Seams for what comes next: a per-paper TL;DR cache and staged summarisation belong
behind :class:`~academichub.briefer.model.BriefingModel` (a wrapper that drafts TL;DRs
per paper, cached, then synthesises); a token budget decides which papers go into the
request and passes the rest as ``omitted_paper_ids``; a circuit breaker is a model
wrapper that raises ``ModelUnavailable`` without calling out.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Final, Protocol

from academichub.briefer.citations import clean_draft
from academichub.briefer.draft import BriefingParts
from academichub.briefer.extractive import summarise
from academichub.briefer.fields import paper_field
from academichub.briefer.model import BriefingModel, DraftRequest, ModelError
from academichub.contracts import Briefing, Paper
from academichub.contracts.events import Language

log = logging.getLogger(__name__)

EXTRACTIVE: Final = "extractive"


class ComposeObserver(Protocol):
    def observe_citations_rejected(self, reason: str, count: int) -> None: ...

    def observe_claims_dropped(self, kind: str, count: int) -> None: ...


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def compose_briefing(
    papers: Sequence[Paper],
    *,
    radar_id: str,
    window: int,
    language: Language,
    model: BriefingModel | None,
    radar_name: str | None = None,
    radar_query: str | None = None,
    scores: Mapping[str, float] | None = None,
    omitted_paper_ids: Sequence[str] = (),
    opened_at: dt.datetime | None = None,
    closed_at: dt.datetime | None = None,
    observer: ComposeObserver | None = None,
    clock: Callable[[], dt.datetime] = _utcnow,
) -> Briefing:
    """The briefing of window ``window`` of radar ``radar_id`` over ``papers``.

    ``papers`` come best match first (that order is kept in ``paper_ids``); ``scores``
    (paper id -> match score) informs the extractive choice of notable papers.
    ``opened_at``/``closed_at`` default to now. Raises only for bugs: every model
    failure ends in the extractive fallback.
    """
    unique: list[Paper] = []
    for paper in papers:
        if all(paper.id != kept.id for kept in unique):
            unique.append(paper)  # the first, best-ranked, occurrence wins
    ids = tuple(p.id for p in unique)
    closed = closed_at or clock()
    provider, model_name = EXTRACTIVE, None
    parts: BriefingParts | None = None
    degraded_reason: str | None = None

    if model is not None and unique:
        request = DraftRequest(tuple(unique), language, radar_name, radar_query)
        try:
            reply = await model.draft(request)
        except ModelError as exc:
            degraded_reason = f"model failed: {exc.reason}"[:500]
        else:
            cleaned = clean_draft(
                reply.draft, ids, fields_by_paper={p.id: paper_field(p) for p in unique}
            )
            if observer is not None:
                for reason, count in sorted(cleaned.rejected.items()):
                    observer.observe_citations_rejected(reason, count)
                for kind, count in sorted(cleaned.dropped.items()):
                    observer.observe_claims_dropped(kind, count)
            if cleaned.rejected or cleaned.dropped:
                log.warning(
                    "briefing %s: removed citations %s, dropped claims %s",
                    Briefing.make_id(radar_id, window),
                    dict(cleaned.rejected),
                    dict(cleaned.dropped),
                )
            if cleaned.parts.has_cited_content():
                parts, provider, model_name = cleaned.parts, model.provider, reply.model
            else:
                degraded_reason = "model draft cited no paper of the window"
        if degraded_reason is not None:
            log.warning(
                "briefing %s falls back to extractive: %s",
                Briefing.make_id(radar_id, window),
                degraded_reason,
            )

    if parts is None:
        parts = summarise(unique, language=language, scores=scores)

    return Briefing(
        id=Briefing.make_id(radar_id, window),
        radar_id=radar_id,
        window=window,
        language=language,
        provider=provider,
        model=model_name,
        degraded=degraded_reason is not None,
        degraded_reason=degraded_reason,
        overview=parts.overview,
        themes=parts.themes,
        connections=parts.connections,
        notable=parts.notable,
        tldrs=parts.tldrs,
        paper_ids=ids,
        omitted_paper_ids=tuple(i for i in dict.fromkeys(omitted_paper_ids) if i not in ids),
        window_opened_at=opened_at or closed,
        window_closed_at=closed,
        created_at=clock(),
    )

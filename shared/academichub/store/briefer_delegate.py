"""The briefer's state on a store object, forwarded to the adapter's own implementation.

Each adapter keeps the briefer's state in a module of its own (``briefer_state``) and holds
it as ``_briefer``; this mixin is the one place the port's methods are forwarded, so a store
is a :class:`SummaryStore`, :class:`BriefingDeliveryStore` and :class:`TokenUsageStore`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol

from academichub.contracts import Briefing
from academichub.store.port import (
    BriefingDeliveryStore,
    PaperSummary,
    SummaryStore,
    TokenUsageStore,
)


class BrieferStateStore(SummaryStore, BriefingDeliveryStore, TokenUsageStore, Protocol):
    """Everything the briefer keeps beside the shared store."""


class DelegatesBrieferState:
    _briefer: BrieferStateStore

    def get_summaries(
        self, keys: Iterable[tuple[str, int | None]]
    ) -> dict[tuple[str, int | None], PaperSummary]:
        return self._briefer.get_summaries(keys)

    def put_summaries(self, summaries: Sequence[PaperSummary]) -> int:
        return self._briefer.put_summaries(summaries)

    def unpublished_briefings(self, limit: int = 100) -> list[tuple[Briefing, int]]:
        return self._briefer.unpublished_briefings(limit)

    def mark_briefing_published(self, briefing_id: str, revision: int) -> None:
        self._briefer.mark_briefing_published(briefing_id, revision)

    def mark_for_upgrade(self, briefing_id: str) -> None:
        self._briefer.mark_for_upgrade(briefing_id)

    def briefings_to_upgrade(self, limit: int = 20) -> list[Briefing]:
        return self._briefer.briefings_to_upgrade(limit)

    def upgrade_briefing(self, briefing: Briefing) -> int | None:
        return self._briefer.upgrade_briefing(briefing)

    def drop_upgrade(self, briefing_id: str) -> None:
        self._briefer.drop_upgrade(briefing_id)

    def add_token_usage(self, day: dt.date, accounts: Sequence[str], tokens: int) -> None:
        self._briefer.add_token_usage(day, accounts, tokens)

    def token_usage(self, day: dt.date, accounts: Sequence[str]) -> dict[str, int]:
        return self._briefer.token_usage(day, accounts)

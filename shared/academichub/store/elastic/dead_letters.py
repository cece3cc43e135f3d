"""The dead letters a re-reading consumer has sent, in Elasticsearch
(:class:`~academichub.store.port.DeadLetterLog`): one document per letter id, read by id
(real-time, so a restart right after a send sees it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from academichub.store.elastic.bulk import Operation
from academichub.store.elastic.cluster import Cluster


class ElasticsearchDeadLetters:
    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster

    def dead_lettered(self, letter_ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(letter_ids))
        return set(self._cluster.mget(self._cluster.names.dead_letters, wanted, source=False))

    def remember_dead_letters(self, letter_ids: Iterable[str]) -> None:
        now = dt.datetime.now(dt.UTC).isoformat()
        self._cluster.bulk(
            [
                Operation(
                    "index",
                    self._cluster.names.dead_letters,
                    letter_id,
                    {"letter_id": letter_id, "sent_at": now},
                )
                for letter_id in dict.fromkeys(letter_ids)
            ]
        )

"""What every adapter of :class:`~academichub.store.port.CorpusStore` does alike: count
the papers stored for the first time, keep a snapshot's stem counts as one compact blob,
and how many snapshots to keep."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from academichub.contracts import Paper
from academichub.radar.document import PaperDocument
from academichub.radar.scoring import CorpusStats
from academichub.store.port import PaperWrite

# Snapshot versions kept: the newest and the two before it, so a matcher that loaded
# version N just before N + 1 and N + 2 were made can still read the one it holds again.
SNAPSHOTS_KEPT: Final = 3


def new_documents(
    papers: Sequence[Paper],
    outcomes: Sequence[PaperWrite],
    documents: Sequence[PaperDocument] | None,
) -> list[PaperDocument]:
    """The documents of the papers an ``upsert_papers`` call stored for the first time:
    the caller's (``documents``, in the order of ``papers``) when it gave them, else
    analysed here."""
    return [
        documents[i] if documents is not None else PaperDocument.from_paper(paper)
        for i, (paper, outcome) in enumerate(zip(papers, outcomes, strict=True))
        if outcome is PaperWrite.NEW
    ]


def counted(documents: Iterable[PaperDocument]) -> CorpusStats:
    """The figures ``documents`` add to the running totals (each counted once, as
    :meth:`CorpusStats.add` counts a paper): what one ``upsert_papers`` call adds, so that
    the stems are written once per distinct stem of the call, not once per paper."""
    return CorpusStats.from_documents(documents)


def copy_of(stats: CorpusStats) -> CorpusStats:
    return CorpusStats(stats.n_docs, stats.title_tokens, stats.abstract_tokens, dict(stats.df))


def encode_df(df: Mapping[str, int]) -> bytes:
    """The stem counts as zlib-compressed JSON. Level 1 and the keys in the order given:
    on 10,000 stems 6 ms instead of 29 ms (sorted, level 6) for a blob 10 % larger; the
    matcher makes snapshots on its store thread."""
    text = json.dumps(df, separators=(",", ":"), ensure_ascii=False)
    return zlib.compress(text.encode(), 1)


def decode_df(blob: bytes) -> dict[str, int]:
    decoded = json.loads(zlib.decompress(blob))
    if not isinstance(decoded, dict):
        raise ValueError("a corpus snapshot's stem counts are not a JSON object")
    return {str(stem): int(df) for stem, df in decoded.items()}

"""``academichub reindex``: stored papers normalised again, and searchable again.

Papers stored before a normalisation rule changed keep what the old rule left (titles with
``Schr\\"odinger`` in them), and a search index made before the analysis changed holds the
old tokens. This rewrites every stored paper document, history included, with the
ingestor's current rule (:func:`academichub.ingestor.domain.normalise.decode_tex_paper`) through
the store's own write path (:meth:`~academichub.store.port.PaperStore.rewrite_papers`):
ids and versions stay, so matches, briefings and feedback keep pointing at them and
nothing is matched or published again. The search index is written again with the
current analysis: on Elasticsearch every paper; on the embedded store the papers that
changed (its index rebuilds itself when the analysis changed), by this process if the
index writer is free, else queued for the running matcher, which holds it.

Running it again changes nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from academichub.platform.errors import ConfigError
from academichub.platform.settings import CommonSettings, load_settings
from academichub.radar.analysis import ANALYSIS_VERSION
from academichub.store.port import Store


def _open_store() -> Store:
    from academichub.store.factory import open_store

    common = load_settings(CommonSettings)
    try:
        return open_store(common, index_writer=True)
    except ConfigError as held:
        # Only the embedded store refuses a second index writer: the matcher runs.
        print(
            f"academichub reindex: {held}; the matcher holding it indexes the rewritten "
            "papers from its queue",
            file=sys.stderr,
        )
        return open_store(common, index_writer=False)


def run_reindex(
    *,
    open_store: Callable[[], Store] = _open_store,
    out: TextIO = sys.stdout,
) -> int:
    # Imported here: the CLI's other commands load no ingestor.
    from academichub.ingestor.domain.normalise import decode_tex_paper

    store = open_store()
    try:
        started = time.monotonic()
        changed = store.papers.rewrite_papers(decode_tex_paper)
        papers = store.papers.count_papers()
    finally:
        store.close()
    print(
        f"{changed} stored paper documents rewritten (versions included); {papers} papers "
        f"searchable with analysis version {ANALYSIS_VERSION} "
        f"({time.monotonic() - started:.1f} s)",
        file=out,
    )
    return 0

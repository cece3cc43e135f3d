"""Which corpus statistics a matcher scores with, so that a score does not depend on the
process that computed it.

BM25 needs figures about the whole corpus (how many papers, their average title and
abstract lengths, how many hold each stem). The store keeps running totals of them,
counted as each paper is first stored (:class:`~academichub.store.port.CorpusStore`); they
move with every batch, and two replicas (or a matcher before and after a restart) would
read them at different moments. So matchers score with **snapshots**: version N of the
totals, written once to the store (the first writer wins) and read by everyone.

The rule (:class:`CorpusSnapshots`):

* at start a matcher loads the newest snapshot (creating version 1 from the running
  totals when there is none);
* before each batch it reads the newest version and the running paper count (one read):
  a newer version is loaded; when the running totals have grown enough since the
  snapshot it holds (:func:`snapshot_due`), it creates the next version from them. The
  create is create-once, so replicas racing to make version N + 1 all end up with the
  one that won;
* a paper is scored with the snapshot plus the paper itself
  (:class:`~academichub.radar.scoring.WithPaper`): a paper always counts in its own
  statistics, as before snapshots, so none of its terms has df 0 and a fresh install
  scores sensibly.

Hence the same paper scored under the same snapshot version gets the same score, bit for
bit, in every replica and after every restart; live matching and the backfill follow the
same rule. Scores move only when a new version is made, that is when the corpus has grown
by about a tenth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from academichub.radar.document import PaperDocument
from academichub.radar.scoring import WithPaper
from academichub.store.port import CorpusSnapshot, CorpusStore

# A new snapshot once the corpus has grown by a tenth: a stem's idf then moves by at most
# about ln 1.1 = 0.1 (on idfs of several units) and average lengths barely, so scores lag
# the corpus by a few percent at most, while snapshots, each a read of every stem count,
# stay rare (every ~10,000 papers at 100,000). Plus a few papers, so that a young corpus is
# not snapshotted on every batch.
GROWTH_FACTOR: Final = 1.1
GROWTH_PAPERS: Final = 10


def snapshot_due(snapshot_papers: int, running_papers: int) -> bool:
    """Whether running totals of ``running_papers`` papers deserve a snapshot after one of
    ``snapshot_papers``."""
    return running_papers >= snapshot_papers * GROWTH_FACTOR + GROWTH_PAPERS


@dataclass
class CorpusSnapshots:
    """The snapshot one matcher scores with, kept current by :meth:`refresh`."""

    store: CorpusStore
    _held: CorpusSnapshot | None = field(default=None, init=False)

    @property
    def current(self) -> CorpusSnapshot:
        """The snapshot held: the newest one when first asked (version 1 is made from the
        running totals when the store has none)."""
        if self._held is None:
            self._held = self.store.corpus_snapshot() or self.store.snapshot_corpus_once(
                1, self.store.corpus_totals()
            )
        return self._held

    def refresh(self) -> CorpusSnapshot:
        """Before a batch: the newest snapshot, made first if the totals grew enough."""
        held = self.current
        state = self.store.corpus_state()
        if state.snapshot_version > held.version:
            newest = self.store.corpus_snapshot()
            if newest is not None:
                held = newest
        if snapshot_due(held.stats.n_docs, state.n_docs):
            held = self.store.snapshot_corpus_once(held.version + 1, self.store.corpus_totals())
        self._held = held
        return held

    def statistics(self, doc: PaperDocument) -> WithPaper:
        """What ``doc`` is scored with: the held snapshot plus ``doc``."""
        return WithPaper(self.current.stats, doc)

"""What only the embedded store has: one index writer, readers in other processes and
threads, a data folder that outlives the process."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from academichub.contracts import Paper
from academichub.platform.errors import ConfigError
from academichub.radar.analysis import ANALYSIS_VERSION
from academichub.radar.document import PaperDocument
from academichub.radar.parser import parse_query
from academichub.radar.scoring import CorpusStats
from academichub.store.embedded import EmbeddedStore
from academichub.store.embedded.facets import EmbeddedFacets
from academichub.store.embedded.fulltext import INDEX_DIR, FullTextIndex
from academichub.store.embedded.tantivy_query import compile_query, uniform_score
from academichub.store.port import NO_FILTERS, PaperWrite, SearchFilters
from tests.integration.store.factories import P1, P2, match, paper, radar

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


def _hits(store: EmbeddedStore, query: str) -> list[tuple[str, int | None]]:
    page = store.papers.search(parse_query(query))
    return [(h.paper.id, h.paper.version) for h in page.hits]


def test_a_second_writer_is_refused_while_the_first_is_open(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path, index_writer=True)
    try:
        with pytest.raises(
            ConfigError, match="another process is already writing the index"
        ) as err:
            EmbeddedStore(tmp_path, index_writer=True)
        assert str(tmp_path / "index") in str(err.value)
        assert "exactly one matcher" in str(err.value)
        first.papers.upsert_papers([paper(1, "Still writing")])  # the refused one took nothing away
    finally:
        first.close()
    # Closing releases the lock: the next matcher starts.
    second = EmbeddedStore(tmp_path, index_writer=True)
    assert second.papers.upsert_papers([paper(2, "Next")]) == [PaperWrite.NEW]
    second.close()


def test_a_writer_in_another_process_is_refused(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, index_writer=True)
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from academichub.platform.errors import ConfigError
        from academichub.store.embedded import EmbeddedStore
        try:
            EmbeddedStore(Path({str(tmp_path)!r}), index_writer=True)
        except ConfigError as exc:
            print("refused:", exc)
        else:
            print("opened")
        """
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=REPO
        )
    finally:
        store.close()
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("refused: another process is already writing the index")


def test_a_reader_sees_what_the_writer_commits(tmp_path: Path) -> None:
    reader = EmbeddedStore(tmp_path, index_writer=False)  # before any index exists
    assert reader.papers.search(None).total == 0
    reader.ping()
    writer = EmbeddedStore(tmp_path, index_writer=True)
    try:
        writer.papers.upsert_papers([paper(1, "Quantum codes")])
        assert _hits(reader, "quantum") == [("arxiv:2606.00001", 1)]
        writer.papers.upsert_papers(
            [paper(1, "Topological codes", version=2), paper(2, "Quantum dots")]
        )
        assert _hits(reader, "quantum") == [("arxiv:2606.00002", 1)]
        assert _hits(reader, "topological") == [("arxiv:2606.00001", 2)]
        assert reader.papers.search(None).total == 2
        assert reader.papers.count_papers() == 2
    finally:
        writer.close()
        reader.close()


def test_papers_stored_without_the_writer_are_indexed_by_the_writer(tmp_path: Path) -> None:
    writer = EmbeddedStore(tmp_path, index_writer=True)
    scaled_out = EmbeddedStore(tmp_path, index_writer=False)
    try:
        outcomes = scaled_out.papers.upsert_papers(
            [paper(1, "Quantum codes"), paper(2, "Photon pairs")]
        )
        assert outcomes == [PaperWrite.NEW, PaperWrite.NEW]
        assert scaled_out.papers.upsert_papers([paper(1, "Quantum codes")]) == [
            PaperWrite.UNCHANGED
        ]
        assert writer.papers.count_papers() == 2
        assert writer.papers.get_paper("arxiv:2606.00001") is not None
        assert _hits(writer, "quantum") == []  # stored, not yet searchable
        with pytest.raises(ConfigError, match="index_writer=False"):
            scaled_out.papers.drain_index_queue()
        assert writer.papers.drain_index_queue() == 2
        assert writer.papers.drain_index_queue() == 0
        assert _hits(scaled_out, "quantum") == [("arxiv:2606.00001", 1)]
        scaled_out.papers.upsert_papers([paper(1, "Topological codes", version=2)])
        assert writer.papers.drain_index_queue() == 1
        assert _hits(writer, "quantum") == []
        assert _hits(writer, "topological") == [("arxiv:2606.00001", 2)]
        assert scaled_out.radars.put_radar(radar("r1"))
        assert scaled_out.matches.record_matches([match("arxiv:2606.00001")])
    finally:
        scaled_out.close()
        writer.close()


def test_everything_survives_a_restart_and_a_lost_index_is_rebuilt(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, index_writer=True)
    store.papers.upsert_papers([paper(1, "Quantum codes"), paper(2, "Protein folding")])
    store.papers.upsert_papers([paper(1, "Quantum codes again", version=2)])
    store.radars.put_radar(radar("r1"))
    store.dead_letters.remember_dead_letters(["radars:x"])
    store.close()

    again = EmbeddedStore(tmp_path, index_writer=True)
    assert _hits(again, "quantum") == [("arxiv:2606.00001", 2)]
    assert again.radars.get_radar("r1") == radar("r1")
    assert again.dead_letters.dead_lettered(["radars:x", "radars:y"]) == {"radars:x"}
    again.close()

    for child in (tmp_path / "index").iterdir():
        child.unlink()
    rebuilt = EmbeddedStore(tmp_path, index_writer=True)
    try:
        assert _hits(rebuilt, "quantum") == [("arxiv:2606.00001", 2)]
        assert rebuilt.papers.search(None).total == 2
        assert [p.id for p in rebuilt.papers.latest_papers(5)] == [
            "arxiv:2606.00002",
            "arxiv:2606.00001",
        ]
    finally:
        rebuilt.close()


def test_an_index_made_by_another_analysis_is_rebuilt_by_the_writer(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, index_writer=True)
    store.papers.upsert_papers([paper(1, "Galaxies and qubits")])
    store.close()
    # An index from before the analysis changed: its tokens, and no analysis version.
    marker = tmp_path / "index" / "analysis-version"
    marker.write_text("1\n")
    reader = EmbeddedStore(tmp_path, index_writer=False)  # a reader leaves it alone
    reader.close()
    assert marker.read_text() == "1\n"
    rebuilt = EmbeddedStore(tmp_path, index_writer=True)
    try:
        assert marker.read_text().strip() == str(ANALYSIS_VERSION)
        assert _hits(rebuilt, "galaxy qubit") == [("arxiv:2606.00001", 1)]
    finally:
        rebuilt.close()


def test_papers_rewritten_without_the_writer_are_indexed_by_the_writer(tmp_path: Path) -> None:
    writer = EmbeddedStore(tmp_path, index_writer=True)
    other = EmbeddedStore(tmp_path, index_writer=False)
    try:
        writer.papers.upsert_papers([paper(1, r"Schr\"odinger codes")])

        def decoded(stored: Paper) -> Paper:
            return stored.model_copy(update={"title": "Schrödinger codes"})

        assert other.papers.rewrite_papers(decoded) == 2  # its history and its current version
        assert _hits(writer, "schrodinger") == []
        assert writer.papers.drain_index_queue() == 1
        assert _hits(writer, "schrodinger") == [("arxiv:2606.00001", 1)]
    finally:
        other.close()
        writer.close()


def test_a_failed_index_commit_stores_nothing_so_the_replay_indexes_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedStore(tmp_path, index_writer=True)
    try:
        with monkeypatch.context() as patched:

            def broken(self: FullTextIndex, papers: object) -> None:
                raise OSError("disk full")

            patched.setattr(FullTextIndex, "replace", broken)
            with pytest.raises(OSError, match="disk full"):
                store.papers.upsert_papers([paper(1, "Quantum codes")])
        assert store.papers.count_papers() == 0
        assert store.papers.paper_versions("arxiv:2606.00001") == []
        assert store.papers.upsert_papers([paper(1, "Quantum codes")]) == [PaperWrite.NEW]
        assert _hits(store, "quantum") == [("arxiv:2606.00001", 1)]
    finally:
        store.close()


def test_threads_share_one_store(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, index_writer=True)
    store.papers.upsert_papers([paper(n, f"Quantum paper {n}") for n in range(1, 21)])
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(25):
                store.radars.put_radar(radar(f"w{worker}-{i}"))
                assert store.papers.search(parse_query("quantum"), limit=5).total == 20
                assert store.radars.get_radar(f"w{worker}-{i}") is not None
        except BaseException as exc:  # collected and re-raised by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert len(store.radars.list_radars()) == 8 * 25
    finally:
        store.close()


def test_processes_write_the_same_database(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path, index_writer=True).close()
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from academichub.store.embedded import EmbeddedStore
        from tests.integration.store.factories import radar
        store = EmbeddedStore(Path({str(tmp_path)!r}), index_writer=False)
        for i in range(100):
            store.radars.put_radar(radar(f"p{{sys.argv[1]}}-{{i}}"))
            store.ingest.mark_published([(f"arxiv:2606.{{i:05d}}", int(sys.argv[1]))])
        store.close()
        """
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(n)], cwd=REPO, stderr=subprocess.PIPE)
        for n in (1, 2, 3)
    ]
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr.decode()
    store = EmbeddedStore(tmp_path, index_writer=False)
    try:
        assert len(store.radars.list_radars()) == 300
        keys = [(f"arxiv:2606.{i:05d}", n) for i in range(100) for n in (1, 2, 3, 4)]
        assert store.ingest.unpublished(keys) == {(f"arxiv:2606.{i:05d}", 4) for i in range(100)}
    finally:
        store.close()


def test_a_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path, index_writer=False).close()
    with sqlite3.connect(tmp_path / "academichub.sqlite3") as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(ConfigError, match="schema version 99"):
        EmbeddedStore(tmp_path, index_writer=False)


def test_papers_stored_before_the_corpus_totals_are_counted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installation from before the corpus tables: the migration that adds them has the
    stored papers counted (current versions) by the first read, papers stored meanwhile
    included, and only once."""
    from academichub.store.embedded import database

    # The schema as that migration left it (later migrations are tested on their own).
    corpus = next(i for i, m in enumerate(database._MIGRATIONS) if "corpus_totals" in m)
    monkeypatch.setattr(database, "_MIGRATIONS", database._MIGRATIONS[: corpus + 1])
    monkeypatch.setattr(database, "SCHEMA_VERSION", corpus + 1)
    old = [paper(i, f"Spin chain {i}", "Spin waves in chains.") for i in range(1, 6)]
    store = EmbeddedStore(tmp_path, index_writer=False)
    store.papers.upsert_papers(old)
    store.close()
    with sqlite3.connect(tmp_path / "academichub.sqlite3") as conn:  # back to before it
        for table in ("corpus_totals", "corpus_df", "corpus_snapshots"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute(f"PRAGMA user_version = {corpus}")
    store = EmbeddedStore(tmp_path, index_writer=False)
    try:
        later = paper(9, "Quantum codes", "Codes for qubits.")
        store.papers.upsert_papers([later])  # counted, then recounted with the rest
        expected = CorpusStats.from_documents(map(PaperDocument.from_paper, [*old, later]))
        assert store.corpus.corpus_state().n_docs == 6
        assert store.corpus.corpus_totals() == expected
        store.papers.upsert_papers([paper(10, "Spin ice")])
        expected.add(PaperDocument.from_paper(paper(10, "Spin ice")))
        assert store.corpus.corpus_totals() == expected  # counted on, not recounted
    finally:
        store.close()


def test_a_tie_far_past_the_page_still_ranks_newest_first(tmp_path: Path) -> None:
    """Hundreds of papers tie at the page's last score: the page holds the newest of
    them, after the better-scoring papers (tantivy alone would order the tie by address).
    Small pages meet a tie longer than the hits fetched (it is walked newest first),
    deeper ones a tie that fetching more settles."""
    store = EmbeddedStore(tmp_path, index_writer=True)
    try:
        days = [dt.date(2026, 1, 1) + dt.timedelta(days=(n * 37) % 60) for n in range(700)]
        twins = [paper(n, "Identical twin title", published=days[n]) for n in range(700)]
        better = [
            paper(1000 + n, "twin twin twin", published=dt.date(2026, 1, 1 + n)) for n in range(3)
        ]
        store.papers.upsert_papers(twins[:350])
        store.papers.upsert_papers(better)
        store.papers.upsert_papers(twins[350:])
        arrived = [*twins[:350], *better, *twins[350:]]

        def newest_first(papers: list[Paper]) -> list[str]:
            by_date = sorted(papers, key=lambda p: (p.published, arrived.index(p)), reverse=True)
            return [p.id for p in by_date]

        # "twin" ranks the triple twins first; a prefix scores per field, so all tie.
        for query, expected in (
            ("twin", newest_first(better) + newest_first(twins)),
            ("twin*", newest_first(arrived)),
        ):
            for limit, offset in ((5, 0), (5, 2), (1, 0), (20, 40), (1, 699), (10, 698)):
                page = store.papers.search(parse_query(query), limit=limit, offset=offset)
                assert page.total == 703
                assert [h.paper.id for h in page.hits] == expected[offset : offset + limit]
    finally:
        store.close()


def test_a_query_scoring_every_match_alike_ranks_newest_first(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, index_writer=True)
    try:
        days = [dt.date(2026, 3, 1) + dt.timedelta(days=(n * 11) % 17) for n in range(40)]
        store.papers.upsert_papers([paper(n, "Anything", published=days[n]) for n in range(40)])
        newest = sorted(range(40), key=lambda n: (days[n], n), reverse=True)
        page = store.papers.search(parse_query("author:lovelace -cat:cs.LG"), limit=5, offset=3)
        assert page.total == 40
        assert [h.paper.id for h in page.hits] == [f"arxiv:2606.{n:05d}" for n in newest[3:8]]
        assert len({h.score for h in page.hits}) == 1
        assert page.hits[0].score > 0
    finally:
        store.close()


def test_facet_counts_are_reused_until_the_writer_commits(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, index_writer=True)
    try:
        store.papers.upsert_papers(
            [paper(n, "Spin chains", categories=("quant-ph",)) for n in range(3)]
        )
        facets = EmbeddedFacets(tmp_path / INDEX_DIR, cache_size=2)
        spins = parse_query("spin")
        first = facets.facets(spins, NO_FILTERS)
        assert first.categories == (("quant-ph", 3),)
        assert facets.facets(spins, NO_FILTERS) is first  # from the cache
        assert facets.facets(spins, SearchFilters(categories=("cs.LG",))).categories == ()
        store.papers.upsert_papers([paper(9, "Spin glasses", categories=("cond-mat",))])
        after = facets.facets(spins, NO_FILTERS)  # the commit emptied the cache
        assert after.categories == (("quant-ph", 3), ("cond-mat", 1))
        assert after.sources == (("arxiv", 4),)
        # Bounded: the least recently used answer goes first.
        facets.facets(None, NO_FILTERS)
        facets.facets(parse_query("glass"), NO_FILTERS)
        assert facets.facets(parse_query("glass"), NO_FILTERS) is facets.facets(
            parse_query("glass"), NO_FILTERS
        )
        assert facets.facets(spins, NO_FILTERS) is not after
        uncached = EmbeddedFacets(tmp_path / INDEX_DIR, cache_size=0)
        assert uncached.facets(spins, NO_FILTERS) == after
        assert uncached.facets(spins, NO_FILTERS) is not uncached.facets(spins, NO_FILTERS)
    finally:
        store.close()


@pytest.mark.parametrize("query", ["author:lovelace", "title:spin*", "abstract:chain* -cat:cs.LG"])
def test_queries_called_uniform_do_score_every_match_alike(tmp_path: Path, query: str) -> None:
    """uniform_score's claim about tantivy's scoring, checked against tantivy itself."""
    store = EmbeddedStore(tmp_path, index_writer=True)
    try:
        store.papers.upsert_papers(
            [
                paper(n, "Spin " * (1 + n % 3) + "chains", "chains of spins " * (1 + n % 4))
                for n in range(30)
            ]
        )
        node = parse_query(query)
        assert uniform_score(node)
        index = FullTextIndex(tmp_path / "index", writer=False)
        searcher = index._searcher()
        assert searcher is not None
        compiled = compile_query(node, index._schema)
        hits = searcher.search(compiled, 100).hits
        assert len(hits) == 30
        assert len({score for score, _ in hits}) == 1
    finally:
        store.close()


def test_per_match_marks_are_carried_over_to_their_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from academichub.store.embedded import database

    mine = next(i for i, m in enumerate(database._MIGRATIONS) if "match_groups" in m)
    with monkeypatch.context() as older:
        older.setattr(database, "_MIGRATIONS", database._MIGRATIONS[:mine])
        older.setattr(database, "SCHEMA_VERSION", mine)
        EmbeddedStore(tmp_path / "data", index_writer=False).close()
    a, b = match(P1, radar_id="r1"), match(P1, radar_id="r2")  # emitted, a queued
    c, d = match(P2, radar_id="r1"), match(P2, radar_id="r2")  # c emitted, none queued
    with sqlite3.connect(tmp_path / "data" / database.DATABASE_FILE) as conn:
        for m in (a, b, c, d):
            conn.execute(
                "INSERT INTO matches VALUES (?, ?, 1, ?, ?, ?)",
                (m.radar_id, m.paper_id, m.score, m.matched_at.timestamp(), m.model_dump_json()),
            )
        for m in (a, b, c):
            conn.execute("INSERT INTO emitted_matches VALUES (?, ?, 1)", (m.radar_id, m.paper_id))
        for m in (b, c, d):
            conn.execute(
                "INSERT INTO unqueued_matches VALUES (?, ?, 1, ?)",
                (m.radar_id, m.paper_id, m.matched_at.timestamp()),
            )
    after = EmbeddedStore(tmp_path / "data", index_writer=False)
    try:
        # Emitted only where the whole group was: the other group is owed again, whole.
        assert after.matches.record_matches([a, b, c, d]) == [c, d]
        everything = a.matched_at + dt.timedelta(days=1)
        owed = after.matches.unqueued_matches(everything)
        assert sorted(m.key for m in owed) == sorted(m.key for m in (b, c, d))
        after.matches.mark_queued([b])
        owed = after.matches.unqueued_matches(everything)
        assert sorted(m.key for m in owed) == sorted(m.key for m in (c, d))
        after.matches.mark_queued([c, d])
        assert after.matches.unqueued_matches(everything) == []
    finally:
        after.close()

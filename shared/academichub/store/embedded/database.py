"""The SQLite file every AcademicHub process shares: connections, transactions, schema.

Several processes use the file at once (the gateway writes radars, the matcher papers and
matches, the briefer briefings, the ingestor its published keys and cursors), and the
gateway calls from several threads of its own (:mod:`academichub.store.door`). Hence:

* WAL journal: readers never block the writer and the writer never blocks readers;
* a busy timeout: a writer waits for another process's write to finish instead of failing;
* one connection per thread (sqlite3 connections must not be used by two threads at once);
* writes start with ``BEGIN IMMEDIATE``, taking the write lock up front, so a transaction
  that read first can never fail on upgrading its lock (which no timeout would resolve);
* ``PRAGMA user_version`` records the schema version; migrations run under the write lock
  so two processes starting together do not both create the tables.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from academichub.platform.errors import ConfigError

DATABASE_FILE: Final = "academichub.sqlite3"  # in the data folder
BUSY_TIMEOUT_S: Final = 30.0

# Each entry migrates from version i to i + 1. Never edit a shipped entry; append one.
_MIGRATIONS: Final[tuple[str, ...]] = (
    """
    -- Papers: the current version of each paper; seq is the arrival order of its id.
    -- version_rank is the version with 0 standing for "no version" (versions start at 1).
    CREATE TABLE papers (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        version_rank INTEGER NOT NULL,
        published TEXT NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX papers_newest ON papers (published DESC, seq DESC);
    CREATE TABLE paper_versions (
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (paper_id, version_rank)
    ) WITHOUT ROWID;

    CREATE TABLE radars (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        revision INTEGER NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX radars_owner ON radars (owner);
    -- A deleted radar's id with the lowest revision that may bring it back.
    CREATE TABLE radar_tombstones (
        id TEXT PRIMARY KEY,
        revision INTEGER NOT NULL
    );

    CREATE TABLE matches (
        radar_id TEXT NOT NULL,
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        score REAL NOT NULL,
        matched_ts REAL NOT NULL,
        doc TEXT NOT NULL,
        UNIQUE (radar_id, paper_id, version_rank)
    );
    CREATE INDEX matches_best ON matches (radar_id, score DESC, paper_id);
    CREATE TABLE emitted_matches (
        radar_id TEXT NOT NULL,
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        PRIMARY KEY (radar_id, paper_id, version_rank)
    ) WITHOUT ROWID;

    -- Briefing windows: rowid keeps the enqueue order of pending items.
    CREATE TABLE pending_items (
        radar_id TEXT NOT NULL,
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        score REAL NOT NULL,
        enqueued_at TEXT NOT NULL,
        UNIQUE (radar_id, paper_id, version_rank)
    );
    CREATE TABLE open_windows (
        radar_id TEXT PRIMARY KEY,
        opened_at TEXT NOT NULL
    );
    CREATE TABLE briefed_items (
        radar_id TEXT NOT NULL,
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        PRIMARY KEY (radar_id, paper_id, version_rank)
    ) WITHOUT ROWID;
    CREATE TABLE briefings (
        id TEXT PRIMARY KEY,
        radar_id TEXT NOT NULL,
        window_no INTEGER NOT NULL,
        doc TEXT NOT NULL,
        UNIQUE (radar_id, window_no)
    );

    CREATE TABLE published_keys (
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        PRIMARY KEY (paper_id, version_rank)
    ) WITHOUT ROWID;
    CREATE TABLE ingest_cursors (
        source TEXT PRIMARY KEY,
        cursor TEXT NOT NULL
    );
    """,
    """
    -- Papers stored by a process that does not write the index (a scaled-out matcher),
    -- waiting for the index writer to index them.
    CREATE TABLE index_queue (
        paper_id TEXT PRIMARY KEY
    ) WITHOUT ROWID;
    """,
    """
    -- Accounts (the gateway's, see store/embedded/accounts.py). Secrets are stored only as
    -- SHA-256 digests; times are ISO-8601 UTC.
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        is_admin INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE api_keys (
        prefix TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        label TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE INDEX api_keys_user ON api_keys (user_id);
    CREATE TABLE web_sessions (
        digest TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        key_prefix TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE INDEX web_sessions_key ON web_sessions (key_prefix);
    CREATE TABLE feed_tokens (
        radar_id TEXT PRIMARY KEY,
        digest TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE feedback (
        radar_id TEXT NOT NULL,
        paper_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        verdict TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (radar_id, paper_id, user_id)
    ) WITHOUT ROWID;
    """,
    """
    -- The briefer's state. Per-paper TL;DRs, written once per paper version and shared
    -- by every radar (doc is the summary as JSON).
    CREATE TABLE paper_summaries (
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (paper_id, version_rank)
    ) WITHOUT ROWID;
    -- Briefing revisions: 1 when the window closed, +1 per upgrade; a revision is
    -- announced on the briefings topic once published_revision reaches it. Briefings
    -- stored before this migration were published when they were written.
    ALTER TABLE briefings ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE briefings ADD COLUMN published_revision INTEGER NOT NULL DEFAULT 0;
    UPDATE briefings SET published_revision = revision;
    CREATE INDEX briefings_unpublished ON briefings (id) WHERE published_revision < revision;
    -- Degraded briefings to rewrite when the model is back; rowid keeps the marking order.
    -- A mark may precede its briefing (it is set before the window is closed).
    CREATE TABLE briefing_upgrades (
        id TEXT NOT NULL UNIQUE
    );
    -- Tokens spent per UTC day and account ("radar:<id>", "user:<owner>").
    CREATE TABLE token_usage (
        day TEXT NOT NULL,
        account TEXT NOT NULL,
        tokens INTEGER NOT NULL,
        PRIMARY KEY (day, account)
    ) WITHOUT ROWID;
    """,
    """
    -- The ingestor's published preprints (see store/embedded/ingest.py): the latest
    -- version's document per paper, and every DOI it is known by (its own, its journal's).
    CREATE TABLE preprint_papers (
        paper_id TEXT PRIMARY KEY,
        version_rank INTEGER NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE preprint_dois (
        doi TEXT PRIMARY KEY,
        paper_id TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    """
    -- Dead letters sent by a consumer that reads its topic from the start on every run
    -- (see academichub/broker/dead_letters.py), so that each is sent once.
    CREATE TABLE dead_letters (
        letter_id TEXT PRIMARY KEY,
        sent_at TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    """
    -- Embeddings (see store/embedded/vectors.py). Each embedding model (its key: name,
    -- weights, dimension, text recipe) gets a number; vectors are float32 little-endian.
    CREATE TABLE vector_models (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        dimension INTEGER NOT NULL
    );
    -- Each paper's newest version's vector, with the fields semantic search filters by;
    -- seq grows with every write, so readers load only what changed since they looked.
    CREATE TABLE paper_vectors (
        model INTEGER NOT NULL,
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        published TEXT NOT NULL,
        source TEXT NOT NULL,
        categories TEXT NOT NULL,
        vector BLOB NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (model, paper_id)
    ) WITHOUT ROWID;
    CREATE INDEX paper_vectors_published ON paper_vectors (model, published);
    CREATE UNIQUE INDEX paper_vectors_seq ON paper_vectors (model, seq);
    CREATE TABLE text_vectors (
        model INTEGER NOT NULL,
        digest TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, digest)
    ) WITHOUT ROWID;
    """,
    """
    -- Delivery (see store/embedded/delivery.py): users' digests, radars' webhooks, the
    -- ledger of messages (doc is the record as JSON), the latest per radar and channel.
    CREATE TABLE digest_preferences (
        user_id TEXT PRIMARY KEY,
        cadence TEXT NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE webhooks (
        radar_id TEXT PRIMARY KEY,
        doc TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated_ts REAL NOT NULL,
        next_ts REAL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX deliveries_due ON deliveries (next_ts) WHERE state = 'retrying';
    CREATE INDEX deliveries_sending ON deliveries (updated_ts) WHERE state = 'sending';
    CREATE TABLE latest_deliveries (
        radar_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        PRIMARY KEY (radar_id, channel)
    ) WITHOUT ROWID;
    CREATE TABLE delivery_keys (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    ) WITHOUT ROWID;
    -- The outbox: a briefing revision is delivered once delivered_revision reaches it;
    -- digest_id names the digest that carried the briefing. Briefings stored before this
    -- migration count as delivered and carried ('' names no digest).
    ALTER TABLE briefings ADD COLUMN delivered_revision INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE briefings ADD COLUMN digest_id TEXT;
    UPDATE briefings SET delivered_revision = revision, digest_id = '';
    CREATE INDEX briefings_undelivered ON briefings (id) WHERE delivered_revision < revision;
    CREATE INDEX briefings_uncarried ON briefings (radar_id) WHERE digest_id IS NULL;
    """,
    """
    -- Each radar's last finished backfill (see store/port.py BackfillMark): the matcher
    -- matches a radar against the recent stored papers again only when its query differs.
    CREATE TABLE radar_backfills (
        radar_id TEXT PRIMARY KEY,
        revision INTEGER NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    """
    -- What was handed to the broker, kept until it is known to have arrived (a broker
    -- restart loses what its topics held). Radar changes not yet announced on the radars
    -- topic: one row per radar, its latest change, written with the change (the gateway's
    -- outbox). Radars stored before this migration were announced when they were written.
    CREATE TABLE radar_announcements (
        radar_id TEXT PRIMARY KEY,
        revision INTEGER NOT NULL
    );
    -- The radars created per Idempotency-Key, scoped per user, until the key expires.
    CREATE TABLE radar_requests (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        doc TEXT NOT NULL,
        expires_at REAL NOT NULL,
        PRIMARY KEY (scope, key)
    ) WITHOUT ROWID;
    CREATE INDEX radar_requests_expiry ON radar_requests (expires_at);
    -- Matches recorded and not yet confirmed in a briefing window. Matches recorded before
    -- this migration are listed here unless a window holds them already.
    CREATE TABLE unqueued_matches (
        radar_id TEXT NOT NULL,
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        matched_ts REAL NOT NULL,
        PRIMARY KEY (radar_id, paper_id, version_rank)
    ) WITHOUT ROWID;
    CREATE INDEX unqueued_matches_age ON unqueued_matches (matched_ts);
    INSERT INTO unqueued_matches (radar_id, paper_id, version_rank, matched_ts)
        SELECT m.radar_id, m.paper_id, m.version_rank, m.matched_ts FROM matches m
        WHERE NOT EXISTS (
            SELECT 1 FROM pending_items q WHERE q.radar_id = m.radar_id
            AND q.paper_id = m.paper_id AND q.version_rank = m.version_rank
        ) AND NOT EXISTS (
            SELECT 1 FROM briefed_items b WHERE b.radar_id = m.radar_id
            AND b.paper_id = m.paper_id AND b.version_rank = m.version_rank
        );
    -- The papers the ingestor published and has not yet seen stored (its sent outbox),
    -- in the order first kept (rowid), each with its next check time.
    CREATE TABLE sent_papers (
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        doc TEXT NOT NULL,
        check_ts REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        UNIQUE (paper_id, version_rank)
    );
    CREATE INDEX sent_papers_due ON sent_papers (check_ts);
    """,
    """
    -- The corpus statistics BM25 scores with (store/embedded/corpus.py): running totals,
    -- counted as each paper is first stored, in the paper's transaction -- one row of
    -- sums and one row per stem (how many papers hold it) -- and the versioned snapshots
    -- the matchers score with (the stem counts as one zlib-compressed JSON blob).
    CREATE TABLE corpus_totals (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        n_docs INTEGER NOT NULL,
        title_tokens INTEGER NOT NULL,
        abstract_tokens INTEGER NOT NULL,
        recount INTEGER NOT NULL
    );
    CREATE TABLE corpus_df (
        stem TEXT PRIMARY KEY,
        df INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE corpus_snapshots (
        version INTEGER PRIMARY KEY,
        n_docs INTEGER NOT NULL,
        title_tokens INTEGER NOT NULL,
        abstract_tokens INTEGER NOT NULL,
        df BLOB NOT NULL,
        created_at TEXT NOT NULL
    );
    -- SQL cannot tokenise: papers stored before this migration are counted once, in
    -- Python, by the first read of the totals after it (recount = 1 when there are any;
    -- EmbeddedCorpus recounts every stored paper in one write transaction, then clears it).
    INSERT INTO corpus_totals (id, n_docs, title_tokens, abstract_tokens, recount)
        VALUES (1, 0, 0, 0, EXISTS (SELECT 1 FROM papers));
    """,
    """
    -- What is owed of the matches, kept per group (the matches of one paper version
    -- recorded at one instant, see store/embedded/matches.py) instead of per match: its
    -- radars (a JSON array), whether its events were acknowledged and whether all of it is
    -- in briefing windows. queued_members: the members confirmed of a group not yet whole.
    -- A rowid table: its rows (~1.5 kB of radar ids at 100,000 radars) are too large for
    -- WITHOUT ROWID (measured: inserting and marking a group took twice as long).
    CREATE TABLE match_groups (
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        matched_ts REAL NOT NULL,
        radar_ids TEXT NOT NULL,
        size INTEGER NOT NULL,
        emitted INTEGER NOT NULL,
        queued INTEGER NOT NULL,
        UNIQUE (paper_id, version_rank, matched_ts)
    );
    CREATE INDEX match_groups_unqueued ON match_groups (matched_ts) WHERE queued = 0;
    CREATE TABLE queued_members (
        paper_id TEXT NOT NULL,
        version_rank INTEGER NOT NULL,
        matched_ts REAL NOT NULL,
        radar_id TEXT NOT NULL,
        PRIMARY KEY (paper_id, version_rank, matched_ts, radar_id)
    ) WITHOUT ROWID;
    -- The per-match marks carried over conservatively: a group is emitted (queued) only if
    -- every match of it was; the queued matches of a group not queued whole are its members.
    INSERT INTO match_groups
        (paper_id, version_rank, matched_ts, radar_ids, size, emitted, queued)
        SELECT m.paper_id, m.version_rank, m.matched_ts, json_group_array(m.radar_id),
            COUNT(*), MIN(e.radar_id IS NOT NULL), MIN(u.radar_id IS NULL)
        FROM matches m
        LEFT JOIN emitted_matches e ON e.radar_id = m.radar_id
            AND e.paper_id = m.paper_id AND e.version_rank = m.version_rank
        LEFT JOIN unqueued_matches u ON u.radar_id = m.radar_id
            AND u.paper_id = m.paper_id AND u.version_rank = m.version_rank
        GROUP BY m.paper_id, m.version_rank, m.matched_ts;
    INSERT INTO queued_members (paper_id, version_rank, matched_ts, radar_id)
        SELECT m.paper_id, m.version_rank, m.matched_ts, m.radar_id FROM matches m
        JOIN match_groups g ON g.paper_id = m.paper_id AND g.version_rank = m.version_rank
            AND g.matched_ts = m.matched_ts AND g.queued = 0
        WHERE NOT EXISTS (
            SELECT 1 FROM unqueued_matches u WHERE u.radar_id = m.radar_id
            AND u.paper_id = m.paper_id AND u.version_rank = m.version_rank
        );
    DROP TABLE emitted_matches;
    DROP TABLE unqueued_matches;
    """,
)
SCHEMA_VERSION: Final = len(_MIGRATIONS)


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._registry = threading.Lock()
        self._closed = False
        path.parent.mkdir(parents=True, exist_ok=True)
        self._migrate(self._connection())

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees one consistent snapshot."""
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the write lock from its start; rolled back on error."""
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def read_all(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
        """The rows of one query (a single statement is its own consistent snapshot)."""
        return self._connection().execute(sql, params).fetchall()

    def ping(self) -> None:
        self._connection().execute("SELECT 1").fetchone()

    def close(self) -> None:
        with self._registry:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError(f"the store at {self.path} is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: no implicit transactions; read()/write() say BEGIN.
            # check_same_thread=False only so that close() may close it from another thread.
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL never corrupts the file; a power cut may lose the last
            # commits, which at-least-once delivery replays.
            conn.execute("PRAGMA synchronous = NORMAL")
            with self._registry:
                if self._closed:
                    conn.close()
                    raise RuntimeError(f"the store at {self.path} is closed")
                self._connections.append(conn)
            self._local.conn = conn
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise ConfigError(
                    f"the database {self.path} has schema version {version}, newer than this "
                    f"AcademicHub understands ({SCHEMA_VERSION}): upgrade AcademicHub or point "
                    "ACADEMICHUB_DATA_DIR elsewhere"
                )
            for step in _MIGRATIONS[version:]:
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT the surrounding transaction; run statement by statement.
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]

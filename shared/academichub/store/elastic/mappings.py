"""The Elasticsearch indices of the store: names, mappings, settings, and creating them.

Every index has ``"dynamic": "strict"``, so a document with a field the mapping does not
declare is refused instead of silently growing the mapping. Records are kept whole as
their event JSON in a disabled object (``paper``, ``radar``, ...: stored, never indexed);
the fields beside it exist only to key, order and filter, as in the embedded store.

Papers are searched on *pre-analysed* text: the adapter writes the streams of
:class:`academichub.radar.document.PaperDocument` joined by single spaces, and the
``academichub_tokens`` analyzer only splits on whitespace. Elasticsearch therefore indexes
exactly the evaluator's tokens (:mod:`academichub.radar.analysis`: case- and accent-folded
runs of letters/digits, stemmed where the field holds stems) at the same positions, and a
query compiled from the AST compares like with like. The one gap: a single token longer
than :data:`MAX_TOKEN_CHARS` characters is split (Lucene refuses terms over 32766 bytes,
and 8191 characters of up to 4 UTF-8 bytes each stay below it). A change of the analysis
needs the stored papers written again (``academichub reindex``).

The papers index is versioned behind an alias (``<prefix>-papers-v1`` behind
``<prefix>-papers``); the store only ever names the alias, so a reindex is a swap: create
``-v2``, copy with ``_reindex`` (``"version_type": "external"`` on the destination keeps
the paper versions), move the alias with one atomic :func:`alias_swap`, then replay the
``papers`` topic from when the copy started (external versioning makes that harmless) to
pick up what was written meanwhile. The alias must point at one index at a time: the
store reads papers by id through it.

Clusters should not auto-create AcademicHub indices (``action.auto_create_index:
"-academichub-*,+*"``): a write before :func:`ensure_indices` would otherwise create an
index with guessed mappings. Paper writes are refused anyway unless they reach the alias
(``require_alias``), and ``ping()`` reports any missing index.

This module imports no client at run time: :func:`ensure_indices` only calls methods of the
client it is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from academichub.store.elastic.errors import ElasticsearchStoreError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

PAPERS_MAPPING_VERSION: Final = 1

# --- papers index fields (query.py and documents.py use these names) -------------------
ID: Final = "id"
TITLE: Final = "title"  # stemmed tokens with positions (words, phrases)
ABSTRACT: Final = "abstract"
TITLE_RAW: Final = "title_raw"  # unstemmed tokens (prefixes)
ABSTRACT_RAW: Final = "abstract_raw"
AUTHOR: Final = "author"  # one value per form of each author's name (name_forms)
CATEGORY: Final = "cat"  # lower-cased categories (``cat:`` in queries)
CATEGORY_EXACT: Final = "category"  # categories as given (SearchFilters compare exactly)
SOURCE: Final = "source"
ANNOUNCE_TYPE: Final = "type"
PUBLISHED: Final = "published"  # the announcement date, for range filters and order
SEQ: Final = "seq"  # arrival order of the paper id; kept by new versions
PAPER: Final = "paper"  # the Paper JSON as stored

TOKENS_ANALYZER: Final = "academichub_tokens"
MAX_TOKEN_CHARS: Final = 8191
# Positions between two authors' names: a phrase (slop 0) can never span two authors.
AUTHOR_POSITION_GAP: Final = 100

_PREFIX_RE: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,100}")


@dataclass(frozen=True)
class IndexNames:
    """Every index name, derived from one prefix (one prefix per deployment or test)."""

    prefix: str = "academichub"

    def __post_init__(self) -> None:
        # Elasticsearch index names are lower case and refuse \ / * ? " < > | , # and spaces.
        if not _PREFIX_RE.fullmatch(self.prefix):
            raise ValueError(
                f"index prefix {self.prefix!r} is not usable in Elasticsearch index names: "
                "use lower-case letters, digits, '-' and '_', starting with a letter or digit"
            )

    @property
    def papers(self) -> str:
        """The alias every paper read and write goes through."""
        return f"{self.prefix}-papers"

    def papers_index(self, version: int = PAPERS_MAPPING_VERSION) -> str:
        return f"{self.prefix}-papers-v{version}"

    @property
    def paper_versions(self) -> str:
        return f"{self.prefix}-paper-versions"

    @property
    def radars(self) -> str:
        return f"{self.prefix}-radars"

    @property
    def matches(self) -> str:
        return f"{self.prefix}-matches"

    @property
    def radar_backfills(self) -> str:
        return f"{self.prefix}-radar-backfills"

    @property
    def briefings(self) -> str:
        return f"{self.prefix}-briefings"

    @property
    def briefing_items(self) -> str:
        return f"{self.prefix}-briefing-items"

    @property
    def paper_summaries(self) -> str:
        return f"{self.prefix}-paper-summaries"

    @property
    def briefing_upgrades(self) -> str:
        return f"{self.prefix}-briefing-upgrades"

    @property
    def token_usage(self) -> str:
        return f"{self.prefix}-token-usage"

    @property
    def users(self) -> str:
        return f"{self.prefix}-users"

    @property
    def user_emails(self) -> str:
        return f"{self.prefix}-user-emails"

    @property
    def api_keys(self) -> str:
        return f"{self.prefix}-api-keys"

    @property
    def web_sessions(self) -> str:
        return f"{self.prefix}-web-sessions"

    @property
    def feed_tokens(self) -> str:
        return f"{self.prefix}-feed-tokens"

    @property
    def feedback(self) -> str:
        return f"{self.prefix}-feedback"

    @property
    def preprint_papers(self) -> str:
        return f"{self.prefix}-preprint-papers"

    @property
    def preprint_dois(self) -> str:
        return f"{self.prefix}-preprint-dois"

    @property
    def published(self) -> str:
        return f"{self.prefix}-ingest-published"

    @property
    def cursors(self) -> str:
        return f"{self.prefix}-ingest-cursors"

    @property
    def sequences(self) -> str:
        return f"{self.prefix}-sequences"

    @property
    def dead_letters(self) -> str:
        return f"{self.prefix}-dead-letters"

    @property
    def corpus_counts(self) -> str:
        return f"{self.prefix}-corpus-counts"

    @property
    def corpus_snapshots(self) -> str:
        return f"{self.prefix}-corpus-snapshots"

    def paper_vectors(self, model_digest: str) -> str:
        """Papers' vectors of one embedding model (created when first used)."""
        return f"{self.prefix}-paper-vectors-{model_digest}"

    def text_vectors(self, model_digest: str) -> str:
        return f"{self.prefix}-text-vectors-{model_digest}"

    @property
    def digest_preferences(self) -> str:
        return f"{self.prefix}-digest-preferences"

    @property
    def webhooks(self) -> str:
        return f"{self.prefix}-webhooks"

    @property
    def deliveries(self) -> str:
        return f"{self.prefix}-deliveries"

    @property
    def latest_deliveries(self) -> str:
        return f"{self.prefix}-latest-deliveries"

    @property
    def delivery_keys(self) -> str:
        return f"{self.prefix}-delivery-keys"

    @property
    def radar_requests(self) -> str:
        return f"{self.prefix}-radar-requests"

    @property
    def sent(self) -> str:
        return f"{self.prefix}-ingest-sent"


@dataclass(frozen=True)
class IndexSpec:
    """One index to create: its name, body parts, and the aliases it starts with."""

    name: str
    mappings: Mapping[str, Any]
    settings: Mapping[str, Any] | None = None
    aliases: Mapping[str, Any] | None = None


_KEYWORD: Final = {"type": "keyword", "ignore_above": MAX_TOKEN_CHARS}
_LONG: Final = {"type": "long"}
_DOUBLE: Final = {"type": "double"}
_BOOLEAN: Final = {"type": "boolean"}
# Nanoseconds: the port compares datetimes to the microsecond (``since`` and ordering).
_INSTANT: Final = {"type": "date_nanos"}
_STORED_ONLY: Final = {"type": "object", "enabled": False}
_BINARY: Final = {"type": "binary"}  # Base64 in _source, not searchable


def _strict(**properties: Mapping[str, Any]) -> dict[str, Any]:
    return {"dynamic": "strict", "properties": dict(properties)}


def _tokens(**options: Any) -> dict[str, Any]:
    return {"type": "text", "analyzer": TOKENS_ANALYZER, **options}


PAPERS_SETTINGS: Final[Mapping[str, Any]] = {
    # One shard: BM25 statistics are per shard, and equal papers must score equally so that
    # ties fall back to newest first. One shard holds tens of millions of papers.
    "number_of_shards": 1,
    "analysis": {
        "tokenizer": {
            "academichub_whitespace": {"type": "whitespace", "max_token_length": MAX_TOKEN_CHARS}
        },
        "analyzer": {TOKENS_ANALYZER: {"type": "custom", "tokenizer": "academichub_whitespace"}},
    },
}

PAPERS_MAPPINGS: Final[Mapping[str, Any]] = _strict(
    **{
        ID: _KEYWORD,
        TITLE: _tokens(),
        ABSTRACT: _tokens(),
        # Prefix leaves only ask "does some token start with ...": no positions, no norms.
        TITLE_RAW: _tokens(index_options="docs", norms=False),
        ABSTRACT_RAW: _tokens(index_options="docs", norms=False),
        # Author leaves score a constant, so no norms; positions for full-name phrases.
        AUTHOR: _tokens(norms=False, position_increment_gap=AUTHOR_POSITION_GAP),
        CATEGORY: _KEYWORD,
        CATEGORY_EXACT: _KEYWORD,
        SOURCE: _KEYWORD,
        ANNOUNCE_TYPE: _KEYWORD,
        PUBLISHED: {"type": "date", "format": "strict_date"},
        SEQ: _LONG,
        PAPER: _STORED_ONLY,
    }
)


def index_specs(names: IndexNames) -> list[IndexSpec]:
    """Every index of the store, papers first."""
    return [
        IndexSpec(
            names.papers_index(),
            PAPERS_MAPPINGS,
            PAPERS_SETTINGS,
            # Said explicitly: the alias's one index takes the writes (see alias_swap).
            {names.papers: {"is_write_index": True}},
        ),
        IndexSpec(
            names.paper_versions,
            _strict(paper_id=_KEYWORD, version_rank=_LONG, paper=_STORED_ONLY),
        ),
        IndexSpec(
            names.radars,
            _strict(
                radar_id=_KEYWORD,
                owner=_KEYWORD,
                created_at=_INSTANT,
                deleted=_BOOLEAN,
                radar=_STORED_ONLY,
                # The outbox: false until the change this document holds (an upsert, or a
                # delete's tombstone) is on the radars topic. Absent: stored before the
                # outbox, announced then.
                announced=_BOOLEAN,
            ),
        ),
        # The radars made per Idempotency-Key, by digest of (user, key), until it expires.
        IndexSpec(
            names.radar_requests,
            _strict(scope=_KEYWORD, fingerprint=_KEYWORD, expires_at=_INSTANT, radar=_STORED_ONLY),
        ),
        IndexSpec(
            names.matches,
            _strict(
                radar_id=_KEYWORD,
                paper_id=_KEYWORD,
                version_rank=_LONG,
                score=_DOUBLE,
                matched_at=_INSTANT,
                emitted=_BOOLEAN,
                # True once the briefer put it into a briefing window (absent: recorded
                # before the flag existed; the briefer confirms those once).
                queued=_BOOLEAN,
                match=_STORED_ONLY,
            ),
        ),
        # Each radar's last finished backfill (academichub.store.port.BackfillMark).
        IndexSpec(
            names.radar_backfills, _strict(radar_id=_KEYWORD, revision=_LONG, mark=_STORED_ONLY)
        ),
        IndexSpec(
            names.briefings,
            _strict(
                briefing_id=_KEYWORD,
                radar_id=_KEYWORD,
                window=_LONG,
                applied=_BOOLEAN,
                items=_STORED_ONLY,
                briefing=_STORED_ONLY,
                # Delivery: the stored revision (1, then 2 once upgraded), the newest one
                # published, ``published`` = (published_revision >= revision) for the
                # "unpublished" listing, and ``seq`` (storing order) to list oldest first.
                revision=_LONG,
                published_revision=_LONG,
                published=_BOOLEAN,
                seq=_LONG,
                # Delivery (delivery.py): the newest revision the delivery loop handled,
                # ``delivered`` = (delivered_revision >= revision), and the digest that
                # carried the briefing.
                delivered_revision=_LONG,
                delivered=_BOOLEAN,
                digest_id=_KEYWORD,
            ),
        ),
        IndexSpec(
            names.briefing_items,
            _strict(
                radar_id=_KEYWORD,
                paper_id=_KEYWORD,
                version_rank=_LONG,
                score=_DOUBLE,
                enqueued_at=_INSTANT,
                seq=_LONG,
                state=_KEYWORD,
                briefing_id=_KEYWORD,
            ),
        ),
        # The briefer's own state: summaries by (paper, version), upgrade marks in marking
        # order, token counters by (day, account).
        IndexSpec(
            names.paper_summaries,
            _strict(
                paper_id=_KEYWORD,
                version_rank=_LONG,
                model=_KEYWORD,
                created_at=_INSTANT,
                tldr=_STORED_ONLY,
            ),
        ),
        IndexSpec(names.briefing_upgrades, _strict(briefing_id=_KEYWORD, seq=_LONG)),
        IndexSpec(
            names.token_usage,
            _strict(day={"type": "date", "format": "strict_date"}, account=_KEYWORD, tokens=_LONG),
        ),
        # Accounts (academichub.store.accounts): secrets only as digests, in stored-only
        # objects (never searchable). ``user-emails`` holds one document per normalised
        # email, the uniqueness Elasticsearch can only give a document id.
        IndexSpec(
            names.users,
            _strict(user_id=_KEYWORD, email=_KEYWORD, created_at=_INSTANT, user=_STORED_ONLY),
        ),
        IndexSpec(names.user_emails, _strict(email=_KEYWORD, user_id=_KEYWORD)),
        IndexSpec(
            names.api_keys,
            _strict(
                prefix=_KEYWORD,
                user_id=_KEYWORD,
                created_at=_INSTANT,
                revoked_at=_INSTANT,
                key=_STORED_ONLY,
            ),
        ),
        IndexSpec(
            names.web_sessions,
            _strict(
                user_id=_KEYWORD,
                key_prefix=_KEYWORD,
                created_at=_INSTANT,
                expires_at=_INSTANT,
                session=_STORED_ONLY,
            ),
        ),
        IndexSpec(
            names.feed_tokens, _strict(radar_id=_KEYWORD, created_at=_INSTANT, token=_STORED_ONLY)
        ),
        IndexSpec(
            names.feedback,
            _strict(
                radar_id=_KEYWORD,
                paper_id=_KEYWORD,
                user_id=_KEYWORD,
                verdict=_KEYWORD,
                at=_INSTANT,
            ),
        ),
        IndexSpec(names.published, _strict(paper_id=_KEYWORD, version_rank=_LONG)),
        IndexSpec(names.cursors, _strict(source=_KEYWORD, cursor=_STORED_ONLY)),
        # The ingestor's sent outbox (ingest.py): papers published and not yet seen stored.
        IndexSpec(
            names.sent,
            _strict(
                paper_id=_KEYWORD,
                version_rank=_LONG,
                check_at=_INSTANT,
                attempts=_LONG,
                seq=_LONG,
                paper=_STORED_ONLY,
            ),
        ),
        # The ingestor's preprints by DOI (ingest.py).
        IndexSpec(
            names.preprint_papers,
            _strict(paper_id=_KEYWORD, version_rank=_LONG, paper=_STORED_ONLY),
        ),
        IndexSpec(names.preprint_dois, _strict(doi=_KEYWORD, paper_id=_KEYWORD)),
        IndexSpec(names.sequences, _strict(value=_LONG)),
        # Dead letters a re-reading consumer sent (dead_letters.py), by letter id.
        IndexSpec(names.dead_letters, _strict(letter_id=_KEYWORD, sent_at=_INSTANT)),
        # Corpus statistics (corpus.py): the running counts, one document per figure and
        # per stem, and the snapshots, one document per version.
        IndexSpec(names.corpus_counts, _strict(key=_KEYWORD, value=_LONG)),
        IndexSpec(
            names.corpus_snapshots,
            _strict(
                version=_LONG,
                n_docs=_LONG,
                title_tokens=_LONG,
                abstract_tokens=_LONG,
                df=_BINARY,
                created_at=_INSTANT,
            ),
        ),
        # Delivery (delivery.py): settings by user and radar, the ledger by delivery id,
        # the latest delivery per radar and channel, the key unsubscribe links are signed
        # with.
        IndexSpec(
            names.digest_preferences,
            _strict(user_id=_KEYWORD, cadence=_KEYWORD, preference=_STORED_ONLY),
        ),
        IndexSpec(names.webhooks, _strict(radar_id=_KEYWORD, webhook=_STORED_ONLY)),
        IndexSpec(
            names.deliveries,
            _strict(
                delivery_id=_KEYWORD,
                channel=_KEYWORD,
                state=_KEYWORD,
                user_id=_KEYWORD,
                updated_at=_INSTANT,
                next_attempt_at=_INSTANT,
                carried=_BOOLEAN,
                delivery=_STORED_ONLY,
            ),
        ),
        IndexSpec(
            names.latest_deliveries,
            _strict(radar_id=_KEYWORD, channel=_KEYWORD, delivery_id=_KEYWORD),
        ),
        IndexSpec(names.delivery_keys, _strict(name=_KEYWORD, key=_STORED_ONLY)),
    ]


# --- vectors ----------------------------------------------------------------------------
# One index per embedding model (named by a digest of its key: vectors of two models never
# share an index, and a new model starts an empty one). Created by the vectors part when it
# first needs it, since only then is the model known (``ensure_index``).
VECTOR: Final = "vector"  # the dense_vector searched by kNN
VECTOR_STORED: Final = "stored"  # {"model": key, "vector": base64 float32}: what reads return


def paper_vectors_spec(names: IndexNames, model_digest: str, dimension: int) -> IndexSpec:
    """The papers' vectors of one model: ``_id`` = paper id, external version = the paper's
    version (an older or equal one is refused); the filter fields as in the papers index.

    ``dot_product`` is cosine for unit vectors (which every embedder returns) without the
    normalisation at every comparison; ``int8_hnsw`` keeps the graph's vectors in a quarter
    of the memory (Elasticsearch's default for float vectors from 8.14 on, said here so
    that every version builds the same index). The exact float32 vector is read back from
    ``stored``, since Elasticsearch 9.2 leaves dense vectors out of ``_source``.
    """
    fields: dict[str, Mapping[str, Any]] = {
        ID: _KEYWORD,
        "version_rank": _LONG,
        PUBLISHED: {"type": "date", "format": "strict_date"},
        SOURCE: _KEYWORD,
        CATEGORY_EXACT: _KEYWORD,
        VECTOR: {
            "type": "dense_vector",
            "dims": dimension,
            "index": True,
            "similarity": "dot_product",
            "index_options": {"type": "int8_hnsw"},
        },
        VECTOR_STORED: _STORED_ONLY,
    }
    return IndexSpec(names.paper_vectors(model_digest), _strict(**fields))


def text_vectors_spec(names: IndexNames, model_digest: str) -> IndexSpec:
    """Texts' vectors of one model (described interests), ``_id`` = the text's digest."""
    return IndexSpec(names.text_vectors(model_digest), _strict(**{VECTOR_STORED: _STORED_ONLY}))


def ensure_index(client: Elasticsearch, spec: IndexSpec) -> None:
    """Create one index unless it exists (safe from every process at once)."""
    _created(client, spec)


def alias_swap(names: IndexNames, old_version: int, new_version: int) -> list[dict[str, Any]]:
    """The ``_aliases`` actions that move the papers alias from one index version to the
    next in one atomic step (``client.indices.update_aliases(actions=...)``)."""
    return [
        {"remove": {"index": names.papers_index(old_version), "alias": names.papers}},
        {
            "add": {
                "index": names.papers_index(new_version),
                "alias": names.papers,
                "is_write_index": True,
            }
        },
    ]


def ensure_indices(client: Elasticsearch, prefix: str = "academichub") -> None:
    """Create every index that does not exist yet; safe to run from every process at once.

    The papers index is created only while the papers alias is absent: after a reindex
    the alias points at a later version, and creating ``-v1`` again would be wrong. Two
    processes racing to create an index both succeed (the loser's "already exists" is
    the outcome it wanted).

    An index that exists already gets its mapping put again: fields added since it was
    created (by an older release) are added to it, which Elasticsearch allows for new
    fields; a change to an existing field is refused and stops start-up, naming the index
    (that needs a reindex). The papers index changes only by a reindex (module docstring).
    """
    names = IndexNames(prefix)
    for spec in index_specs(names):
        if spec.aliases and all(client.indices.exists_alias(name=a) for a in spec.aliases):
            continue
        if not _created(client, spec) and not spec.aliases:
            _update_mapping(client, spec)


def _created(client: Elasticsearch, spec: IndexSpec) -> bool:
    """Create the index; False if it exists already."""
    # ignore_status instead of try/except: only this one error type is an outcome.
    response = client.options(ignore_status=400).indices.create(
        index=spec.name,
        mappings=spec.mappings,
        settings=spec.settings,
        aliases=spec.aliases,
    )
    if response.meta.status != 400:
        return True
    error = response.body.get("error", {}) if isinstance(response.body, dict) else {}
    if error.get("type") != "resource_already_exists_exception":
        raise ElasticsearchStoreError(f"creating index {spec.name!r} was refused: {response.body}")
    return False


def _update_mapping(client: Elasticsearch, spec: IndexSpec) -> None:
    response = client.options(ignore_status=400).indices.put_mapping(
        index=spec.name,
        dynamic=spec.mappings["dynamic"],
        properties=spec.mappings["properties"],
    )
    if response.meta.status == 400:
        raise ElasticsearchStoreError(
            f"index {spec.name!r} exists with a mapping this release cannot extend "
            f"(a field changed type: reindex it): {response.body}"
        )

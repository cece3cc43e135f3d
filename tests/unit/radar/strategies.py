"""Hypothesis strategies: radar ASTs and papers drawn from one small vocabulary, so that
random queries and random papers actually meet."""

from __future__ import annotations

from typing import Literal

from hypothesis import strategies as st

from academichub.contracts import Paper
from academichub.radar.analysis import analyze, normalise, tokenize
from academichub.radar.ast import (
    And,
    AnnounceType,
    Author,
    Category,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Source,
    TextField,
    Word,
)
from tests.unit.radar.factories import paper

# Words as they appear in titles and abstracts; several stem alike, some are several
# tokens, one is a ligature, one is an upper-case operator word.
WORDS = [
    "quantum",
    "Quantum",
    "quantization",
    "spin",
    "spins",
    "rotation",
    "rotations",
    "rotated",
    "field",
    "ﬁeld",
    "fields",
    "learning",
    "machine",
    "graph",
    "neural",
    "network",
    "state-of-the-art",
    "cs.AI",
    "and",
    "AND",
    "the",
    "of",
    "chain",
]
PHRASES = ["machine learning", "spin chain", "quantum field", "neural network", "of the"]
PREFIXES = ["quant*", "rota*", "neur*", "learni*", "fiel*", "ﬁel*", "spi*"]
AUTHORS = ["Yann LeCun", "Rémy Dupont", "Remy Dupont-Moreau", "Ng", "Anna Müller", "Li Wei"]
AUTHOR_QUERIES = ["lecun", "LeCun", "Yann LeCun", "dupont", "Rémy Dupont", "moreau", "ng", "muller"]
CATEGORIES = ["quant-ph", "cs.AI", "cs.LG", "hep-th", "math.QA"]
CATEGORY_QUERIES = ["quant-ph", "cs.AI", "cs.*", "math.*", "hep-th", "cs.lg"]
SOURCES = ["arxiv", "biorxiv", "journal:nature", "journal:science"]
SOURCE_QUERIES = ["arxiv", "biorxiv", "journal:nature", "journal:*"]
TYPES: list[Literal["new", "cross", "replace", "replace-cross"] | None] = [
    "new",
    "cross",
    "replace",
    "replace-cross",
    None,
]

TEXT_FIELDS: list[TextField] = ["text", "title", "abstract"]


def word_leaf(field: TextField, raw: str) -> Node:
    """The leaf a word becomes, worked out independently of the parser."""
    tokens = tuple(analyze(raw))
    return Word(field, tokens[0], raw) if len(tokens) == 1 else Phrase(field, tokens, raw)


def prefix_leaf(field: TextField, raw: str) -> Node:
    return Prefix(field, normalise(raw[:-1]), raw)


def grouped(raw: str) -> tuple[str, bool]:
    return (raw[:-1].lower(), True) if raw.endswith("*") else (raw.lower(), False)


text_leaves = st.one_of(
    st.builds(word_leaf, st.sampled_from(TEXT_FIELDS), st.sampled_from(WORDS + PHRASES)),
    st.builds(prefix_leaf, st.sampled_from(TEXT_FIELDS), st.sampled_from(PREFIXES)),
)
other_leaves = st.one_of(
    st.sampled_from(AUTHOR_QUERIES).map(lambda raw: Author(tuple(tokenize(raw)), raw)),
    st.sampled_from(CATEGORY_QUERIES).map(lambda raw: Category(*grouped(raw), raw)),
    st.sampled_from(SOURCE_QUERIES).map(lambda raw: Source(*grouped(raw), raw)),
    st.sampled_from([t for t in TYPES if t]).map(lambda raw: AnnounceType(raw, raw)),
)
leaves = st.one_of(text_leaves, text_leaves, other_leaves)


def _flatten(kind: type[And] | type[Or], children: list[Node]) -> Node:
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, kind) else [child])
    return kind(tuple(flat))


@st.composite
def _tree(draw: st.DrawFn, depth: int = 3) -> Node:
    """A tree up to ``depth`` levels; a negation is rarer than a group so that most radars
    have anchors (``st.recursive`` leans towards long chains of one kind)."""
    roll = draw(st.integers(0, 9)) if depth else 0
    if roll < 3:
        return draw(leaves)
    if roll == 9:
        return Not(draw(_tree(depth - 1)))
    children = draw(st.lists(_tree(depth - 1), min_size=2, max_size=3))
    return _flatten(And if roll < 6 else Or, children)


# ASTs in the parser's normal form (flattened, no one-child groups).
queries = _tree()

_fragments = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(PHRASES),
    st.sampled_from(AUTHORS),
    st.sampled_from([".", ",", "$\\theta$", "2D", "(", ")"]),
)


def _text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(_fragments, min_size=min_size, max_size=max_size).map(" ".join)


papers: st.SearchStrategy[Paper] = st.builds(
    lambda title, abstract, authors, categories, source, announce: paper(
        title or "untitled",
        abstract,
        authors=authors,
        categories=categories,
        source=source,
        announce_type=None if source.startswith("journal:") else announce,
    ),
    _text(1, 6),
    _text(0, 25),
    st.lists(st.sampled_from(AUTHORS), max_size=3),
    st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True),
    st.sampled_from(SOURCES),
    st.sampled_from(TYPES),
)

# Free-form query text: sometimes valid, often not.
query_text = st.lists(
    st.one_of(
        st.sampled_from(WORDS + PREFIXES + ["ab*", "a*b", "+", "-", ":", '"', "*"]),
        st.sampled_from(["AND", "OR", "NOT", "(", ")", "-", '"', "title:", "cat:", "foo:"]),
        st.sampled_from(['"spin chain"', "-spin", "cat:cs.*", "author:lecun", "type:new"]),
        st.text(alphabet='ab -()":*é', max_size=4),
    ),
    max_size=10,
).flatmap(lambda parts: st.sampled_from([" ".join(parts), "".join(parts)]))

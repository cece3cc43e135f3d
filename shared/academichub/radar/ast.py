"""The radar query AST: one meaning, compiled three ways.

Leaves hold *analysed* values (see :mod:`academichub.radar.analysis`) so that every
compiler compares like with like:

* :class:`Word` / :class:`Phrase` hold Snowball-stemmed, lower-cased NFKC tokens;
* :class:`Prefix` holds a lower-cased NFKC token prefix (unstemmed), at least 3 characters;
* :class:`Author` holds accent-folded lower-case name tokens;
* :class:`Category`, :class:`Source`, :class:`AnnounceType` hold exact lower-cased values
  (``cat:cs.*`` is a Category with ``group=True`` and value ``cs.``).

``TextField`` says where a text leaf looks: ``text`` means title or abstract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TextField = Literal["text", "title", "abstract"]


@dataclass(frozen=True, slots=True)
class Word:
    field: TextField
    token: str
    raw: str


@dataclass(frozen=True, slots=True)
class Phrase:
    field: TextField
    tokens: tuple[str, ...]
    raw: str


@dataclass(frozen=True, slots=True)
class Prefix:
    field: TextField
    prefix: str
    raw: str


@dataclass(frozen=True, slots=True)
class Author:
    """Matches a paper with an author whose folded name tokens contain ``tokens`` in order
    (a full name), or whose last token equals the single token given (a surname)."""

    tokens: tuple[str, ...]
    raw: str


@dataclass(frozen=True, slots=True)
class Category:
    value: str
    group: bool
    raw: str


@dataclass(frozen=True, slots=True)
class Source:
    value: str
    group: bool
    raw: str


@dataclass(frozen=True, slots=True)
class AnnounceType:
    value: str
    raw: str


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Leaf = Word | Phrase | Prefix | Author | Category | Source | AnnounceType
Node = Leaf | And | Or | Not

"""Parse radar query text into the AST of :mod:`academichub.radar.ast`.

Grammar (NOT binds tighter than AND, AND tighter than OR; adjacent clauses are ANDed)::

    query   := or END
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or ")" | FIELD ":" value | word | '"' phrase '"'
    value   := "(" or ")" | word | '"' phrase '"'      (no whitespace after the colon)

``AND``, ``OR`` and ``NOT`` are operators only in upper case. A field in front of a group
applies to every leaf inside it (``title:(a OR "b c")``); a field inside the group wins.

Every leaf keeps ``raw``, the value exactly as typed (no field name, no quotes), so a
query can be shown back to its author and rendered again
(:func:`academichub.radar.render.render_query`) into text that parses to the same AST.

Errors are :class:`QuerySyntaxError` (a ``ValueError``) with the 0-based ``position``
in the text, a short ``expected`` and a message that starts with ``position N:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

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

__all__ = ["ANNOUNCE_TYPES", "FIELDS", "MAX_DEPTH", "MIN_PREFIX", "QuerySyntaxError", "parse_query"]

FIELDS: Final = ("abstract", "author", "cat", "source", "title", "type")
ANNOUNCE_TYPES: Final = ("new", "cross", "replace", "replace-cross")
MIN_PREFIX: Final = 3
# Brackets and negations nested deeper than anyone writes: refusing them keeps the
# recursive parser, evaluator and compiler far from Python's recursion limit.
MAX_DEPTH: Final = 32

_KNOWN_FIELDS: Final = ", ".join(f"{f}:" for f in FIELDS)
_SOURCES_EXPECTED: Final = "arxiv, medrxiv, biorxiv, journal:<name> or journal:*"
# Same character class as academichub.radar.analysis: a token is a run of letters/digits.
_TOKEN_CHARS = re.compile(r"[^\W_]+")
_HAS_TOKEN_CHAR = re.compile(r"[^\W_]")
_EXACT_SOURCE = re.compile(r"arxiv|medrxiv|biorxiv|journal:[a-z0-9-]+")
# A chunk that starts like "name:" is a field, known or not ("12:30" is not).
_FIELD_RE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):")
_CHUNK_END = frozenset(' \t\n\r\f\v()"')

Context = Literal["text", "title", "abstract", "author", "cat", "source", "type"]


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed.

    ``position`` is the 0-based character offset where the problem was noticed,
    ``expected`` names what would have been valid there; ``str(error)`` is a sentence a
    person can act on, starting with ``position N:``.
    """

    def __init__(self, position: int, expected: str, message: str) -> None:
        super().__init__(f"position {position}: {message}")
        self.position = position
        self.expected = expected


_Kind = Literal["word", "quote", "field", "lparen", "rparen", "minus", "and", "or", "not", "end"]


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    pos: int
    text: str = ""  # word chunk, phrase contents, or field value chunk
    field: str = ""  # for kind "field": the lower-cased field name
    value_pos: int = 0  # for kind "field": where the value starts
    value_quoted: bool = False  # for kind "field": the value was a quoted phrase
    group: bool = False  # for kind "field": the value is a "(...)" group that follows


_OPERATORS: Final[dict[str, _Kind]] = {"AND": "and", "OR": "or", "NOT": "not"}
_FIELD_CONTEXTS: Final[dict[str, Context]] = {
    "abstract": "abstract",
    "author": "author",
    "cat": "cat",
    "source": "source",
    "title": "title",
    "type": "type",
}


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return "end of query"
    if token.kind == "lparen":
        return "'('"
    if token.kind == "rparen":
        return "')'"
    if token.kind == "minus":
        return "'-'"
    if token.kind in ("and", "or", "not"):
        return f"the operator '{token.kind.upper()}'"
    if token.kind == "quote":
        return f'"{token.text}"'
    if token.kind == "field":
        return f"'{token.field}:'"
    return f"'{token.text}'"


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[_Token] = []

    def run(self) -> list[_Token]:
        text, i, n = self.text, 0, len(self.text)
        while i < n:
            c = text[i]
            if c.isspace():
                i += 1
            elif c == "(":
                self.tokens.append(_Token("lparen", i))
                i += 1
            elif c == ")":
                self.tokens.append(_Token("rparen", i))
                i += 1
            elif c == '"':
                content, after = self._quote(i)
                self.tokens.append(_Token("quote", i, content))
                i = after
            elif c == "-":
                # '-' starts a chunk: negation of what follows immediately.
                if i + 1 >= n or text[i + 1].isspace() or text[i + 1] == ")":
                    raise QuerySyntaxError(
                        i,
                        "a search term right after '-'",
                        "expected a search term right after '-' (write -word, -\"phrase\" or "
                        "-(group) with no space), found "
                        + ("end of query" if i + 1 >= n else repr(text[i + 1])),
                    )
                self.tokens.append(_Token("minus", i))
                i += 1
            else:
                i = self._chunk(i)
        self.tokens.append(_Token("end", n))
        return self.tokens

    def _quote(self, start: int) -> tuple[str, int]:
        end = self.text.find('"', start + 1)
        if end < 0:
            raise QuerySyntaxError(
                len(self.text),
                "'\"'",
                f"expected '\"' to close the phrase opened at position {start}, found end of query",
            )
        return self.text[start + 1 : end], end + 1

    def _chunk(self, start: int) -> int:
        text, n = self.text, len(self.text)
        end = start
        while end < n and text[end] not in _CHUNK_END:
            end += 1
        chunk = text[start:end]
        if chunk in _OPERATORS:
            self.tokens.append(_Token(_OPERATORS[chunk], start))
            return end
        field = _FIELD_RE.match(chunk)
        if field is None:
            self.tokens.append(_Token("word", start, chunk))
            return end
        name = field.group(1).lower()
        if name not in FIELDS:
            raise QuerySyntaxError(
                start,
                f"one of the fields {_KNOWN_FIELDS}",
                f"unknown field '{field.group(1)}:'; expected one of {_KNOWN_FIELDS} "
                '(put the text in quotes to search for it literally: "' + chunk + '")',
            )
        value_pos = start + field.end()
        value = chunk[field.end() :]
        if value:
            self.tokens.append(_Token("field", start, value, name, value_pos))
            return end
        if end < n and text[end] == "(":
            self.tokens.append(_Token("field", start, "", name, value_pos, group=True))
            return end
        if end < n and text[end] == '"':
            content, after = self._quote(end)
            self.tokens.append(_Token("field", start, content, name, value_pos, value_quoted=True))
            return after
        found = "end of query" if end >= n else repr(text[end])
        raise QuerySyntaxError(
            value_pos,
            f"a value after '{name}:'",
            f"expected a value right after '{name}:' (no space), found {found}",
        )


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _Lexer(text).run()
        self.i = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise QuerySyntaxError(
                0, "a search term", "expected a search term, found an empty query"
            )
        node = self.parse_or("text")
        token = self.peek()
        if token.kind == "rparen":
            raise QuerySyntaxError(
                token.pos,
                "end of query",
                "found ')' with no '(' open before it; remove it or add the missing '('",
            )
        # parse_and consumes everything else that can follow a clause.
        assert token.kind == "end", token
        return node

    def parse_or(self, ctx: Context) -> Node:
        children = [self.parse_and(ctx)]
        while self.peek().kind == "or":
            operator = self.take()
            self.expect_term(f"after 'OR' (position {operator.pos})")
            children.append(self.parse_and(ctx))
        return _combine(Or, children)

    def parse_and(self, ctx: Context) -> Node:
        children = [self.parse_unary(ctx)]
        while True:
            kind = self.peek().kind
            if kind == "and":
                operator = self.take()
                self.expect_term(f"after 'AND' (position {operator.pos})")
            elif kind not in ("word", "quote", "field", "lparen", "minus", "not"):
                break
            children.append(self.parse_unary(ctx))
        return _combine(And, children)

    def parse_unary(self, ctx: Context) -> Node:
        kind = self.peek().kind
        if kind in ("not", "minus"):
            operator = self.take()
            name = "NOT" if kind == "not" else "-"
            self.expect_term(f"after '{name}' (position {operator.pos})")
            self.enter(operator)
            node = Not(self.parse_unary(ctx))
            self.depth -= 1
            return node
        return self.parse_primary(ctx)

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(
                token.pos,
                f"at most {MAX_DEPTH} nested brackets and negations",
                f"the query nests brackets and negations more than {MAX_DEPTH} deep here; "
                "simplify it",
            )

    def expect_term(self, where: str) -> None:
        token = self.peek()
        if token.kind in ("word", "quote", "field", "lparen", "minus", "not"):
            return
        raise QuerySyntaxError(
            token.pos, "a search term", f"expected a search term {where}, found {_describe(token)}"
        )

    def parse_primary(self, ctx: Context) -> Node:
        token = self.take()
        if token.kind == "lparen":
            return self.parse_group(token, ctx)
        if token.kind == "word":
            return _leaf(ctx, token.text, token.pos, quoted=False)
        if token.kind == "quote":
            return _leaf(ctx, token.text, token.pos, quoted=True)
        if token.kind == "field":
            field = _FIELD_CONTEXTS[token.field]
            if token.group:
                return self.parse_group(self.take(), field)
            return _leaf(field, token.text, token.value_pos, quoted=token.value_quoted)
        hint = ""
        if token.kind in ("and", "or", "not"):
            hint = f" (to search for the word, write it in lower case: {token.kind})"
        raise QuerySyntaxError(
            token.pos, "a search term", f"expected a search term, found {_describe(token)}{hint}"
        )

    def parse_group(self, opening: _Token, ctx: Context) -> Node:
        assert opening.kind == "lparen", opening
        self.expect_term(f"inside '(' (position {opening.pos})")
        self.enter(opening)
        node = self.parse_or(ctx)
        self.depth -= 1
        closing = self.take()
        if closing.kind != "rparen":
            raise QuerySyntaxError(
                closing.pos,
                "')'",
                f"expected ')' to close '(' opened at position {opening.pos}, "
                f"found {_describe(closing)}",
            )
        return node


def _combine(kind: type[And] | type[Or], children: list[Node]) -> Node:
    """One child stays itself; nested nodes of the same kind are flattened."""
    if len(children) == 1:
        return children[0]
    flat: list[Node] = []
    for child in children:
        if isinstance(child, kind):
            flat.extend(child.children)
        else:
            flat.append(child)
    return kind(tuple(flat))


def _leaf(ctx: Context, raw: str, pos: int, *, quoted: bool) -> Node:
    """The leaf for ``raw`` in a field context.

    ``pos`` is where ``raw`` starts, or for a quoted value where its opening quote is (the
    errors about a quoted value point there).
    """
    if quoted:
        raw = raw.strip()
    elif raw.startswith("-"):
        # Only reachable after a field name: "title:-x" would silently search for x.
        raise QuerySyntaxError(
            pos,
            f"a value after '{ctx}:'",
            f"expected a value after '{ctx}:', found '-'; to exclude, negate the whole "
            f"field: -{ctx}:{raw[1:]}",
        )
    if ctx == "text" or ctx == "title" or ctx == "abstract":
        return _text_leaf(ctx, raw, pos, quoted=quoted)
    if ctx == "author":
        return _author_leaf(raw, pos, quoted=quoted)
    if ctx == "type":
        value = raw.lower()
        if value not in ANNOUNCE_TYPES:
            raise QuerySyntaxError(
                pos,
                "one of new, cross, replace, replace-cross",
                f"unknown announce type '{raw}'; expected one of {', '.join(ANNOUNCE_TYPES)}",
            )
        return AnnounceType(value, raw)
    return _grouped_leaf(ctx, raw, pos, quoted=quoted)


def _text_leaf(field: TextField, raw: str, pos: int, *, quoted: bool) -> Node:
    star = -1 if quoted else raw.find("*")
    if star >= 0:
        if star != len(raw) - 1:
            raise QuerySyntaxError(
                pos + star,  # never quoted here
                "'*' only at the end of a word",
                f"'*' must end a word (a prefix such as quant*), found it inside '{raw}'",
            )
        body = normalise(raw[:-1])
        if not _TOKEN_CHARS.fullmatch(body):
            raise QuerySyntaxError(
                pos,
                "letters or digits before '*'",
                f"prefix '{raw}': expected only letters or digits before '*'",
            )
        if len(body) < MIN_PREFIX:
            raise QuerySyntaxError(
                pos,
                f"at least {MIN_PREFIX} characters before '*'",
                f"prefix '{raw}' is too short: expected at least {MIN_PREFIX} letters or "
                "digits before '*'",
            )
        return Prefix(field, body, raw)
    tokens = tuple(analyze(raw))
    if not tokens:
        if quoted:
            raise QuerySyntaxError(
                pos,
                "a word inside the quotes",
                "empty phrase: expected at least one word (letters or digits) inside the quotes",
            )
        raise QuerySyntaxError(
            pos,
            "a word with letters or digits",
            f"'{raw}' has no letters or digits: expected a word",
        )
    if len(tokens) == 1:
        return Word(field, tokens[0], raw)
    return Phrase(field, tokens, raw)


def _author_leaf(raw: str, pos: int, *, quoted: bool) -> Node:
    star = raw.find("*")
    if star >= 0:
        raise QuerySyntaxError(
            pos if quoted else pos + star,
            "an author name without '*'",
            "author names cannot be prefixes: write a surname (author:lecun) or a "
            'full name (author:"Yann LeCun")',
        )
    tokens = tuple(tokenize(raw))
    if not tokens:
        raise QuerySyntaxError(
            pos,
            "an author name",
            "expected an author name with letters after 'author:'",
        )
    return Author(tokens, raw)


def _grouped_leaf(ctx: Context, raw: str, pos: int, *, quoted: bool) -> Node:
    """``cat:`` and ``source:`` values: exact, or a group when they end with '*'."""
    star = raw.find("*")
    group = star >= 0
    value = raw[:-1].lower() if group else raw.lower()
    if group and star != len(raw) - 1:
        raise QuerySyntaxError(
            pos if quoted else pos + star,
            "'*' only at the end of the value",
            f"'*' must end the value (as in cat:cs.*), found it inside '{raw}'",
        )
    if ctx == "cat":
        if not _HAS_TOKEN_CHAR.search(value):
            raise QuerySyntaxError(
                pos,
                "a category",
                f"expected a category such as quant-ph or cs.* after 'cat:', found '{raw}'",
            )
        return Category(value, group, raw)
    valid = bool(value) if group else bool(_EXACT_SOURCE.fullmatch(value))
    if not valid:
        raise QuerySyntaxError(
            pos,
            _SOURCES_EXPECTED,
            f"unknown source '{raw}'; expected {_SOURCES_EXPECTED}",
        )
    return Source(value, group, raw)


def parse_query(text: str) -> Node:
    """Parse radar/search query text into an AST; raise :class:`QuerySyntaxError`."""
    return _Parser(text).parse()

"""How a radar query reads to the person who typed it: errors in their language, the
query as the parser read it, and warnings about the traps people fall into.

Pure: no framework. The parser (:mod:`academichub.radar.parser`) reports a mistake as a
position, a short ``expected`` and an English sentence; the pages show it in the page's
language, counting characters from 1 as people do ("第 18 个字符处应为 ')'").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from academichub.gateway.domain.i18n import Lang, Translator
from academichub.radar.ast import And, Node, Not, Or
from academichub.radar.parser import MAX_DEPTH, MIN_PREFIX, QuerySyntaxError, parse_query
from academichub.radar.render import render_explicit

# Each kind of parser mistake, told apart by its ``expected`` (and, where several share
# one, by its message): the catalogue entry that says it in the page's language.
_OPENED_AT = re.compile(r"opened at position (\d+)")
_UNKNOWN_FIELD = re.compile(r"unknown field '([^']*)'")
_AFTER_FIELD = re.compile(r"a value after '([a-z]+):'")
_FOUND_OPERATOR = re.compile(r"write it in lower case: (and|or|not)\)")


def _error_key(exc: QuerySyntaxError) -> tuple[str, dict[str, Any]]:
    expected, message = exc.expected, str(exc)
    opened = _OPENED_AT.search(message)
    at = {"opened": int(opened.group(1)) + 1} if opened else {}
    if expected == "a search term right after '-'":
        return "qerr.after_minus", {}
    if expected == "'\"'":
        return "qerr.close_quote", at
    if expected.startswith("one of the fields"):
        field = _UNKNOWN_FIELD.search(message)
        return "qerr.unknown_field", {"field": field.group(1) if field else "?"}
    if (after := _AFTER_FIELD.fullmatch(expected)) is not None:
        return "qerr.field_value", {"field": after.group(1)}
    if expected == "a search term" and "empty query" in message:
        return "qerr.empty", {}
    if expected == "a search term":
        operator = _FOUND_OPERATOR.search(message)
        if operator:
            return "qerr.operator_alone", {"word": operator.group(1)}
        return "qerr.term", {}
    if expected == "end of query":
        return "qerr.stray_paren", {}
    if expected.startswith(f"at most {MAX_DEPTH}"):
        return "qerr.too_deep", {"depth": MAX_DEPTH}
    if expected == "')'":
        return "qerr.close_paren", at
    if expected == "'*' only at the end of a word":
        return "qerr.star_inside", {}
    if expected == "letters or digits before '*'":
        return "qerr.prefix_chars", {}
    if expected.startswith("at least") and "before '*'" in expected:
        return "qerr.prefix_short", {"n": MIN_PREFIX}
    if expected == "a word inside the quotes":
        return "qerr.empty_phrase", {}
    if expected == "a word with letters or digits":
        return "qerr.no_letters", {}
    if expected == "an author name without '*'":
        return "qerr.author_prefix", {}
    if expected == "an author name":
        return "qerr.author_missing", {}
    if expected.startswith("one of new, cross"):
        return "qerr.announce_type", {}
    if expected == "'*' only at the end of the value":
        return "qerr.star_value", {}
    if expected == "a category":
        return "qerr.category", {}
    if expected.startswith("arxiv, medrxiv"):
        return "qerr.source", {}
    return "qerr.other", {"expected": expected}


def query_error_message(exc: QuerySyntaxError, lang: Lang) -> str:
    """The mistake in ``lang``: English keeps the parser's own sentence (it names the
    0-based position the API reports); Chinese counts characters from 1."""
    if lang == "en":
        return str(exc)
    key, values = _error_key(exc)
    t = Translator(lang)
    return t("qerr.at", position=exc.position + 1, what=t(key, **values))


class LocatedQueryError(QuerySyntaxError):
    """A query that does not parse, with where it was sent (``query parameter 'q'``)."""

    def __init__(self, error: QuerySyntaxError, location: str, field: str) -> None:
        super().__init__(error.position, error.expected, str(error).partition(": ")[2])
        self.location = location
        self.field = field


def parse_input(text: str, location: str) -> Node:
    """``parse_query``, its error naming the input it came from (``query parameter 'q'``,
    ``body field 'query'``)."""
    try:
        return parse_query(text)
    except QuerySyntaxError as exc:
        field = location.rsplit(" ", 1)[-1].strip("'")
        raise LocatedQueryError(exc, location, field) from exc


def query_error_fields(exc: QuerySyntaxError, lang: Lang) -> dict[str, Any]:
    """What a client needs to point at the mistake: the sentence, the offset, the hint,
    and which input held it when known."""
    fields: dict[str, Any] = {
        "message": query_error_message(exc, lang),
        "position": exc.position,
        "expected": exc.expected,
    }
    if isinstance(exc, LocatedQueryError):
        fields["details"] = [{"location": exc.location, "message": fields["message"]}]
    return fields


# --- the query as read, and its traps ---------------------------------------------------


@dataclass(frozen=True)
class QueryWarning:
    code: str  # stable, for programs: "lowercase_operator", "not_binds_tightly"
    message: str


_CHUNK = re.compile(r'"[^"]*"?|[^\s()"]+')
_OPERATOR_WORDS: Final = ("and", "or", "not")


def _lowercase_operators(text: str) -> list[str]:
    """Operator words typed in other than capitals, outside quotes, in order, once each."""
    found: list[str] = []
    for chunk in _CHUNK.findall(text):
        if chunk.startswith('"'):
            continue
        if chunk.lower() in _OPERATOR_WORDS and chunk != chunk.upper() and chunk not in found:
            found.append(chunk)
    return found


def _not_inside_or(node: Node) -> tuple[Or, And] | None:
    """The first ``A OR (B AND NOT C)`` in the tree: an OR one of whose alternatives is an
    AND holding a negation, which people often mean as ``(A OR B) AND NOT C``."""
    if isinstance(node, Or):
        for child in node.children:
            if isinstance(child, And) and any(isinstance(c, Not) for c in child.children):
                return node, child
        for child in node.children:
            if (found := _not_inside_or(child)) is not None:
                return found
    elif isinstance(node, And):
        for child in node.children:
            if (found := _not_inside_or(child)) is not None:
                return found
    elif isinstance(node, Not):
        return _not_inside_or(node.child)
    return None


def query_warnings(text: str, node: Node, lang: Lang) -> list[QueryWarning]:
    t = Translator(lang)
    warnings = [
        QueryWarning("lowercase_operator", t("qwarn.lowercase", word=word, upper=word.upper()))
        for word in _lowercase_operators(text)
    ]
    # Brackets typed by the user say they thought about grouping; warn only without any.
    if "(" not in text and (trap := _not_inside_or(node)) is not None:
        either, negated = trap
        kept = [c for c in negated.children if not isinstance(c, Not)]
        excluded = [c for c in negated.children if isinstance(c, Not)]
        others = [c for c in either.children if c is not negated]
        alternatives = Or((*others, *kept)) if kept else Or(tuple(others))
        suggestion = And((alternatives, *excluded)) if len(alternatives.children) > 1 else None
        warnings.append(
            QueryWarning(
                "not_binds_tightly",
                t(
                    "qwarn.not_binds",
                    part=f"({render_explicit(negated)})",
                    suggestion=render_explicit(suggestion) if suggestion else "",
                ),
            )
        )
    return warnings


def query_reading(node: Node) -> str:
    return render_explicit(node)

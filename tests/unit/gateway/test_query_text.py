"""How a query reads to a person: every parser mistake in Chinese, the reading, the traps."""

from __future__ import annotations

import pytest

from academichub.gateway.domain.query_text import (
    _error_key,
    query_error_message,
    query_reading,
    query_warnings,
)
from academichub.radar.parser import QuerySyntaxError, parse_query

# One query per kind of mistake the parser reports.
MISTAKES = {
    "a - b": "qerr.after_minus",
    '"open phrase': "qerr.close_quote",
    "colour:red": "qerr.unknown_field",
    "title: x": "qerr.field_value",
    "   ": "qerr.empty",
    "a OR": "qerr.term",
    "OR a": "qerr.operator_alone",
    "a)": "qerr.stray_paren",
    "(" * 40 + "a" + ")" * 40: "qerr.too_deep",
    "(a b": "qerr.close_paren",
    "qu*ant": "qerr.star_inside",
    "ab*": "qerr.prefix_short",
    "$*": "qerr.prefix_chars",
    '""': "qerr.empty_phrase",
    "$$": "qerr.no_letters",
    "author:lec*": "qerr.author_prefix",
    "author:$": "qerr.author_missing",
    "type:old": "qerr.announce_type",
    "cat:c*s": "qerr.star_value",
    "cat:.": "qerr.category",
    "source:mars": "qerr.source",
    "title:-x": "qerr.field_value",
}


@pytest.mark.parametrize(("query", "key"), MISTAKES.items())
def test_every_parser_mistake_has_its_own_chinese_sentence(query: str, key: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    assert _error_key(caught.value)[0] == key
    message = query_error_message(caught.value, "zh")
    assert message.startswith(f"第 {caught.value.position + 1} 个字符处")
    assert "expected" not in message
    assert "position" not in message


def test_the_issue_example_reads_as_expected() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query("quantum AND (qubit")
    assert query_error_message(caught.value, "zh") == (
        "第 19 个字符处应为 ')'，用来闭合第 13 个字符处的 '('"
    )
    assert query_error_message(caught.value, "en") == str(caught.value)


def test_the_reading_spells_out_every_operator_and_group() -> None:
    assert query_reading(parse_query("quantum OR qubit NOT decoding")) == (
        "quantum OR (qubit AND NOT decoding)"
    )


def test_lower_case_operators_are_flagged_once_each_and_quoted_ones_not() -> None:
    text = 'qubit or decoder and "or" Or surface or'
    codes = [(w.code, w.message) for w in query_warnings(text, parse_query(text), "en")]
    assert [c for c, _ in codes] == ["lowercase_operator"] * 3
    assert "“or”" in codes[0][1]
    assert "“and”" in codes[1][1]
    assert "“Or”" in codes[2][1]


def test_a_not_after_or_is_explained_with_the_fix() -> None:
    text = "quantum OR qubit NOT decoding"
    (warning,) = query_warnings(text, parse_query(text), "en")
    assert warning.code == "not_binds_tightly"
    assert "(qubit AND NOT decoding)" in warning.message
    assert "(quantum OR qubit) AND NOT decoding" in warning.message
    # Brackets typed by the user say the grouping is meant: no warning.
    grouped = "quantum OR (qubit NOT decoding)"
    assert query_warnings(grouped, parse_query(grouped), "en") == []

"""The query language as a user types it: every construct, precedence, every error."""

from __future__ import annotations

import pytest

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
    Word,
)
from academichub.radar.parser import QuerySyntaxError, parse_query
from academichub.radar.render import render_explicit, render_query


def w(token: str, raw: str | None = None, field: str = "text") -> Word:
    return Word(field, token, raw if raw is not None else token)  # type: ignore[arg-type]


# --- constructs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quantum", w("quantum")),
        ("Rotations", w("rotation", "Rotations")),
        ("ﬁeld", w("field", "ﬁeld")),  # NFKC: the ligature is 'fi'
        ('"machine learning"', Phrase("text", ("machine", "learning"), "machine learning")),
        ('"  Spins  "', w("spin", "Spins")),  # one word in quotes is a word
        ("state-of-the-art", Phrase("text", ("state", "of", "the", "art"), "state-of-the-art")),
        ("cs.AI", Phrase("text", ("cs", "ai"), "cs.AI")),
        ("quant*", Prefix("text", "quant", "quant*")),
        ("Quant*", Prefix("text", "quant", "Quant*")),
        ("title:spin", w("spin", "spin", "title")),
        ("abstract:spins", w("spin", "spins", "abstract")),
        ('title:"spin chains"', Phrase("title", ("spin", "chain"), "spin chains")),
        ("title:quant*", Prefix("title", "quant", "quant*")),
        ("TITLE:spin", w("spin", "spin", "title")),  # field names ignore case
        ('author:"Yann LeCun"', Author(("yann", "lecun"), "Yann LeCun")),
        ("author:LeCun", Author(("lecun",), "LeCun")),
        ("author:Rémy", Author(("remy",), "Rémy")),
        ("cat:quant-ph", Category("quant-ph", False, "quant-ph")),
        ("cat:cs.AI", Category("cs.ai", False, "cs.AI")),
        ("cat:cs.*", Category("cs.", True, "cs.*")),
        (
            'cat:"Allergy and Immunology"',
            Category("allergy and immunology", False, "Allergy and Immunology"),
        ),
        ("source:arxiv", Source("arxiv", False, "arxiv")),
        ("source:medrxiv", Source("medrxiv", False, "medrxiv")),
        ("source:biorxiv", Source("biorxiv", False, "biorxiv")),
        ("source:journal:nature", Source("journal:nature", False, "journal:nature")),
        ("source:journal:*", Source("journal:", True, "journal:*")),
        ("type:new", AnnounceType("new", "new")),
        ("type:cross", AnnounceType("cross", "cross")),
        ("type:replace", AnnounceType("replace", "replace")),
        ("type:replace-cross", AnnounceType("replace-cross", "replace-cross")),
        ("-spin", Not(w("spin"))),
        ('-"spin chain"', Not(Phrase("text", ("spin", "chain"), "spin chain"))),
        ("-(a OR b)", Not(Or((w("a"), w("b"))))),
        ("NOT type:replace", Not(AnnounceType("replace", "replace"))),
        ("--spin", Not(Not(w("spin")))),
        ("-title:spin", Not(w("spin", "spin", "title"))),
    ],
)
def test_constructs(query: str, expected: Node) -> None:
    assert parse_query(query) == expected


def test_lower_case_operators_are_words() -> None:
    assert parse_query("rock and roll or not") == And(
        (w("rock"), w("and"), w("roll"), w("or"), w("not"))
    )


def test_field_applies_to_a_whole_group() -> None:
    assert parse_query('title:(a OR "b c")') == Or(
        (w("a", "a", "title"), Phrase("title", ("b", "c"), "b c"))
    )
    assert parse_query("cat:(quant-ph OR cs.*)") == Or(
        (Category("quant-ph", False, "quant-ph"), Category("cs.", True, "cs.*"))
    )
    assert parse_query("author:(lecun -hinton)") == And(
        (Author(("lecun",), "lecun"), Not(Author(("hinton",), "hinton")))
    )


def test_a_field_inside_a_group_wins() -> None:
    assert parse_query("title:(spin abstract:chain cat:hep-th)") == And(
        (
            w("spin", "spin", "title"),
            w("chain", "chain", "abstract"),
            Category("hep-th", False, "hep-th"),
        )
    )


def test_adjacent_clauses_without_spaces() -> None:
    assert parse_query('a(b)"c d"-e') == And(
        (w("a"), w("b"), Phrase("text", ("c", "d"), "c d"), Not(w("e")))
    )


# --- precedence and shape -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("a OR b c", Or((w("a"), And((w("b"), w("c")))))),
        ("a b OR c", Or((And((w("a"), w("b"))), w("c")))),
        ("NOT a b", And((Not(w("a")), w("b")))),
        ("NOT a OR b", Or((Not(w("a")), w("b")))),
        ("a AND b OR c AND d", Or((And((w("a"), w("b"))), And((w("c"), w("d")))))),
        ("(a OR b) c", And((Or((w("a"), w("b"))), w("c")))),
        ("-a -b", And((Not(w("a")), Not(w("b"))))),
        # Nested groups of the same kind are flattened, whatever the brackets say.
        ("(a b) (c d)", And((w("a"), w("b"), w("c"), w("d")))),
        ("a OR (b OR (c OR d))", Or((w("a"), w("b"), w("c"), w("d")))),
        ("((a))", w("a")),
        ("a AND b c", And((w("a"), w("b"), w("c")))),
    ],
)
def test_precedence(query: str, expected: Node) -> None:
    assert parse_query(query) == expected


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position", "expected", "says"),
    [
        ("", 0, "a search term", "empty query"),
        ("   ", 0, "a search term", "empty query"),
        ("a AND", 5, "a search term", "after 'AND' (position 2), found end of query"),
        ("OR b", 0, "a search term", "found the operator 'OR'"),
        ("a OR", 4, "a search term", "after 'OR'"),
        ("a OR OR b", 5, "a search term", "found the operator 'OR'"),
        ("NOT", 3, "a search term", "after 'NOT'"),
        ("a AND )", 6, "a search term", "found ')'"),
        ("(a b", 4, "')'", "expected ')' to close '(' opened at position 0, found end of query"),
        ("x (a (b)", 8, "')'", "'(' opened at position 2"),
        ("a)", 1, "end of query", "no '(' open"),
        ("(a))", 3, "end of query", "no '(' open"),
        ("()", 1, "a search term", "inside '('"),
        ('"abc', 4, "'\"'", "phrase opened at position 0, found end of query"),
        ('a "b c', 6, "'\"'", "opened at position 2"),
        ('""', 0, "a word inside the quotes", "empty phrase"),
        ('x " ,. "', 2, "a word inside the quotes", "empty phrase"),
        ("title:", 6, "a value after 'title:'", "found end of query"),
        ("title: spin", 6, "a value after 'title:'", "found ' '"),
        ('author:""', 7, "an author name", "author name"),
        (
            "foo:bar",
            0,
            "one of the fields abstract:, author:, cat:, source:, title:, type:",
            "foo:",
        ),
        ("spin ab*", 5, "at least 3 characters before '*'", "too short"),
        ("a*b", 1, "'*' only at the end of a word", "inside 'a*b'"),
        ("qu-a*", 0, "letters or digits before '*'", "prefix"),
        ("+++", 0, "a word with letters or digits", "no letters or digits"),
        ("a - b", 2, "a search term right after '-'", "-word"),
        ("a -", 2, "a search term right after '-'", "end of query"),
        (
            "source:nature",
            7,
            "arxiv, medrxiv, biorxiv, journal:<name> or journal:*",
            "unknown source",
        ),
        ("type:old", 5, "one of new, cross, replace, replace-cross", "unknown announce type"),
        ("title:-spin", 6, "a value after 'title:'", "-title:spin"),
        ("author:lec*", 10, "an author name without '*'", "cannot be prefixes"),
        ("cat:*", 4, "a category", "category"),
        ("cat:c*s", 5, "'*' only at the end of the value", "cat:cs.*"),
        ("(" * 33 + "a" + ")" * 33, 32, "at most 32 nested brackets and negations", "simplify"),
        ("-" * 40 + "a", 32, "at most 32 nested brackets and negations", "32 deep"),
    ],
)
def test_errors_name_position_and_expectation(
    query: str, position: int, expected: str, says: str
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    error = caught.value
    assert (error.position, error.expected) == (position, expected)
    assert str(error).startswith(f"position {position}: ")
    assert says in str(error)


def test_deep_but_reasonable_nesting_parses() -> None:
    assert parse_query("(" * 32 + "a" + ")" * 32) == w("a")


def test_an_error_is_a_value_error_with_an_actionable_message() -> None:
    with pytest.raises(
        ValueError, match=r"^position 14: expected '\)' to close '\(' opened at position 3"
    ):
        parse_query('ab (cd OR "ef"')


# --- rendering ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        'title:(a OR "b c") -cat:cs.* author:"Yann LeCun"',
        '"AND" "quant*" "-x" "a:b" "12:30" title:"AND" source:journal:*',
        "NOT (a OR b) c OR --d",
        'cat:"Allergy and Immunology" type:replace-cross state-of-the-art',
    ],
)
def test_render_round_trips(query: str) -> None:
    node = parse_query(query)
    assert parse_query(render_query(node)) == node
    assert parse_query(render_explicit(node)) == node


@pytest.mark.parametrize(
    ("query", "reading"),
    [
        ("quantum OR qubit NOT decoding", "quantum OR (qubit AND NOT decoding)"),
        ("a b OR c", "(a AND b) OR c"),
        ('-(a OR b) title:(x OR "y z")', 'NOT (a OR b) AND (title:x OR title:"y z")'),
        ("quantum or qubit", "quantum AND or AND qubit"),
    ],
)
def test_render_explicit_brackets_every_group_and_spells_every_operator(
    query: str, reading: str
) -> None:
    assert render_explicit(parse_query(query)) == reading


def test_render_writes_the_normal_form() -> None:
    assert render_query(parse_query("title:(a OR b)  (c d)  NOT e")) == (
        "(title:a OR title:b) c d -e"
    )

"""Snippets: the part of an abstract that shows why a paper matched."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from academichub.radar.analysis import normalise, tokenize
from academichub.radar.highlight import ELLIPSIS, positive_terms, snippet, token_spans
from academichub.radar.parser import parse_query

FILLER = " ".join(f"filler{i}" for i in range(60))  # 60 distinct non-matching words


def hits(segments: list[tuple[str, bool]]) -> list[str]:
    return [text for text, is_hit in segments if is_hit]


def plain(segments: list[tuple[str, bool]]) -> str:
    return "".join(text for text, _ in segments)


def test_short_text_is_whole_with_hits_marked_by_the_same_analysis() -> None:
    text = "Rotations of the ﬁeld, via machine  learning (quantized)."
    segments = snippet(text, parse_query('rotation field "machine learning" quant*'))
    assert plain(segments) == text
    assert hits(segments) == ["Rotations", "ﬁeld", "machine  learning", "quantized"]
    assert segments[0] == ("Rotations", True)
    assert segments[1] == (" of the ", False)


def test_negated_and_non_text_terms_are_not_highlighted() -> None:
    text = "Spin chains by LeCun in quant-ph"
    assert hits(snippet(text, parse_query("chains -spin author:lecun cat:quant-ph"))) == ["chains"]
    assert snippet(text, None) == [(text, False)]


def test_without_hits_the_start_is_cut_on_a_word_boundary() -> None:
    segments = snippet(FILLER, parse_query("absent"), max_chars=50)
    assert len(segments) == 1
    text, is_hit = segments[0]
    assert not is_hit
    assert text.endswith(ELLIPSIS)
    assert len(text) <= 50
    assert FILLER.startswith(text[:-1])
    assert FILLER[len(text) - 1] == " "  # the cut falls between words


def test_a_window_around_a_late_hit() -> None:
    text = f"{FILLER} the target word {FILLER}"
    segments = snippet(text, parse_query("target"), max_chars=80)
    shown = plain(segments)
    assert hits(segments) == ["target"]
    assert len(shown) <= 80
    assert shown.startswith(ELLIPSIS)
    assert shown.endswith(ELLIPSIS)
    inner = shown[1:-1]
    assert inner in text
    start = text.index(inner)
    # Whole words only: the window starts after a space and ends before one.
    assert text[start - 1] == " "
    assert text[start + len(inner)] == " "
    assert abs(inner.index("target") - len(inner) / 2) < 20  # roughly centred


def test_the_window_goes_where_the_hits_are_densest() -> None:
    text = f"alpha {FILLER} beta gamma alpha beta {FILLER}"
    segments = snippet(text, parse_query("alpha OR beta OR gamma"), max_chars=60)
    assert hits(segments) == ["beta", "gamma", "alpha", "beta"]


def test_positive_terms() -> None:
    terms = positive_terms(parse_query('title:spins "spin chain" quant* -harvest cat:cs.*'))
    # Each probe once, whichever field it was read in: a snippet is of one text.
    assert [(p.op, p.values, stemmed) for p, stemmed in terms.probes] == [
        ("term", ("spin",), True),
        ("phrase", ("spin", "chain"), True),
        ("prefix", ("quant",), False),
    ]
    assert not positive_terms(parse_query("-spin"))
    assert not positive_terms(None)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZé\u0301ﬁİß① ,.-_'2\u00a0Ωд", max_size=30))
def test_token_spans_are_the_analysis_tokens_with_offsets(text: str) -> None:
    spans = token_spans(text)
    assert [s.token for s in spans] == tokenize(text)
    for span in spans:
        assert tokenize(text[span.start : span.end]) == [span.token]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["spin", "Spins", "chain", "x", "—", "quantum", "filler"]), max_size=80
    ),
    st.integers(10, 120),
)
def test_snippets_fit_and_show_real_text(words: list[str], max_chars: int) -> None:
    text = " ".join(words)
    segments = snippet(text, parse_query('spin OR "quantum chain"'), max_chars=max_chars)
    shown = plain(segments)
    assert len(shown) <= max_chars
    assert shown.strip(ELLIPSIS) in text
    for hit in hits(segments):
        assert hit.lower().startswith(("spin", "quantum"))


def reference_token_spans(text: str) -> list[tuple[int, int, str]]:
    """The straightforward character-by-character algorithm :func:`token_spans` replaced
    (normalise each cluster, classify each character): the oracle for the fast one."""
    normalised: list[str] = []
    origin: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        for char in normalise(text[i:j]):
            normalised.append(char)
            origin.append((i, j))
        i = j
    spans = []
    current: list[str] = []
    start = 0
    for k, char in enumerate([*normalised, " "]):
        if char.isalnum():
            if not current:
                start = k
            current.append(char)
        elif current:
            spans.append((origin[start][0], origin[k - 1][1], "".join(current)))
            current = []
    return spans


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="aZé\u0301\u0327ﬁİß① ,.-_'2\u00a0Ωд\u1100\u1161", max_size=40),
        st.text(max_size=40),
    )
)
def test_token_spans_agree_with_the_character_by_character_reference(text: str) -> None:
    assert [tuple(s) for s in token_spans(text)] == reference_token_spans(text)


def test_token_spans_keep_offsets_where_marks_follow_ascii() -> None:
    text = "Cafe\u0301 ﬁeld na\u0308ive"
    assert [tuple(s) for s in token_spans(text)] == reference_token_spans(text)
    assert [text[s.start : s.end] for s in token_spans(text)] == [
        "Cafe\u0301",
        "ﬁeld",
        "na\u0308ive",
    ]


def test_accents_are_folded_and_the_original_characters_marked() -> None:
    decomposed = "Schro\u0308dinger's equation and Jo\u0301zsa"
    segments = snippet(decomposed, parse_query("schrodinger OR Józsa"))
    assert hits(segments) == ["Schro\u0308dinger", "Jo\u0301zsa"]
    assert plain(segments) == decomposed
    assert hits(snippet("the Schrodinger cat", parse_query("Schrödinger"))) == ["Schrodinger"]
    assert hits(snippet("Straße und ﬁelds", parse_query("strasse field"))) == ["Straße", "ﬁelds"]

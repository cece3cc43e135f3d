"""Snippets: the part of an abstract that shows why a paper matched."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from academichub.radar.analysis import tokenize
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
    assert terms.words == {"spin"}
    assert terms.phrases == (("spin", "chain"),)
    assert terms.prefixes == ("quant",)
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

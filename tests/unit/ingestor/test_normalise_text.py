"""Plain text from feed text, and the arXiv announcement prefix."""

from __future__ import annotations

import pytest

from academichub.ingestor.domain.normalise import (
    UnrecognisedPrefix,
    clean_text,
    parse_announcement,
    parse_arxiv_ref,
)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("  Plain   title\n  on two lines ", "Plain title on two lines"),
        ("Tom &amp; Jerry &lt;3 &#955; caf&eacute;", "Tom & Jerry <3 λ café"),
        ("a&nbsp;b", "a b"),
        ("<p>First paragraph.</p><p>Second.</p>", "First paragraph. Second."),
        ("H<sub>2</sub>O and E = mc<sup>2</sup>", "H2O and E = mc2"),
        ('<a href="https://x.org">link</a> text<br/>next', "link text next"),
        ("<jats:p>JATS <jats:italic>abstract</jats:italic></jats:p>", "JATS abstract"),
        ("<p>ok</p><script>alert(1)</script><style>p{}</style>", "ok"),
        ("<p>before<!-- hidden -->after</p>", "before after"),
        # Escaped markup is literal text the author wrote: decoded, not stripped.
        ("<p>use &lt;b&gt; for bold</p>", "use <b> for bold"),
        # TeX survives: inline math with < and >, \( \), backslashes.
        (r"$0<x<1$ and $y>2$", r"$0<x<1$ and $y>2$"),
        (r"$a<b$ and $c>d$", r"$a<b$ and $c>d$"),
        (r"\(T_w = i\hbar\,\partial_E\) on $\theta$", r"\(T_w = i\hbar\,\partial_E\) on $\theta$"),
        (r"Cram\'er-Rao", r"Cram\'er-Rao"),
        # Physics notation that looks like a tag is kept when the text is not HTML.
        ("the mean momentum <p> and <A> vanish", "the mean momentum <p> and <A> vanish"),
        ("<p>mean <S_z> of <A> spins</p>", "mean <S_z> of <A> spins"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, text: str) -> None:
    assert clean_text(raw) == text


def test_announcement_prefix_is_removed_and_parsed() -> None:
    announcement = parse_announcement(
        "arXiv:2504.17830v1 Announce Type: new \nAbstract: We introduce a self-adjoint $T_w$."
    )
    assert announcement.abstract == "We introduce a self-adjoint $T_w$."
    assert announcement.ref == parse_arxiv_ref("2504.17830v1")
    assert announcement.announce_type == "new"


@pytest.mark.parametrize(
    "description",
    [
        "arXiv:2312.01259v3 Announce Type: replace-cross \nAbstract: Text.",
        "arXiv:2312.01259v3 Announce Type: replace-cross\r\nAbstract:Text.",
        "arXiv:2312.01259v3   Announce  Type:  replace-cross   Abstract:   Text.",
        "arXiv:2312.01259v3 Announce Type: replace-cross Text.",  # no "Abstract:" marker
        "<p>arXiv:2312.01259v3 Announce Type: replace-cross \nAbstract: Text.</p>",
    ],
)
def test_prefix_variants(description: str) -> None:
    announcement = parse_announcement(description)
    assert announcement.abstract == "Text."
    assert announcement.announce_type == "replace-cross"
    assert announcement.ref is not None
    assert (announcement.ref.id, announcement.ref.version) == ("2312.01259", 3)


def test_description_without_prefix_is_all_abstract() -> None:
    announcement = parse_announcement("Just an abstract about arXiv: data.")
    assert announcement.abstract == "Just an abstract about arXiv: data."
    assert announcement.ref is None
    assert announcement.announce_type is None


def test_empty_abstract_after_prefix() -> None:
    announcement = parse_announcement("arXiv:2504.17830v1 Announce Type: new \nAbstract: ")
    assert announcement.abstract == ""


def test_unrecognised_prefix_is_refused() -> None:
    with pytest.raises(UnrecognisedPrefix, match="prefix"):
        parse_announcement("See arXiv: Announce Type: new Abstract: text")

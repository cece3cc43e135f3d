"""Abstracts from Crossref's JATS strings and from bioRxiv's flattened JATS tokens."""

from __future__ import annotations

import pytest

from academichub.ingestor.domain.normalise import clean_flattened_abstract, clean_jats_abstract


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        # Small capitals are part of a word; a leading ABSTRACT heading is not content.
        (
            "AO_SCPLOWBSTRACTC_SCPLOWManual annotation with MO_SCPLOWETAC_SCPLOW.",
            "Manual annotation with META.",
        ),
        # Section titles between O_ST_ABS and C_ST_ABS, glued on both sides.
        (
            "Research in ContextO_ST_ABSEvidence before this studyC_ST_ABSBlood smears are slow.",
            "Research in Context: Evidence before this study: Blood smears are slow.",
        ),
        # List items, the heading glued to the first token.
        (
            "We did it.\n\nHighlightsO_LIA first point.\nC_LIO_LIA second point.\nC_LI",
            "We did it. Highlights: A first point. A second point.",
        ),
        # Headings glued to the text without any token, after a full stop too.
        (
            "BackgroundThe model failed.MethodsRNA-seq was run. ResultsA total of 3 worked.",
            "Background: The model failed. Methods: RNA-seq was run. Results: A total of 3 worked.",
        ),
        # Figure blocks (and their "Graphical Abstract" heading) are markup only.
        (
            "Text.\n\nGraphical Abstract\n\nO_FIG O_LINKSMALLFIG WIDTH=200 HEIGHT=72 "
            'SRC="FIGDIR/small/1v1_ufig1.gif" ALT="Figure 1">\nView larger version (22K):\n'
            "org.highwire.dtl.DTLVardef@f10d08org.highwire.dtl.DTLVardef@18eab94"
            "_HPS_FORMAT_FIGEXP  M_FIG C_FIG\n\nMore text.",
            "Text. More text.",
        ),
        # A figure block cut off by the end of the abstract.
        ("Text. O_FIG O_LINKSMALLFIG WIDTH=200", "Text."),
        ("Tables O_TBL View this table: org.highwire C_TBL too.", "Tables too."),
        # HighWire character names; other braces are TeX and stay.
        (
            "{alpha}-synuclein at {approx}3 {micro}M and $\\{x\\}$ {x}",
            "α-synuclein at ≈3 µM and $\\{x\\}$ {x}",
        ),
        # Ordinary words that start like a heading are left alone.
        (
            "Backgrounds matter. Resultsoriented work. Conclusions drawn.",
            "Backgrounds matter. Resultsoriented work. Conclusions drawn.",
        ),
        ("Abstract algebra is fun.", "Abstract algebra is fun."),
        ("We train ContextNet and SummaryNet.", "We train ContextNet and SummaryNet."),
        ("", ""),
    ],
)
def test_clean_flattened_abstract(raw: str, text: str) -> None:
    assert clean_flattened_abstract(raw) == text


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (
            "<jats:title>Abstract</jats:title><jats:p>Plain &amp; simple.</jats:p>",
            "Plain & simple.",
        ),
        (
            "<jats:sec><jats:title>Background</jats:title><jats:p>One.</jats:p></jats:sec>"
            "<jats:sec><jats:title>Conclusions:</jats:title><jats:p>Two.</jats:p></jats:sec>",
            "Background: One. Conclusions: Two.",
        ),
        ("<p>H<sub>2</sub>O and $0<x<1$ and <i>in vivo</i>.</p>", "H2O and $0<x<1$ and in vivo."),
        (
            "<jats:p>Why?</jats:p><jats:title>Is it?</jats:title><jats:p>Yes.</jats:p>",
            "Why? Is it? Yes.",
        ),
        ("No markup at all", "No markup at all"),
    ],
)
def test_clean_jats_abstract(raw: str, text: str) -> None:
    assert clean_jats_abstract(raw) == text

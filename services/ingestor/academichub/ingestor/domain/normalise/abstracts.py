"""Abstracts that arrive as JATS: Crossref's JATS XML strings and bioRxiv's flattened JATS.

* Crossref (``<jats:title>Abstract</jats:title><jats:sec><jats:title>Background</jats:title>
  <jats:p>…``): the tags go as in :func:`~.text.clean_text`, a leading "Abstract" title is
  dropped (it is the field's name, not its content), and section titles become ``Background:``.
* api.biorxiv.org flattens the same structure into tokens glued to the words around them:
  ``O_ST_ABS``/``C_ST_ABS`` around a section title, ``O_LI``/``C_LI``/``C_LIO_LI`` around list
  items, ``O_SCPLOW``/``C_SCPLOW`` around small capitals (``AO_SCPLOWBSTRACTC_SCPLOW`` is
  "ABSTRACT"), whole ``O_FIG``…``C_FIG`` and ``O_TBL``…``C_TBL`` blocks of figure markup, and
  ``{alpha}``-style character names. Section titles without tokens are glued to the first
  word of their section (``BackgroundThe modified``). All of it is turned into the same
  ``Background: The modified`` text the Crossref path gives.

Text in both keeps its TeX, as every abstract does.
"""

from __future__ import annotations

import re
from typing import Final

from academichub.ingestor.domain.normalise.text import clean_text, collapse_whitespace

# --- Crossref JATS -------------------------------------------------------------------------------

_JATS_TITLE_RE: Final = re.compile(
    r"<(?:jats:)?title\b[^>]*>(?P<title>.*?)</(?:jats:)?title\s*>", re.DOTALL | re.IGNORECASE
)
# What publishers put as the abstract's own heading; never a section of it.
_ABSTRACT_HEADINGS: Final = frozenset({"abstract", "summary", "graphical abstract"})


def clean_jats_abstract(raw: str) -> str:
    """Plain text from a JATS (or plain HTML) abstract string; see the module docstring."""
    if "title" in raw:
        raw = _JATS_TITLE_RE.sub(_section_heading, raw)
    return _drop_leading_heading(clean_text(raw))


def _section_heading(match: re.Match[str]) -> str:
    title = collapse_whitespace(clean_text(match.group("title")))
    if not title or title.lower().rstrip(":.") in _ABSTRACT_HEADINGS:
        return " "
    # Spaces around, so the heading never glues to the text before or after it.
    return f" {title.rstrip(':')}: " if not title.endswith((".", "?", "!")) else f" {title} "


# --- bioRxiv flattened JATS ----------------------------------------------------------------------

# Figures and tables are markup and file names (`O_LINKSMALLFIG WIDTH=200 ... C_FIG`), no text;
# a "Graphical Abstract" heading right before one goes with it, as it would head nothing.
_BLOCK_RE: Final = re.compile(r"(?:(?i:graphical\s+abstract)\s*)?O_(FIG|TBL)\b.*?C_\1", re.DOTALL)
# A block left open (the abstract is cut before C_FIG) runs to the end of the text.
_OPEN_BLOCK_RE: Final = re.compile(
    r"(?:(?i:graphical\s+abstract)\s*)?O_(?:FIG|TBL)\b.*\Z", re.DOTALL
)
_HIGHWIRE_JUNK_RE: Final = re.compile(r"org\.highwire\.dtl\.DTLVardef@[0-9a-f]+|_HPS_FORMAT_\w+")
# Order matters: C_LIO_LI before C_LI and O_LI. Section titles end in ": "; small capitals are
# part of a word (`AO_SCPLOWBSTRACTC_SCPLOW`), so they vanish without a space.
_TOKENS: Final = (
    ("O_ST_ABS", " "),
    ("C_ST_ABS", ": "),
    ("C_LIO_LI", " "),
    ("O_LI", " "),
    ("C_LI", " "),
    ("O_SCPLOW", ""),
    ("C_SCPLOW", ""),
    ("O_SCPCAP", ""),
    ("C_SCPCAP", ""),
    ("M_FIG", " "),
    ("M_TBL", " "),
)
_TOKEN_RE: Final = re.compile("|".join(re.escape(token) for token, _ in _TOKENS))
_TOKEN_TEXT: Final = dict(_TOKENS)

# Headings that structured abstracts use. Flattening glues them to the section's first word:
# `BackgroundThe`, `.ResultsWe`, `MethodsRNA-seq`. Only a listed heading directly followed by a
# capital or digit is split, so ordinary words ("Backgrounds", "Resultsoriented") are safe.
# Words that also start CamelCase names ("ContextNet", "DesignCon", "SummaryNet") are left out:
# a missed heading reads fine, a split name does not.
_HEADINGS: Final = (
    "Abstract",
    "Added value of this study",
    "Aims",
    "Author summary",
    "Availability and implementation",
    "Background",
    "Conclusion",
    "Conclusions",
    "Discussion",
    "Evidence before this study",
    "Findings",
    "Funding",
    "Graphical abstract",
    "Highlights",
    "Implications of all the available evidence",
    "Importance",
    "Interpretation",
    "Introduction",
    "Key points",
    "Main outcomes and measures",
    "Methods",
    "Methodology",
    "Motivation",
    "Objective",
    "Objectives",
    "One sentence summary",
    "Participants",
    "Purpose",
    "Rationale",
    "Research in context",
    "Results",
    "Significance",
    "Supplementary information",
    "Trial registration",
)
# The first letter as listed, the rest in any case ("Research in Context"), or all capitals as
# small-caps flattening leaves them ("ABSTRACT"); the longest first, "Conclusions" before
# "Conclusion".
_HEADING_ALTERNATIVES: Final = "|".join(
    f"{re.escape(heading[0])}(?i:{re.escape(heading[1:])})|{re.escape(heading.upper())}"
    for heading in sorted(_HEADINGS, key=len, reverse=True)
)
_GLUED_HEADING_RE: Final = re.compile(
    rf"(?:^|(?<=[\s.;:)\]]))(?P<heading>{_HEADING_ALTERNATIVES})(?=[A-Z0-9])"
)
# A heading that only announces the abstract itself: dropped, as in the Crossref path. Without a
# colon it must be followed by a capitalised word ("ABSTRACT Background: ..."), so an abstract
# that starts "Abstract algebra ..." keeps its first word.
_LEADING_HEADING_RE: Final = re.compile(r"(?i:abstract|summary)(?:\s*:\s*|\s+(?=[A-Z]))")

# HighWire's `{name}` character names that bioRxiv leaves in abstracts. Only these are replaced:
# braces are also TeX, and `{x}` that is not one of these stays as it is.
_CHARACTER_NAMES: Final = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "approx": "≈", "plusmn": "±", "micro": "µ", "degrees": "°", "deg": "°", "times": "×",
    "ge": "≥", "le": "≤", "geq": "≥", "leq": "≤", "middot": "·", "infin": "∞", "sim": "∼",
    "rarr": "→", "larr": "←",
}  # fmt: skip
_CHARACTER_NAME_RE: Final = re.compile(
    "\\{(" + "|".join(re.escape(name) for name in _CHARACTER_NAMES) + ")\\}"
)


def clean_flattened_abstract(raw: str) -> str:
    """Plain text from a bioRxiv/medRxiv API abstract; see the module docstring."""
    text = raw
    if "O_FIG" in text or "O_TBL" in text:
        text = _OPEN_BLOCK_RE.sub(" ", _BLOCK_RE.sub(" ", text))
    if "org.highwire" in text or "_HPS_" in text:
        text = _HIGHWIRE_JUNK_RE.sub(" ", text)
    # Headings are split before the tokens go (`HighlightsO_LIA` has its heading before the
    # token) and again after (`AO_SCPLOWBSTRACTC_SCPLOW` only becomes `ABSTRACT` without them).
    text = _GLUED_HEADING_RE.sub(_glued_heading, text)
    if "_" in text:
        text = _TOKEN_RE.sub(lambda match: _TOKEN_TEXT[match.group(0)], text)
    if "{" in text:
        text = _CHARACTER_NAME_RE.sub(lambda match: _CHARACTER_NAMES[match.group(1)], text)
    text = clean_text(text)
    text = _GLUED_HEADING_RE.sub(_glued_heading, text)
    # A token or a split can leave "Background:: " or " : "; tidy what the rules above produced.
    text = re.sub(r"\s*:(?:\s*:)+", ":", text).replace(" :", ":")
    return _drop_leading_heading(collapse_whitespace(text))


def _glued_heading(match: re.Match[str]) -> str:
    heading = match.group("heading")
    if heading.isupper():
        heading = heading[0] + heading[1:].lower()
    # A space before too: `thing.MethodsRNA` has lost the one after the full stop as well.
    return f" {heading}: "


def _drop_leading_heading(text: str) -> str:
    match = _LEADING_HEADING_RE.match(text)
    return text[match.end() :] if match is not None else text

"""Plain text out of feed text: HTML stripped, entities decoded, whitespace collapsed.

TeX is data, not markup: ``$\\theta$``, ``\\(...\\)`` and ``$0<x<1$`` pass through untouched.
That is why tag stripping is deliberately narrow (see :func:`clean_text`).
"""

from __future__ import annotations

import html
import re
from typing import Final

# Elements whose removal must not glue words together ("a<br>b" -> "a b") versus inline ones
# whose removal must not split a word ("H<sub>2</sub>O" -> "H2O").
_INLINE_TAGS: Final = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "del", "dfn", "em", "font",
        "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong",
        "sub", "sup", "tt", "u", "var",
        # JATS inline elements (Crossref abstracts), seen with a "jats:" prefix.
        "bold", "italic", "sc", "monospace", "underline", "inline-formula",
    }
)  # fmt: skip
_BLOCK_TAGS: Final = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
        "div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
        "head", "header", "hr", "html", "img", "li", "main", "nav", "ol", "p", "pre", "section",
        "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul",
        # JATS block elements.
        "abstract", "list", "list-item", "sec", "label",
    }
)  # fmt: skip
_KNOWN_TAGS: Final = _INLINE_TAGS | _BLOCK_TAGS

# A tag is `<name ...>` / `</name>` / `<name/>` with a lower-case name (optionally prefixed,
# `jats:p`). Upper-case and unknown names are left alone on purpose: physics abstracts write
# expectation values as `<A>`, `<S_z>` or `<n>`, and those must survive.
_TAG_RE: Final = re.compile(
    r"</?(?:(?P<prefix>[a-z][a-z0-9]*):)?(?P<name>[a-z][a-z0-9-]*)"
    r"(?:\s[^<>]*)?/?>"
)
# Text counts as HTML only if it has a closing or self-closing tag of a known element (or a
# comment): a lone `<p>` in "the mean momentum <p>" is physics, `<p>...</p>` is markup.
_LOOKS_LIKE_HTML_RE: Final = re.compile(
    r"</(?P<cprefix>[a-z][a-z0-9]*:)?(?P<closed>[a-z][a-z0-9-]*)\s*>"
    r"|<(?P<eprefix>[a-z][a-z0-9]*:)?(?P<empty>[a-z][a-z0-9-]*)(?:\s[^<>]*)?/>"
    r"|<(?P<br>br|hr)\s*>"
    r"|<!--"
)
# Script and style bodies are code, not text; drop them with their tags.
_SCRIPT_RE: Final = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_COMMENT_RE: Final = re.compile(r"<!--.*?-->", re.DOTALL)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` carries HTML markup (not merely ``<`` and ``>`` from TeX or physics)."""
    if "<" not in text:
        return False
    for match in _LOOKS_LIKE_HTML_RE.finditer(text):
        if match.group("cprefix") or match.group("eprefix"):
            return True  # namespaced markup (`</jats:p>`) is never prose
        name = match.group("closed") or match.group("empty")
        if name is None or name in _KNOWN_TAGS:
            return True
    return False


def _replace_tag(match: re.Match[str]) -> str:
    name = match.group("name")
    if match.group("prefix") is None and name not in _KNOWN_TAGS:
        return match.group(0)
    return "" if name in _INLINE_TAGS else " "


def strip_tags(text: str) -> str:
    """Remove HTML/JATS tags (keeping their text) if ``text`` looks like HTML; else return it."""
    if not looks_like_html(text):
        return text
    text = _SCRIPT_RE.sub(" ", text)
    text = _COMMENT_RE.sub(" ", text)
    return _TAG_RE.sub(_replace_tag, text)


def collapse_whitespace(text: str) -> str:
    """One space between words, none at the ends (str.split also folds NBSP and newlines)."""
    return " ".join(text.split())


def clean_text(raw: str) -> str:
    """Feed text to plain text: tags stripped, entities decoded, whitespace collapsed.

    Tags go before entities are decoded, so an escaped ``&lt;b&gt;`` that the author meant as
    literal text stays literal. The fast paths matter: this runs on every title and abstract.
    """
    text = strip_tags(raw) if "<" in raw else raw
    if "&" in text:
        text = html.unescape(text)
    return collapse_whitespace(text)


def clean_text_or_none(raw: str | None) -> str | None:
    """:func:`clean_text` for an optional field: None when there is no text left."""
    return (clean_text(raw) or None) if raw else None

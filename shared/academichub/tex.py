"""TeX accents and special letters to Unicode, outside math: one rule for every field
and every service (the ingestor decodes what it stores, the briefer what older stored
papers still carry), and which runs of a text are math (:func:`math_runs`).

arXiv keeps titles, abstracts and author names as submitted, in TeX: ``Schr\\"odinger``,
``R\\'{e}nyi``, ``F{\\"o}llmer``, ``Michal Hajdu\\v{s}ek``, ``M{\\o}ller``, ``1909\\AA``. A
reader sees the letters, and a search for ``Schrödinger`` or ``schrodinger`` must find
them, so every source's text is decoded at ingest by :func:`decode_tex_accents`, called from
the one step every parsed paper passes (the ingestor's ``finish_paper``); math is data and
stays as written (``$\\theta$``, ``$\\mu hom(F,\\O_X)$``, ``\\(\\"x\\)``).

What is decoded, outside ``$...$``, ``$$...$$``, ``\\(...\\)`` and ``\\[...\\]``:

* accents on a letter (or on ``\\i``/``\\j``): ``\\'e`` ``\\'{e}`` ``\\"o`` ``\\"{o}`` ``\\^o``
  ``\\`e`` ``\\~n`` ``\\=a`` ``\\.z``, and the letter accents ``\\v{s}`` ``\\c{c}`` ``\\u{a}``
  ``\\H{o}`` ``\\r{a}`` ``\\k{a}`` ``\\d{a}`` ``\\b{a}`` (with braces or a space: ``\\vs`` would
  be another macro);
* special letters: ``\\ss`` ß, ``\\aa`` å, ``\\AA`` Å, ``\\ae`` æ, ``\\AE`` Æ, ``\\oe`` œ, ``\\OE``
  Œ, ``\\o`` ø, ``\\O`` Ø, ``\\l`` ł, ``\\L`` Ł, ``\\i`` ı, ``\\j`` ȷ;
* braces around one such command go with it: ``{\\"o}`` and ``{\\o}`` are one letter.

Each decoded letter is composed (NFC), so ``Schr\\"odinger`` becomes the same string as one
typed with ``ö``. Names also lose their grouping braces (:func:`decode_tex_name`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from academichub.contracts import Paper

__all__ = ["decode_tex_accents", "decode_tex_name", "decode_tex_paper", "math_runs"]

# Accent command -> combining character.
_COMBINING: Final = {
    "'": "\u0301",  # acute
    "`": "\u0300",  # grave
    "^": "\u0302",  # circumflex
    '"': "\u0308",  # diaeresis
    "~": "\u0303",  # tilde
    "=": "\u0304",  # macron
    ".": "\u0307",  # dot above
    "u": "\u0306",  # breve
    "v": "\u030c",  # caron
    "H": "\u030b",  # double acute
    "r": "\u030a",  # ring above
    "c": "\u0327",  # cedilla
    "k": "\u0328",  # ogonek
    "d": "\u0323",  # dot below
    "b": "\u0331",  # macron below
}
_LETTERS: Final = {
    "ss": "ß",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
# The base of an accent: a letter, or \i / \j (dotless i/j, written under accents as in `\'\i`).
_BASE = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"
# As in TeX, a control word (`\i`, `\ss`, `\o`) swallows the spaces after it: `Mart\'\i nez`
# is "Martínez", `Bj\o rn` is "Bjørn". `{}` after it is the explicit way to end it.
_EAT = r"(?:(?<=\\[ij])\s*)?"
# `\'e`, `\'{e}`: symbol accents take their letter directly or in braces.
_SYMBOL_ACCENT = rf"\\(?P<sym>['`^\"~=.])\s*(?:\{{\s*(?P<b1>{_BASE})\s*\}}|(?P<l1>{_BASE}){_EAT})"
# `\v{s}`, `\c c`: letter accents need braces or a space (`\vs` would be another macro).
_LETTER_ACCENT = (
    rf"\\(?P<cmd>[uvHrckdb])(?:\s*\{{\s*(?P<b2>{_BASE})\s*\}}|\s+(?P<l2>{_BASE}){_EAT})"
)
# ... except `\AA`, which in running text is the ångström sign of a measure (`5875 \AA and`).
_SPECIAL_LETTER = (
    r"\\(?P<letter>ss|aa|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])(?:\{\}|\s+)?"
    r"|\\(?P<angstrom>AA)(?![A-Za-z])(?:\{\})?"
)
_COMMAND = f"{_SYMBOL_ACCENT}|{_LETTER_ACCENT}|{_SPECIAL_LETTER}"
# A command, or one in braces of its own (`{\"o}`): the braces are taken with it.
_TEX_RE: Final = re.compile(rf"(?P<open>\{{\s*)?(?:{_COMMAND})(?(open)\s*\}})")
# Math, left as it is: $$...$$, $...$ (not an escaped \$), \(...\), \[...\]. An unmatched
# `$` opens nothing.
_MATH_RE: Final = re.compile(
    r"\$\$.+?\$\$|(?<!\\)\$(?:\\.|[^$\\])+?\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL
)


def _replace(match: re.Match[str]) -> str:
    letter = match.group("letter") or match.group("angstrom")
    if letter is not None:
        return _LETTERS[letter]
    accent = _COMBINING[match.group("sym") or match.group("cmd")]
    base = match.group("b1") or match.group("l1") or match.group("b2") or match.group("l2")
    # An accented dotless i is just an accented i once composed (`\'\i` -> í).
    if base.startswith("\\"):
        base = base[1]
    return unicodedata.normalize("NFC", base + accent)


def math_runs(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is_math, run) pairs, in order; joined they give ``text`` back."""
    out: list[tuple[bool, str]] = []
    start = 0
    for math in _MATH_RE.finditer(text):
        if math.start() > start:
            out.append((False, text[start : math.start()]))
        out.append((True, math.group()))
        start = math.end()
    if start < len(text):
        out.append((False, text[start:]))
    return out


def decode_tex_accents(text: str) -> str:
    """``Schr\\"odinger`` -> ``Schrödinger``, ``F{\\"o}llmer`` -> ``Föllmer``, outside math."""
    if "\\" not in text:
        return text
    return "".join(run if math else _TEX_RE.sub(_replace, run) for math, run in math_runs(text))


def decode_tex_name(text: str) -> str:
    """A name: :func:`decode_tex_accents`, then every brace dropped (braces only group in a
    name: ``{van der} Berg``), composed (NFC) so it compares equal to one typed with an
    accent."""
    text = decode_tex_accents(text)
    if "{" in text or "}" in text:
        text = text.replace("{", "").replace("}", "")
    return unicodedata.normalize("NFC", text)


def decode_tex_paper(paper: Paper) -> Paper:
    """A stored paper as this rule leaves it: title, abstract and every author name
    through :func:`decode_tex_accents` (what the ingestor's ``finish_paper`` now does to
    them at ingest); the same paper when there was nothing to decode. ``academichub reindex``
    rewrites stored papers with it."""
    fields = {
        "title": decode_tex_accents(paper.title),
        "abstract": decode_tex_accents(paper.abstract),
        "authors": tuple(decode_tex_accents(name) for name in paper.authors),
    }
    if all(getattr(paper, name) == value for name, value in fields.items()):
        return paper
    return paper.model_copy(update=fields)

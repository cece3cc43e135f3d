"""TeX in briefing text: math kept whole, commands outside math turned into plain text.

Feeds keep TeX as the authors wrote it (``$\\theta$``, ``\\(x\\)``, ``Schr\\"odinger``,
``\\emph{not}``). In a briefing, math is content and stays intact; a command outside math
is markup that a reader should never see (``Schr\\"odinger`` must not become
"schr odinger"). Issue 16 turns TeX in titles into Unicode at ingest; papers stored before
it, and abstracts, still carry it, so every extractive text passes :func:`plain_outside_math`.

- :func:`pieces` splits a text into math and non-math runs (``$…$``, ``$$…$$``,
  ``\\(…\\)``, ``\\[…\\]``; an unclosed ``$`` is not math);
- :func:`plain_outside_math` rewrites accents (``\\"o`` → ö), unwraps text-style commands
  (``\\emph{x}`` → x), unescapes ``\\%`` ``\\&`` ``\\_`` ``\\#`` ``\\$`` and drops the
  backslash of any other command, outside math only;
- :func:`without_math` replaces math by a placeholder (keyphrases are not made of math);
- :func:`tex_command_chars` counts the characters of TeX commands left outside math (the
  quality report's "TeX left" figure: it must be 0 in a briefing).

Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = [
    "MATH_PLACEHOLDER",
    "pieces",
    "plain_outside_math",
    "tex_command_chars",
    "without_math",
]

MATH_PLACEHOLDER: Final = "\u2062"  # invisible times: breaks a phrase, reads as nothing

_MATH_RE: Final = re.compile(
    r"\$\$.+?\$\$|(?<!\\)\$(?:\\.|[^$\\])+?\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL
)
# Accent commands and the combining character each stands for.
_ACCENTS: Final[dict[str, str]] = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
}
# \"o, \"{o}, {\"o}, \v{s}, \c c, \'{\i}
_ACCENT_RE: Final = re.compile(
    r"\{?\\(?P<cmd>[\"'`^~=.]|[uvHckr](?=[{\s]))\s*\{?\s*(?:\\(?P<dotless>[ij])\b|(?P<letter>[A-Za-z]))(?:\s*\}){0,2}"
)
_LETTERS: Final[dict[str, str]] = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
}
_LETTER_RE: Final = re.compile(r"\{?\\(ss|o|O|ae|AE|oe|OE|aa|AA|l|L|i)(?![A-Za-z])\s*\}?(?:\{\})?")
_WRAPPER_RE: Final = re.compile(
    r"\\(?:emph|textit|textbf|textrm|textsf|texttt|textsc|textup|textnormal|mbox|text|"
    r"underline|uline|mathrm|mathit|mathbf|url|href\{[^{}]*\})\s*\{(?P<body>[^{}]*)\}"
)
_ESCAPED_RE: Final = re.compile(r"\\([%&_#$])")
_COMMAND_RE: Final = re.compile(r"\\(?:[A-Za-z]+\*?|[^A-Za-z\s])")
_SPACING_RE: Final = re.compile(r"\\[,;:! ]")
_LINEBREAK_RE: Final = re.compile(r"\\\\")


def pieces(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is_math, run) pairs, in order; joined they give ``text`` back."""
    out: list[tuple[bool, str]] = []
    start = 0
    for m in _MATH_RE.finditer(text):
        if m.start() > start:
            out.append((False, text[start : m.start()]))
        out.append((True, m.group(0)))
        start = m.end()
    if start < len(text):
        out.append((False, text[start:]))
    return out


def _accent(m: re.Match[str]) -> str:
    base = "i" if m.group("dotless") == "i" else m.group("dotless") or m.group("letter")
    return unicodedata.normalize("NFC", base + _ACCENTS[m.group("cmd")])


def _plain(run: str) -> str:
    run = _ACCENT_RE.sub(_accent, run)
    run = _LETTER_RE.sub(lambda m: _LETTERS[m.group(1)], run)
    for _ in range(3):  # nested wrappers: \emph{\textbf{x}}
        unwrapped = _WRAPPER_RE.sub(lambda m: m.group("body"), run)
        if unwrapped == run:
            break
        run = unwrapped
    run = _LINEBREAK_RE.sub(" ", run)
    run = _SPACING_RE.sub(" ", run)
    run = _ESCAPED_RE.sub(r"\1", run)
    # Any other command: its name is the best plain reading (\LaTeX -> LaTeX); a lone
    # symbol command (\}) is its symbol.
    run = _COMMAND_RE.sub(lambda m: m.group(0)[1:].rstrip("*"), run)
    return run.replace("{", "").replace("}", "")


def plain_outside_math(text: str) -> str:
    """``text`` with every TeX command outside math made plain; math untouched."""
    if "\\" not in text and "{" not in text:
        return text
    return "".join(run if math else _plain(run) for math, run in pieces(text))


def without_math(text: str) -> str:
    """``text`` made plain, each math run replaced by :data:`MATH_PLACEHOLDER`."""
    return "".join(f" {MATH_PLACEHOLDER} " if math else _plain(run) for math, run in pieces(text))


def tex_command_chars(text: str) -> int:
    """Characters of TeX commands (``\\word``, ``\\"``) left outside math in ``text``."""
    return sum(
        len(m.group(0)) for math, run in pieces(text) if not math for m in _COMMAND_RE.finditer(run)
    )

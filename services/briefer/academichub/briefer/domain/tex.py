"""TeX in briefing text: math kept whole, commands outside math turned into plain text.

Feeds keep TeX as the authors wrote it (``$\\theta$``, ``\\(x\\)``, ``Schr\\"odinger``,
``\\emph{not}``). In a briefing, math is content and stays intact; a command outside math
is markup that a reader should never see (``Schr\\"odinger`` must not become
"schr odinger"). Issue 16 turns TeX in titles into Unicode at ingest; papers stored before
it, and abstracts, still carry it, so every extractive text passes :func:`plain_outside_math`.

- math is what :func:`academichub.tex.math_runs` says (``$…$``, ``$$…$$``, ``\\(…\\)``,
  ``\\[…\\]``; an unclosed ``$`` is not math), the same runs the ingest rule leaves alone;
- :func:`plain_outside_math` rewrites accents (``\\"o`` → ö, by the ingest rule,
  :func:`academichub.tex.decode_tex_accents`), unwraps text-style commands
  (``\\emph{x}`` → x), unescapes ``\\%`` ``\\&`` ``\\_`` ``\\#`` ``\\$`` and drops the
  backslash of any other command, outside math only;
- :func:`without_math` replaces math by a placeholder (keyphrases are not made of math);
- :func:`tex_command_chars` counts the characters of TeX commands left outside math (the
  quality report's "TeX left" figure: it must be 0 in a briefing).

Pure: no I/O.
"""

from __future__ import annotations

import re
from typing import Final

from academichub.tex import decode_tex_accents, math_runs

__all__ = [
    "MATH_PLACEHOLDER",
    "plain_outside_math",
    "tex_command_chars",
    "without_math",
]

MATH_PLACEHOLDER: Final = "\u2062"  # invisible times: breaks a phrase, reads as nothing

_WRAPPER_RE: Final = re.compile(
    r"\\(?:emph|textit|textbf|textrm|textsf|texttt|textsc|textup|textnormal|mbox|text|"
    r"underline|uline|mathrm|mathit|mathbf|url|href\{[^{}]*\})\s*\{(?P<body>[^{}]*)\}"
)
_ESCAPED_RE: Final = re.compile(r"\\([%&_#$])")
_COMMAND_RE: Final = re.compile(r"\\(?:[A-Za-z]+\*?|[^A-Za-z\s])")
_SPACING_RE: Final = re.compile(r"\\[,;:! ]")
_LINEBREAK_RE: Final = re.compile(r"\\\\")


def _plain(run: str) -> str:
    run = decode_tex_accents(run)  # the ingest rule: accents and special letters
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
    return "".join(run if math else _plain(run) for math, run in math_runs(text))


def without_math(text: str) -> str:
    """``text`` made plain, each math run replaced by :data:`MATH_PLACEHOLDER`."""
    return "".join(
        f" {MATH_PLACEHOLDER} " if math else _plain(run) for math, run in math_runs(text)
    )


def tex_command_chars(text: str) -> int:
    """Characters of TeX commands (``\\word``, ``\\"``) left outside math in ``text``."""
    return sum(
        len(m.group(0))
        for math, run in math_runs(text)
        if not math
        for m in _COMMAND_RE.finditer(run)
    )

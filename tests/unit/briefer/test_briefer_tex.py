"""TeX in briefing text: math intact, commands outside math made plain and counted."""

from academichub.briefer.domain.tex import (
    plain_outside_math,
    tex_command_chars,
    without_math,
)
from academichub.tex import math_runs


def test_math_runs_are_found_in_every_delimiter() -> None:
    text = "a $x$ b $$y$$ c \\(z\\) d \\[w\\] e"
    assert [run for math, run in math_runs(text) if math] == ["$x$", "$$y$$", "\\(z\\)", "\\[w\\]"]
    assert "".join(run for _, run in math_runs(text)) == text


def test_commands_outside_math_become_plain_text() -> None:
    assert plain_outside_math('Schr\\"odinger') == "Schrödinger"
    assert plain_outside_math("\\'{e}t\\'e and \\v{S}ab and M\\o ller") == "été and Šab and Møller"
    assert plain_outside_math("\\emph{very} \\textbf{\\textit{bold}}") == "very bold"
    assert plain_outside_math("5\\% of \\LaTeX{} users") == "5% of LaTeX users"


def test_math_is_never_touched() -> None:
    text = "the $\\mathcal{O}(\\sqrt{n})$ bound and \\(\\hbar\\omega\\)"
    assert plain_outside_math(text) == text
    assert tex_command_chars(text) == 0


def test_tex_command_characters_outside_math_are_counted() -> None:
    assert tex_command_chars('Schr\\"odinger') == 2
    assert tex_command_chars("\\emph{x} and $\\alpha$") == len("\\emph")
    assert tex_command_chars("plain text") == 0


def test_without_math_leaves_no_math_words() -> None:
    assert "alpha" not in without_math("spin $\\alpha$ chains")
    assert "spin" in without_math("spin $\\alpha$ chains")

"""TeX accents and letters become Unicode outside math, in every text field."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.contracts import Paper
from academichub.ingestor.domain.normalise import decode_tex_accents, decode_tex_paper
from academichub.ingestor.domain.normalise.canonical import finish_paper


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"Schr\"odinger operators", "Schrödinger operators"),
        (r"Schr\"{o}dinger", "Schrödinger"),
        (r"F{\"o}llmer and Leukert", "Föllmer and Leukert"),
        (r"R\'{e}nyi and L\'evy", "Rényi and Lévy"),
        (r"Monge-Amp\`ere", "Monge-Ampère"),
        (r"Stone-\v{C}ech, Erd\H{o}s, Coand\u{a}", "Stone-Čech, Erdős, Coandă"),
        (r"Guti\'errez-Pi\~neres", "Gutiérrez-Piñeres"),
        (r"Gar\c{c}on, Fran\c cois", "Garçon, François"),
        (r"M{\o}ller and \O stergaard", "Møller and Østergaard"),
        (r"{\ae}ther, {\aa}, \ss, {\l}", "æther, å, ß, ł"),
        (r"na\"ively, na\"{\i}ve, \i", "naïvely, naïve, ı"),
        # The ångström sign of a measure keeps the space after it.
        (r"5875.62 \AA and 6562.81 \AA, (1909\AA)", "5875.62 Å and 6562.81 Å, (1909Å)"),
    ],
)
def test_accents_and_letters_outside_math(tex: str, text: str) -> None:
    assert decode_tex_accents(tex) == text


@pytest.mark.parametrize(
    "math",
    [
        r"$\theta$",
        r"$\mu hom(F,\O_X)$",
        r"$$\"x + \'y$$",
        r"\(\"x\)",
        r"\[\o\]",
        r"$\ell \in \L^2$",
    ],
)
def test_math_is_kept_as_written(math: str) -> None:
    assert decode_tex_accents(f'{math} for Schr\\"odinger') == f"{math} for Schrödinger"


def test_what_is_not_an_accent_stays() -> None:
    # An unmatched or escaped dollar opens no math; unknown macros and plain apostrophes stay.
    assert decode_tex_accents(r"costs \$5 for Schr\"odinger") == r"costs \$5 for Schrödinger"
    assert decode_tex_accents(r"a $ b \"o") == "a $ b ö"
    assert decode_tex_accents(r"\emph{L\'evy} O'Brien \vs") == r"\emph{Lévy} O'Brien \vs"
    assert decode_tex_accents("Zoë") == "Zoë"


def test_every_parsed_paper_is_decoded_in_title_abstract_and_names() -> None:
    raw = Paper(
        id="arxiv:2606.00001",
        version=1,
        source="arxiv",
        title=r"The nonlinear Schr\"{o}dinger equation for $\psi$",
        abstract=r"After R\'enyi and F{\"o}llmer, in $\"x$.",
        authors=(r"J. G\"unther", "Ada Lovelace"),
        categories=("math.AP",),
        published=dt.date(2026, 6, 12),
    )
    finished = finish_paper(raw).paper
    assert finished is not None
    assert finished.title == r"The nonlinear Schrödinger equation for $\psi$"
    assert finished.abstract == r"After Rényi and Föllmer, in $\"x$."
    assert finished.authors == ("J. Günther", "Ada Lovelace")
    assert decode_tex_paper(raw) == finished

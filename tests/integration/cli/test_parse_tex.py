"""``academichub parse`` prints no TeX accent or letter command outside math, on any
recorded feed (the fixtures and the feeds bundled with the ingestor)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from academichub.ingestor.replay import replay_feeds
from tests.unit.ingestor.test_formats_registry import EXPECTED, FEEDS

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))

RECORDED = [(FEEDS / name, fmt) for name, (fmt, papers, _, _) in EXPECTED.items() if papers] + [
    (Path(feed.url.removeprefix("file://")), feed.format) for feed in replay_feeds()
]
# Math as TeX writes it: $...$, $$...$$, \(...\), \[...\].
MATH = re.compile(r"\$\$.+?\$\$|(?<!\\)\$(?:\\.|[^$\\])+?\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)
# An accent on a letter (\'e \"{o} \v{s} \c c ...) or a special letter (\ss \o \AA \i ...).
ACCENT = re.compile(
    r"""\\['`^"~=.]\s*\{?\\?[A-Za-z]|\\[uvHrckdb](?:\s*\{|\s+[A-Za-z])"""
    r"|\\(?:ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])"
)


@pytest.mark.parametrize(("path", "fmt"), RECORDED, ids=[path.name for path, _ in RECORDED])
def test_no_tex_accent_outside_math(path: Path, fmt: str) -> None:
    done = subprocess.run(
        [ACADEMICHUB, "parse", "--format", fmt, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    papers = [json.loads(line) for line in done.stdout.splitlines()]
    assert papers
    left = [
        (paper["id"], match.group())
        for paper in papers
        for text in (paper["title"], paper["abstract"], *paper["authors"])
        for match in ACCENT.finditer(MATH.sub("", text))
    ]
    assert left == []


def test_the_check_finds_what_it_looks_for() -> None:
    assert ACCENT.search(MATH.sub("", r"Schr\"odinger on $\"x$"))
    for tex in (r"M{\o}ller", r"\v{C}ech", r"1909\AA"):
        assert ACCENT.search(tex), tex
    assert not ACCENT.search(MATH.sub("", r"the map $\O_X \to \L$, \emph{sheaves}"))

"""BibTeX entries for papers. Pure: no framework, no I/O.

Field values are TeX, and feed text is untrusted: outside ``$…$`` math every TeX special
character is escaped; inside math the TeX is kept (titles like ``$\\theta$-expansion``
must survive) unless its braces do not balance, which would end the BibTeX field early,
in which case the math is escaped like plain text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from academichub.contracts import Paper

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "$": r"\$",
}
_MATH = re.compile(r"\$[^$]+\$")
_ARXIV = re.compile(r"^arxiv:(.+)$")


def _escape_plain(text: str) -> str:
    return "".join(_SPECIALS.get(c, c) for c in text)


def _balanced(text: str) -> bool:
    depth = 0
    for i, char in enumerate(text):
        if char in "{}" and i > 0 and text[i - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def tex_value(text: str) -> str:
    """``text`` safe inside a braced BibTeX field, math kept where it is well formed."""
    text = " ".join(text.split())
    out, last = [], 0
    for found in _MATH.finditer(text):
        out.append(_escape_plain(text[last : found.start()]))
        math = found.group(0)
        out.append(math if _balanced(math) else _escape_plain(math))
        last = found.end()
    out.append(_escape_plain(text[last:]))
    return "".join(out)


def citation_key(paper: Paper) -> str:
    """``lovelace2026surface``: first author's surname, year, first title word, ASCII."""

    def ascii_word(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]", "", folded.lower())

    surname = ascii_word(paper.authors[0].split()[-1]) if paper.authors else "anon"
    words = [w for w in (ascii_word(t) for t in paper.title.split()) if len(w) > 3]
    return f"{surname or 'anon'}{paper.published.year}{words[0] if words else 'paper'}"


def entry(paper: Paper, key: str) -> str:
    fields: list[tuple[str, str]] = [
        ("title", "{" + tex_value(paper.title) + "}"),
        ("author", " and ".join(tex_value(a) for a in paper.authors) or "Unknown"),
        ("year", str(paper.published.year)),
        ("month", str(paper.published.month)),
    ]
    arxiv = _ARXIV.match(paper.id)
    kind = "misc"
    if arxiv:
        fields += [("eprint", arxiv.group(1)), ("archivePrefix", "arXiv")]
        if paper.categories:
            fields.append(("primaryClass", tex_value(paper.categories[0])))
    if paper.doi:
        fields.append(("doi", tex_value(paper.doi)))
    if paper.journal_ref:
        kind = "article"
        fields.append(("journal", tex_value(paper.journal_ref)))
    elif paper.source.startswith("journal:"):
        kind = "article"
        fields.append(("journal", tex_value(paper.source.removeprefix("journal:"))))
    if paper.url and paper.url.startswith(("https://", "http://")):
        # Kept raw for the url package, minus what could end the field or the line.
        fields.append(("url", re.sub(r"[{}\\\s]", "", paper.url)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def bibliography(papers: Iterable[Paper]) -> str:
    """One entry per paper; a repeated key gets ``b``, ``c``… appended, as BibTeX needs
    unique keys."""
    seen: dict[str, int] = {}
    out = []
    for paper in papers:
        key = citation_key(paper)
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(entry(paper, key + ("" if n == 0 else chr(ord("a") + n))))
    return "\n".join(out)

"""Author lists: arXiv's comma-joined creator string, and the other shapes feeds use.

* :func:`split_authors` -- arXiv RSS ``dc:creator`` and arXivRaw ``authors``: ``A, B (Affil), C``
* :func:`split_semicolon_authors` -- bioRxiv/medRxiv API: ``Ghafari, T.; Quinn, A. J.``
* :func:`split_surname_initials` -- bioRxiv RSS since 2023: ``LAPALU, N., SIMON, A., Lu, A.``
* :func:`forenames_first` -- arXiv OAI ``keyname``/``forenames`` and ``Surname, Forenames``

Names a source writes as ``Surname, Initials`` (bioRxiv, journal feeds) are kept that way:
the matcher tokenises names, so ``author:Connell`` finds ``O'Connell, R. J.`` either way, and
keeping the comma keeps where a multi-word surname ends (``de Souza Dutra, A.``).

arXiv writes every author into one element: ``Name1, Name2 (Affil A, Affil B), Name3``.
Affiliations sit in parentheses and may contain commas (and nested parentheses), so the
string is split on commas *outside* parentheses only.

Decision: affiliations are **dropped** from the names. A user following ``author:"Name2"``
must match, and the canonical ``authors`` field holds names, not addresses. Names are also
decoded from TeX (``R\\'emy`` -> ``Rémy``, see :mod:`.tex`) so accent-insensitive author
search works.
"""

from __future__ import annotations

import re
from typing import Final

from academichub.ingestor.domain.normalise.text import clean_text, collapse_whitespace
from academichub.tex import decode_tex_name

# A segment that is only a generational suffix belongs to the name before it:
# "John Smith, Jr., Jane Doe" is two people, not three.
_SUFFIXES: Final = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# An e-mail address, bare or in <...>: never part of a name (in (...) it goes with the affiliation).
_EMAIL_RE: Final = re.compile(r"<?[^\s<>(),@]+@[^\s<>(),]+>?")


def _split_outside_parentheses(text: str) -> list[str] | None:
    """Comma-separated segments with parenthesised text removed; None if parentheses don't
    balance (an unclosed "(" would otherwise swallow every author after it)."""
    segments: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return None
            depth -= 1
        elif depth == 0:
            if char == ",":
                segments.append("".join(current))
                current = []
            else:
                current.append(char)
    if depth != 0:
        return None
    segments.append("".join(current))
    return segments


def _split_ignoring_parentheses(text: str) -> list[str]:
    """Fallback for unbalanced parentheses: plain comma split, anything from a "(" dropped.

    A comma inside the broken affiliation may then yield a spurious name, which a reader can
    see; the alternative (one unclosed "(" eating the rest of the list) loses authors silently.
    """
    return [segment.split("(", 1)[0].replace(")", "") for segment in text.split(",")]


def _split_and(segment: str) -> list[str]:
    """The last segment may join the final names with "and": "B and C", "and C"."""
    words = segment.split()
    if words and words[0] == "and":
        words = words[1:]
    names: list[list[str]] = [[]]
    for word in words:
        if word == "and" and names[-1]:
            names.append([])
        else:
            names[-1].append(word)
    return [" ".join(name) for name in names]


def split_authors(creator: str) -> tuple[str, ...]:
    """Names in order from an arXiv ``dc:creator`` string, affiliations dropped.

    >>> split_authors("A. One, B. Two (Univ X, Dept Y), C. Three and D. Four")
    ('A. One', 'B. Two', 'C. Three', 'D. Four')
    """
    text = clean_text(creator)
    if "@" in text:
        text = _EMAIL_RE.sub(" ", text)
    if not text:
        return ()
    if "(" in text or ")" in text:
        segments = _split_outside_parentheses(text) or _split_ignoring_parentheses(text)
    else:
        segments = text.split(",")
    segments = [collapse_whitespace(segment) for segment in segments]
    segments = [segment for segment in segments if segment]
    if not segments:
        return ()
    segments[-1:] = _split_and(segments[-1])

    names: list[str] = []
    for segment in segments:
        name = collapse_whitespace(decode_tex_name(segment))
        if not name:
            continue
        if names and name.lower() in _SUFFIXES:
            names[-1] = f"{names[-1]} {name}"
        else:
            names.append(name)
    return tuple(names)


def split_semicolon_authors(text: str) -> tuple[str, ...]:
    """Names from a ``;``-separated list, each kept as written (``Quinn, A. J.``)."""
    names = (clean_text(part) for part in text.split(";"))
    return tuple(name for name in names if name)


def _is_initial(token: str) -> bool:
    """`J.`, `J` or `Th.` in any script; not `Lu` or `LI` (surnames), which the dot rules out."""
    if not (token[0].isalpha() and token[0].isupper()):
        return False
    if len(token) == 1:
        return True
    if len(token) == 2:
        return token[1] == "."
    return len(token) == 3 and token[1].isalpha() and token[1].islower() and token[2] == "."


def _is_initials(segment: str) -> bool:
    tokens = [token for token in re.split(r"[\s\-\u2010]+", segment) if token]
    return bool(tokens) and all(_is_initial(token) for token in tokens)


def split_surname_initials(text: str) -> tuple[str, ...]:
    """``LAPALU, N., Plaumann, P.-L., The X Consortium`` -> ``("LAPALU, N.", "Plaumann, P.-L.",
    "The X Consortium")``.

    The list separator and the surname/initials separator are the same comma, so a segment is
    joined to the one before it when it consists of initials only; a segment that is not
    followed by initials (a consortium) is a name on its own.
    """
    segments = [clean_text(segment) for segment in text.split(",")]
    segments = [segment for segment in segments if segment]
    names: list[str] = []
    index = 0
    while index < len(segments):
        segment = segments[index]
        following = segments[index + 1] if index + 1 < len(segments) else None
        if following is not None and not _is_initials(segment) and _is_initials(following):
            names.append(f"{segment}, {following}")
            index += 2
        else:
            names.append(segment)
            index += 1
    return tuple(names)


def clean_name(name: str) -> str:
    """One author name as plain text, TeX accents decoded as for arXiv RSS (``G\\"unther``)."""
    return collapse_whitespace(decode_tex_name(clean_text(name)))


def forenames_first(surname: str, forenames: str = "", suffix: str = "") -> str:
    """``("Hoehn", "Philipp A")`` -> ``Philipp A Hoehn`` (arXiv OAI keyname/forenames/suffix)."""
    return clean_name(" ".join(part for part in (forenames, surname, suffix) if part))

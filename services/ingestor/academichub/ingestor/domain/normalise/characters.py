"""Characters no paper field may hold: control characters, bidi overrides, invisible format
characters, and text that could not be decoded.

A feed's text reaches titles, search snippets, briefings and the prompts of a language
model. Some characters in it do harm and carry no meaning there: a NUL ends C strings
and breaks tools; ``U+202E`` (right-to-left override) makes a title ending "gnp.exe"
display as "exe.png"; tag characters (``U+E0000``-``U+E007F``) are invisible and can smuggle
instructions into a prompt. :func:`clean_characters` removes them and says how many of each
kind it found:

==============  ===============================================================  ===========
kind            characters                                                       done
==============  ===============================================================  ===========
whitespace      TAB, LF, CR, VT, FF (U+0009-U+000D), NEL (U+0085)                become a
                                                                                 space; no
                                                                                 field keeps
                                                                                 line breaks
                                                                                 (not counted)
``control``     every other C0 control (U+0000-U+001F), DEL (U+007F), every      removed
                other C1 control (U+0080-U+009F)
``bidi``        embeddings and overrides LRE, RLE, PDF, LRO, RLO                 removed
                (U+202A-U+202E) and isolates LRI, RLI, FSI, PDI (U+2066-U+2069)
``invisible``   BOM / zero-width no-break space inside text (U+FEFF), interlinear  removed
                annotation (U+FFF9-U+FFFB), non-characters U+FFFE and U+FFFF,
                tag characters (U+E0000-U+E007F)
``undecodable`` the replacement character U+FFFD (bytes the document's codec     kept, and
                could not decode were replaced by it), and lone surrogates       counted
                (from JSON escapes such as ``\\ud800``), which become U+FFFD
==============  ===============================================================  ===========

The bidi *marks* (LRM U+200E, RLM U+200F, ALM U+061C) are kept: they reorder no letters,
only the neutral characters next to them, and Arabic and Hebrew text needs them. Zero-width
joiners and spaces (U+200B-U+200D) are kept for the scripts that use them.

Pure: ``re`` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = ["CleanedText", "clean_characters"]

_WHITESPACE: Final = "\t\n\x0b\x0c\r\x85"
_CONTROL: Final = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"
_BIDI: Final = "\u202a-\u202e\u2066-\u2069"
_INVISIBLE: Final = "\ufeff\ufff9-\ufffb\ufffe\uffff\U000e0000-\U000e007f"
_SURROGATE: Final = "\ud800-\udfff"
_REPLACEMENT: Final = "\ufffd"

# One search tells whether a text needs any work: almost none does.
_SUSPECT_RE: Final = re.compile(
    f"[{_WHITESPACE}{_CONTROL}{_BIDI}{_INVISIBLE}{_SURROGATE}{_REPLACEMENT}]"
)
_WHITESPACE_RE: Final = re.compile(f"[{_WHITESPACE}]")
_CONTROL_RE: Final = re.compile(f"[{_CONTROL}]")
_BIDI_RE: Final = re.compile(f"[{_BIDI}]")
_INVISIBLE_RE: Final = re.compile(f"[{_INVISIBLE}]")
_SURROGATE_RE: Final = re.compile(f"[{_SURROGATE}]")


@dataclass(frozen=True, slots=True)
class CleanedText:
    """A text with the characters above dealt with, and how many of each kind it had."""

    text: str
    control: int = 0
    bidi: int = 0
    invisible: int = 0
    undecodable: int = 0  # U+FFFD in the cleaned text, lone surrogates included


def clean_characters(text: str) -> CleanedText:
    """``text`` without control, bidi-override and invisible characters (see the module
    docstring); whitespace controls become spaces and runs of spaces are collapsed when
    anything was changed."""
    if _SUSPECT_RE.search(text) is None:
        return CleanedText(text)
    cleaned, control = _CONTROL_RE.subn("", _WHITESPACE_RE.sub(" ", text))
    cleaned, bidi = _BIDI_RE.subn("", cleaned)
    cleaned, invisible = _INVISIBLE_RE.subn("", cleaned)
    cleaned = _SURROGATE_RE.sub(_REPLACEMENT, cleaned)
    undecodable = cleaned.count(_REPLACEMENT)
    if cleaned != text:
        # A removed character between two spaces, or a line break made a space, leaves a
        # run of spaces; no paper field keeps one.
        cleaned = " ".join(cleaned.split())
    return CleanedText(cleaned, control, bidi, invisible, undecodable)

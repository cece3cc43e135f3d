"""Token arithmetic: estimates before a call, a meter for one briefing's budget.

The briefer must decide what fits *before* asking, and not every OpenAI-compatible
server reports usage, so tokens are estimated from text: about four characters per
token for Latin text and TeX, and a little over one token per CJK character (what the
common BPE vocabularies give). The estimate leans high on purpose: a budget is a
promise not to exceed, so a plan made from it stays inside.

Pure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from academichub.briefer.domain.model import ChatMessage

_PER_MESSAGE: Final = 4  # role and separators
_CHARS_PER_TOKEN: Final = 3.5
_TOKENS_PER_CJK: Final = 1.3


def _is_wide(char: str) -> bool:
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # CJK radicals, kana, unified ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms and punctuation
    )


def estimate_tokens(text: str) -> int:
    wide = sum(1 for c in text if _is_wide(c))
    narrow = len(text) - wide
    return math.ceil(narrow / _CHARS_PER_TOKEN + wide * _TOKENS_PER_CJK)


def estimate_messages(messages: Iterable[ChatMessage]) -> int:
    return sum(_PER_MESSAGE + estimate_tokens(m["content"]) for m in messages)


@dataclass(frozen=True)
class Usage:
    prompt: int = 0
    completion: int = 0

    @property
    def total(self) -> int:
        return self.prompt + self.completion

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt + other.prompt, self.completion + other.completion)


class BudgetExhausted(Exception):
    """The next call would take the briefing past its token budget."""


class TokenMeter:
    """Tokens one briefing may spend, and has spent (reported usage, else estimates)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = Usage()

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.spent.total)

    def reserve(self, estimate: int) -> None:
        """Refuse a call whose estimated cost does not fit what is left."""
        if estimate > self.remaining:
            raise BudgetExhausted(
                f"the next model call needs about {estimate} tokens and {self.remaining} "
                f"of the briefing's {self.limit} are left"
            )

    def charge(self, usage: Usage) -> None:
        self.spent = self.spent + usage

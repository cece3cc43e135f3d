"""The parts of a briefing, before the window's metadata is attached.

Two shapes live here:

- :class:`BriefingParts` — what a summariser produces: overview, themes, connections,
  notable papers and TL;DRs, as the contract's value objects. Both the extractive
  summariser and a cleaned model draft end as this.
- :class:`BriefingDraft` — what a language model is asked to return (the wire shape of
  its JSON answer), deliberately lenient in structure so a small slip (a single id
  instead of a list, an extra key) is not worth a repair round-trip. It is untrusted:
  :func:`academichub.briefer.citations.clean_draft` turns it into ``BriefingParts``.

:data:`DRAFT_JSON_SCHEMA` is the same shape as a JSON schema for ``response_format``
(strict mode: every property required, no additional properties).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from academichub.contracts import Connection, NotablePaper, PaperTldr, Theme


@dataclass(frozen=True)
class BriefingParts:
    overview: str
    themes: tuple[Theme, ...] = ()
    connections: tuple[Connection, ...] = ()
    notable: tuple[NotablePaper, ...] = ()
    tldrs: tuple[PaperTldr, ...] = ()

    def has_cited_content(self) -> bool:
        """Whether anything besides the overview survived (a briefing worth sending)."""
        return bool(self.themes or self.connections or self.notable or self.tldrs)


class _Lenient(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


def _one_or_many(value: object) -> object:
    # Models sometimes answer "paper_ids": "arxiv:1" where a list was asked for.
    return [value] if isinstance(value, str) else value


class DraftTheme(_Lenient):
    title: str
    synthesis: str
    paper_ids: list[str]

    @field_validator("paper_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        return _one_or_many(value)


class DraftConnection(_Lenient):
    finding: str
    fields: list[str] = Field(default_factory=list)
    paper_ids: list[str]

    @field_validator("paper_ids", "fields", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _one_or_many(value)


class DraftNotable(_Lenient):
    paper_id: str
    reason: str


class DraftTldr(_Lenient):
    paper_id: str
    tldr: str


class BriefingDraft(_Lenient):
    overview: str = Field(min_length=1)
    themes: list[DraftTheme] = Field(default_factory=list)
    connections: list[DraftConnection] = Field(default_factory=list)
    notable: list[DraftNotable] = Field(default_factory=list)
    tldrs: list[DraftTldr] = Field(default_factory=list)


class DraftInvalid(ValueError):
    """A model's answer is not a briefing draft; the message says why (for a repair prompt)."""


_FENCE_RE = re.compile(r"^\s*```(?:json|JSON)?\s*\n(?P<body>.*?)\n?\s*```\s*$", re.DOTALL)


def parse_draft(content: str) -> BriefingDraft:
    """Parse a model's answer into a draft, or raise :class:`DraftInvalid` saying why."""
    fenced = _FENCE_RE.match(content)
    # json_object mode is not always honoured by OpenAI-compatible servers: a Markdown
    # fence around otherwise valid JSON is common enough to accept without a repair.
    text = fenced.group("body") if fenced else content
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DraftInvalid(f"the reply is not valid JSON ({exc.msg} at char {exc.pos})") from exc
    if not isinstance(data, dict):
        raise DraftInvalid(f"the reply is a JSON {type(data).__name__}, expected an object")
    try:
        return BriefingDraft.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors()[:8]
        )
        raise DraftInvalid(f"the JSON does not follow the schema: {problems}") from exc


def _obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


_STR: Final = {"type": "string"}
_IDS: Final = {"type": "array", "items": {"type": "string"}}

DRAFT_JSON_SCHEMA: Final[dict[str, Any]] = _obj(
    {
        "overview": _STR,
        "themes": {
            "type": "array",
            "items": _obj({"title": _STR, "synthesis": _STR, "paper_ids": _IDS}),
        },
        "connections": {
            "type": "array",
            "items": _obj({"finding": _STR, "fields": _IDS, "paper_ids": _IDS}),
        },
        "notable": {"type": "array", "items": _obj({"paper_id": _STR, "reason": _STR})},
        "tldrs": {"type": "array", "items": _obj({"paper_id": _STR, "tldr": _STR})},
    }
)

"""The parts of a briefing, before the window's metadata is attached, and the shapes
a model answers in.

- :class:`BriefingParts` — what a summariser produces: overview, themes, connections,
  notable papers and TL;DRs, as the contract's value objects. Both the extractive
  summariser and a cleaned model draft end as this.
- The *drafts* — what a language model is asked to return (the wire shape of its JSON
  answer), deliberately lenient in structure so a small slip (a single id instead of a
  list, an extra key) is not worth a repair round-trip. They are untrusted:
  :mod:`academichub.briefer.domain.citations` turns them into contract values.

  ========================  ===========================  ===============================
  task                      draft                        schema
  ========================  ===========================  ===============================
  per-paper TL;DRs          :class:`SummariesDraft`      :data:`SUMMARIES_SCHEMA`
  themes of groups (staged) :class:`ThemesDraft`         :data:`THEMES_SCHEMA`
  the briefing (direct)     :class:`BriefingDraft`       :data:`BRIEFING_SCHEMA`
  the briefing (staged)     :class:`BriefingDraft`       :data:`SYNTHESIS_SCHEMA`
  ========================  ===========================  ===============================

The schemas are for ``response_format`` in strict mode (every property required, no
additional properties); :func:`parse_reply` validates an answer against its draft.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final, TypeVar

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


class DraftModel(BaseModel):
    """Base of every answer shape: frozen, and extra keys are ignored (not an error)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def _one_or_many(value: object) -> object:
    # Models sometimes answer "paper_ids": "arxiv:1" where a list was asked for.
    return [value] if isinstance(value, str) else value


class DraftTheme(DraftModel):
    title: str
    synthesis: str
    paper_ids: list[str]

    @field_validator("paper_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        return _one_or_many(value)


class ThemesDraft(DraftModel):
    themes: list[DraftTheme]


class DraftConnection(DraftModel):
    finding: str
    fields: list[str] = Field(default_factory=list)
    paper_ids: list[str]

    @field_validator("paper_ids", "fields", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _one_or_many(value)


class DraftNotable(DraftModel):
    paper_id: str
    reason: str


class DraftTldr(DraftModel):
    paper_id: str
    tldr: str


class BriefingDraft(DraftModel):
    overview: str = Field(min_length=1)
    themes: list[DraftTheme] = Field(default_factory=list)
    connections: list[DraftConnection] = Field(default_factory=list)
    notable: list[DraftNotable] = Field(default_factory=list)
    tldrs: list[DraftTldr] = Field(default_factory=list)


class DraftSummary(DraftModel):
    paper_id: str
    tldr_en: str
    tldr_zh: str


class SummariesDraft(DraftModel):
    summaries: list[DraftSummary]


class DraftInvalid(ValueError):
    """A model's answer is not the draft asked for; the message says why (it goes into
    the repair prompt)."""


_FENCE_RE = re.compile(r"^\s*```(?:json|JSON)?\s*\n(?P<body>.*?)\n?\s*```\s*$", re.DOTALL)

D = TypeVar("D", bound=DraftModel)


def parse_reply(content: str, shape: type[D]) -> D:
    """Parse a model's answer into ``shape``, or raise :class:`DraftInvalid` saying why."""
    fenced = _FENCE_RE.match(content)
    # json_object mode is not always honoured by OpenAI-compatible servers: a Markdown
    # fence around otherwise valid JSON is common enough to accept without a repair.
    text = fenced.group("body") if fenced else content
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DraftInvalid(f"the reply is not valid JSON ({exc.msg} at char {exc.pos})") from exc
    except RecursionError:
        raise DraftInvalid("the reply is JSON nested too deeply to read") from None
    if not isinstance(data, dict):
        raise DraftInvalid(f"the reply is a JSON {type(data).__name__}, expected an object")
    try:
        return shape.model_validate(data)
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
_THEME: Final = _obj({"title": _STR, "synthesis": _STR, "paper_ids": _IDS})
_CONNECTIONS: Final = {
    "type": "array",
    "items": _obj({"finding": _STR, "fields": _IDS, "paper_ids": _IDS}),
}
_NOTABLE: Final = {"type": "array", "items": _obj({"paper_id": _STR, "reason": _STR})}

SUMMARIES_SCHEMA: Final[dict[str, Any]] = _obj(
    {
        "summaries": {
            "type": "array",
            "items": _obj({"paper_id": _STR, "tldr_en": _STR, "tldr_zh": _STR}),
        }
    }
)
THEMES_SCHEMA: Final[dict[str, Any]] = _obj({"themes": {"type": "array", "items": _THEME}})
BRIEFING_SCHEMA: Final[dict[str, Any]] = _obj(
    {
        "overview": _STR,
        "themes": {"type": "array", "items": _THEME},
        "connections": _CONNECTIONS,
        "notable": _NOTABLE,
    }
)
SYNTHESIS_SCHEMA: Final[dict[str, Any]] = _obj(
    {"overview": _STR, "connections": _CONNECTIONS, "notable": _NOTABLE}
)

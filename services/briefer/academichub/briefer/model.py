"""The port to a language model that drafts briefings, and its scripted fake.

The composer depends on :class:`BriefingModel` only. The real adapter is
:class:`academichub.briefer.openai_model.OpenAIBriefingModel`; later wrappers (a circuit
breaker, a budget guard, a staged summariser) implement the same port around it.

Failures a model call can end in, all of which make the composer fall back to the
extractive summariser (anything else is a bug and propagates)::

    ModelError                    the model gave no usable draft; ``reason`` says why
    ├── ModelUnavailable          could not get an answer: timeouts, 429/5xx after the
    │                             bounded retries, connection failures
    ├── ModelRejected             the endpoint refused the request (4xx: key, model name…)
    └── ModelOutputInvalid        answers came back but none was a usable draft (even
                                  after the repair attempt), or the model refused
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from academichub.briefer.draft import BriefingDraft
from academichub.contracts import Paper
from academichub.contracts.events import Language
from academichub.platform.errors import AcademicHubError


class ModelError(AcademicHubError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ModelUnavailable(ModelError):
    pass


class ModelRejected(ModelError):
    pass


class ModelOutputInvalid(ModelError):
    pass


@dataclass(frozen=True)
class DraftRequest:
    """What the model is asked to brief: the window's papers, best match first."""

    papers: tuple[Paper, ...]
    language: Language
    radar_name: str | None = None
    radar_query: str | None = None


@dataclass(frozen=True)
class DraftReply:
    draft: BriefingDraft
    model: str  # the model that answered, as the endpoint names it


class BriefingModel(Protocol):
    @property
    def provider(self) -> str:
        """Names the path in ``Briefing.provider`` ("openai" for the chat API)."""
        ...

    async def draft(self, request: DraftRequest) -> DraftReply:
        """A draft for ``request``, or raise :class:`ModelError`. The draft is untrusted."""
        ...


Script = BriefingDraft | ModelError | Callable[[DraftRequest], BriefingDraft]


@dataclass
class ScriptedBriefingModel:
    """In-memory fake: answers from a script, in order, and keeps every request.

    A script entry is a draft to return, a :class:`ModelError` to raise, or a function
    of the request; once the script is used up, ``repeat`` answers every call. ``gate``,
    when set, is awaited before answering, so a test can hold a call open (to race two
    closers, for example).
    """

    script: list[Script] = field(default_factory=list)
    repeat: Script | None = None
    model: str = "scripted-model"
    provider: str = "openai"
    gate: asyncio.Event | None = None
    requests: list[DraftRequest] = field(default_factory=list)

    async def draft(self, request: DraftRequest) -> DraftReply:
        self.requests.append(request)
        if self.gate is not None:
            await self.gate.wait()
        if self.script:
            answer = self.script.pop(0)
        elif self.repeat is not None:
            answer = self.repeat
        else:
            raise LookupError("ScriptedBriefingModel: no scripted answer left")
        if isinstance(answer, ModelError):
            raise answer
        draft = answer if isinstance(answer, BriefingDraft) else answer(request)
        return DraftReply(draft=draft, model=self.model)

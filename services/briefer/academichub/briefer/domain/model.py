"""The port to a chat model that answers with JSON, and its scripted fake.

Everything the briefer asks a model goes through :class:`ChatModel` as a
:class:`ChatRequest`: the messages (untrusted data fenced inside, see :mod:`.prompt`),
the JSON schema the answer must follow, a cap on the answer's tokens, and which papers
the request is about. The real adapter is
:class:`academichub.briefer.openai_model.OpenAIChatModel`;
:class:`academichub.briefer.domain.breaker.CircuitBreaker` wraps any ``ChatModel``;
:func:`academichub.briefer.domain.structured.ask` parses and repairs answers above it.

Failures a model call can end in, all of which make the composer fall back to the
extractive summariser (anything else is a bug and propagates)::

    ModelError                    the model gave no usable answer; ``reason`` says why
    ├── ModelUnavailable          could not get an answer: timeouts, 429/5xx after the
    │   │                         bounded retries, connection failures, an open circuit
    │   └── ResponseUnusable      a 200 whose body is no chat completion: not JSON, cut
    │                             short, the wrong schema, no choices, an empty answer
    ├── ModelRejected             the endpoint refused the request (4xx: key, model name…)
    └── ModelOutputInvalid        answers came back but none was usable (even after the
                                  repair attempt), or the model refused

Unavailable and rejected mean the endpoint may work later (it recovers, or the operator
fixes the key and restarts): briefings degraded by them are upgraded when it does.

An answer can also come back *with a problem* (:attr:`ChatAnswer.problem`): slower than the
adapter's ``slow_seconds``, or failing the request's own :attr:`ChatRequest.check` (not JSON
of the asked shape). It is still returned -- the caller may repair it -- but the circuit
breaker counts it as a failure and the metrics as what it is (``slow``, ``invalid_answer``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, TypeAlias, TypedDict

from academichub.contracts.events import Language
from academichub.platform.errors import AcademicHubError


class ModelError(AcademicHubError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ModelUnavailable(ModelError):
    pass


class ResponseUnusable(ModelUnavailable):
    """The endpoint answered 200 with a body that is no usable chat completion."""


class ModelRejected(ModelError):
    pass


class ModelOutputInvalid(ModelError):
    pass


def may_recover(error: ModelError) -> bool:
    """Whether a later attempt can succeed without anything about the request changing."""
    return isinstance(error, ModelUnavailable | ModelRejected)


class ChatMessage(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


Task = Literal["tldr", "theme", "briefing"]


@dataclass(frozen=True)
class ChatRequest:
    """One question to the model. ``task`` labels metrics and logs; ``paper_ids`` are the
    papers whose data the messages carry (what an answer may cite)."""

    task: Task
    messages: tuple[ChatMessage, ...]
    schema_name: str
    schema: Mapping[str, Any]
    max_output_tokens: int
    paper_ids: tuple[str, ...]
    language: Language | None = None
    # What is wrong with an answer's content, or None when it is usable: set by
    # structured.ask from the shape it asks for; the adapter and the fake call it.
    check: Callable[[str], str | None] | None = None


@dataclass(frozen=True)
class ChatAnswer:
    content: str
    model: str  # the model that answered, as the endpoint names it
    prompt_tokens: int | None = None  # None when the endpoint reports no usage
    completion_tokens: int | None = None
    problem: str | None = None  # why this answer counts as a failure (slow, invalid)


class ChatModel(Protocol):
    @property
    def provider(self) -> str:
        """Names the path in ``Briefing.provider`` ("openai" for the chat API)."""
        ...

    @property
    def model(self) -> str:
        """The configured model name (a metrics label)."""
        ...

    async def complete(self, request: ChatRequest) -> ChatAnswer:
        """The raw answer to ``request``, or raise :class:`ModelError`. Untrusted."""
        ...


Reply: TypeAlias = str | Mapping[str, Any] | ModelError | ChatAnswer
Script: TypeAlias = Reply | Callable[[ChatRequest], Reply]


@dataclass
class ScriptedChatModel:
    """In-memory fake: answers from a script, in order, and keeps every request.

    A script entry is the answer's content (a string, or a mapping sent as JSON), a
    whole :class:`ChatAnswer` (a slow one, say), a :class:`ModelError` to raise, or a
    function of the request giving one of those; once the script is used up, ``repeat``
    answers every call. As the real adapter does, the request's ``check`` sets the
    answer's ``problem``. ``gate``, when set, is awaited
    before answering, so a test can hold calls open (to race two closers, for example).
    """

    script: list[Script] = field(default_factory=list)
    repeat: Script | None = None
    model: str = "scripted-model"
    provider: str = "openai"
    usage: tuple[int, int] = (100, 50)
    gate: asyncio.Event | None = None
    requests: list[ChatRequest] = field(default_factory=list)

    def of_task(self, task: Task) -> list[ChatRequest]:
        return [r for r in self.requests if r.task == task]

    async def complete(self, request: ChatRequest) -> ChatAnswer:
        self.requests.append(request)
        if self.gate is not None:
            await self.gate.wait()
        if self.script:
            entry = self.script.pop(0)
        elif self.repeat is not None:
            entry = self.repeat
        else:
            raise LookupError("ScriptedChatModel: no scripted answer left")
        reply = entry(request) if callable(entry) else entry
        if isinstance(reply, ModelError):
            raise reply
        if isinstance(reply, ChatAnswer):
            answer = reply
        else:
            content = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
            answer = ChatAnswer(content, self.model, *self.usage)
        problem = request.check(answer.content) if request.check is not None else None
        return replace(answer, problem=answer.problem or problem)

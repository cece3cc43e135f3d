"""Ask a :class:`~academichub.briefer.domain.model.ChatModel` for JSON of a given shape.

:func:`ask` sends the request, validates the answer against its draft shape and, when
it is not valid (not JSON, wrong shape), sends the conversation back once with the
validation error — one repair, then :class:`~academichub.briefer.domain.model.ModelOutputInvalid`.
Every answer's tokens are reported to the observer (per model and task) and to the
caller's :class:`~academichub.briefer.domain.tokens.TokenMeter`, when there is one, which may
refuse a call that would not fit.

Pure: no client here; the adapter behind the port does the HTTP.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Generic, Protocol, TypeVar

from academichub.briefer.domain.draft import DraftInvalid, DraftModel, parse_reply
from academichub.briefer.domain.model import (
    ChatAnswer,
    ChatModel,
    ChatRequest,
    ModelOutputInvalid,
)
from academichub.briefer.domain.prompt import repair_messages
from academichub.briefer.domain.tokens import TokenMeter, Usage, estimate_messages, estimate_tokens

log = logging.getLogger(__name__)

T = TypeVar("T")
D = TypeVar("D", bound=DraftModel)


class AskObserver(Protocol):
    def observe_llm_tokens(self, model: str, task: str, prompt: int, completion: int) -> None: ...

    def observe_invalid_reply(self, task: str) -> None: ...


class NoAskObserver:
    def observe_llm_tokens(self, model: str, task: str, prompt: int, completion: int) -> None:
        pass

    def observe_invalid_reply(self, task: str) -> None:
        pass


@dataclass(frozen=True)
class Answered(Generic[T]):
    value: T
    model: str
    usage: Usage
    repaired: bool


def problem_of(content: str, shape: type[DraftModel]) -> str | None:
    """Why ``content`` is no answer of ``shape``, or None when it is one."""
    try:
        parse_reply(content, shape)
    except DraftInvalid as exc:
        return str(exc)
    return None


def request_estimate(request: ChatRequest) -> int:
    """The most a request can cost: its prompt plus its answer cap."""
    return estimate_messages(request.messages) + request.max_output_tokens


def _usage(request: ChatRequest, answer: ChatAnswer) -> Usage:
    # Endpoints that report no usage are charged an estimate, so budgets still hold.
    prompt = answer.prompt_tokens
    completion = answer.completion_tokens
    return Usage(
        prompt if prompt is not None else estimate_messages(request.messages),
        completion if completion is not None else estimate_tokens(answer.content),
    )


async def _call(
    model: ChatModel, request: ChatRequest, meter: TokenMeter | None, observer: AskObserver
) -> tuple[ChatAnswer, Usage]:
    if meter is not None:
        meter.reserve(request_estimate(request))
    answer = await model.complete(request)
    usage = _usage(request, answer)
    if meter is not None:
        meter.charge(usage)
    observer.observe_llm_tokens(model.model, request.task, usage.prompt, usage.completion)
    return answer, usage


async def ask(
    model: ChatModel,
    request: ChatRequest,
    shape: type[D],
    *,
    meter: TokenMeter | None = None,
    observer: AskObserver | None = None,
) -> Answered[D]:
    """The answer to ``request`` parsed as ``shape`` (a draft model of :mod:`.draft`).

    The request carries the shape's check (:attr:`ChatRequest.check`), so the adapter counts
    an answer that fails it as ``invalid_answer`` and the circuit breaker as a failure.
    Raises :class:`~academichub.briefer.domain.model.ModelError` from the model, or
    :class:`~academichub.briefer.domain.tokens.BudgetExhausted` from the meter.
    """
    seen = observer or NoAskObserver()
    request = replace(request, check=lambda content: problem_of(content, shape))
    first, usage = await _call(model, request, meter, seen)
    try:
        return Answered(parse_reply(first.content, shape), first.model, usage, False)
    except DraftInvalid as exc:
        seen.observe_invalid_reply(request.task)
        log.warning("%s answer invalid, asking for a repair: %s", request.task, exc)
        repair = replace(
            request, messages=tuple(repair_messages(request.messages, first.content, str(exc)))
        )
    second, more = await _call(model, repair, meter, seen)
    try:
        value = parse_reply(second.content, shape)
    except DraftInvalid as again:
        seen.observe_invalid_reply(request.task)
        raise ModelOutputInvalid(f"invalid answer after one repair: {again}") from again
    return Answered(value, second.model, usage + more, True)

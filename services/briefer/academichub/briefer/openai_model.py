"""The chat model over any OpenAI-compatible chat-completions endpoint (OpenAI,
DeepSeek, Qwen's compatible mode, vLLM, Ollama, llama.cpp server) via the ``openai``
client.

One place maps what the endpoint does to the :mod:`academichub.briefer.domain.model` failures:

- 429, 5xx and connection failures are retried, at most ``max_attempts`` requests in
  all. A ``Retry-After`` (or ``retry-after-ms``) is honoured as the least wait, plus up
  to 10% jitter so that many briefers do not come back at the same instant; a wait
  longer than ``max_retry_after_seconds`` is not worth blocking a window for, so the
  call ends at once. Other waits back off exponentially with jitter (half the step
  fixed, half random). Exhausted → :class:`ModelUnavailable`.
- A timeout is not retried: an answer that did not come within the timeout is unlikely
  to come the next time, and the extractive briefing is immediate →
  :class:`ModelUnavailable`.
- The request asks for a ``json_schema`` response format (strict). A 400/422 to that
  is retried once in ``json_object`` mode (many OpenAI-compatible servers lack
  structured outputs); if that works, the adapter stays in that mode — the schema is in
  the system message too, and :mod:`.structured` validates and repairs. Other 4xx →
  :class:`ModelRejected`.
- A refusal → :class:`ModelOutputInvalid`.
- A 200 whose body is no chat completion -- not JSON, cut short, the wrong schema, no
  choices, an empty answer -- → :class:`ResponseUnusable` (outcome ``invalid_response``).
  The body is read here, not by the client, which would raise ``JSONDecodeError`` (or
  build a completion with fields missing) instead of an error this module maps.
- An answer that fails the request's ``check`` (not JSON of the asked shape) is returned
  with its ``problem`` (outcome ``invalid_answer``); so is one slower than
  ``slow_seconds`` (outcome ``slow``). A call cancelled in flight -- the window's deadline,
  a shutdown -- is counted as ``cancelled``.

No tools or functions are ever offered to the model. The client's own retries are off
(``max_retries=0``) so every request is counted and the bound above is the only one.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

import openai
from openai.types.chat import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
    completion_create_params,
)
from openai.types.shared_params import ResponseFormatJSONObject, ResponseFormatJSONSchema
from pydantic import BaseModel, ConfigDict, ValidationError

from academichub.briefer.domain.model import (
    ChatAnswer,
    ChatMessage,
    ChatRequest,
    ModelOutputInvalid,
    ModelRejected,
    ModelUnavailable,
    ResponseUnusable,
)

log = logging.getLogger(__name__)

Outcome = Literal[
    "ok",
    "slow",
    "invalid_answer",
    "invalid_response",
    "refused",
    "rate_limited",
    "server_error",
    "client_error",
    "timeout",
    "connection_error",
    "cancelled",
]


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    content: str | None = None
    refusal: str | None = None


class _Choice(BaseModel):
    model_config = ConfigDict(extra="ignore")
    message: _Message
    finish_reason: str | None = None


class _Usage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class _Completion(BaseModel):
    """What this adapter reads of a chat completion; anything else the endpoint adds is
    ignored, so servers that leave out ``id`` or ``created`` still work."""

    model_config = ConfigDict(extra="ignore")
    choices: list[_Choice]
    model: str | None = None
    usage: _Usage | None = None


class LlmObserver(Protocol):
    def observe_llm_request(self, task: str, outcome: str, seconds: float) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0
    max_retry_after_seconds: float = 30.0

    def backoff(self, attempt: int, jitter: float = 1.0) -> float:
        """The wait after failed attempt ``attempt`` (1-based), for ``jitter`` in [0, 1]:
        the exponential step's first half is fixed, its second half scaled by ``jitter``."""
        step = float(min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1)))
        return step / 2 + step / 2 * jitter

    def honour(self, asked: float, jitter: float) -> float:
        """The wait for a ``Retry-After`` of ``asked`` seconds (never less than asked)."""
        return asked + min(1.0, asked * 0.1) * jitter


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait a response asks for: ``retry-after-ms``, or ``Retry-After`` as seconds
    or an HTTP date; None when absent or unreadable."""
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms is not None:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _endpoint_message(exc: openai.APIStatusError) -> str:
    """The endpoint's own error message (the client prefixes "Error code: …" to it)."""
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return exc.message


def _to_openai(messages: Sequence[ChatMessage]) -> list[ChatCompletionMessageParam]:
    converted: list[ChatCompletionMessageParam] = []
    for m in messages:
        if m["role"] == "system":
            converted.append(ChatCompletionSystemMessageParam(role="system", content=m["content"]))
        elif m["role"] == "user":
            converted.append(ChatCompletionUserMessageParam(role="user", content=m["content"]))
        else:
            converted.append(
                ChatCompletionAssistantMessageParam(role="assistant", content=m["content"])
            )
    return converted


class _NoObserver:
    def observe_llm_request(self, task: str, outcome: str, seconds: float) -> None:
        pass


class OpenAIChatModel:
    """:class:`~academichub.briefer.domain.model.ChatModel` over ``openai.AsyncOpenAI``."""

    provider = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_seconds: float = 60.0,
        slow_seconds: float | None = None,
        retry: RetryPolicy | None = None,
        observer: LlmObserver | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._model = model
        self._timeout = timeout_seconds
        self._slow = slow_seconds
        self._retry = retry or RetryPolicy()
        self._observer: LlmObserver = observer or _NoObserver()
        self._sleep = sleep
        self._jitter = jitter
        self._format: Literal["json_schema", "json_object"] = "json_schema"
        self._client = openai.AsyncOpenAI(
            base_url=base_url,
            # Local OpenAI-compatible servers often need no key, but the client wants one.
            api_key=api_key or "not-needed",
            timeout=timeout_seconds,
            max_retries=0,
        )

    @property
    def model(self) -> str:
        return self._model

    @property
    def response_format_mode(self) -> str:
        return self._format

    async def aclose(self) -> None:
        await self._client.close()

    def _response_format(self, request: ChatRequest) -> completion_create_params.ResponseFormat:
        if self._format == "json_schema":
            return ResponseFormatJSONSchema(
                type="json_schema",
                json_schema={
                    "name": request.schema_name,
                    "schema": dict(request.schema),
                    "strict": True,
                },
            )
        return ResponseFormatJSONObject(type="json_object")

    async def complete(self, request: ChatRequest) -> ChatAnswer:
        """One answer, with the retries and format fallback described above."""
        attempt = 0
        tried_json_object = False
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                raw = await self._client.chat.completions.with_raw_response.create(
                    model=self._model,
                    messages=_to_openai(request.messages),
                    response_format=self._response_format(request),
                    max_tokens=request.max_output_tokens,
                )
            except asyncio.CancelledError:
                self._observe(request, "cancelled", started)
                raise
            except openai.APITimeoutError as exc:
                self._observe(request, "timeout", started)
                raise ModelUnavailable(f"no answer within {self._timeout:g}s") from exc
            except openai.APIConnectionError as exc:
                self._observe(request, "connection_error", started)
                failure = f"connection failed: {exc}"
                wait = self._retry.backoff(attempt, self._jitter())
            except openai.RateLimitError as exc:
                self._observe(request, "rate_limited", started)
                asked = retry_after_seconds(exc.response.headers)
                if asked is not None and asked > self._retry.max_retry_after_seconds:
                    raise ModelUnavailable(
                        f"rate limited (HTTP 429); the endpoint asks to wait {asked:.0f}s"
                    ) from exc
                failure = "rate limited (HTTP 429)"
                wait = (
                    self._retry.honour(asked, self._jitter())
                    if asked is not None
                    else self._retry.backoff(attempt, self._jitter())
                )
            except openai.InternalServerError as exc:
                self._observe(request, "server_error", started)
                failure = f"server error (HTTP {exc.status_code})"
                wait = self._retry.backoff(attempt, self._jitter())
            except openai.APIStatusError as exc:
                self._observe(request, "client_error", started)
                if exc.status_code in (400, 422) and self._format == "json_schema":
                    log.info("endpoint refused a json_schema response format; trying json_object")
                    self._format, tried_json_object = "json_object", True
                    attempt -= 1  # a change of request, not a retry of the same one
                    continue
                if tried_json_object:
                    self._format = "json_schema"  # the 400 was not about the format after all
                raise ModelRejected(
                    f"HTTP {exc.status_code}: {_endpoint_message(exc)}"[:500]
                ) from exc
            else:
                if tried_json_object:
                    log.warning("endpoint lacks json_schema response format; using json_object")
                return self._answer(request, raw.content, started)
            if attempt >= self._retry.max_attempts:
                raise ModelUnavailable(f"{failure}; gave up after {attempt} attempts")
            log.warning("model request failed (%s); retry %d in %.2fs", failure, attempt, wait)
            await self._sleep(wait)

    def _observe(self, request: ChatRequest, outcome: Outcome, started: float) -> None:
        self._observer.observe_llm_request(request.task, outcome, time.monotonic() - started)

    def _answer(self, request: ChatRequest, body: bytes, started: float) -> ChatAnswer:
        seconds = time.monotonic() - started
        try:
            completion = _Completion.model_validate(json.loads(body))
        except (ValueError, RecursionError) as exc:  # not JSON, or not a completion
            self._observe(request, "invalid_response", started)
            raise ResponseUnusable(
                f"the endpoint's answer is no chat completion: {_why(exc)}"
            ) from None
        if not completion.choices:
            self._observe(request, "invalid_response", started)
            raise ResponseUnusable("the endpoint's answer has no choices")
        message = completion.choices[0].message
        if not message.content and message.refusal:
            self._observe(request, "refused", started)
            raise ModelOutputInvalid(f"the model refused: {message.refusal}"[:500])
        if not message.content or not message.content.strip():
            self._observe(request, "invalid_response", started)
            raise ResponseUnusable("the model's answer is empty")
        usage = completion.usage
        answer = ChatAnswer(
            message.content,
            completion.model or self._model,
            usage.prompt_tokens if usage is not None else None,
            usage.completion_tokens if usage is not None else None,
        )
        problem = request.check(answer.content) if request.check is not None else None
        if problem is not None:
            self._observe(request, "invalid_answer", started)
            return replace(answer, problem=f"invalid answer: {problem}"[:500])
        if self._slow is not None and seconds > self._slow:
            self._observe(request, "slow", started)
            return replace(answer, problem=f"slow answer: {seconds:.1f}s, over {self._slow:g}s")
        self._observe(request, "ok", started)
        return answer


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "<root>"
        return f"{where}: {first['msg']} ({exc.error_count()} problem(s))"
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply"
    return str(exc)[:200]

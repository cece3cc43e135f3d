"""The briefing model over an OpenAI-compatible chat-completions endpoint.

One place maps what the endpoint does to the :mod:`academichub.briefer.model` failures:

- 429 and 5xx and connection failures are retried, at most ``max_attempts`` requests
  in all. A 429's ``Retry-After`` (or ``retry-after-ms``) is honoured; a wait longer
  than ``max_retry_after_seconds`` is not worth blocking a window for, so the call ends
  at once. Other waits back off exponentially. Exhausted → :class:`ModelUnavailable`.
- A timeout is not retried: an answer that did not come within the timeout is unlikely
  to come the next time, and the extractive briefing is immediate →
  :class:`ModelUnavailable`.
- A 400/422 while asking for a ``json_schema`` response format is retried once in
  ``json_object`` mode (many OpenAI-compatible servers lack structured outputs); if that
  works, the adapter stays in that mode. Other 4xx → :class:`ModelRejected`.
- An answer that is not a valid draft gets one repair request (the answer and the
  validation error are sent back); still invalid → :class:`ModelOutputInvalid`.

The client's own retries are off (``max_retries=0``) so every request is counted and
the bound above is the only one.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
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

from academichub.briefer.draft import DRAFT_JSON_SCHEMA, DraftInvalid, parse_draft
from academichub.briefer.model import (
    DraftReply,
    DraftRequest,
    ModelOutputInvalid,
    ModelRejected,
    ModelUnavailable,
)
from academichub.briefer.prompt import (
    DEFAULT_BUDGET,
    ChatMessage,
    PromptBudget,
    build_messages,
    repair_messages,
)

log = logging.getLogger(__name__)

Outcome = Literal[
    "ok",
    "invalid_output",
    "refused",
    "rate_limited",
    "server_error",
    "client_error",
    "timeout",
    "connection_error",
]


class LlmObserver(Protocol):
    def observe_llm_request(self, outcome: str, seconds: float) -> None: ...

    def observe_llm_tokens(self, prompt: int, completion: int) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0
    max_retry_after_seconds: float = 30.0

    def backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1)))


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


@dataclass(frozen=True)
class _Completion:
    content: str
    model: str
    seconds: float


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
    def observe_llm_request(self, outcome: str, seconds: float) -> None:
        pass

    def observe_llm_tokens(self, prompt: int, completion: int) -> None:
        pass


class OpenAIBriefingModel:
    """:class:`~academichub.briefer.model.BriefingModel` over ``openai.AsyncOpenAI``."""

    provider = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_seconds: float = 60.0,
        retry: RetryPolicy | None = None,
        observer: LlmObserver | None = None,
        budget: PromptBudget = DEFAULT_BUDGET,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._model = model
        self._timeout = timeout_seconds
        self._retry = retry or RetryPolicy()
        self._observer: LlmObserver = observer or _NoObserver()
        self._budget = budget
        self._sleep = sleep
        self._format: Literal["json_schema", "json_object"] = "json_schema"
        self._client = openai.AsyncOpenAI(
            base_url=base_url,
            # Local OpenAI-compatible servers often need no key, but the client wants one.
            api_key=api_key or "not-needed",
            timeout=timeout_seconds,
            max_retries=0,
        )

    @property
    def response_format_mode(self) -> str:
        return self._format

    async def aclose(self) -> None:
        await self._client.close()

    async def draft(self, request: DraftRequest) -> DraftReply:
        messages = build_messages(
            request.papers,
            language=request.language,
            radar_name=request.radar_name,
            radar_query=request.radar_query,
            budget=self._budget,
        )
        first = await self._complete(messages)
        try:
            draft = parse_draft(first.content)
        except DraftInvalid as exc:
            self._observer.observe_llm_request("invalid_output", first.seconds)
            log.warning("model answer invalid, asking for a repair: %s", exc)
            repair = repair_messages(messages, first.content, str(exc), budget=self._budget)
            second = await self._complete(repair)
            try:
                draft = parse_draft(second.content)
            except DraftInvalid as again:
                self._observer.observe_llm_request("invalid_output", second.seconds)
                raise ModelOutputInvalid(f"invalid answer after one repair: {again}") from again
            self._observer.observe_llm_request("ok", second.seconds)
            return DraftReply(draft=draft, model=second.model)
        self._observer.observe_llm_request("ok", first.seconds)
        return DraftReply(draft=draft, model=first.model)

    def _response_format(self) -> completion_create_params.ResponseFormat:
        if self._format == "json_schema":
            return ResponseFormatJSONSchema(
                type="json_schema",
                json_schema={"name": "briefing", "schema": DRAFT_JSON_SCHEMA, "strict": True},
            )
        return ResponseFormatJSONObject(type="json_object")

    async def _complete(self, messages: Sequence[ChatMessage]) -> _Completion:
        """One answer's content, with the retries and format fallback described above."""
        attempt = 0
        tried_json_object = False
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                response = await self._client.chat.completions.create(
                    model=self._model,
                    messages=_to_openai(messages),
                    response_format=self._response_format(),
                )
            except openai.APITimeoutError as exc:
                self._observe("timeout", started)
                raise ModelUnavailable(f"no answer within {self._timeout:g}s") from exc
            except openai.APIConnectionError as exc:
                self._observe("connection_error", started)
                failure, wait = f"connection failed: {exc}", self._retry.backoff(attempt)
            except openai.RateLimitError as exc:
                self._observe("rate_limited", started)
                asked = retry_after_seconds(exc.response.headers)
                if asked is not None and asked > self._retry.max_retry_after_seconds:
                    raise ModelUnavailable(
                        f"rate limited (HTTP 429); the endpoint asks to wait {asked:.0f}s"
                    ) from exc
                failure = "rate limited (HTTP 429)"
                wait = asked if asked is not None else self._retry.backoff(attempt)
            except openai.InternalServerError as exc:
                self._observe("server_error", started)
                failure, wait = (
                    f"server error (HTTP {exc.status_code})",
                    self._retry.backoff(attempt),
                )
            except openai.APIStatusError as exc:
                self._observe("client_error", started)
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
                return self._completion(response, started)
            if attempt >= self._retry.max_attempts:
                raise ModelUnavailable(f"{failure}; gave up after {attempt} attempts")
            log.warning("model request failed (%s); retry %d in %.2fs", failure, attempt, wait)
            await self._sleep(wait)

    def _observe(self, outcome: Outcome, started: float) -> None:
        self._observer.observe_llm_request(outcome, time.monotonic() - started)

    def _completion(
        self, response: openai.types.chat.ChatCompletion, started: float
    ) -> _Completion:
        seconds = time.monotonic() - started
        if response.usage is not None:
            self._observer.observe_llm_tokens(
                response.usage.prompt_tokens, response.usage.completion_tokens
            )
        if not response.choices:
            return _Completion("", response.model or self._model, seconds)
        message = response.choices[0].message
        refusal = getattr(message, "refusal", None)
        if not message.content and refusal:
            self._observer.observe_llm_request("refused", seconds)
            raise ModelOutputInvalid(f"the model refused: {refusal}"[:500])
        return _Completion(message.content or "", response.model or self._model, seconds)

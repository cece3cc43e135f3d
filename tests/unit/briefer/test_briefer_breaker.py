import asyncio
import dataclasses

import pytest

from academichub.briefer.domain.breaker import CircuitBreaker
from academichub.briefer.domain.model import (
    ChatAnswer,
    ChatRequest,
    ModelError,
    ModelOutputInvalid,
    ModelRejected,
    ModelUnavailable,
    ResponseUnusable,
    ScriptedChatModel,
)

REQUEST = ChatRequest(
    task="briefing", messages=(), schema_name="s", schema={}, max_output_tokens=10, paper_ids=()
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def breaker(inner: ScriptedChatModel, clock: Clock) -> CircuitBreaker:
    return CircuitBreaker(inner, failures=3, cooldown_seconds=30, clock=clock)


async def test_it_opens_after_k_consecutive_failures_and_then_fails_fast(clock: Clock) -> None:
    inner = ScriptedChatModel(repeat=ModelUnavailable("server error (HTTP 500)"))
    b = breaker(inner, clock)
    for _ in range(3):
        with pytest.raises(ModelUnavailable, match="HTTP 500"):
            await b.complete(REQUEST)
    assert b.state == "open"
    assert not b.ready()
    with pytest.raises(ModelUnavailable, match="circuit open after 3 consecutive failures"):
        await b.complete(REQUEST)
    assert len(inner.requests) == 3  # the fourth never reached the endpoint


async def test_an_answer_resets_the_count(clock: Clock) -> None:
    down = ModelUnavailable("down")
    inner = ScriptedChatModel([down, down, "{}", down, down, "{}", down])
    b = breaker(inner, clock)
    outcomes: list[str] = []
    for _ in range(7):
        try:
            await b.complete(REQUEST)
            outcomes.append("answer")
        except ModelUnavailable as exc:
            outcomes.append(type(exc).__name__)
    assert outcomes.count("ModelUnavailable") == 5
    assert b.state == "closed"  # never three failures in a row
    assert len(inner.requests) == 7


@pytest.mark.parametrize(
    "failure",
    [
        ModelOutputInvalid("the model refused: no"),
        ResponseUnusable("the endpoint's answer is no chat completion: not JSON"),
        ChatAnswer("{}", "m", problem="slow answer: 25.0s, over 20s"),
        ChatAnswer("not json", "m", problem="invalid answer: the reply is not valid JSON"),
    ],
    ids=["refusal", "unusable body", "slow answer", "invalid answer"],
)
async def test_slow_and_invalid_answers_count_as_failures(
    clock: Clock, failure: ModelOutputInvalid | ResponseUnusable | ChatAnswer
) -> None:
    b = breaker(ScriptedChatModel(repeat=failure), clock)
    for _ in range(3):
        try:
            answer = await b.complete(REQUEST)
        except ModelError:
            continue
        assert answer.problem is not None  # the caller still gets the answer to repair
    assert b.state == "open"
    with pytest.raises(ModelUnavailable, match="circuit open after 3 consecutive failures"):
        await b.complete(REQUEST)


async def test_an_answer_failing_the_requests_check_carries_its_problem(clock: Clock) -> None:
    checked = dataclasses.replace(REQUEST, check=lambda text: None if text == "{}" else "bad")
    b = breaker(ScriptedChatModel(["nope", "nope", "{}"]), clock)
    problems = [(await b.complete(checked)).problem for _ in range(3)]
    assert problems == ["bad", "bad", None]
    assert b.state == "closed"


async def test_rejections_count_as_failures(clock: Clock) -> None:
    b = breaker(ScriptedChatModel(repeat=ModelRejected("HTTP 401: bad key")), clock)
    for _ in range(3):
        with pytest.raises(ModelRejected):
            await b.complete(REQUEST)
    assert b.state == "open"


async def test_half_open_lets_one_trial_through_after_the_cool_down(clock: Clock) -> None:
    inner = ScriptedChatModel(repeat=ModelUnavailable("down"))
    b = breaker(inner, clock)
    for _ in range(3):
        with pytest.raises(ModelUnavailable):
            await b.complete(REQUEST)
    clock.now += 30
    assert b.ready()
    with pytest.raises(ModelUnavailable, match="down"):
        await b.complete(REQUEST)  # the trial fails: open again, a new cool-down
    assert (b.state, b.ready(), len(inner.requests)) == ("open", False, 4)

    clock.now += 30
    inner.repeat = "{}"
    assert (await b.complete(REQUEST)).content == "{}"
    assert b.state == "closed"


async def test_only_one_trial_is_in_flight(clock: Clock) -> None:
    gate = asyncio.Event()
    inner = ScriptedChatModel(repeat=ModelUnavailable("down"))
    b = breaker(inner, clock)
    for _ in range(3):
        with pytest.raises(ModelUnavailable):
            await b.complete(REQUEST)
    clock.now += 30
    inner.repeat, inner.gate = "{}", gate
    trial = asyncio.create_task(b.complete(REQUEST))
    await asyncio.sleep(0)
    with pytest.raises(ModelUnavailable, match="trial request is in flight"):
        await b.complete(REQUEST)
    gate.set()
    await trial
    assert b.state == "closed"


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="failures"):
        CircuitBreaker(ScriptedChatModel(), failures=0)

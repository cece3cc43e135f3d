"""A strict replay of hand-written Elasticsearch exchanges, under the real client.

No cluster can run here, so the exchanges in ``tests/fixtures/elastic/*.json`` were written
by hand from the Elasticsearch REST API documentation (request lines, NDJSON bulk bodies,
response shapes: bulk items with 201/200/409/429 statuses, mget ``found`` flags, search
``hits``/``sort``/``aggregations``, error bodies). The real
:class:`elasticsearch.Elasticsearch` client runs unchanged down to its transport; only the
node, the object that would open a socket, is :class:`ReplayNode`:

* every request must equal the next recorded one: method, path (as the client
  percent-encodes it), query parameters, and the body compared as JSON (a bulk body line by
  line, and it must end with the newline ``_bulk`` requires);
* a request that differs, or one more than recorded, fails the test with a unified diff of
  the expected and the actual request; a scenario that ends early fails too;
* the answer is the recorded status and body, with the ``X-Elastic-Product`` header the
  client checks.

A fixture file is ``{"about": "...", "exchanges": [{"request": {...}, "response": {...}}]}``
where a request has ``method``, ``path``, optional ``params`` (strings, as sent) and
optional ``body`` (JSON) or ``ndjson`` (a list of JSON lines), and a response has ``status``
and optional ``body``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import pytest
from elastic_transport import BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse
from elastic_transport.client_utils import DEFAULT, DefaultType
from elasticsearch import Elasticsearch

from tests.support.fake_elasticsearch import node_response

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "elastic"


class ReplayMismatch(AssertionError):
    """A request the script did not expect (never caught by the adapter: not an ApiError)."""


class Script:
    """The exchanges of one fixture file, answered in order."""

    def __init__(self, name: str, exchanges: list[dict[str, Any]]) -> None:
        self.name = name
        self.exchanges = exchanges
        self.position = 0
        self.failure: str | None = None

    @classmethod
    def load(cls, name: str) -> Script:
        data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
        return cls(name, data["exchanges"])

    def client(self) -> Elasticsearch:
        script = self

        class Node(ReplayNode):
            replay = script

        # Only 127.0.0.1 appears, and nothing is ever connected to.
        return Elasticsearch("http://127.0.0.1:9200", node_class=Node)

    def answer(
        self, method: str, target: str, body: bytes | None, headers: HttpHeaders | None
    ) -> tuple[int, bytes]:
        actual = _request_as_recorded(method, target, body, headers)
        if self.position >= len(self.exchanges):
            self._fail(
                f"{self.name}: unexpected request #{self.position + 1} (the script has "
                f"{len(self.exchanges)}):\n{_pretty(actual)}"
            )
        exchange = self.exchanges[self.position]
        expected = {"params": {}, **exchange["request"]}
        if actual != expected:
            diff = "\n".join(
                difflib.unified_diff(
                    _pretty(expected).splitlines(),
                    _pretty(actual).splitlines(),
                    f"expected (exchange #{self.position + 1})",
                    "actual",
                    lineterm="",
                )
            )
            self._fail(f"{self.name}: request #{self.position + 1} differs:\n{diff}")
        self.position += 1
        response = exchange["response"]
        payload = b"" if method == "HEAD" else json.dumps(response.get("body", {})).encode()
        return int(response["status"]), payload

    def assert_finished(self) -> None:
        assert self.failure is None, self.failure
        assert self.position == len(self.exchanges), (
            f"{self.name}: only {self.position} of {len(self.exchanges)} exchanges happened; "
            f"next expected:\n{_pretty(self.exchanges[self.position]['request'])}"
        )

    def _fail(self, message: str) -> None:
        self.failure = message  # kept, in case something up the stack swallowed the raise
        raise ReplayMismatch(message)


class ReplayNode(BaseNode):
    """A transport node that answers from a :class:`Script` instead of the network."""

    _CLIENT_META_HTTP_CLIENT = ("replay", "1")
    replay: ClassVar[Script]

    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = DEFAULT,
    ) -> NodeApiResponse:
        status, payload = self.replay.answer(method, target, body, headers)
        return node_response(self, status, payload)


@contextmanager
def replay(name: str) -> Iterator[Elasticsearch]:
    """A client answering from ``tests/fixtures/elastic/<name>.json``; on leaving the block
    every recorded exchange must have happened."""
    script = Script.load(name)
    client = script.client()
    try:
        yield client
    finally:
        client.close()
    script.assert_finished()


def _request_as_recorded(
    method: str, target: str, body: bytes | None, headers: HttpHeaders | None
) -> dict[str, Any]:
    url = urlsplit(target)
    request: dict[str, Any] = {
        "method": method,
        "path": url.path,
        "params": dict(parse_qsl(url.query, keep_blank_values=True)),
    }
    if body is None:
        return request
    text = body.decode("utf-8")
    content_type = (headers.get("content-type") if headers is not None else None) or ""
    if "ndjson" in content_type:
        # _bulk refuses a body whose last line lacks its newline.
        request["ndjson"] = [json.loads(line) for line in text.splitlines()]
        if not text.endswith("\n"):
            request["ndjson_without_final_newline"] = True
    else:
        request["body"] = json.loads(text)
    return request


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


# --- the replay is strict -----------------------------------------------------------


def _script(*requests: dict[str, Any]) -> Script:
    return Script(
        "inline",
        [{"request": r, "response": {"status": 200, "body": {"count": 1}}} for r in requests],
    )


def test_a_recorded_request_gets_the_recorded_answer() -> None:
    script = _script({"method": "POST", "path": "/papers/_count"})
    assert script.client().count(index="papers").body == {"count": 1}
    script.assert_finished()


def test_a_different_request_fails_with_a_diff() -> None:
    script = _script(
        {"method": "POST", "path": "/papers/_search", "body": {"query": {"match_all": {}}}}
    )
    with pytest.raises(ReplayMismatch) as failure:
        script.client().search(index="papers", body={"query": {"match_none": {}}})
    message = str(failure.value)
    assert "request #1 differs" in message
    assert '-      "match_all": {}' in message
    assert '+      "match_none": {}' in message
    with pytest.raises(AssertionError, match="differs"):
        script.assert_finished()


def test_a_request_beyond_the_script_fails() -> None:
    script = _script({"method": "POST", "path": "/papers/_count"})
    client = script.client()
    client.count(index="papers")
    with pytest.raises(ReplayMismatch, match=r"unexpected request #2 \(the script has 1\)"):
        client.count(index="papers")


def test_a_scenario_that_stops_early_fails() -> None:
    script = _script(
        {"method": "POST", "path": "/a/_count"}, {"method": "POST", "path": "/b/_count"}
    )
    script.client().count(index="a")
    with pytest.raises(AssertionError, match="only 1 of 2 exchanges happened"):
        script.assert_finished()


def test_bulk_bodies_compare_line_by_line() -> None:
    lines: list[dict[str, Any]] = [{"create": {"_index": "x", "_id": "1"}}, {"a": 1}]
    script = Script(
        "inline",
        [
            {
                "request": {"method": "PUT", "path": "/_bulk", "ndjson": lines},
                "response": {"status": 200, "body": {"errors": False, "items": []}},
            }
        ],
    )
    script.client().bulk(operations=lines)
    script.assert_finished()
    with pytest.raises(ReplayMismatch, match="differs"):
        Script("inline", script.exchanges).client().bulk(operations=[lines[0], {"a": 2}])

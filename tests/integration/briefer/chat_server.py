"""A real OpenAI-compatible chat-completions server on 127.0.0.1, scripted per test.

It answers ``POST /v1/embeddings`` too: from ``embedding_script``, then
``embedding_responder`` (a :class:`Reply` whose ``raw`` is the JSON body), each request
kept in ``embedding_requests``.

Each POST /v1/chat/completions takes the next :class:`Reply` of the script (or, once the
script is used up, asks ``responder`` for one) and records the request body, so a test
can say what the endpoint does and check what was asked. :func:`well_behaved` answers
like a compliant model: valid JSON for whichever briefer task was asked, citing the
papers of the request's data.
"""

from __future__ import annotations

import json
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    content: str | None = None  # the assistant message of a 200
    error: str = "scripted error"  # the error message of a non-200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (to make the client time out, or hang)
    model: str = "served-model"
    usage: tuple[int, int] = (120, 80)
    raw: bytes | None = None  # sent as the body instead of a chat completion

    def body(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.status != 200:
            return json.dumps(
                {"error": {"message": self.error, "type": "scripted", "code": None}}
            ).encode()
        return json.dumps(
            {
                "id": "chatcmpl-scripted",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": self.model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": self.content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": self.usage[0],
                    "completion_tokens": self.usage[1],
                    "total_tokens": sum(self.usage),
                },
            }
        ).encode()


@dataclass
class ChatServer:
    script: list[Reply] = field(default_factory=list)
    responder: Callable[[dict[str, Any]], Reply] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    closing: threading.Event = field(default_factory=threading.Event)
    # Requests whose client hung up before the answer was sent (a cancelled call).
    abandoned: list[dict[str, Any]] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)  # a request came
    hung_up: threading.Event = field(default_factory=threading.Event)  # a client hung up
    embedding_script: list[Reply] = field(default_factory=list)
    embedding_responder: Callable[[dict[str, Any]], Reply] | None = None
    embedding_requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reply(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def response_formats(self) -> list[str]:
        return [r.get("response_format", {}).get("type", "none") for r in self.requests]

    def tasks(self) -> list[str]:
        return [task_of(r) for r in self.requests]


def task_of(body: dict[str, Any]) -> str:
    """Which briefer task a request body asks for (by its schema, else its instructions)."""
    schema = body.get("response_format", {}).get("json_schema", {}).get("name")
    if schema:
        return str(schema)
    system = body["messages"][0]["content"]
    if "TL;DRs of research papers" in system:
        return "paper_summaries"
    if "You write themes of a literature briefing" in system:
        return "themes"
    if "You finish a cross-domain literature briefing" in system:
        return "briefing_synthesis"
    return "briefing"


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    """The JSON document between the fence lines of the request's user message."""
    user = body["messages"][1]["content"]
    m = re.search(
        r"^=== BEGIN UNTRUSTED PAPER DATA (\w+) ===\n(.*)\n=== END UNTRUSTED PAPER DATA \1 ===$",
        user,
        re.DOTALL | re.MULTILINE,
    )
    assert m is not None, user
    data: dict[str, Any] = json.loads(m.group(2))
    return data


def well_behaved_answer(body: dict[str, Any], *, invent: str | None = None) -> dict[str, Any]:
    """A compliant model's answer; ``invent`` adds a paper id it should not cite."""
    ids = [p["id"] for p in data_of(body)["papers"]]
    extra = [invent] if invent else []
    task = task_of(body)
    if task == "paper_summaries":
        return {
            "summaries": [
                {"paper_id": i, "tldr_en": f"Model TL;DR of {i}.", "tldr_zh": f"{i} 的模型摘要。"}
                for i in ids
            ]
        }
    if task == "themes":
        # One theme per group of the plan the request carries.
        return {
            "themes": [
                {
                    "title": "A theme",
                    "synthesis": "Together they show…",
                    "paper_ids": group["paper_ids"] + extra,
                }
                for group in data_of(body)["plan"]["themes"]
            ]
        }
    answer: dict[str, Any] = {
        "overview": f"The model read {len(ids)} papers.",
        "connections": [
            {"finding": "A bridge.", "fields": [], "paper_ids": [ids[0], ids[-1], *extra]}
        ],
        "notable": [{"paper_id": i, "reason": "Worth reading."} for i in [*extra, ids[0]]],
    }
    if task == "briefing":
        answer["themes"] = [{"title": "Theme", "synthesis": "Synthesis.", "paper_ids": ids + extra}]
    return answer


def well_behaved(body: dict[str, Any]) -> Reply:
    return Reply(content=json.dumps(well_behaved_answer(body), ensure_ascii=False))


def _handler(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path == "/v1/embeddings":
                server.embedding_requests.append(body)
                if server.embedding_script:
                    self._send(server.embedding_script.pop(0))
                elif server.embedding_responder is not None:
                    self._send(server.embedding_responder(body))
                else:
                    self._send(Reply(500, error="unscripted"))
                return
            if self.path != "/v1/chat/completions":
                self._send(Reply(status=404, error=f"no route {self.path}"))
                return
            server.requests.append(body)
            server.received.set()
            if server.script:
                reply = server.script.pop(0)
            elif server.responder is not None:
                reply = server.responder(body)
            else:
                reply = Reply(500, error="unscripted")
            if reply.delay:
                waited = self._wait(reply.delay)
                if waited == "hung_up":
                    server.abandoned.append(body)
                    server.hung_up.set()
                if waited is not None:
                    return
            self._send(reply)

        def _wait(self, seconds: float) -> str | None:
            """Wait ``seconds``; "closing" if the server closes first, "hung_up" if the
            client closes the connection first, else None."""
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if server.closing.wait(min(0.05, max(0.0, deadline - time.monotonic()))):
                    return "closing"
                readable, _, _ = select.select([self.connection], [], [], 0)
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    return "hung_up"  # EOF: the client gave up on the request
            return None

        def _send(self, reply: Reply) -> None:
            payload = reply.body()
            # The client may have hung up already (a timeout test): that is fine.
            with suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

    return Handler


@contextmanager
def serve_chat() -> Iterator[ChatServer]:
    state = ChatServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(
        target=httpd.serve_forever, args=(0.05,), name="chat-server", daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        state.closing.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)

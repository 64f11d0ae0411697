"""A small OpenAI-compatible Chat Completions server (streaming) on 127.0.0.1, for tests.

It calls ``add_task`` when the user asks to add a task, answers a tool result with a sentence,
and otherwise echoes; chunks are sent with a short sleep between them, like a real server.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "local",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


def make_handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            recorder.requests.append(body)
            last = body["messages"][-1]
            content = last.get("content")
            text = (
                content
                if isinstance(content, str)
                else "".join(part.get("text", "") for part in content or [])
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            if last["role"] == "tool":
                chunks = [_chunk({"role": "assistant", "content": ""})]
                chunks += [_chunk({"content": w}) for w in ["Done", ": ", str(last["content"])]]
                chunks.append(_chunk({}, "stop"))
            elif "add a task" in text:
                call = {
                    "index": 0,
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "add_task", "arguments": ""},
                }
                chunks = [_chunk({"role": "assistant", "tool_calls": [call]})]
                for part in ['{"title": ', '"milk"}']:
                    chunks.append(
                        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": part}}]})
                    )
                chunks.append(_chunk({}, "tool_calls"))
            else:
                chunks = [_chunk({"role": "assistant", "content": ""})]
                chunks += [_chunk({"content": w + " "}) for w in ["Echo:", *text.split()]]
                chunks.append(_chunk({}, "stop"))
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(0.01)
            self.wfile.write(b"data: [DONE]\n\n")

    return Handler


class OpenAICompatibleServer:
    def __init__(self) -> None:
        self.recorder = Recorder()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.recorder))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> OpenAICompatibleServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

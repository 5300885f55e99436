"""The scripted OpenAI-compatible server itself, spoken to over real HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.model import ModelServer
from tutorgpt_asgi.testing.openai_server import Failure, Reply, ToolCall, main, split_text


def _events(response: httpx.Response) -> list[dict]:
    lines = [line for line in response.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    return [json.loads(line[6:]) for line in lines[:-1]]


def test_split_text_keeps_every_character() -> None:
    assert split_text("abcdefg", 3) == ["abc", "de", "fg"]
    assert split_text("ab", 5) == ["a", "b"]
    assert split_text("", 4) == []


def test_streams_text_and_interleaved_tool_calls_and_records_the_request(
    model_server: ModelServer,
) -> None:
    model_server.model.enqueue(
        Reply(
            text="Hello",
            tool_calls=(ToolCall("a", '{"x": 1}'), ToolCall("b", "{}", id="call_b")),
            chunks=2,
            interleave_tool_calls=True,
        )
    )
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    response = httpx.post(f"{model_server.base_url}/chat/completions", json=body, timeout=5)
    assert response.status_code == 200
    deltas = [event["choices"][0]["delta"] for event in _events(response)]
    assert "".join(d.get("content", "") for d in deltas) == "Hello"
    calls = [d["tool_calls"][0] for d in deltas if "tool_calls" in d]
    assert [c["index"] for c in calls] == [0, 1, 0, 1, 0, 1]
    assert calls[1]["id"] == "call_b"
    assert "".join(c["function"]["arguments"] for c in calls if c["index"] == 0) == '{"x": 1}'
    assert _events(response)[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert model_server.model.requests[0].body == body


def test_failures_and_an_exhausted_script(model_server: ModelServer) -> None:
    model_server.model.enqueue(Failure(429, retry_after_ms=5))
    url = f"{model_server.base_url}/chat/completions"
    limited = httpx.post(url, json={"model": "m"}, timeout=5)
    assert limited.status_code == 429
    assert limited.headers["retry-after-ms"] == "5"
    assert limited.json()["error"]["message"] == "scripted failure"
    exhausted = httpx.post(url, json={"model": "m"}, timeout=5)
    assert exhausted.status_code == 400 and exhausted.headers["x-should-retry"] == "false"
    assert httpx.post(url, content=b"[1", timeout=5).status_code == 400


def test_non_streaming_requests_get_a_whole_completion(model_server: ModelServer) -> None:
    model_server.model.enqueue(Reply(text="A title"))
    response = httpx.post(
        f"{model_server.base_url}/chat/completions", json={"model": "m"}, timeout=5
    )
    assert response.json()["choices"][0]["message"] == {"role": "assistant", "content": "A title"}


def test_command_line_mode_always_answers_with_the_fixed_text() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tutorgpt_asgi.testing.openai_server", "--port", str(port),
         "--answer", "Fixed answer text", "--chunks", "3"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        body = {"model": "m", "stream": True, "messages": []}
        deadline = time.monotonic() + 15
        while True:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=body, timeout=5)
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        for _ in range(2):  # the same answer, every time
            contents = [e["choices"][0]["delta"].get("content") for e in _events(response)]
            assert contents == ["", "Fixed ", "answer", " text", None]
            response = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=body, timeout=5)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("option", [["--chunks", "0"], ["--delay", "-1"]])
def test_command_line_rejects_bad_options(option: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(option)
    assert exit_info.value.code == 2
    assert f"{option[0]} must" in capsys.readouterr().err

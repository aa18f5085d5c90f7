"""``serve --debug FUNCTION``: that function's instance runs under debugpy and waits for an
IDE; the debug port speaks the Debug Adapter Protocol (an IDE's ``initialize`` is answered),
and once a client has attached the function answers, with its timeout off."""

from __future__ import annotations

import json
import socket
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.fixtures.serve import BASIC_APP, eventually, start_serve

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow
pytest.importorskip("debugpy")


class DapClient:
    """The few Debug Adapter Protocol messages an IDE sends to attach."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buffer = b""
        self.seq = 0

    def send(self, command: str, arguments: dict[str, Any] | None = None) -> int:
        self.seq += 1
        body = json.dumps({"seq": self.seq, "type": "request", "command": command, "arguments": arguments or {}})
        data = body.encode()
        self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        return self.seq

    def receive(self) -> dict[str, Any]:
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._read()
        header, _, rest = self.buffer.partition(b"\r\n\r\n")
        length = int(header.split(b":", 1)[1])
        while len(rest) < length:
            rest += self._read()
        self.buffer = rest[length:]
        message: dict[str, Any] = json.loads(rest[:length])
        return message

    def response_to(self, seq: int) -> dict[str, Any]:
        while True:
            message = self.receive()
            if message.get("type") == "response" and message.get("request_seq") == seq:
                return message

    def _read(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the debug adapter closed the connection")
        return data

    def close(self) -> None:
        self.sock.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def connect(port: int) -> DapClient | None:
    """The first connection is the IDE's (a probe that hung up would end the session)."""
    try:
        return DapClient(port)
    except OSError:
        return None


def test_the_debugged_instance_waits_for_an_ide_then_answers(tmp_path: Path) -> None:
    port = free_port()
    with start_serve(BASIC_APP, tmp_path, debug_function="slow", debug_port=port) as serve:
        client: DapClient = eventually(lambda: connect(port), timeout=60, message="the debug port never opened")
        try:
            answer = client.response_to(client.send("initialize", {"adapterID": "debugpy", "clientID": "test"}))
            assert answer["success"] is True and answer["command"] == "initialize"
            assert answer["body"]["supportsConfigurationDoneRequest"] is True
            attach = client.send("attach", {"justMyCode": True})
            client.response_to(client.send("configurationDone"))
            client.response_to(attach)
            # `slow` sleeps 1.5 s with a 1 s timeout: under the debugger the timeout is off.
            reply = requests.post(serve.url + "/slow/", json={"sleep": 1.5}, timeout=120)
            assert (reply.status_code, reply.json()["slept"]) == (200, 1.5), reply.text
        finally:
            client.close()

"""A local Socket Mode server: says hello, sends envelopes, and collects the app's acks."""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

from websockets.sync.server import Server, ServerConnection, serve


class FakeSocketMode:
    """One websocket endpoint on 127.0.0.1; envelopes queued with send() go to the client."""

    def __init__(self) -> None:
        self.outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.acks: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._lock = threading.Lock()
        self._server: Server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=test"

    def start(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)

    def send(self, envelope: dict[str, Any]) -> None:
        self.outbox.put(envelope)

    def acked(self, envelope_id: str) -> bool:
        with self._lock:
            return any(ack.get("envelope_id") == envelope_id for ack in self.acks)

    def _handle(self, connection: ServerConnection) -> None:
        # As Slack does: a hello first, then events; the app acks each by envelope id.
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        self.connected.set()
        while True:
            try:
                envelope = self.outbox.get(timeout=0.05)
            except queue.Empty:
                envelope = None
            if envelope is not None:
                connection.send(json.dumps(envelope))
            try:
                message = connection.recv(timeout=0.05)
            except TimeoutError:
                continue
            except Exception:
                return  # the client went away
            with self._lock:
                self.acks.append(json.loads(message))

"""What keeps one client, or one request, from holding the server: every bound in one place.

- **Connections** (`GuardedH11`, the HTTP protocol uvicorn runs): headers must arrive
  complete within `HEADER_SECONDS` of the first byte (or of the connection), else the
  socket is closed (slowloris); an idle keep-alive socket is closed after
  `KEEP_ALIVE_SECONDS`; request line plus headers over `MAX_HEADER_BYTES` get 431 and a
  close before they are buffered further; at most `MAX_CONNECTIONS` sockets in all and
  `MAX_CONNECTIONS_PER_CLIENT` per client address, the rest are closed on arrival.
  uvicorn's own options cover part of this (`timeout_keep_alive`,
  `h11_max_incomplete_event_size`) but not a request that never finishes its headers,
  and httptools (its default parser when installed) has no header size limit at all.
- **Requests in workers** (`Slots`): queries, named queries, update checks and the JSON
  API run in worker processes with a deadline and a memory limit (`kg.server.pool`);
  at most `workers + queue` at once, of which one family (SPARQL or API) at most 3/4 and
  one client at most half (never fewer than `workers`); beyond: 429 + Retry-After.
  Dumps stream from the server process, at most `DUMPS` at once.
- **Writes** (`WriterThread`) run one at a time on a thread with a large stack, so that
  the engine's recursion cannot overflow it.
- **Every response** carries `SECURITY_HEADERS`, and no error message echoes more than
  `MAX_MESSAGE` characters of what the client sent.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import queue
import threading
from collections import Counter
from dataclasses import dataclass

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from kg.server.guard import BIG_STACK

# Seconds a client has to send a request's line and headers; the environment variable is
# for operators (and tests) that need another value.
HEADER_SECONDS = float(os.environ.get("KG_SERVE_HEADER_SECONDS") or 10.0)
KEEP_ALIVE_SECONDS = 5
MAX_HEADER_BYTES = 64 * 1024
MAX_CONNECTIONS = 1000
MAX_CONNECTIONS_PER_CLIENT = 64
MAX_MESSAGE = 500

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
     b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


@dataclass(frozen=True)
class Limits:
    total: int  # requests in workers at once
    per_family: int
    per_client: int
    dumps: int = 2

    BODY_SECONDS = float(os.environ.get("KG_SERVE_BODY_SECONDS") or 60.0)  # a body must arrive whole within this

    @classmethod
    def for_settings(cls, settings) -> "Limits":
        total = settings.workers + settings.queue
        return cls(total, max(settings.workers, total * 3 // 4), max(settings.workers, total // 2))


class Slots:
    """Counts requests at once, in all, per family and per client; `take` says why not."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0
        self.families: Counter[str] = Counter()
        self.clients: Counter[str] = Counter()
        self.refused = 0
        self._lock = threading.Lock()

    def take(self, family: str, client: str) -> str | None:
        limits = self.limits
        cap = limits.dumps if family == "dump" else limits.per_family
        with self._lock:
            if family != "dump" and self.total >= limits.total:
                reason = f"too many requests at once (limit {limits.total}); retry shortly"
            elif self.families[family] >= cap:
                reason = f"too many {family} requests at once (limit {cap}); retry shortly"
            elif family != "dump" and self.clients[client] >= limits.per_client:
                reason = f"too many requests at once from one client (limit {limits.per_client}); retry shortly"
            else:
                if family != "dump":
                    self.total += 1
                    self.clients[client] += 1
                self.families[family] += 1
                return None
            self.refused += 1
            return reason

    def give(self, family: str, client: str) -> None:
        with self._lock:
            if family != "dump":
                self.total -= 1
                self.clients[client] -= 1
                if not self.clients[client]:
                    del self.clients[client]
            self.families[family] -= 1


def client_of(request) -> str:
    return request.client.host if request.client else "-"


def capped(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text`, cut to `limit` characters: messages quote input, and input can be huge."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more characters)"


class WriterThread:
    """One thread that runs the store's writes in turn, with a stack of BIG_STACK bytes."""

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        previous = threading.stack_size(BIG_STACK)
        try:
            self._thread = threading.Thread(target=self._loop, name="kg-writer", daemon=True)
            self._thread.start()
        finally:
            threading.stack_size(previous)

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, function, args = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function(*args))
                except BaseException as error:  # handed to the caller
                    future.set_exception(error)

    def run(self, function, *args):
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((future, function, args))
        return future.result()

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=30)


class SecurityHeaders:
    """ASGI middleware: the headers above on every response."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *(h for h in SECURITY_HEADERS if h[0] not in present)]}
            await send(message)

        await self.app(scope, receive, sending)


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for headers and caps on connections."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._counted: str | None = None
        if not hasattr(self.server_state, "kg_by_client"):  # one count per server
            self.server_state.kg_by_client = Counter()  # type: ignore[attr-defined]
        self.by_client: Counter[str] = self.server_state.kg_by_client  # type: ignore[attr-defined]

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        host = self.client[0] if self.client else "-"
        if len(self.connections) > MAX_CONNECTIONS or self.by_client[host] >= MAX_CONNECTIONS_PER_CLIENT:
            transport.abort()  # connection_lost follows and cleans up
            return
        self.by_client[host] += 1
        self._counted = host
        self._arm()

    def connection_lost(self, exc) -> None:
        self._disarm()
        if self._counted is not None:
            self.by_client[self._counted] -= 1
            if self.by_client[self._counted] <= 0:
                del self.by_client[self._counted]
            self._counted = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._counted is None:  # refused on arrival
            return
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm()  # headers still incomplete: the clock started at their first byte
        else:
            self._disarm()

    def send_400_response(self, msg: str) -> None:
        """h11 refuses headers beyond MAX_HEADER_BYTES as a protocol error: say so, as 431."""
        if len(self.conn.trailing_data[0]) <= MAX_HEADER_BYTES:
            return super().send_400_response(msg)
        body = f"request line and headers larger than {MAX_HEADER_BYTES} bytes\n".encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close"),
                   (b"content-length", str(len(body)).encode())]
        for event in (h11.Response(status_code=431, headers=headers, reason=b"Request Header Fields Too Large"),
                      h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(HEADER_SECONDS, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def uvicorn_options() -> dict:
    """The keyword arguments `uvicorn.Config` needs for the bounds above."""
    return {"http": GuardedH11, "timeout_keep_alive": KEEP_ALIVE_SECONDS,
            "h11_max_incomplete_event_size": MAX_HEADER_BYTES}

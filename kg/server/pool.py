"""Worker processes that run read queries and can be killed at their deadline.

pyoxigraph cannot cancel a query, and a query may spend all its time inside one call
(an aggregate over millions of rows). A thread stuck there would keep a core busy after
its client got a 503; a process can be killed. So every read query runs in a worker
process holding a read-only snapshot of the store; the caller waits at most until the
deadline, then kills the worker and starts a fresh one in its place.

The pool is driven from the server's event loop (`run` is a coroutine): it waits on the
workers' sockets with the loop's own reader callbacks rather than on a thread per request,
so a cheap query costs two socket writes and two reads, with no hop between threads.
Frames larger than `_INLINE` bytes are read and written on a thread, so that a big result
never holds the loop while it passes through the socket.
"""
from __future__ import annotations

import asyncio
import collections
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # so `-m kg.server.worker` imports from anywhere


class QueryTimeout(TimeoutError):
    pass


class WorkerFailed(RuntimeError):
    pass


class MemoryExceeded(WorkerFailed):
    """The request made its worker grow past the per-worker memory limit."""


DEFAULT_MEMORY = 2 << 30  # bytes of heap a worker may use; `kg serve --worker-memory` sets it
_POLL = 0.05  # seconds between looks at a busy worker's resident size
_INLINE = 1 << 20  # frames up to this size are passed on the event loop itself
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes(pid: int) -> int:
    """Resident set size of a process (Linux /proc; 0 where unknown)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class Answer:
    status: int
    body: bytes
    media_type: str = "text/plain; charset=utf-8"
    count: int = 0
    truncated: bool = False
    message: str = ""


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
    return env


class _Worker:
    def __init__(self, path: str, memory: int) -> None:
        parent, child = socket.socketpair()
        self.peak = 0  # largest resident size seen while it worked
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.server.worker", str(child.fileno()), path, str(memory)],
            pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, env=_worker_env(),
        )
        child.close()
        self.connection = Connection(parent.detach())
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        """Whether the worker has opened its snapshot (it says so once, first)."""
        if not self.ready and self.connection.poll(max(timeout, 0.0)):
            self.connection.recv_bytes()
            self.ready = True
        return self.ready

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.connection.close()


class WorkerPool:
    """`size` workers over the store at `path`; `run` blocks, so call it from a thread."""

    def __init__(self, path: str, size: int, memory: int = DEFAULT_MEMORY) -> None:
        self.path, self.size, self.memory = path, size, memory
        self.peak = 0  # largest resident size any worker reached, for /health and the bench
        self._idle: collections.deque[_Worker] = collections.deque()
        self._waiting: collections.deque[asyncio.Future] = collections.deque()  # requests waiting for a worker
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._add()
        with self._lock:
            starting = list(self._all)
        for worker in starting:  # so that the first requests find them ready
            try:
                worker.wait_ready(60.0)
            except (EOFError, OSError):
                pass  # it died starting; the first request it gets reports why and replaces it

    def _add(self) -> None:
        worker = _Worker(self.path, self.memory)
        with self._lock:
            self._all.add(worker)
        self._give(worker)

    def _give(self, worker: _Worker) -> None:
        """Back to the pool: to the longest-waiting request, else to the idle ones."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if not self._closed:
            self._add()

    async def _take(self, deadline: float) -> _Worker:
        if self._idle:
            return self._idle.popleft()
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await asyncio.wait_for(waiter, max(deadline - time.monotonic(), 0.0))
        except asyncio.TimeoutError:
            raise QueryTimeout("no worker became free before the time limit") from None
        except BaseException:  # cancelled: a worker handed over meanwhile goes back
            if waiter.done() and not waiter.cancelled():
                self._give(waiter.result())
            raise

    async def run(self, request: dict, deadline: float) -> Answer:
        """The worker's answer; QueryTimeout once `deadline` (time.monotonic) has passed,
        MemoryExceeded when the worker grew past the memory limit, WorkerFailed when it died.
        Call it on the event loop that serves the requests."""
        worker = await self._take(deadline)
        try:
            if not worker.ready:
                if not await _readable(worker, deadline - time.monotonic()):
                    raise QueryTimeout("the query worker did not start before the time limit")
                worker.wait_ready(0)
            request = {**request, "time_left": max(deadline - time.monotonic(), 0.0)}
            await _send(worker.connection, json.dumps(request).encode())
            await self._wait(worker, deadline)
            header = json.loads(worker.connection.recv_bytes())
            body = await _receive(worker.connection, header.get("size", 0))
        except (QueryTimeout, MemoryExceeded):
            self._replace(worker)  # SIGKILL and a fresh Popen take milliseconds; its imports run on their own
            raise
        except (EOFError, OSError) as error:
            reason = self._death(worker)
            self._replace(worker)
            if reason == "memory":
                raise MemoryExceeded(self._memory_message()) from error
            raise WorkerFailed(f"the query worker died ({reason}); it was replaced") from error
        except BaseException:  # cancelled half-way: its answer would reach the next request
            self._replace(worker)
            raise
        self._give(worker)
        return Answer(header["status"], body, header.get("media_type", "text/plain; charset=utf-8"),
                      header.get("count", 0), header.get("truncated", False), header.get("message", ""))

    def _memory_message(self) -> str:
        return (f"the query needed more than the {self.memory >> 20} MB a query worker may use; "
                "it was stopped and the worker replaced")

    async def _wait(self, worker: _Worker, deadline: float) -> None:
        """Until the worker answers, watching its deadline and its resident size."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QueryTimeout("query time limit reached")
            if await _readable(worker, min(left, _POLL)):
                return
            rss = resident_bytes(worker.process.pid)
            worker.peak = max(worker.peak, rss)
            self.peak = max(self.peak, rss)
            if self.memory and rss > self.memory:
                raise MemoryExceeded(self._memory_message())

    def _death(self, worker: _Worker) -> str:
        """Why a worker's connection closed: its exit status, in words."""
        try:
            code = worker.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "no exit status"
        if code == -signal.SIGABRT or code == 134:  # Rust aborts when an allocation fails at the limit
            return "memory"
        if code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        return f"exit status {code}"

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(worker.process.pid for worker in self._all)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


async def _readable(worker: _Worker, timeout: float) -> bool:
    """Whether the worker's socket has something to read within `timeout` seconds (or has
    closed), waited for by the event loop."""
    connection = worker.connection
    if connection.poll(0):
        return True
    if timeout <= 0:
        return False
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    fd = connection.fileno()
    loop.add_reader(fd, lambda: ready.done() or ready.set_result(True))
    try:
        return await asyncio.wait_for(ready, timeout)
    except asyncio.TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # uvloop's add_reader made it non-blocking; frames are read whole


async def _send(connection: Connection, data: bytes) -> None:
    if len(data) <= _INLINE:
        connection.send_bytes(data)  # an idle worker is reading: this does not wait
    else:
        await asyncio.to_thread(connection.send_bytes, data)


async def _receive(connection: Connection, size: int) -> bytes:
    """The body frame that follows a header announcing `size` bytes."""
    if size <= _INLINE:
        return connection.recv_bytes()  # written right after its header, from memory
    return await asyncio.to_thread(connection.recv_bytes)

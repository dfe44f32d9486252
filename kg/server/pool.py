"""Worker processes that run read queries and can be killed at their deadline.

pyoxigraph cannot cancel a query, and a query may spend all its time inside one call
(an aggregate over millions of rows). A thread stuck there would keep a core busy after
its client got a 503; a process can be killed. So every read query runs in a worker
process holding a read-only snapshot of the store; the caller waits at most until the
deadline, then kills the worker and starts a fresh one in its place.
"""
from __future__ import annotations

import json
import os
import queue
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
        self._idle: queue.Queue[_Worker] = queue.Queue()
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
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if not self._closed:
            self._add()

    def run(self, request: dict, deadline: float) -> Answer:
        """The worker's answer; QueryTimeout once `deadline` (time.monotonic) has passed,
        MemoryExceeded when the worker grew past the memory limit, WorkerFailed when it died."""
        try:
            worker = self._idle.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise QueryTimeout("no worker became free before the time limit") from None
        try:
            if not worker.wait_ready(deadline - time.monotonic()):
                raise QueryTimeout("the query worker did not start before the time limit")
            request = {**request, "time_left": max(deadline - time.monotonic(), 0.0)}
            worker.connection.send_bytes(json.dumps(request).encode())
            self._wait(worker, deadline)
            header = json.loads(worker.connection.recv_bytes())
            body = worker.connection.recv_bytes()
        except (QueryTimeout, MemoryExceeded):
            self._replace(worker)  # SIGKILL and a fresh Popen take milliseconds; its imports run on their own
            raise
        except (EOFError, OSError) as error:
            reason = self._death(worker)
            self._replace(worker)
            if reason == "memory":
                raise MemoryExceeded(self._memory_message()) from error
            raise WorkerFailed(f"the query worker died ({reason}); it was replaced") from error
        self._idle.put(worker)
        return Answer(header["status"], body, header.get("media_type", "text/plain; charset=utf-8"),
                      header.get("count", 0), header.get("truncated", False), header.get("message", ""))

    def _memory_message(self) -> str:
        return (f"the query needed more than the {self.memory >> 20} MB a query worker may use; "
                "it was stopped and the worker replaced")

    def _wait(self, worker: _Worker, deadline: float) -> None:
        """Until the worker answers, watching its deadline and its resident size."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QueryTimeout("query time limit reached")
            if worker.connection.poll(min(left, _POLL)):
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

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
    def __init__(self, path: str) -> None:
        parent, child = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.server.worker", str(child.fileno()), path],
            pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, env=_worker_env(),
        )
        child.close()
        self.connection = Connection(parent.detach())

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.connection.close()


class WorkerPool:
    """`size` workers over the store at `path`; `run` blocks, so call it from a thread."""

    def __init__(self, path: str, size: int) -> None:
        self.path, self.size = path, size
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self.path)
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
        """The worker's answer, or QueryTimeout once `deadline` (time.monotonic) has passed."""
        try:
            worker = self._idle.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise QueryTimeout("no worker became free before the time limit") from None
        try:
            request = {**request, "time_left": max(deadline - time.monotonic(), 0.0)}
            worker.connection.send_bytes(json.dumps(request).encode())
            if not worker.connection.poll(max(deadline - time.monotonic(), 0.0)):
                raise QueryTimeout("query time limit reached")
            header = json.loads(worker.connection.recv_bytes())
            body = worker.connection.recv_bytes()
        except QueryTimeout:
            self._replace(worker)  # SIGKILL and a fresh Popen take milliseconds; its imports run on their own
            raise
        except (EOFError, OSError) as error:
            self._replace(worker)
            raise WorkerFailed(f"query worker died: {error!r}") from error
        self._idle.put(worker)
        return Answer(header["status"], body, header.get("media_type", "text/plain; charset=utf-8"),
                      header.get("count", 0), header.get("truncated", False), header.get("message", ""))

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

"""`kg serve`: a SPARQL 1.1 endpoint over the embedded store, with a query page.

Design, and why:

- **One writer.** A pyoxigraph store on disk takes an exclusive lock, so the server process
  is the store's only writer: SPARQL Update (/update) and Graph Store writes (/store) run
  there, one at a time, and only with `--allow-update` and the bearer token from
  `--token-file` (compared with `hmac.compare_digest`). While it runs, ingest goes through
  the server (or is sequenced before it).
- **Real cancellation.** pyoxigraph has no query timeout and a query can spend seconds in
  one call (an aggregate), so a thread cannot be stopped. Read queries, the JSON API and
  the parse check of updates therefore run in `workers` worker processes, each holding
  `Store.read_only(path)`, a snapshot that opens beside the writer's lock (another process
  sees every committed write at open time, ~15 ms to open). The server waits for a
  worker's answer until the deadline, watching its resident size, then SIGKILLs it and
  starts a fresh one: the client gets 503 and no CPU or memory stays taken. The store is
  compacted before the workers start; a write bumps a generation number and a worker
  reopens its snapshot before its next request after one, or when a compaction removed
  a file its snapshot names.
- **Limits** (all in `kg.server.limits`): deadlines for headers and bodies, header size,
  connections in all and per client, requests at once per family and per client (429 +
  Retry-After), memory per worker, nesting depth of SPARQL text (`kg.server.guard`), a
  row cap (`max_results`, signalled by `X-KG-Truncated: true`), bodies over `max_body`
  (413); SERVICE and LOAD are refused (400) by a tokenizer that comments and literals
  cannot fool, so the server never fetches from the network. SECURITY.md lists them.
- Updates are not cancellable once they run (on the writable handle, on a thread with a
  large stack); they need the token, and a failed one changes nothing.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

__all__ = ["create_app", "run"]


def __getattr__(name: str):
    """`create_app` is imported on first use, so a query worker (`python -m
    kg.server.worker`) does not load the web application to answer queries."""
    if name == "create_app":
        from kg.server.app import create_app

        return create_app
    raise AttributeError(name)


def default_workers() -> int:
    return max(2, min(8, os.cpu_count() or 2))


def run(store: str | None, host: str = "127.0.0.1", port: int = 7878, allow_update: bool = False,
        token_file: Path | None = None, timeout: float = 30.0, max_results: int = 10000, cors: str | None = None,
        max_body: int = 10_000_000, workers: int = default_workers(), queue_size: int = 16,
        worker_memory: int | None = None) -> None:
    """Serves until SIGINT/SIGTERM (uvicorn finishes the requests in progress, then stops)."""
    import uvicorn

    from kg.store import default_location

    location = store or default_location()
    if location.startswith(("http://", "https://")):
        if allow_update:
            raise ValueError("--allow-update is for a local store: send writes to the remote server itself")
        from kg.server.proxy import create_proxy_app

        app = create_proxy_app(location, timeout=timeout, max_body=max_body, cors=cors)
    else:
        from kg.server.app import create_app

        app = create_app(location, allow_update=allow_update, token_file=token_file, timeout=timeout,
                         max_results=max_results, cors=cors, max_body=max_body, workers=workers,
                         queue_size=queue_size, **({"worker_memory": worker_memory} if worker_memory is not None else {}))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    shown = f"[{host}]" if ":" in host else host
    mode = "read-write (token required)" if allow_update else (
        "read-only proxy" if location.startswith(("http://", "https://")) else "read-only")
    print(f"kg serve: {location} ({mode}) at http://{shown}:{port}/  SPARQL endpoint http://{shown}:{port}/sparql",
          flush=True)
    from kg.server.limits import uvicorn_options

    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info", timeout_graceful_shutdown=10,
                **uvicorn_options())

"""Helpers for tests that interrupt a running `kg ingest` at a point in its run, not at a time."""
from __future__ import annotations

import fcntl


def small_pipe(stream) -> None:
    """4 KiB instead of 64: a run whose --verbose lines (~40 bytes each) nobody reads blocks
    after ~100 articles, so a kill or Ctrl-C sent then finds it still running, however fast
    the machine is."""
    try:
        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    except (AttributeError, OSError):  # not Linux: the default pipe
        pass


def read_stored(stream, count: int) -> int:
    """Reads --verbose lines until `count` newly stored articles were reported ("ID: 2
    meetings, 1 statements"; "ID: unchanged, skipped" does not count); fewer at the end."""
    stored = 0
    for line in stream:
        stored += not line.rstrip().endswith(b"skipped")
        if stored >= count:
            break
    return stored

"""What a new user meets first: --version and --help, and the clear messages (not tracebacks)
when the store or the port is already taken by a running `kg serve`."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
KG = str(Path(sys.executable).with_name("kg"))
ENV = {**os.environ, "COLUMNS": "120"}


def kg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=120, env=env or ENV)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_version_is_the_projects():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    done = kg("--version")
    assert (done.returncode, done.stdout, done.stderr) == (0, f"kg-meetings {version}\n", "")


@pytest.mark.parametrize("command", [[], ["meetings"], ["serve"], ["relations"]])
def test_help_shows_no_type_after_a_flag(command):
    done = kg(*command, "--help")
    assert done.returncode == 0
    assert "<bool>" not in done.stdout and "--help" in done.stdout
    assert ("--json" in done.stdout) == (command in (["meetings"], ["relations"]))
    assert ("--version" in done.stdout) == (not command)


@pytest.fixture()
def served(seeds_store_shared, tmp_path):
    """A `kg serve` holding a copy of the seeds store; (store, port)."""
    store = tmp_path / "store"
    shutil.copytree(seeds_store_shared, store)
    port = free_port()
    process = subprocess.Popen([KG, "serve", "--store", str(store), "--port", str(port), "--workers", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120  # a hang guard, not a measure
        while time.monotonic() < deadline:
            assert process.poll() is None, "kg serve exited"
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=10).ok:
                    break
            time.sleep(0.1)
        yield store, port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def test_a_busy_port_fails_before_the_banner_and_says_what_to_do(served):
    store, port = served
    done = kg("serve", "--store", str(store), "--port", str(port))
    assert done.returncode == 2
    assert done.stdout == ""  # no banner, no "Application startup complete"
    text = " ".join(done.stderr.split())
    assert f"cannot listen on 127.0.0.1:{port}" in text and "--port" in text and "KG_PORT" in text
    assert "Traceback" not in done.stderr and "startup" not in done.stderr
    by_env = kg("serve", "--store", str(store), env={**ENV, "KG_PORT": str(port)})
    assert by_env.returncode == 2 and f"127.0.0.1:{port}" in by_env.stderr


def test_a_served_store_is_said_to_be_in_use(served):
    store, _ = served
    done = kg("serve", "--store", str(store), "--port", str(free_port()))
    assert done.returncode == 2 and done.stdout == ""
    text = " ".join(done.stderr.split())
    assert "in use by another process" in text and "--store http://127.0.0.1:7878" in text
    assert "Traceback" not in done.stderr


def test_tasks_run_while_a_server_holds_the_store_ends_with_a_message(served):
    stamp = ROOT / ".venv" / ".installed"
    if Path(sys.executable).parent != ROOT / ".venv" / "bin" or not stamp.exists():
        pytest.skip("tasks.py run uses the project's .venv, which is not the one running the tests")
    import hashlib

    if stamp.read_text() != hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest():
        pytest.skip("the .venv is older than pyproject.toml (python3 tasks.py install): tasks.py run would reinstall")
    store, _ = served
    done = subprocess.run([sys.executable, str(ROOT / "tasks.py"), "run"], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env={**ENV, "KG_STORE": str(store), "KG_PORT": str(free_port())})
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert "Traceback" not in output and "CalledProcessError" not in output
    assert "[tasks] run: ingesting seeds/ failed" in done.stderr
    assert "Another kg process (perhaps `kg serve`) holds the store" in " ".join(done.stderr.split())

#!/usr/bin/env python3
"""Set-up and everyday tasks with nothing but Python 3.11 installed (make is optional).

    python3 tasks.py run     # venv + install, ingest seeds/ into the default store, serve SPARQL
    python3 tasks.py test    # venv + install (+ Chromium for the page test), run the whole suite
    python3 tasks.py bench   # benchmarks, writing bench/REPORT.md

Uses only the standard library so it can run before anything is installed.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def _say(message: str) -> None:
    print(f"[tasks] {message}", flush=True)


def _run(*args: str | Path, env: dict | None = None) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, env=env)


def ensure_venv() -> None:
    """Create .venv and install the project with its test extras, again whenever pyproject.toml changes."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and (BIN / "kg").exists():
        return
    if not (BIN / "python").exists():
        _say(f"creating virtual environment in {VENV}")
        _run(sys.executable, "-m", "venv", VENV)
    _say("installing the project and its test dependencies")
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[test]")
    STAMP.write_text(wanted)


def ensure_chromium() -> None:
    """The web page is tested in a real headless Chromium (Debian's package, driven by selenium)."""
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        _say("installing Debian's chromium and chromium-driver for the browser test")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        _run("apt-get", "update", "-qq", env=env)
        _run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "chromium-driver", env=env)
    else:
        _say("chromium not found and cannot be installed here (needs root and apt-get): the browser test will be skipped")


def ensure_virtuoso() -> None:
    """The remote-store tests also run against OpenLink Virtuoso 7 (Debian's package); each
    test run starts its own private server, so the packaged service is never used. The dba
    password is preseeded because the package asks for one."""
    if shutil.which("virtuoso-t") and shutil.which("isql-vt"):
        return
    if shutil.which("apt-get") and shutil.which("debconf-set-selections") and os.geteuid() == 0:
        _say("installing Debian's virtuoso-opensource for the Virtuoso remote-store tests")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        answers = "".join(f"virtuoso-opensource-7 virtuoso-opensource-7/{key} password dba\n"
                          for key in ("dba-password", "dba-password-again"))
        subprocess.run(["debconf-set-selections"], input=answers.encode(), check=True)
        _run("apt-get", "update", "-qq", env=env)
        _run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "virtuoso-opensource", env=env)
    else:
        _say("virtuoso-t not found and cannot be installed here (needs root and apt-get): "
             "the Virtuoso remote-store tests will be skipped")


def run() -> None:
    ensure_venv()
    kg = str(BIN / "kg")
    ingest = subprocess.run([kg, "ingest", "seeds/", "--metadata", "seeds/metadata.json"], cwd=ROOT)
    if ingest.returncode != 0:  # kg said why (e.g. a running `kg serve` holds the store)
        sys.exit(f"[tasks] run: ingesting seeds/ failed (exit code {ingest.returncode}, see above); nothing was served. "
                 "If a `kg serve` already holds the store, it is already serving: open its address, or stop it "
                 "and run this again.")
    port = os.environ.get("KG_PORT", "7878")
    _say(f"SPARQL endpoint: http://127.0.0.1:{port}/sparql   web page: http://127.0.0.1:{port}/")
    _say("example: curl -s http://127.0.0.1:%s/sparql --data-urlencode "
         "'query=SELECT (COUNT(*) AS ?meetings) WHERE { ?m a <https://w3id.org/kg-meetings/ontology#Meeting> }' "
         "-H 'Accept: text/csv'" % port)
    os.execv(kg, [kg, "serve", "--port", port])


def test(extra: list[str]) -> None:
    ensure_venv()
    ensure_chromium()
    ensure_virtuoso()
    result = subprocess.run([str(BIN / "python"), "-m", "pytest", *_workers(extra), *extra], cwd=ROOT)
    sys.exit(result.returncode)


def _workers(extra: list[str]) -> list[str]:
    """Two pytest-xdist workers, each taking whole modules (their shared stores and servers
    are made once), the longest first (tests/conftest.py orders them); none when asked for
    other workers (-n/--numprocesses, -p no:xdist) or when debugging (--pdb)."""
    if any(arg.startswith(("-n", "--numprocesses", "--dist", "--pdb")) or arg == "no:xdist" for arg in extra):
        return []
    return ["-n", "2", "--dist", "loadfile", "--no-loadscope-reorder"]


def bench(extra: list[str]) -> None:
    ensure_venv()
    result = subprocess.run([str(BIN / "python"), "bench/run.py", *extra], cwd=ROOT)
    sys.exit(result.returncode)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test", "bench", "install"):
        sys.exit(__doc__)
    task, extra = sys.argv[1], sys.argv[2:]
    try:
        _task(task, extra)
    except subprocess.CalledProcessError as error:  # the command printed its own error above
        command = " ".join(str(part) for part in error.cmd)
        sys.exit(f"[tasks] {task}: `{command}` failed with exit code {error.returncode} (see above)")


def _task(task: str, extra: list[str]) -> None:
    if task == "install":
        ensure_venv()
    elif task == "run":
        run()
    elif task == "test":
        test(extra)
    else:
        bench(extra)


if __name__ == "__main__":
    main()

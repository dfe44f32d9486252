"""Runs the atheris harness (tests/fuzz/fuzz_extract.py) for a bounded number of inputs."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parent / "fuzz" / "fuzz_extract.py"


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("atheris") is None,
                    reason="atheris is not installed (pip install atheris; it needs a Linux or macOS wheel)")
def test_coverage_guided_fuzzing_finds_no_crash(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    result = subprocess.run(
        [sys.executable, str(HARNESS), "-runs=30000", "-max_total_time=8", "-max_len=2048", "-len_control=0", f"-artifact_prefix={tmp_path}/",
         str(tmp_path / "corpus")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    # libFuzzer logs every new input; keep what explains a failure
    report = "\n".join(line for line in result.stderr.splitlines() if not line.startswith(("#", '"')))[-6000:]
    assert result.returncode == 0, report
    assert "Done " in result.stderr, report  # libFuzzer's own line: the runs really happened
    assert not list(tmp_path.glob("crash-*")), report

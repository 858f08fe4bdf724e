"""Under CI a skip is a failure (`ci_skips`, registered by conftest): checked on a real
pytest run of a small test file, with and without ``CI``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

SAMPLE = '''
import pytest

def test_passes():
    assert True

def test_wants_data():
    pytest.skip("the table is not here")

@pytest.mark.skipif(True, reason="no headless Chromium")
def test_wants_a_browser():
    pass

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False
'''


def _pytest(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "ci_skips", "-q", "-rA",
                           "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                           str(tmp_path / "test_sample.py")],
                          capture_output=True, text=True, timeout=120, check=False,
                          cwd=tmp_path, env=env)


@pytest.mark.process
def test_outside_ci_a_skip_is_reported_as_a_skip(tmp_path: Path) -> None:
    proc = _pytest(tmp_path, ci=False)
    assert proc.returncode == 0, proc.stdout
    assert "1 passed, 2 skipped, 1 xfailed" in proc.stdout


@pytest.mark.process
def test_under_ci_every_skip_fails_with_its_reason(tmp_path: Path) -> None:
    proc = _pytest(tmp_path, ci=True)
    assert proc.returncode == 1, proc.stdout
    # a skip in the test fails it; a skip mark fails its setup (an error)
    assert "1 failed, 1 passed, 1 xfailed, 1 error" in proc.stdout
    assert "skipped under CI (the table is not here)" in proc.stdout
    assert "skipped under CI (no headless Chromium)" in proc.stdout

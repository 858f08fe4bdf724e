"""Under CI a skipped test fails: a skip is never a pass.

Outside CI a test may skip where this machine lacks what it needs (a headless Chromium,
say, with the reason shown). Under ``CI`` (the environment variable set) every such
want is a broken machine or a missing install step, since ``.ci/run`` installs
everything the tests use (Chromium included), and the tests' own data live under
``tests/data``: a skip there is reported as a failure with its reason. An expected
failure (``xfail``) is not a skip and is left alone.

Registered by ``tests/conftest.py``; ``pytest -p ci_skips`` loads it on its own.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

__all__ = ["pytest_runtest_makereport"]


def _reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]
                              ) -> Generator[None, Any, None]:
    """A skip of ``item`` becomes a failure under CI, naming the reason."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if (os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail")):
        report.outcome = "failed"
        report.longrepr = (f"skipped under CI ({_reason(report)}): a skip is never a pass; "
                           "CI must have what the test needs (see .ci/run)")

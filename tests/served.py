"""``kantorovich serve`` as a real process on a free port, for the planning table's tests.

`Served` starts the command in a fresh interpreter (``--port 0``: the system picks a
free port, the command prints the address it got), waits for its address line, and
stops it with SIGINT as Ctrl-C would, keeping the exit code and what it wrote.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["Served"]


class Served:
    """One server process; ``url`` is its address (``http://127.0.0.1:PORT``)."""

    def __init__(self, plan: Path, *args: str, wait: float = 120.0) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        if plan.is_absolute() and plan.is_relative_to(ROOT):
            plan = plan.relative_to(ROOT)          # named as a user would name it
        self.proc = subprocess.Popen(
            [sys.executable, "-W", "error", "-m", "kantorovich.cli", "serve", str(plan),
             "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        self.stderr: list[str] = []
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(wait)
        found = re.search(r"http://[^\s/]+", line[0]) if line else None
        if found is None:
            self.proc.kill()
            self.proc.wait()
            self._drain.join(5)
            self._close()
            raise AssertionError(f"the server did not start: {line} {''.join(self.stderr)}")
        self.first_line = line[0]
        self.url = found.group(0)
        self.code: int | None = None

    def _read_stderr(self) -> None:
        for text in self.proc.stderr:
            self.stderr.append(text)

    def stop(self, signum: int = signal.SIGINT, wait: float = 30.0) -> int:
        """Send ``signum`` (Ctrl-C) and return the exit code."""
        if self.code is None:
            self.proc.send_signal(signum)
            self.code = self.proc.wait(wait)
            self._drain.join(5)
            self._close()
        return self.code

    def _close(self) -> None:
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.code is None:
            try:
                self.stop()
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._close()

"""MKL's PARDISO for Clarabel's factorisations, where Intel's `mkl` wheel is installed
(``pip install 'kantorovich[pardiso]'``) and unless faer is asked for
(``KANTOROVICH_FACTORISATION=faer``, `lp.clarabel.FACTORISATION`).

On a long staircase Clarabel's cost is the factorisation of its Newton systems. faer
orders them by minimum degree, PARDISO by nested dissection (METIS), and PARDISO
factorises on every core. On the clustered staircases of `benchmarks/horizon.py`
Clarabel's setup at 10^5 products x 10 periods took 176 s against faer's 942 s, its
iterations about half the time, and at 10^4 x 10 the whole of Clarabel 313 s against
551 s (`benchmarks/README.md`).

Clarabel opens PARDISO from a library named exactly ``libmkl_rt.so`` in the folder
``MKL_PARDISO_PATH`` names. The wheel ships ``libmkl_rt.so.2`` (``.3`` from 2026),
and that library opens its parts (``libmkl_core``, a threading layer, ...) from the
folder it was opened from. So `ready` makes a private folder of links to the wheel's
libraries, one of them under the name Clarabel looks for, and tries it in a child
process before this one uses it: MKL ends a process whose parts it cannot open, where
Clarabel would only have reported the library missing.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from importlib import metadata
from pathlib import Path

__all__ = ["ready", "library_folder"]

log = logging.getLogger(__name__)

PARTS = ("libmkl_", "libiomp", "libtbb", "libhwloc", "libtcm", "libumf")
"""The wheel's libraries (and those of its dependencies intel-openmp, tbb, tcmlib and
umf) that ``libmkl_rt`` may open, by the start of their names."""

TRIAL = """
import clarabel, numpy as np, scipy.sparse as sp
s = clarabel.DefaultSettings(); s.verbose = False; s.direct_solve_method = "mkl"
a = sp.csc_matrix(-np.eye(2))
r = clarabel.DefaultSolver(sp.csc_matrix((2, 2)), np.ones(2), a, np.zeros(2),
                           [clarabel.NonnegativeConeT(2)], s).solve()
print(r.status)
"""
"""A program of two variables solved by Clarabel through PARDISO, in a child process."""

_lock = threading.Lock()
_ready: bool | None = None


def library_folder() -> Path | None:
    """The folder of the installed `mkl` wheel's ``libmkl_rt.so.N``; None where the
    wheel is absent or ships none (macOS, Windows, a stripped install)."""
    try:
        files = metadata.distribution("mkl").files or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name.startswith("libmkl_rt.so"):
            return Path(str(file.locate())).resolve().parent
    return None


def _linked(source: Path) -> Path:
    """A private folder of links to ``source``'s libraries, with ``libmkl_rt.so``
    among them; removed when the process ends."""
    folder = Path(tempfile.mkdtemp(prefix="kantorovich-mkl-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    runtime = None
    for entry in sorted(source.iterdir()):
        if entry.name.startswith(PARTS) and ".so" in entry.name:
            (folder / entry.name).symlink_to(entry)
            if entry.name.startswith("libmkl_rt.so."):
                runtime = entry
    if runtime is not None:
        (folder / "libmkl_rt.so").symlink_to(runtime)
    return folder


def _works(folder: str) -> bool:
    """Whether Clarabel solves through PARDISO from ``folder``, tried in a child."""
    try:
        done = subprocess.run([sys.executable, "-c", TRIAL], capture_output=True,
                              text=True, timeout=120,
                              env={**os.environ, "MKL_PARDISO_PATH": folder})
    except (OSError, subprocess.SubprocessError) as error:
        log.info("MKL's PARDISO not tried: %s", error)
        return False
    if done.returncode != 0 or "Solved" not in done.stdout:
        log.info("MKL's PARDISO did not load (exit %d): %s", done.returncode,
                 (done.stderr or done.stdout).strip()[-300:])
        return False
    return True


def ready() -> bool:
    """Whether Clarabel may factorise with PARDISO in this process: once per process,
    from ``MKL_PARDISO_PATH`` where the user set it, else from the `mkl` wheel (Linux
    only: Clarabel looks for other names elsewhere). Sets ``MKL_PARDISO_PATH`` for
    Clarabel where it works; where it does not, Clarabel keeps to faer."""
    global _ready
    with _lock:
        if _ready is None:
            _ready = _find()
        return _ready


def _find() -> bool:
    given = os.environ.get("MKL_PARDISO_PATH")
    if given:
        return _works(given)
    source = library_folder() if sys.platform.startswith("linux") else None
    if source is None:
        return False
    try:
        folder = str(_linked(source))
    except OSError as error:
        log.info("MKL's PARDISO not linked: %s", error)
        return False
    if not _works(folder):
        return False
    os.environ["MKL_PARDISO_PATH"] = folder
    return True

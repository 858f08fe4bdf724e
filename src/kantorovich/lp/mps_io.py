"""MPS files through HiGHS's own reader and writer: a program's arrays in and out.

The other module that imports ``highspy`` (the solver session is `kantorovich.lp.highs`).
`write_mps` writes a `LinearProgram` with every number it has and checks the file
HiGHS wrote; `read_mps_arrays` reads a file into `MpsArrays`, keeping what the reader
said. `kantorovich.lp.mps` turns those arrays into a plan and a plan into a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

from kantorovich.lp.highs import SolverInputError, _new_highs, _to_highs_lp
from kantorovich.lp.program import LinearProgram

__all__ = ["MpsArrays", "MpsReadError", "read_mps_arrays", "write_mps"]

_INF = highspy.kHighsInf


def write_mps(lp: LinearProgram, path: str | Path, row_names: list[str],
              col_names: list[str]) -> None:
    """Write ``lp`` in free MPS with the given (already sanitised, unique) names, every
    number as the plan has it, and check the file that HiGHS wrote.

    HiGHS picks the format from the suffix, so ``path`` must end in ``.mps``. By default
    HiGHS drops coefficients below 1e-9 and writes bounds of 1e20 or more as infinite;
    here its thresholds are opened as far as it allows, and a coefficient it would still
    drop (below 1e-12) is refused with `SolverInputError` rather than left out. Its writer
    reports success after a short write (a full disk), so the file is read back: it must
    end in ``ENDATA`` and hold the program's rows, columns and nonzeros, else `OSError`.
    """
    matrix = lp.matrix.tocsc(copy=True)
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    tiny = np.flatnonzero(np.abs(matrix.data) < _EXPORT_OPTIONS["small_matrix_value"])
    if tiny.size:
        k = int(tiny[0])
        col = int(np.searchsorted(matrix.indptr, k, side="right")) - 1
        raise SolverInputError(
            f"the coefficient {matrix.data[k]:g} of '{col_names[col]}' in "
            f"'{row_names[matrix.indices[k]]}' is below 1e-12, the least HiGHS can write "
            f"({tiny.size} such coefficient{'s' if tiny.size > 1 else ''})",
            hint="express that good or process in a smaller unit, so the number grows")
    model = _to_highs_lp(lp)
    model.row_names_ = list(map(str, row_names))
    model.col_names_ = list(map(str, col_names))
    h = _exporter()
    if (h.passModel(model) == highspy.HighsStatus.kError
            or h.getNumNz() != matrix.nnz):
        raise SolverInputError("the solver refused the plan's numbers",
                               hint="coefficients must be finite and below 1e15")
    if h.writeModel(str(path)) == highspy.HighsStatus.kError:
        raise OSError("HiGHS could not write the file")
    # HiGHS writes a row with no finite bound as an N row, which its reader drops
    bounded = np.flatnonzero(~(np.isinf(lp.row_lower) & np.isinf(lp.row_upper)))
    _check_mps(Path(path), rows=bounded.size, cols=lp.shape[1],
               nonzeros=int(np.isin(matrix.indices, bounded).sum()))


# HiGHS's drop and infinity thresholds, opened as far as it allows (1e-12 is its least
# small_matrix_value), so that an export writes every number the plan has.
_EXPORT_OPTIONS = {"small_matrix_value": 1e-12, "large_matrix_value": _INF,
                   "infinite_bound": _INF, "infinite_cost": _INF}


def _exporter() -> highspy.Highs:
    h = _new_highs()
    for option, value in _EXPORT_OPTIONS.items():
        h.setOptionValue(option, value)
    return h


def _check_mps(path: Path, *, rows: int, cols: int, nonzeros: int) -> None:
    """Raise `OSError` unless ``path`` ends in ENDATA and reads back with this shape."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        handle.seek(max(0, size - 64))
        complete = handle.read().rstrip().endswith(b"ENDATA")
    if not complete:
        raise OSError(f"the file HiGHS wrote is cut short ({size} bytes, no ENDATA at its "
                      "end); is the disk full?")
    h = _exporter()
    got = (h.getNumRow(), h.getNumCol(), h.getNumNz()) if (
        h.readModel(str(path)) != highspy.HighsStatus.kError) else None
    if got != (rows, cols, nonzeros):
        raise OSError(f"the file HiGHS wrote does not read back as the program (rows, "
                      f"columns, nonzeros: {got} instead of {(rows, cols, nonzeros)})")


@dataclass
class MpsArrays:
    """An LP read from an MPS file, as arrays and names."""

    sense: str
    objective: np.ndarray
    constant: float
    matrix: sp.csc_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_names: list[str]
    col_names: list[str]
    integer: np.ndarray
    quadratic: bool = False     # a QUADOBJ/QMATRIX section: not a linear program
    messages: list[str] = field(default_factory=list)
    """What HiGHS's reader said (warnings, errors, notes), one line each. The reader
    reads on past a duplicate name or an undeclared row, so a warning means the arrays
    may not be the file's LP."""


class MpsReadError(ValueError):
    """HiGHS could not read the file; ``messages`` holds what its reader said."""

    def __init__(self, messages: list[str]) -> None:
        errors = [m.removeprefix("ERROR:").strip() for m in messages if m.startswith("ERROR")]
        super().__init__("; ".join(errors) or "HiGHS could not read it as MPS")
        self.messages = messages


def _read_logged(h: highspy.Highs, path: str | Path) -> tuple[highspy.HighsStatus, list[str]]:
    """``readModel`` with its log captured: on, but to the callback and not the console."""
    messages: list[str] = []

    def keep(event: object) -> None:
        messages.append(str(getattr(event, "message", "")).strip())

    h.setOptionValue("log_to_console", False)
    h.setOptionValue("output_flag", True)
    h.cbLogging.subscribe(keep)
    try:
        status = h.readModel(str(path))
    finally:
        h.cbLogging.unsubscribe(keep)
        h.setOptionValue("output_flag", False)
    return status, [m for m in messages if m]


def read_mps_arrays(path: str | Path) -> MpsArrays:
    """Read an MPS file with HiGHS's reader, keeping what the reader said.

    Raises
    ------
    MpsReadError
        If HiGHS cannot read the file, with HiGHS's reason.
    """
    h = _new_highs()
    status, messages = _read_logged(h, path)
    if status == highspy.HighsStatus.kError:
        raise MpsReadError(messages)
    lp = h.getLp()
    m, n = lp.num_row_, lp.num_col_
    a = lp.a_matrix_
    if a.format_ == highspy.MatrixFormat.kRowwise:
        matrix = sp.csr_matrix((np.asarray(a.value_), np.asarray(a.index_),
                                np.asarray(a.start_)), shape=(m, n)).tocsc()
    else:
        matrix = sp.csc_matrix((np.asarray(a.value_), np.asarray(a.index_),
                                np.asarray(a.start_)), shape=(m, n))

    def inf(v: object) -> np.ndarray:
        arr = np.asarray(v, dtype=float)
        arr[arr >= _INF] = np.inf
        arr[arr <= -_INF] = -np.inf
        return arr

    # HiGHS fills integrality only for a MIP; then any non-continuous type counts
    integer = np.zeros(n, dtype=bool)
    if len(lp.integrality_):
        integer = np.fromiter(map(int, lp.integrality_), dtype=np.int64, count=n) != 0
    return MpsArrays(
        sense="maximize" if lp.sense_ == highspy.ObjSense.kMaximize else "minimize",
        objective=np.asarray(lp.col_cost_, dtype=float), constant=float(lp.offset_),
        matrix=matrix, row_lower=inf(lp.row_lower_), row_upper=inf(lp.row_upper_),
        col_lower=inf(lp.col_lower_), col_upper=inf(lp.col_upper_),
        row_names=list(lp.row_names_) or [f"R{i}" for i in range(m)],
        col_names=list(lp.col_names_) or [f"C{j}" for j in range(n)],
        integer=integer, quadratic=h.getHessianNumNz() > 0, messages=messages,
    )

"""Checks of an input-output table, each problem named by sector with its fix.

`check_economy` never changes the table; what the accounting does with a doubtful part is
stated in `TableCheck.cleanup`:

* **Row balance** ``r = x - Z 1 - y`` and **column balance** ``c = x - 1'Z - va - closing
  items``. A published figure rounded to a unit ``u`` is off by at most ``u/2``, so a
  balance of ``k`` rounded terms may miss by ``k u / 2``, where ``k`` counts all n
  entries of the row or column (a small flow rounds to 0, so zeros count too), the
  parts of final demand or value added and the total: a sector is flagged only beyond
  that (plus ``1e-9 |x|`` for floating point). ``Σ|r| / Σx`` is reported as the relative
  residual of the whole table.
* **Negative flows** in Z: kept as published (BEA has a few), listed.
* **Zero-output sectors**: kept as zero columns of A, so every result stays keyed by the
  ids of ``sectors.csv``; their labour values and multipliers are undefined (NaN, ``null``
  in JSON), since no technique is observed.
* **Column sums of A** at or above 1: a sector using more inputs than it makes (negative
  value added), listed.
* **Labour**: sectors with output whose labour (hours or persons from a labour file,
  else compensation, else value added) is zero or negative, listed (`labour_findings`):
  their labour values need not be positive, and prices cannot equal negative ones.
* **Productivity**: the spectral radius of A must be below 1, or ``(I - A)^-1`` is not a
  nonnegative series and Leontief accounting is refused. See `spectral_radius`.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from kantorovich.economy.table import CLOSING_ITEMS, Economy

__all__ = ["Finding", "TableCheck", "check_economy", "labour_findings", "spectral_radius"]

log = logging.getLogger(__name__)

Severity = Literal["error", "warning", "note"]

#: below this size the spectrum is computed densely; above, ARPACK is far quicker (1.5 ms
#: against 0.1-1.8 s for dense eigenvalues at 153 sectors, measured on 2 cores)
DENSE_SPECTRUM_MAX = 30
_LISTED = 5  # sectors named per finding, worst first


@dataclass(frozen=True)
class Finding:
    """One thing about the table worth knowing: what, where (sector ids), and the fix."""

    code: str
    severity: Severity
    message: str
    hint: str = ""
    file: str | None = None
    sectors: tuple[int, ...] = ()

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        text = f"{self.severity}: {where}{self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


@dataclass(frozen=True)
class TableCheck:
    """The checks of one table: figures, findings, and the clean-up the accounting applies."""

    sectors: int
    nonzeros: int
    rounding: float
    row_residual_max: float
    row_residual_relative: float
    column_residual_max: float | None
    column_residual_relative: float | None
    column_balance_items: tuple[str, ...]
    spectral_radius: float
    spectral_radius_method: str
    max_column_sum: float
    negative_entries: int
    negative_final_demand: int
    zero_output_sectors: tuple[int, ...]
    findings: tuple[Finding, ...] = ()
    cleanup: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """No finding is an error (the table can be used for accounting)."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def productive(self) -> bool:
        return self.spectral_radius < 1.0

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data (sector ids as in ``sectors.csv``)."""
        out = asdict(self)
        out["ok"] = self.ok
        out["findings"] = [asdict(f) for f in self.findings]
        return out


def spectral_radius(A: sp.csc_matrix | sp.csr_matrix) -> tuple[float, str]:
    """Spectral radius of the technical coefficients and how it was found.

    Dense eigenvalues up to `DENSE_SPECTRUM_MAX` sectors; above, ARPACK (`eigs`, the
    eigenvalue of largest modulus). If ARPACK does not converge, the Perron root of
    ``|A|`` by power iteration: an upper bound on ``ρ(A)``, equal to it when A >= 0, so a
    bound below 1 still proves the economy productive.

    Returns
    -------
    rho : float
    method : str
        ``"dense eigenvalues"``, ``"ARPACK eigs"`` or ``"Perron bound on |A| (power
        iteration, k steps)"``.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> rho, how = spectral_radius(sp.csc_matrix([[0.15, 0.25], [0.2, 0.05]]))
    >>> round(rho, 4), how
    (0.3291, 'dense eigenvalues')
    """
    n = A.shape[0]
    if n == 0:
        return 0.0, "empty"
    if n <= DENSE_SPECTRUM_MAX:
        return float(np.abs(np.linalg.eigvals(A.toarray())).max()), "dense eigenvalues"
    try:
        values = spla.eigs(A.astype(float), k=1, which="LM", v0=np.ones(n), tol=1e-10,
                           maxiter=20 * n, return_eigenvectors=False)
        return float(np.abs(values).max()), "ARPACK eigs"
    except spla.ArpackNoConvergence:
        log.info("ARPACK did not converge; bounding the spectral radius by |A|")
        return _perron_bound(abs(A.tocsr()))


def _perron_bound(B: sp.csr_matrix, steps: int = 10_000, tol: float = 1e-10
                  ) -> tuple[float, str]:
    """Perron root of a nonnegative matrix by power iteration (Collatz-Wielandt bounds:
    min and max of ``(Bv)_i / v_i`` bracket it; the upper one is returned)."""
    v = np.ones(B.shape[0])
    upper = np.inf
    for k in range(1, steps + 1):
        w = B @ v + 1e-300
        ratio = w / v
        upper, lower = ratio.max(), ratio.min()
        v = w / w.max()
        if upper - lower <= tol * max(upper, 1e-300):
            break
    return float(upper), f"Perron bound on |A| (power iteration, {k} steps)"


def _balance_tolerance(economy: Economy, terms: int) -> np.ndarray:
    """Largest miss a balance of ``terms`` rounded figures can show per sector."""
    return economy.rounding / 2 * (terms + 2) + 1e-9 * np.abs(economy.x)


def _worst(economy: Economy, positions: np.ndarray, size: np.ndarray) -> str:
    order = positions[np.argsort(-np.abs(size[positions]), kind="stable")][:_LISTED]
    named = "; ".join(economy.describe(int(j)) for j in order)
    more = len(positions) - len(order)
    return named + (f"; and {more} more" if more > 0 else "")


def _ids(economy: Economy, positions: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in economy.ids[positions])


def labour_findings(economy: Economy) -> list[Finding]:
    """Sectors with output whose labour (the proxy the accounting uses: compensation of
    employees where the table has it, else value added) is zero or negative.

    Labour values ``v = l + vA`` then need not be positive, and a price, never below 0,
    cannot equal a negative one: the non-substitution theorem assumes labour in every
    technique. A finding (a warning), never a silent number.

    >>> e = Economy.from_arrays([[150, 500], [200, 100]], [350, 1700],
    ...                         compensation=[650, -100])
    >>> [f.code for f in labour_findings(e)], labour_findings(e)[0].sectors
    (['labour-not-positive'], (1,))
    """
    proxy = economy.labour_source or ("va" if "va" in economy.va.columns else None)
    if proxy is None or proxy not in economy.va.columns:
        return []
    amount = economy.va[proxy].to_numpy(float)
    bad = np.flatnonzero((economy.x > 0) & ~(amount > 0))
    if not bad.size:
        return []
    word = {"compensation": "compensation of employees", "va": "value added",
            "hours": "hours worked", "persons": "persons employed"}.get(proxy, proxy)
    timed = proxy in ("hours", "persons")
    negative = int((amount[bad] < 0).sum())
    return [Finding(
        "labour-not-positive", "warning",
        f"{bad.size} sector(s) with output have zero or negative {word} (the labour proxy, "
        f"column {proxy}; {negative} negative): {_worst(economy, bad, amount)}; their "
        "labour coefficients are not positive, so labour values may be 0 or negative and "
        "prices (never below 0) cannot equal them there",
        hint=("check these sectors in the labour file (a sector with output and no "
              "labour is often imputed: economy inspect lists those; --exclude removes "
              "them)" if timed else
              "check these sectors in va.csv (a negative figure is usually subsidies netted "
              "in; no compensation at all often marks an imputed sector, which --exclude "
              "CODE removes); correct them, or value labour by the other proxy (--labour "
              + ("va" if proxy == "compensation" else "compensation") + ")"),
        file=economy.files.get("labour" if timed else "va"), sectors=_ids(economy, bad))]


def check_economy(economy: Economy) -> TableCheck:
    """Check a table's balances, signs, outputs and productivity.

    Parameters
    ----------
    economy : Economy

    Returns
    -------
    TableCheck
        Figures, findings (errors only for a table Leontief accounting cannot use) and
        the clean-up applied.

    Examples
    --------
    >>> e = Economy.from_arrays([[150, 500], [200, 100]], [350, 1700])
    >>> c = check_economy(e)
    >>> c.ok, round(c.spectral_radius, 3), c.row_residual_max
    (True, 0.329, 0.0)
    """
    e, Z, x = economy, economy.Z, economy.x
    findings: list[Finding] = []
    cleanup: list[str] = []
    total = max(np.abs(x).sum(), 1e-300)

    # row balance
    r = x - np.asarray(Z.sum(axis=1)).ravel() - e.y
    row_terms = e.n + e.y_components
    off = np.flatnonzero(np.abs(r) > _balance_tolerance(e, row_terms))
    if off.size:
        findings.append(Finding(
            "row-balance", "warning",
            f"{off.size} sector(s) sell more or less than they make (x - Z1 - y), beyond the "
            f"rounding of the figures ({e.rounding:g} a figure): {_worst(e, off, r)}",
            hint="check gross output and the final-demand columns of these sectors; "
                 "balance x as Z1 + y if the table is meant to be exact",
            file=e.files.get("x"), sectors=_ids(e, off)))

    # column balance
    items = tuple(c for c in ("va", *CLOSING_ITEMS) if c in e.va.columns)
    col_max = col_rel = None
    if "va" in items:
        c = x - np.asarray(Z.sum(axis=0)).ravel() - e.va[list(items)].to_numpy(float).sum(1)
        col_max, col_rel = float(np.abs(c).max(initial=0)), float(np.abs(c).sum() / total)
        col_terms = e.n + len(items)
        off = np.flatnonzero(np.abs(c) > _balance_tolerance(e, col_terms))
        if off.size:
            findings.append(Finding(
                "column-balance", "warning",
                f"{off.size} sector(s) cost more or less than they make (x - 1'Z - "
                f"{' - '.join(items)}): {_worst(e, off, c)}",
                hint="add the missing primary inputs or closing items "
                     f"({', '.join(CLOSING_ITEMS)}) to va.csv",
                file=e.files.get("va"), sectors=_ids(e, off)))
    else:
        cleanup.append("column balance not checked: the table has no value added (va)")

    # signs
    negative = np.flatnonzero(Z.data < 0)
    if negative.size:
        coo = Z.tocoo()
        pairs = [f"{e.describe(int(coo.row[k]))} -> {e.describe(int(coo.col[k]))} "
                 f"({coo.data[k]:g})" for k in negative[:_LISTED]]
        findings.append(Finding(
            "negative-flow", "warning",
            f"{negative.size} negative intermediate flow(s): " + "; ".join(pairs)
            + ("; ..." if negative.size > _LISTED else ""),
            hint="a negative flow is usually a recording artefact (scrap, used goods): net "
                 "it into final demand or set it to 0",
            file=e.files.get("Z"), sectors=_ids(e, np.unique(coo.col[negative]))))
        cleanup.append(f"{negative.size} negative flow(s) kept as published")
    negative_y = int((e.y < 0).sum())
    if negative_y:
        findings.append(Finding(
            "negative-final-demand", "note",
            f"{negative_y} sector(s) have negative final demand (net imports or inventory "
            "draw-downs); harmless for (I - A)x = y",
            file=e.files.get("y"), sectors=_ids(e, np.flatnonzero(e.y < 0))))

    # zero output
    zero = e.zero_output
    if zero.size:
        activity = np.zeros(e.n)
        activity[zero] = np.asarray(abs(Z[zero]).sum(axis=1)).ravel() + np.abs(e.y[zero])
        used = activity[zero]
        hint = "exclude it (--exclude CODE), or give its output"
        findings.append(Finding(
            "zero-output", "warning" if (used > 0).any() else "note",
            f"{zero.size} sector(s) produce nothing: {_worst(e, zero, activity)}"
            + (f"; {int((used > 0).sum())} of them still sell or face demand"
               if (used > 0).any() else ""),
            hint=hint, file=e.files.get("x"), sectors=_ids(e, zero)))
        # a table without labour is valued by value added: never called labour values
        content = e.content_name if e.labour_source else "value-added content"
        cleanup.append(f"{zero.size} zero-output sector(s) kept as zero columns of A; their "
                       f"{content} and multipliers are undefined (null in JSON, - in "
                       "tables)")

    # coefficients
    colsum = np.asarray(e.A.sum(axis=0)).ravel()
    over = np.flatnonzero(colsum >= 1.0)
    if over.size:
        findings.append(Finding(
            "column-sum", "warning",
            f"{over.size} sector(s) use at least a unit of inputs per unit of output "
            f"(column sum of A >= 1, negative value added): {_worst(e, over, colsum)}",
            hint="check these sectors' inputs and output; the economy may still be "
                 "productive (see the spectral radius)",
            file=e.files.get("Z"), sectors=_ids(e, over)))

    findings += labour_findings(e)

    rho, how = spectral_radius(e.A)
    if rho >= 1.0:
        findings.append(Finding(
            "not-productive", "error",
            f"the economy is not productive: spectral radius of A = {rho:.6g} >= 1 ({how}), "
            "so no nonnegative output meets every positive final demand",
            hint="check units (Z, x in the same units) and the sectors listed above",
            file=e.files.get("Z")))
    if e.labour_source is None:
        findings.append(Finding(
            "no-labour", "note",
            "no compensation of employees in the table: no labour coefficients",
            hint="labour values need labour: give hours or persons per sector (--labour "
                 "FILE), or value by value added (--labour va), whose figures are "
                 "value-added content (it also counts capital income and taxes)",
            file=e.files.get("va")))
    return TableCheck(
        sectors=e.n, nonzeros=int(Z.nnz), rounding=e.rounding,
        row_residual_max=float(np.abs(r).max(initial=0)),
        row_residual_relative=float(np.abs(r).sum() / total),
        column_residual_max=col_max, column_residual_relative=col_rel,
        column_balance_items=items, spectral_radius=rho, spectral_radius_method=how,
        max_column_sum=float(colsum.max(initial=0)), negative_entries=int(negative.size),
        negative_final_demand=negative_y, zero_output_sectors=_ids(e, zero),
        findings=tuple(findings), cleanup=tuple(cleanup))

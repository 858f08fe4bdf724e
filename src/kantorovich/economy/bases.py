"""Value bases and the price-value tests: which input's vertically integrated content best
predicts market prices?

Cockshott & Cottrell (1997, "Labour time versus alternative value bases: a research
note", *Cambridge Journal of Economics* 21(4)) take each produced input in turn as the
"basis" of value, as labour is in the labour theory, and ask how well its vertically
integrated content predicts the prices of sectors' outputs. Definitions (issue 18's
contract):

* a basis ``b`` has direct input coefficients ``c_b`` per unit of output of each sector:
  for labour the labour coefficients ``l`` (as ``economy values`` takes them), for a
  produced input the row ``b`` of ``A``;
* its content per unit of output is ``v_b = c_b (I - A)^-1``, solved as
  ``(I - A)' v_b' = c_b'``; for a sector basis this is row ``b`` of the Leontief inverse
  less the identity, the input ``b`` used up directly and indirectly;
* a sector's total price is its gross output ``x_j``; its total content ``v_b,j x_j`` is
  rescaled so that, summed over all sectors, content equals price;
* ``correlation`` is Pearson's between log price and log content over the sectors where
  both are positive, ``r2`` its square, ``mad`` the mean of ``|price/content - 1|`` over
  the same sectors.

All bases are solved together: one sparse LU factorisation of ``(I - A)'`` and a matrix
right-hand side ``[l, A']`` taken in column blocks (so memory stays ``n x BLOCK``), with
the statistics computed for a whole block at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.economy.table import Economy
from kantorovich.lp.leontief import LeontiefSystem

__all__ = ["BLOCK", "LABOUR", "ValueBases", "content_statistics", "value_bases"]

#: the key of the labour basis (other bases are keyed by sector id)
LABOUR = "labour"
#: right-hand sides solved at once: bounds the dense block to n x BLOCK numbers
BLOCK = 512


@dataclass(frozen=True)
class ValueBases:
    """The price-value statistics of every basis, ranked.

    Attributes
    ----------
    table : DataFrame
        One row per basis (index: ``"labour"`` or the sector id as a string), columns
        ``code``, ``name``, ``correlation``, ``r2``, ``mad``, ``sectors`` (how many
        sectors were compared), ``rank`` (1 = best) and ``labour`` (True for the labour
        basis), sorted by rank.
    labour_source : str
        Where the labour basis's coefficients come from (``compensation`` or ``va``).
    ranking_rule : str
        How the ranking is made, in words.
    """

    table: pd.DataFrame
    labour_source: str
    ranking_rule: str = "r2 descending (ties: mad ascending); undefined r2 last"

    @property
    def ranking(self) -> list[str]:
        """Basis keys, best first."""
        return [str(k) for k in self.table.index]

    def to_dict(self) -> dict[str, object]:
        """The JSON contract: ``{"bases": {BASIS: {correlation, r2, mad}}, "ranking"}``."""
        def number(value: float) -> float | None:
            return float(value) if np.isfinite(value) else None

        bases = {str(k): {"correlation": number(row.correlation), "r2": number(row.r2),
                          "mad": number(row.mad)}
                 for k, row in self.table.iterrows()}
        return {"bases": bases, "ranking": self.ranking}


def content_statistics(price: np.ndarray, content: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Correlation of logs, R² and MAD of price against content, for many bases at once.

    Parameters
    ----------
    price : ndarray, shape (n,)
        Total price of each sector (gross output).
    content : ndarray, shape (n, k)
        Total content of each sector in each of k bases (not yet rescaled).

    Returns
    -------
    correlation, r2, mad, count : ndarray, shape (k,)
        NaN where fewer than two sectors compare or a logarithm has no variance.

    Examples
    --------
    Content proportional to price predicts it perfectly:

    >>> c, r2, mad, m = content_statistics(np.array([1.0, 2, 4]), np.array([[2.0], [4], [8]]))
    >>> float(c[0]), float(mad[0]), int(m[0])
    (1.0, 0.0, 3)
    """
    price = np.asarray(price, float)
    content = np.asarray(content, float)
    total = content.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = content * (price.sum() / total)            # both totals equal
        both = (price[:, None] > 0) & (scaled > 0) & np.isfinite(scaled)
        count = both.sum(axis=0)
        log_p = np.where(both, np.log(np.where(price[:, None] > 0, price[:, None], 1.0)), 0.0)
        log_c = np.where(both, np.log(np.where(both, scaled, 1.0)), 0.0)
        mean_p = log_p.sum(axis=0) / count
        mean_c = log_c.sum(axis=0) / count
        dp = np.where(both, log_p - mean_p, 0.0)
        dc = np.where(both, log_c - mean_c, 0.0)
        covariance = (dp * dc).sum(axis=0)
        spread = np.sqrt((dp * dp).sum(axis=0) * (dc * dc).sum(axis=0))
        tiny = 1e-12 * np.maximum(np.abs(log_p).max(axis=0, initial=0), 1.0)
        correlation = np.where((count >= 2) & (spread > tiny), covariance / spread, np.nan)
        correlation = np.clip(correlation, -1.0, 1.0)
        ratio = np.where(both, price[:, None] / np.where(both, scaled, 1.0), 1.0)
        mad = np.where(count >= 1, np.abs(ratio - 1.0).sum(axis=0) / count, np.nan)
    return correlation, correlation ** 2, mad, count


def value_bases(economy: Economy, block: int = BLOCK) -> ValueBases:
    """Every value basis of a table (labour and each produced input), ranked by how well
    its vertically integrated content predicts prices.

    A sector is a basis when it is produced (``x_b > 0``) and is an input somewhere (row
    ``b`` of A has a non-zero entry); the others embody nothing and are left out.

    Parameters
    ----------
    economy : Economy
        With labour coefficients (``economy.labour`` not None).
    block : int
        Right-hand sides per solve.

    Raises
    ------
    ValueError
        Without a labour proxy (the caller chooses value added explicitly).
    """
    labour = economy.labour
    if labour is None:
        raise ValueError("the table has no labour proxy; take labour from value added")
    n = economy.n
    A = sp.csr_matrix(economy.A)
    inputs = np.flatnonzero((np.diff(A.indptr) > 0) & (economy.x > 0)
                            & (np.asarray(abs(A).sum(axis=1)).ravel() > 0))
    # I - A factorised once by the package's Leontief solver; its transposed solves
    # give (I - A)' V = C' for every block of right-hand sides
    system = LeontiefSystem(economy.A, method="splu")
    At = sp.csc_matrix(A.T)                  # column b of A' is the row b of A
    price = economy.x.astype(float)
    keys = np.concatenate([[-1], inputs])    # -1 stands for labour
    parts = []
    for start in range(0, len(keys), block):
        chunk = keys[start:start + block]
        rhs = np.empty((n, len(chunk)))
        sector = chunk >= 0
        rhs[:, ~sector] = labour[:, None]
        rhs[:, sector] = At[:, chunk[sector]].toarray()
        content = system.solve(rhs, transposed=True) * price[:, None]
        parts.append(np.column_stack(content_statistics(price, content)))
    stats = np.vstack(parts) if parts else np.empty((0, 4))
    sectors = economy.sectors
    index = [LABOUR] + [str(economy.ids[j]) for j in inputs.tolist()]
    frame = pd.DataFrame({
        "code": [LABOUR] + sectors["code"].iloc[inputs].astype(str).tolist(),
        "name": [_labour_name(economy.labour_source)]
        + sectors["name"].iloc[inputs].astype(str).tolist(),
        "correlation": stats[:, 0], "r2": stats[:, 1], "mad": stats[:, 2],
        "sectors": stats[:, 3].astype(int), "labour": [True] + [False] * len(inputs)},
        index=pd.Index(index, name="basis"))
    order = np.lexsort((frame["mad"].fillna(np.inf).to_numpy(),
                        -frame["r2"].fillna(-np.inf).to_numpy()))
    frame = frame.iloc[order]
    frame.insert(list(frame.columns).index("sectors"), "rank", np.arange(1, len(frame) + 1))
    return ValueBases(frame, economy.labour_source or "va")


def _labour_name(source: str | None) -> str:
    return {"compensation": "labour (compensation of employees)",
            "va": "value added (not labour: wages, profits and taxes)"}.get(
                source or "", f"labour ({source})")

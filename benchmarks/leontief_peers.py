"""Leontief and labour values against pymrio on the real tables, and against the sparse
mat-vec bandwidth bound at 10^6 sectors.

    python benchmarks/leontief_peers.py [--data ../shared/data/io] [--repeat 3]
                                        [--million 1000000] [--no-tables]

Tables: every folder of ``--data`` holding a ``Z.csv``, loaded with `load_economy` (with
``labour="va"`` where the table has no compensation). Timed, best of ``--repeat``:

* ours: `accounts(economy)` from a cold economy (``A`` rebuilt each time): gross output for
  the table's own final demand, labour values and output multipliers;
* pymrio: ``IOSystem(Z, Y, x)`` from DataFrames (made once, outside the timing) with one
  extension ``labour`` (the labour proxy's totals), ``calc_all()`` (A, the dense
  Leontief inverse L, S and the multipliers M), then ``calc_x_from_L(L, y)``.

Agreement: the largest relative difference of gross output (for the table's own y) and
of labour values against pymrio's labour multipliers ``M``, over sectors with output.

Million: a random productive ``A`` (``--million`` sectors, 10 nonzeros per column, column
sums in [0.5, 0.85)), labour coefficients in [0.1, 1); times our labour-values solve
(`LeontiefSystem(A).solve(l, transposed=True)`, which is what `labour_values` does;
the method it chooses is printed) against ``k x`` one ``A.T @ v`` mat-vec, ``k`` the
number of steps it took: the bound for any iteration that does one product a step.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.economy.leontief import LeontiefSystem, accounts
from kantorovich.economy.table import load_economy


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, out = np.inf, None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _cold(economy: Any) -> Any:
    for name in ("A", "inverse_output", "labour"):
        economy.__dict__.pop(name, None)
    return economy


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    keep = np.isfinite(a) & np.isfinite(b)
    scale = np.maximum(np.abs(b[keep]), 1e-300)
    return float(np.max(np.abs(a[keep] - b[keep]) / scale, initial=0.0))


def table(folder: Path, repeat: int) -> dict[str, Any]:
    import pymrio
    e = load_economy(folder)
    proxy = e.labour_source
    if e.labour is None:
        e = load_economy(folder, labour="va")
        proxy = "va"
    n = e.n
    regions = e.sectors["region"].fillna("").astype(str).replace("", "R").to_numpy()
    idx = pd.MultiIndex.from_arrays([regions, [f"s{i}" for i in range(n)]],
                                    names=["region", "sector"])
    Z = pd.DataFrame(e.Z.toarray(), index=idx, columns=idx)
    Y = pd.DataFrame({("R", "y"): e.y}, index=idx)
    Y.columns = pd.MultiIndex.from_tuples(Y.columns, names=["region", "category"])
    x = pd.DataFrame({"indout": e.x}, index=idx)
    F = pd.DataFrame([e.va[proxy].to_numpy(float)], index=["labour"], columns=idx)

    def ours() -> Any:
        return accounts(_cold(e))

    def peer() -> tuple[Any, Any]:
        io = pymrio.IOSystem(Z=Z.copy(), Y=Y.copy(), x=x.copy(),
                             labour={"name": "labour", "F": F.copy()})
        io.calc_all()
        out = pymrio.calc_x_from_L(io.L, io.Y.sum(axis=1))
        return io, out

    t_ours, acc = _best(ours, repeat)
    t_peer, (io, x_peer) = _best(peer, repeat)
    produced = e.x > 0
    x_ours = acc.output.to_numpy(float)
    v_ours = acc.labour_values.to_numpy(float)
    v_peer = io.labour.M.loc["labour"].to_numpy(float)
    xp = np.asarray(x_peer, float).ravel()
    return {"table": folder.name, "n": n, "nnz": e.Z.nnz, "proxy": proxy,
            "method": acc.method, "ours": t_ours, "pymrio": t_peer,
            "x_rel": _rel(x_ours[produced], xp[produced]),
            "v_rel": _rel(v_ours[produced], v_peer[produced])}


def million(n: int, per_col: int, repeat: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    cols = np.repeat(np.arange(n), per_col)
    rows = rng.integers(0, n, size=n * per_col)
    vals = rng.random(n * per_col) + 0.01
    A = sp.csc_matrix((vals, (rows, cols)), shape=(n, n))
    A.sum_duplicates()
    sums = np.asarray(A.sum(axis=0)).ravel()
    target = rng.uniform(0.5, 0.85, size=n)
    A = (A @ sp.diags(target / sums)).tocsc()
    l = rng.uniform(0.1, 1.0, size=n)
    print(f"\nmillion: n = {n:,}, nnz = {A.nnz:,}, max column sum "
          f"{np.asarray(A.sum(axis=0)).max():.3f}, built in {time.perf_counter() - t0:.2f} s")

    try:
        LeontiefSystem(A)
        method = "auto"
    except TypeError as exc:   # kantorovich bug at n > SPLU_MAX: np.matrix.max(initial=)
        print(f"  LeontiefSystem(A) with method='auto' fails: TypeError: {exc}; "
              "timing method='iteration' (what auto picks for this bound)")
        method = "iteration"

    def ours() -> tuple[np.ndarray, str, float]:
        s = LeontiefSystem(A, method)
        v = s.solve(l, transposed=True)
        return v, s.method, s.residual(v, l, transposed=True)

    t_ours, (v, how, res) = _best(ours, repeat)
    Acsr = sp.csr_matrix(A)
    vec = rng.random(n)
    t_mv, _ = _best(lambda: Acsr.T @ vec, max(repeat, 5))       # A' (a CSC view) @ v
    At = Acsr.T.tocsr()
    t_mv2, _ = _best(lambda: At @ vec, max(repeat, 5))          # A' stored as CSR @ v
    t_tr, _ = _best(lambda: Acsr.T.tocsr(), repeat)
    steps = int(how.split("(")[1].split()[0]) if "(" in how else 0
    bytes_mv = A.nnz * (8 + 4) + 3 * n * 8
    print(f"  ours ({how}): {t_ours:.3f} s, residual {res:.1e}")
    print(f"  one A.T @ v: {t_mv:.4f} s (CSC view), {t_mv2:.4f} s (CSR); "
          f"~{bytes_mv / t_mv2 / 1e9:.1f} GB/s on {bytes_mv / 1e6:.0f} MB")
    if steps:
        print(f"  bound: {steps} steps x {t_mv2:.4f} s = {steps * t_mv2:.3f} s (CSR), "
              f"{steps * t_mv:.3f} s (CSC view); transpose to CSR {t_tr:.3f} s")
        print(f"  ours / bound (CSR): {t_ours / (steps * t_mv2):.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2]
                                          / "shared" / "data" / "io"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--million", type=int, default=1_000_000)
    ap.add_argument("--per-col", type=int, default=10)
    ap.add_argument("--no-tables", action="store_true")
    args = ap.parse_args()
    if not args.no_tables:
        from importlib.metadata import version
        print(f"pymrio {version('pymrio')}")
        print(f"{'table':24} {'n':>5} {'nnz':>8} {'labour':>12} {'method':>7} "
              f"{'ours s':>8} {'pymrio s':>9} {'ratio':>6} {'x rel':>8} {'v rel':>8}")
        for folder in sorted(p.parent for p in Path(args.data).glob("*/Z.csv")):
            r = table(folder, args.repeat)
            print(f"{r['table']:24} {r['n']:5d} {r['nnz']:8d} {r['proxy']:>12} "
                  f"{r['method']:>7} {r['ours']:8.4f} {r['pymrio']:9.4f} "
                  f"{r['pymrio'] / r['ours']:6.1f} {r['x_rel']:8.1e} {r['v_rel']:8.1e}")
    if args.million:
        million(args.million, args.per_col, args.repeat)


if __name__ == "__main__":
    main()

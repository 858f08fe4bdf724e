"""Planned economies of any size, made by disaggregating a real input-output table.

`generate_economy` splits the sectors of a real table (an `Economy`) into ``n`` products
and gives each product ``K`` techniques; `GeneratedEconomy.write` writes the result as an
ordinary plan (``plan.yaml`` naming Parquet tables), which ``kantorovich solve`` reads.
Random uniform links are not an economy, so every feature of the generated one is taken
from the real table:

============================  ==========================================================
feature of the plan           where it comes from in the real table
============================  ==========================================================
products per sector           gross output ``x``: sector j gets ``n_j`` products in
                              proportion to ``x_j`` (largest remainders), at least one
                              for every sector with output; sectors with ``x_j = 0`` get
                              none. Product sizes inside a sector are lognormal (firm
                              and product sizes are skewed), summing to ``x_j``.
hubs (energy, transport,      row density of A: a sector whose coefficient is at least
trade, finance)               `HUB_THRESHOLD` in at least `HUB_DENSITY` of the sectors
                              with output is an input to most of the economy (US detail
                              2017: monetary authorities, real estate, truck transport,
                              electric power, management of companies, legal services).
                              The densest `MAX_HUBS` of them keep their role: their
                              largest ``hub_products`` products are bought by *every*
                              product of every sector that buys from the hub
                              (``A_ij > 0``), sharing ``A_ij`` by size, so hub rows stay
                              dense as in the table (a dense row per hub product).
other suppliers               the column of A: each product draws
                              ``ceil(degree ln n)`` suppliers, the sector i of each draw
                              with probability ``A_ij / sum_i A_ij`` over the non-hub
                              inputs of its sector j, the product within sector i in
                              proportion to size (big products sell to more buyers).
                              Each draw carries ``1/draws`` of the column total, so the
                              expected input from sector i is ``A_ij``; repeated draws
                              merge, so the number of non-zeros grows like ``n log n``.
coefficients                  lognormal noise (mean 1, ``noise`` = its sigma) on every
                              coefficient; then each product's column is renormalised
                              to its sector's column sum times a mean-1 lognormal
                              factor (sigma 0.1), capped at `BASE_CAP`.
labour                        ``l_j`` = compensation of employees / ``x_j`` (value
                              added where the table has no compensation, e.g. OECD and
                              WIOD: said in ``info``), times mean-1 lognormal noise
                              (sigma 0.2). The labour supply is the table's total.
techniques                    technique 1 is the disaggregated table's. Technique
                              ``k > 1`` scales labour by ``f`` and every material
                              coefficient by ``f ** -trade_off``, ``f = exp(+-r)``,
                              ``r`` uniform in [0.1, 0.5] per product, the sign
                              alternating (2: more labour, fewer materials; 3: the
                              reverse; ...). No technique uses less of everything than
                              another, so which is cheapest depends on the prices.
final demand (the basket)     the table's final demand ``y_j`` shared over sector j's
                              products like output, divided by its total: the counts are
                              shares summing to 1, so the number of sets is final demand
                              in money at the table's prices (about the table's total
                              with its own techniques, more with a choice of technique)
                              and shadow prices are of order 1 (counts in money would
                              make them ~1e-7, below the solver's dual tolerance).
                              Negative final demand (net imports, inventory draw-downs)
                              is floored at 0: those products are left out of the
                              basket (``info`` counts them and the demand floored).
============================  ==========================================================

Negative intermediate entries of the table (a few small BEA entries) are dropped. The
economy is productive for *every* choice of techniques: each technique's material column
sums to at most `TECHNIQUE_CAP` < 1, so the spectral radius of any technique matrix is
at most that (the largest column sum bounds it). The base cap `BASE_CAP` < `TECHNIQUE_CAP`
keeps a capped material-heavy technique above its base, so the trade-off survives the cap.

Everything is vectorised (numpy, scipy.sparse, pyarrow compute): no Python loop runs per
product or flow, only per hub and per technique. The same table, size and seed always give
the same plan.

Examples
--------
>>> from kantorovich.economy.table import Economy
>>> e = Economy.from_arrays([[150, 500], [200, 100]], [350, 1700], compensation=[650, 1400])
>>> g = generate_economy(e, 20, techniques=2, seed=1)
>>> g
<GeneratedEconomy: 20 products from 2 sectors, 2 techniques, 40 processes, ...>
>>> g.products_per_sector.tolist(), g.labour_supply
([7, 13], 2050.0)
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import scipy.sparse as sp
import yaml

from kantorovich.economy.table import Economy
from kantorovich.errors import PlanError, Problem

__all__ = ["GeneratedEconomy", "generate_economy"]

log = logging.getLogger(__name__)

#: id of the one primary good
LABOUR = "labour"
#: a coefficient at least this large makes a sector an input of its buyer, for hub detection
HUB_THRESHOLD = 1e-3
#: a hub is an input (at `HUB_THRESHOLD`) to at least this share of the sectors with output
HUB_DENSITY = 0.8
#: at most this many hub sectors, the densest rows first
MAX_HUBS = 6
#: a product's base material column sums to at most this
BASE_CAP = 0.9
#: any technique's material column sums to at most this (so every choice is productive)
TECHNIQUE_CAP = 0.95
#: sigma of the lognormal sizes of products within a sector
SIZE_SIGMA = 1.0
#: sigma of the mean-1 lognormal factors on a product's column total and its labour
COLUMN_SIGMA, LABOUR_SIGMA = 0.1, 0.2
#: technique factors f = exp(+-r), r uniform in this range
TRADE_RANGE = (0.1, 0.5)
#: processes are numbered by int32 codes in the flows table
MAX_PROCESSES = 2**31 - 1


@dataclass(frozen=True, eq=False)
class GeneratedEconomy:
    """A disaggregated economy: products, their techniques and the basket, as arrays.

    Parameters
    ----------
    product_ids : pyarrow.StringArray
        One id per product, ``CODE.k`` (the sector's code, ``REGION-CODE`` in a
        multi-regional table, and the product's number within it, from 1).
    sector : ndarray of int
        Position (row of ``sectors.csv``) of each product's sector; products are sorted by it.
    materials : scipy.sparse.csc_matrix, shape (n, n)
        Base (technique 1) material coefficients: column q holds what product q uses
        per unit of output.
    labour : ndarray
        Base labour coefficient of each product.
    labour_factor, material_factor : ndarray, shape (n, K)
        Technique k of product q uses ``labour[q] * labour_factor[q, k]`` labour and
        ``materials[:, q] * material_factor[q, k]`` materials.
    basket : ndarray
        Each product's share of the table's final demand (summing to 1; 0: not in
        the basket), so one set is one unit of money's worth of final demand in the
        table's proportions.
    labour_supply : float
        Total labour of the table, in its unit.
    sector_labels, sector_names : list of str
        Label used in ids and name of every sector of the table.
    unit : str
        Money unit of the table (products are measured in it at the table's prices).
    info : dict
        What was done: sizes, hubs, the labour proxy, negative entries and final demand
        dropped, the seed.
    """

    product_ids: pa.Array
    sector: np.ndarray
    materials: sp.csc_matrix
    labour: np.ndarray
    labour_factor: np.ndarray
    material_factor: np.ndarray
    basket: np.ndarray
    labour_supply: float
    sector_labels: list[str]
    sector_names: list[str]
    unit: str
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of products."""
        return len(self.labour)

    @property
    def techniques(self) -> int:
        """Techniques per product (K)."""
        return self.labour_factor.shape[1]

    @property
    def products_per_sector(self) -> np.ndarray:
        """Products of each sector of the table (0 for a sector without output)."""
        return np.bincount(self.sector, minlength=len(self.sector_labels))

    @property
    def flow_count(self) -> int:
        """Rows of the flows table: per technique, its materials, labour and output."""
        per_product = np.diff(self.materials.indptr) + 1 + (self.labour > 0)
        return int(per_product.sum()) * self.techniques

    def __repr__(self) -> str:
        return (f"<GeneratedEconomy: {self.n} products from {self.info.get('sectors_used')} "
                f"sectors, {self.techniques} techniques, {self.n * self.techniques} "
                f"processes, {self.flow_count} flows, {len(self.info.get('hubs', []))} hubs>")

    # ---- techniques ----------------------------------------------------------------
    def technique(self, k: int) -> tuple[sp.csc_matrix, np.ndarray]:
        """Material matrix and labour coefficients when every product uses technique ``k``
        (0-based): for Leontief checks (``(I - A_k) x = y``)."""
        A = self.materials.copy()
        A.data = A.data * np.repeat(self.material_factor[:, k], np.diff(A.indptr))
        return A, self.labour * self.labour_factor[:, k]

    # ---- tables --------------------------------------------------------------------
    def process_ids(self) -> pa.Array:
        """``PRODUCT.tk`` for technique k = 1..K of every product, product-major."""
        K = self.techniques
        products = self.product_ids.take(pa.array(np.repeat(np.arange(self.n), K)))
        suffix = pa.DictionaryArray.from_arrays(
            pa.array(np.tile(np.arange(K, dtype=np.int32), self.n)),
            pa.array([f"t{k + 1}" for k in range(K)])).cast(pa.string())
        return pc.binary_join_element_wise(products, suffix, ".")

    def good_ids(self) -> pa.Array:
        """The products' ids, then ``labour``."""
        return pa.concat_arrays([self.product_ids, pa.array([LABOUR])])

    def flow_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The flows table as codes and amounts, grouped by process.

        Returns
        -------
        process, good : ndarray of int32
            Positions in `process_ids` and `good_ids`.
        input, output : ndarray of float
            Amounts per unit of level: each process makes one unit of its product
            (``output`` 1), uses its labour and its materials (``input``).
        """
        n, K = self.n, self.techniques
        M = self.materials
        nnz = np.diff(M.indptr)
        has_labour = self.labour > 0
        rows = np.repeat(nnz + 1 + has_labour, K)              # per process
        start = np.zeros(n * K + 1, dtype=np.int64)
        np.cumsum(rows, out=start[1:])
        total = int(start[-1])
        process = np.empty(total, dtype=np.int32)
        good = np.empty(total, dtype=np.int32)
        amount_in = np.zeros(total)
        amount_out = np.zeros(total)
        products = np.arange(n)
        column = np.repeat(products, nnz)
        local = np.arange(M.nnz) - M.indptr[column]
        for k in range(K):                                     # per technique, not per row
            p_index = products * K + k
            first = start[p_index]
            process[first] = p_index                           # output row
            good[first] = products
            amount_out[first] = 1.0
            lab = first[has_labour] + 1                        # labour row
            process[lab] = p_index[has_labour]
            good[lab] = n
            amount_in[lab] = (self.labour * self.labour_factor[:, k])[has_labour]
            at = first[column] + 1 + has_labour[column] + local   # material rows
            process[at] = p_index[column]
            good[at] = M.indices
            amount_in[at] = M.data * self.material_factor[column, k]
        return process, good, amount_in, amount_out

    def tables(self) -> dict[str, pa.Table]:
        """The plan's tables as pyarrow Tables (id columns dictionary-encoded, which
        pandas reads as categoricals): ``goods``, ``processes``, ``flows``, ``basket``."""
        n, K = self.n, self.techniques
        labels_unit = self.unit or "money"
        goods = pa.table({
            "id": self.good_ids(),
            "unit": pa.DictionaryArray.from_arrays(
                pa.array(np.r_[np.zeros(n, np.int32), 1].astype(np.int32)),
                pa.array([f"{labels_unit} of output", f"{labels_unit} of compensation"
                          if self.info.get("labour") == "compensation"
                          else f"{labels_unit} of value added"])),
            "name": _dictionary(np.r_[self.sector, len(self.sector_names)],
                                [*self.sector_names, "Labour"])})
        process_ids = self.process_ids()
        names = [f"{name}: technique {k + 1}" for name in self.sector_names for k in range(K)]
        processes = pa.table({
            "id": process_ids,
            "name": _dictionary(np.repeat(self.sector, K) * K + np.tile(np.arange(K), n),
                                names)})
        process, good, amount_in, amount_out = self.flow_arrays()
        flows = pa.table({
            "process": pa.DictionaryArray.from_arrays(pa.array(process), process_ids),
            "good": pa.DictionaryArray.from_arrays(pa.array(good), self.good_ids()),
            "input": pa.array(amount_in), "output": pa.array(amount_out)})
        chosen = np.flatnonzero(self.basket > 0).astype(np.int32)
        basket = pa.table({
            "good": pa.DictionaryArray.from_arrays(pa.array(chosen), self.product_ids),
            "count": pa.array(self.basket[chosen])})
        return {"goods": goods, "processes": processes, "flows": flows, "basket": basket}

    def plan_document(self) -> dict[str, Any]:
        """The mapping ``plan.yaml`` holds (tables named as Parquet files)."""
        info = self.info
        return {
            "name": f"{Path(info.get('table', 'economy')).name} disaggregated into "
                    f"{self.n:,} products",
            "period": "year",
            "description": (
                f"Generated by kantorovich economy generate from {info.get('table')} "
                f"({info.get('sectors_used')} sectors with output) with seed "
                f"{info.get('seed')}: {self.techniques} techniques per product, hubs "
                f"{', '.join(info.get('hubs', [])) or 'none'}. Products are measured in "
                f"{self.unit or 'money'} of the table's output; labour is "
                f"{info.get('labour')} in the same unit. The basket is the table's final "
                f"demand as shares (negative entries floored at 0): one set is one unit "
                f"of final demand in the table's proportions."),
            "goods": "goods.parquet",
            "processes": "processes.parquet",
            "flows": "flows.parquet",
            "supply": {LABOUR: float(self.labour_supply)},
            "objective": {"maximize_sets": "basket.parquet"},
        }

    def write(self, folder: str | Path, *, inputs: Sequence[str | Path] = ()) -> Path:
        """Write ``plan.yaml``, its four Parquet tables and ``generated.json`` (the
        ``info``) into ``folder``; return the plan file's path.

        As every output folder (`kantorovich.files.output_directory`): all or nothing,
        only into a new, empty or earlier output folder, never through a link or over a
        file kantorovich did not write, nor into a folder holding one of ``inputs``.
        """
        from kantorovich import files

        with files.output_directory(folder, inputs=inputs) as staging:
            for stem, table in self.tables().items():
                # plain pages, zstd: at 10^7 rows 3x faster to write and read than
                # Parquet's dictionary pages for millions of distinct ids, and smaller
                # (the Arrow schema still says dictionary, so pandas reads the ids as
                # categoricals)
                pq.write_table(table, staging / f"{stem}.parquet", compression="zstd",
                               use_dictionary=False)
            (staging / "plan.yaml").write_text(
                yaml.safe_dump(self.plan_document(), sort_keys=False, allow_unicode=True,
                               width=88), encoding="utf-8")
            from kantorovich.serialise import plain

            (staging / "generated.json").write_text(
                json.dumps(plain(self.info), indent=1, allow_nan=False) + "\n",
                encoding="utf-8")
        return Path(folder) / "plan.yaml"

    def frames(self) -> dict[str, Any]:
        """Keyword arguments of `Plan.from_frames` (pandas frames of `tables`)."""
        t = self.tables()
        basket = t["basket"].to_pandas()
        return {"goods": t["goods"].to_pandas(), "processes": t["processes"].to_pandas(),
                "flows": t["flows"].to_pandas(), "supply": {LABOUR: float(self.labour_supply)},
                "objective": {"maximize_sets": dict(zip(basket["good"].astype(str),
                                                        basket["count"], strict=True))},
                "name": self.plan_document()["name"], "period": "year"}

    def to_plan(self) -> Any:
        """The plan in memory, through `Plan.from_frames` (for small ``n``)."""
        from kantorovich.model.plan import Plan

        return Plan.from_frames(**self.frames())


# ---- the generator ----------------------------------------------------------------
def generate_economy(economy: Economy, n: int, *, techniques: int = 3, seed: int = 0,
                     degree: float = 0.5, hubs: int = MAX_HUBS, hub_products: int = 1,
                     noise: float = 0.5, trade_off: float = 1.0) -> GeneratedEconomy:
    """Disaggregate ``economy`` into ``n`` products with ``techniques`` techniques each.

    See the module docstring for how each feature follows the table.

    Parameters
    ----------
    economy : Economy
        The real table.
    n : int
        Number of products; at least the number of sectors with output.
    techniques : int
        Techniques per product (K >= 1).
    seed : int
        Seed of the random generator: the same arguments give the same economy.
    degree : float
        Each product draws ``ceil(degree * ln n)`` non-hub suppliers (at least 1).
    hubs : int
        At most this many hub sectors (0: none), the densest first (``--hubs``).
    hub_products : int
        Products of each hub sector that every buyer uses.
    noise : float
        Sigma of the mean-1 lognormal noise on each coefficient.
    trade_off : float
        Technique k's materials scale by ``f ** -trade_off`` when its labour scales by f.

    Returns
    -------
    GeneratedEconomy

    Raises
    ------
    PlanError
        For a size below the number of sectors, fewer than one technique, more processes
        than `MAX_PROCESSES`, a negative seed or number of hubs, a degree that is not a positive finite
        number (or gives more supplier draws than products), or a table without any
        labour proxy (neither compensation nor value added).
    SizeError
        For a request that cannot fit in the memory available (`kantorovich.sizes`),
        before anything is allocated.
    """
    problems = []
    active = np.flatnonzero(economy.x > 0)
    S = len(active)
    if n < max(S, 1):
        problems.append(Problem(f"-n {n} is fewer products than the {S} sectors with output",
                                path="-n", hint=f"use -n {S} or more: every sector makes a product"))
    if techniques < 1:
        problems.append(Problem(f"--techniques {techniques}: a product needs one",
                                path="--techniques", hint="use 1 or more"))
    elif n >= 1 and n * techniques > MAX_PROCESSES:
        problems.append(Problem(f"-n {n} with --techniques {techniques} is {n * techniques:,} "
                                f"processes, more than a plan holds ({MAX_PROCESSES:,})",
                                path="-n", hint="use fewer products or techniques"))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        problems.append(Problem(f"--seed {seed}: a seed is a whole number, 0 or more",
                                path="--seed", hint="e.g. --seed 0"))
    draws = 0
    if not (isinstance(degree, (int, float)) and math.isfinite(degree) and degree > 0):
        problems.append(Problem(f"--degree {degree}: each product buys from ceil(DEGREE ln n) "
                                "suppliers, so DEGREE is a positive, finite number",
                                path="--degree", hint="e.g. --degree 0.5"))
    else:
        draws = max(1, math.ceil(degree * math.log(max(n, 2))))
        if n >= 1 and draws > n:
            problems.append(Problem(f"--degree {degree:g} gives each product {draws:,} "
                                    f"supplier draws, more than the {n:,} products",
                                    path="--degree", hint=f"use a DEGREE of at most {n / math.log(max(n, 2)):.3g}"))
    for name, value, least in (("noise", noise, 0.0), ("trade_off", trade_off, 0.0)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= least):
            problems.append(Problem(f"{name}={value}: a finite number, {least:g} or more"))
    if isinstance(hubs, bool) or not isinstance(hubs, (int, np.integer)) or hubs < 0:
        problems.append(Problem(f"--hubs {hubs}: the number of hub sectors kept is a whole "
                                "number, 0 or more", path="--hubs",
                                hint=f"e.g. --hubs {MAX_HUBS} (the default) or --hubs 0 "
                                     "(no hubs: every input drawn)"))
    if (isinstance(hub_products, bool) or not isinstance(hub_products, (int, np.integer))
            or hub_products < 1):
        problems.append(Problem(f"hub_products={hub_products}: every hub sector keeps 1 "
                                "or more products"))
    if economy.labour_source is None and "va" not in economy.va.columns:
        problems.append(Problem("the table has neither compensation nor value added",
                                file=economy.files.get("va"), hint="add va.csv"))
    if problems:
        raise PlanError(problems)
    from kantorovich.sizes import check_fits, generated_bytes

    check_fits(generated_bytes(n, techniques, draws), f"-n {n:,} with --techniques {techniques:,}",
               hint="use fewer products or techniques (or a smaller --degree)")
    if economy.labour_source is None:
        economy = economy.with_labour("va")
    rng = np.random.default_rng(seed)

    # products per sector: proportional to gross output, at least one (largest remainders)
    x = economy.x[active]
    quota = (n - S) * x / x.sum()
    counts = np.floor(quota).astype(np.int64)
    short = (n - S) - int(counts.sum())
    counts[np.argsort(-(quota - counts), kind="stable")[:short]] += 1
    counts += 1
    spos = np.repeat(np.arange(S), counts)        # sector position of each product
    first = np.zeros(S + 1, dtype=np.int64)
    np.cumsum(counts, out=first[1:])
    size = rng.lognormal(0.0, SIZE_SIGMA, n)
    share = size / np.bincount(spos, size)[spos]  # product's share of its sector's output

    # the table's coefficients among sectors with output (negative entries dropped)
    A = economy.A.tocsc()[active][:, active].tocsc()
    negative = int((A.data < 0).sum())
    A.data = np.maximum(A.data, 0.0)
    A.eliminate_zeros()
    A.sort_indices()
    column_total = np.asarray(A.sum(axis=0)).ravel()

    # hubs: dense rows of A
    dense = np.asarray((A >= HUB_THRESHOLD).sum(axis=1)).ravel() / S
    sales = np.asarray(A.multiply(x[None, :]).sum(axis=1)).ravel()
    candidates = np.flatnonzero(dense >= HUB_DENSITY)
    order = np.lexsort((-sales[candidates], -dense[candidates]))
    hub_sectors = candidates[order][:max(hubs, 0)]
    is_hub = np.zeros(S, dtype=bool)
    is_hub[hub_sectors] = True

    rows, cols, vals = [], [], []
    for i in hub_sectors:                         # per hub sector: a few dense rows
        members = np.arange(first[i], first[i + 1])
        chosen = members[np.argsort(-size[members], kind="stable")[:hub_products]]
        weight = size[chosen] / size[chosen].sum()
        buyers = np.flatnonzero(A[[i], :].toarray().ravel()[spos] > 0)
        coefficient = A[[i], :].toarray().ravel()[spos[buyers]]
        for h, w in zip(chosen, weight, strict=True):
            rows.append(np.full(len(buyers), h))
            cols.append(buyers)
            vals.append(coefficient * w * _mean_one(rng, noise, len(buyers)))

    # other suppliers: draws by the column of A, then by size within the supplying sector
    R = A.copy()
    R.data[is_hub[R.indices]] = 0.0
    R.eliminate_zeros()
    R.sort_indices()
    rest_total = np.asarray(R.sum(axis=0)).ravel()
    entry_key = _interval_keys(R.indptr, R.data)
    product_key = _interval_keys(first, share)
    buyer = np.repeat(np.flatnonzero(rest_total[spos] > 0), draws)
    j = spos[buyer]
    entry = np.searchsorted(entry_key, j + rng.random(len(buyer)), side="right")
    entry = np.clip(entry, R.indptr[j], R.indptr[j + 1] - 1)
    i = R.indices[entry]
    supplier = np.searchsorted(product_key, i + rng.random(len(buyer)), side="right")
    supplier = np.clip(supplier, first[i], first[i + 1] - 1)
    rows.append(supplier)
    cols.append(buyer)
    vals.append(rest_total[j] / draws * _mean_one(rng, noise, len(buyer)))
    del buyer, j, entry, i, supplier

    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    del rows, cols, vals
    keep = r != c                                 # no product buys from itself
    M = sp.csc_matrix((v[keep], (r[keep], c[keep])), shape=(n, n))  # repeats merge
    del r, c, v, keep
    M.sort_indices()
    target = np.minimum(column_total[spos] * _mean_one(rng, COLUMN_SIGMA, n), BASE_CAP)
    have = np.asarray(M.sum(axis=0)).ravel()
    scale = np.divide(target, have, out=np.zeros(n), where=have > 0)
    M.data *= np.repeat(scale, np.diff(M.indptr))
    M.eliminate_zeros()

    labour_source = economy.labour_source
    coefficients = economy.labour
    assert coefficients is not None    # given above when the table has none
    labour = np.maximum(coefficients[active], 0.0)[spos] * _mean_one(rng, LABOUR_SIGMA, n)
    labour_supply = float(np.maximum(economy.va[labour_source].to_numpy(float), 0).sum())

    # techniques: labour x f, materials x f**-trade_off, no technique dominating another
    f = np.ones((n, techniques))
    for k in range(1, techniques):
        sign = 1.0 if k % 2 else -1.0
        f[:, k] = np.exp(sign * rng.uniform(*TRADE_RANGE, n))
    material_factor = f ** -trade_off
    base_sum = np.asarray(M.sum(axis=0)).ravel()
    limit = np.divide(TECHNIQUE_CAP, base_sum, out=np.full(n, np.inf), where=base_sum > 0)
    material_factor = np.minimum(material_factor, limit[:, None])

    y = economy.y[active]
    final = np.maximum(y, 0.0)[spos] * share
    basket = final / final.sum() if final.sum() > 0 else np.full(n, 1.0 / n)

    sectors = economy.sectors
    code = sectors["code"].astype(str).to_numpy()
    region = (sectors["region"].astype(str).to_numpy() if "region" in sectors
              else np.full(len(code), ""))
    labels = np.where(region != "", np.char.add(np.char.add(region.astype(str), "-"),
                                                 code.astype(str)), code)
    if len(set(labels)) != len(labels):           # codes repeat: fall back to ids
        labels = np.array([f"s{i}" for i in sectors.index])
    sector_labels = [str(s) for s in labels]
    number = pa.array(np.arange(n) - first[spos] + 1).cast(pa.string())
    product_ids = pc.binary_join_element_wise(
        pa.array(sector_labels).take(pa.array(active[spos])), number, ".")

    info = {
        "table": str(economy.source), "seed": seed, "products": n,
        "techniques": techniques, "processes": n * techniques,
        "sectors": int(economy.n), "sectors_used": S,
        "sectors_without_output": int(economy.n - S),
        "products_per_sector": {"min": int(counts.min()), "max": int(counts.max())},
        "hubs": [str(sectors["name"].iloc[active[h]]) for h in hub_sectors],
        "hub_rule": (f"coefficient >= {HUB_THRESHOLD:g} in >= {HUB_DENSITY:.0%} of the "
                     f"sectors, the {hubs} densest; {hub_products} product(s) each"),
        "supplier_draws": draws, "material_nonzeros": int(M.nnz),
        "labour": labour_source, "labour_supply": labour_supply,
        "negative_coefficients_dropped": negative,
        "negative_final_demand_sectors": int((y < 0).sum()),
        "negative_final_demand_floored": float(-y[y < 0].sum()),
        "basket_products": int((basket > 0).sum()),
        "final_demand": float(final.sum()),
        "unit": economy.unit,
    }
    log.info("generated %d products from %s: %d material coefficients, hubs %s",
             n, economy.source, M.nnz, info["hubs"])
    return GeneratedEconomy(
        product_ids=product_ids, sector=active[spos], materials=M, labour=labour,
        labour_factor=f, material_factor=material_factor, basket=basket,
        labour_supply=labour_supply, sector_labels=sector_labels,
        sector_names=[str(s) for s in sectors["name"]], unit=economy.unit, info=info)


def _dictionary(codes: np.ndarray, values: list[str]) -> pa.DictionaryArray:
    """``values[codes]`` as a dictionary array (its dictionary unique, as pandas needs)."""
    position, unique = pd.factorize(pd.Index(values))
    return pa.DictionaryArray.from_arrays(pa.array(position[codes].astype(np.int32)),
                                          pa.array(np.asarray(unique, dtype=object)))


def _mean_one(rng: np.random.Generator, sigma: float, size: int) -> np.ndarray:
    """Lognormal factors with mean 1."""
    if sigma <= 0:
        return np.ones(size)
    return rng.lognormal(-sigma * sigma / 2.0, sigma, size)


def _interval_keys(indptr: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sorted keys for sampling within groups: group g's entries cover ``(g, g + 1]`` in
    proportion to their weights, so ``searchsorted(keys, g + u, "right")`` draws an entry
    of group g with probability proportional to its weight (u uniform in [0, 1))."""
    groups = len(indptr) - 1
    group = np.repeat(np.arange(groups), np.diff(indptr))
    running = np.cumsum(weights, dtype=float)
    before = np.r_[0.0, running][indptr[:-1]]
    total = np.r_[0.0, running][indptr[1:]] - before
    within = running - before[group]
    keys = group + np.divide(within, total[group], out=np.ones_like(within),
                             where=total[group] > 0)
    last = indptr[1:][np.diff(indptr) > 0] - 1
    keys[last] = group[last] + 1.0
    return keys

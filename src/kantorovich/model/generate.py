"""Large synthetic plans, built as whole tables with numpy (no object per process).

`synthetic_plan` makes an economy of tiered goods: a few *primary* goods (available as
supply, never made), intermediate goods, and *final* goods (made, never used, valued by
the objective). Every process makes one good from 2-4 goods of lower tiers, one of them
primary (like labour); it belongs to a production unit, and units lie in regions. The
plan is feasible and bounded by construction:

* the baseline is a Leontief balance: it delivers a positive net output of every made
  good (one sparse triangular solve, goods being ordered by tier), runs every process at
  10-40% of its capacity, and uses 67-91% of each primary good's supply, so it
  satisfies every goods row, and the optimum is limited by the primary goods;
* every policy is stated with a right-hand side the baseline satisfies;
* every level has a finite capacity, so the optimum is bounded.

It exists for benchmarks and scale tests; the same seed always gives the same plan.
`write_plan_csv` writes such a plan as a YAML file naming CSV tables, the form large plans
take on disk.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp
import yaml
from scipy.sparse.linalg import spsolve_triangular

from kantorovich.model.plan import Objective, Plan, Policy
from kantorovich.model.rules import parse_rule

__all__ = ["synthetic_plan", "write_plan_csv"]

_GOOD_UNITS = np.array(["t", "kWh", "hour", "m3", "piece"], dtype=object)
_MAX_INPUTS = 4
_STR = pd.Series(["x"]).dtype   # what this pandas makes of a column of strings


def _strings(ids: np.ndarray, codes: np.ndarray | None = None) -> object:
    """The column ``ids[codes]`` in pandas' own string dtype. Where that is Arrow-backed
    (pandas 3) the strings are gathered by Arrow, not turned into Python objects one by
    one; otherwise an object array."""
    if isinstance(_STR, pd.StringDtype) and _STR.storage == "pyarrow":
        array = pa.array(ids, type=pa.large_string())
        if codes is not None:
            array = array.take(pa.array(codes))
        return pd.Series(array, dtype=_STR, copy=False).array
    return ids if codes is None else ids[codes]


def _ids(prefix: str, n: int) -> np.ndarray:
    """``prefix`` + zero-padded 0..n-1, as an object array (one C pass, no Python loop)."""
    width = len(str(max(n - 1, 0)))
    digits = np.strings.zfill(np.arange(n).astype(f"U{width}"), width)
    return np.strings.add(prefix, digits).astype(object)


def _distinct_inputs(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray,
                     k: np.ndarray) -> np.ndarray:
    """Per row ``i``, ``k[i]`` distinct goods from ``[lo[i], hi[i])`` (needs hi - lo >= 4);
    unused slots are -1."""
    n = len(lo)
    span = (hi - lo)[:, None]
    # k sorted draws from [0, span - 3) plus 0, 1, 2, 3 are strictly increasing: distinct
    draws = rng.integers(0, span - (_MAX_INPUTS - 1), size=(n, _MAX_INPUTS))
    draws.sort(axis=1)
    goods = lo[:, None] + draws + np.arange(_MAX_INPUTS)
    # keep a random k of the four slots, not always the lowest goods
    order = np.argsort(rng.random((n, _MAX_INPUTS)), axis=1)
    goods = np.take_along_axis(goods, order, axis=1)
    goods[np.arange(_MAX_INPUTS) >= k[:, None]] = -1
    return goods


def synthetic_plan(n_processes: int, n_goods: int | None = None, *, seed: int = 0,
                   policies: int = 0) -> Plan:
    """A random, feasible and bounded plan with ``n_processes`` processes.

    Parameters
    ----------
    n_processes : int
        Number of processes (columns of the LP). Each has one output, 2-4 inputs, a
        finite capacity and a unit: 4 flows per process on average.
    n_goods : int, optional
        Number of goods (rows), at least 8 and at most ``n_processes`` plus the primary
        goods; default ``max(12, n_processes // 10)``.
    seed : int
        Seed of the random generator; equal seeds give equal plans.
    policies : int
        Number of policies over units and regions (output of a good in a region at
        least 80% of the baseline's, input of a primary good by a unit at most 120%,
        a process level at least half its baseline, net output of a final good at least
        90%), all satisfied by the baseline.

    Returns
    -------
    Plan
        Goods ``g..`` (the first few primary, with supply), units ``u..`` in regions
        ``r..``, processes ``p..``, an objective maximising the value of the final goods,
        and the baseline levels.

    Examples
    --------
    >>> import kantorovich as k
    >>> from kantorovich.model.generate import synthetic_plan
    >>> plan = synthetic_plan(40, seed=1, policies=4)
    >>> plan
    <Plan 'synthetic-40': 12 goods, 2 units, 40 processes, 160 flows, 4 policies, maximize g11>
    >>> result = k.solve(plan)
    >>> result.status, result.certificate.verified
    (<Status.OPTIMAL: 'optimal'>, True)
    >>> from kantorovich.lp.compile import compile_plan
    >>> at_baseline = compile_plan(plan).objective @ plan.baseline.to_numpy()
    >>> bool(result.objective >= at_baseline > 0)
    True
    """
    n_proc = int(n_processes)
    n_good = max(12, n_proc // 10) if n_goods is None else int(n_goods)
    n_primary = max(4, min(50, n_good // 20))
    n_final = max(1, n_good // 20)
    if n_proc < 1:
        raise ValueError("n_processes must be at least 1")
    if n_good < 8:
        raise ValueError("n_goods must be at least 8")
    if n_good - n_primary > n_proc:
        raise ValueError(f"{n_good} goods need at least {n_good - n_primary} processes "
                         "(every good that is not primary needs a process making it)")
    if policies < 0:
        raise ValueError("policies cannot be negative")
    rng = np.random.default_rng(seed)
    n_made = n_good - n_primary
    n_inner = n_good - n_final           # goods that may be used as inputs
    window = max(n_primary, n_good // 10)  # inputs come from the `window` goods below

    # -- processes: output good and inputs ------------------------------------------------
    out_good = np.empty(n_proc, dtype=np.int64)
    out_good[:n_made] = n_primary + rng.permutation(n_made)     # every made good has a maker
    out_good[n_made:] = rng.integers(n_primary, n_good, size=n_proc - n_made)
    hi = np.minimum(out_good, n_inner)
    lo = np.maximum(0, hi - window)
    n_inputs = rng.integers(2, _MAX_INPUTS + 1, size=n_proc)
    in_good = _distinct_inputs(rng, lo, hi, n_inputs)           # (n_proc, 4), -1 unused
    # like labour, a primary good goes into every process: above the first tier (whose
    # window holds the primary goods) the first input is one
    above = lo >= n_primary
    in_good[above, 0] = rng.integers(0, n_primary, size=int(above.sum()))
    used = in_good >= 0
    in_amount = np.where(used, rng.uniform(0.05, 0.35, size=in_good.shape), 0.0)
    out_amount = rng.uniform(0.8, 1.2, size=n_proc)

    # -- the baseline: a Leontief balance --------------------------------------------------
    # Each made good's gross output y is split among its makers by random shares; the
    # baseline delivers a net output d > 0 of every made good: y = d + A y, where
    # A[j, g] is the input of good j per unit of good g. Inputs come from lower goods, so
    # A is strictly upper triangular and one triangular solve gives y.
    share = rng.uniform(0.2, 1.0, size=n_proc)
    share /= np.bincount(out_good, weights=share, minlength=n_good)[out_good]
    per_unit = share / out_amount                               # level per unit of y[out]
    rows_j = in_good[used]
    cols_g = np.repeat(out_good, _MAX_INPUTS).reshape(in_good.shape)[used]
    A = sp.csr_matrix(((in_amount * per_unit[:, None])[used], (rows_j, cols_g)),
                      shape=(n_good, n_good))
    net = np.zeros(n_good)
    net[n_primary:n_inner] = rng.uniform(0.5, 5.0, size=n_inner - n_primary)
    net[n_inner:] = rng.uniform(50.0, 150.0, size=n_final)
    gross = spsolve_triangular((sp.identity(n_good, format="csr") - A).tocsr(), net,
                               lower=False)
    baseline = per_unit * gross[out_good]
    capacity = baseline / rng.uniform(0.1, 0.4, size=n_proc)   # baseline at 10-40%
    min_level = np.where(rng.random(n_proc) < 0.01, 0.5 * baseline, 0.0)
    use = np.asarray(A @ gross)                                 # primary use at baseline
    supply = np.zeros(n_good)
    supply[:n_primary] = use[:n_primary] * rng.uniform(1.1, 1.5, size=n_primary)

    n_units = max(2, n_proc // 25)
    n_regions = max(1, int(np.sqrt(n_units)))
    proc_unit = rng.integers(0, n_units, size=n_proc)
    unit_region = rng.integers(0, n_regions, size=n_units)

    # -- tables -----------------------------------------------------------------------
    good_ids, proc_ids = _ids("g", n_good), _ids("p", n_proc)
    unit_ids, region_ids = _ids("u", n_units), _ids("r", n_regions)
    goods = pd.DataFrame({"name": _strings(good_ids),
                          "unit": _strings(_GOOD_UNITS, np.arange(n_good) % 5),
                          "supply": supply, "demand": 0.0},
                         index=pd.Index(good_ids, name="good", dtype=object))
    units = pd.DataFrame({"name": _strings(unit_ids),
                          "region": _strings(region_ids, unit_region)},
                         index=pd.Index(unit_ids, name="unit", dtype=object))
    processes = pd.DataFrame({"name": _strings(proc_ids),
                              "unit": _strings(unit_ids, proc_unit),
                              "min_level": min_level, "capacity": capacity},
                             index=pd.Index(proc_ids, name="process", dtype=object))
    # flows in process order: the inputs, then the output, of each process
    good_mat = np.column_stack([in_good, out_good])
    input_mat = np.column_stack([np.where(used, in_amount, 0.0), np.zeros(n_proc)])
    output_mat = np.column_stack([np.zeros(in_good.shape), out_amount])
    keep = (good_mat >= 0).ravel()
    flow_proc = np.repeat(np.arange(n_proc), _MAX_INPUTS + 1)[keep]
    flow_good = good_mat.ravel()[keep]
    flows = pd.DataFrame({"process": _strings(proc_ids, flow_proc),
                          "good": _strings(good_ids, flow_good),
                          "input": input_mat.ravel()[keep],
                          "output": output_mat.ravel()[keep]})

    weights = pd.Series(np.round(rng.uniform(1.0, 3.0, n_final), 2),
                        index=pd.Index(good_ids[n_inner:], name="good", dtype=object),
                        name="weight")
    objective = Objective("maximize", weights, "value")
    base = pd.Series(baseline, index=processes.index.copy(), name="level")
    rules = _policies(rng, policies, flow_proc, flow_good, flows, baseline,
                      proc_unit, unit_region, n_primary, n_inner, n_good,
                      good_ids, unit_ids, region_ids, proc_ids)
    return Plan(name=f"synthetic-{n_proc}", goods=goods, units=units, processes=processes,
                flows=flows, objective=objective, policies=rules, baseline=base,
                period="year", extra={"generator": {"n_processes": n_proc,
                                                    "n_goods": n_good, "seed": seed,
                                                    "policies": policies}})


def _policies(rng: np.random.Generator, count: int, flow_proc: np.ndarray,
              flow_good: np.ndarray, flows: pd.DataFrame, baseline: np.ndarray,
              proc_unit: np.ndarray, unit_region: np.ndarray, n_primary: int,
              n_inner: int, n_good: int, good_ids: np.ndarray, unit_ids: np.ndarray,
              region_ids: np.ndarray, proc_ids: np.ndarray) -> tuple[Policy, ...]:
    """``count`` rules, each satisfied at the baseline (rhs computed from it)."""
    if count == 0:
        return ()
    level = baseline[flow_proc]
    out_at_base = flows["output"].to_numpy() * level
    in_at_base = flows["input"].to_numpy() * level
    flow_unit = proc_unit[flow_proc]
    flow_region = unit_region[flow_unit]
    is_out = out_at_base > 0
    is_primary_in = (in_at_base > 0) & (flow_good < n_primary)
    out_rows = np.flatnonzero(is_out & (flow_good < n_inner))
    in_rows = np.flatnonzero(is_primary_in)
    made = np.bincount(flow_good, weights=out_at_base - in_at_base, minlength=n_good)
    result = []
    for i in range(count):
        kind = i % 4
        if kind == 0:    # a region keeps making a good
            f = out_rows[rng.integers(len(out_rows))]
            g, r = flow_good[f], flow_region[f]
            rhs = 0.8 * out_at_base[(flow_good == g) & (flow_region == r)].sum()
            text = f"output({good_ids[g]}, region={region_ids[r]}) >= {float(rhs)!r}"
            name = f"{region_ids[r]} keeps making {good_ids[g]}"
        elif kind == 1:  # a unit's use of a primary good is capped
            f = in_rows[rng.integers(len(in_rows))]
            g, u = flow_good[f], flow_unit[f]
            rhs = 1.2 * in_at_base[(flow_good == g) & (flow_unit == u)].sum()
            text = f"input({good_ids[g]}, unit={unit_ids[u]}) <= {float(rhs)!r}"
            name = f"{unit_ids[u]} uses at most {good_ids[g]}"
        elif kind == 2:  # a process keeps running
            p = int(rng.integers(len(baseline)))
            text = f"level({proc_ids[p]}) >= {float(0.5 * baseline[p])!r}"
            name = f"{proc_ids[p]} keeps running"
        else:            # a final good's target
            g = int(rng.integers(n_inner, n_good))
            text = f"net({good_ids[g]}) >= {float(0.9 * made[g])!r}"
            name = f"target for {good_ids[g]}"
        result.append(Policy(f"rule-{i:03d}", parse_rule(text), name))
    return tuple(result)


def write_plan_csv(plan: Plan, directory: str | Path, *, name: str = "plan.yaml") -> Path:
    """Write ``plan`` as ``goods.csv``, ``units.csv``, ``processes.csv``, ``flows.csv``,
    ``supply.csv`` and a YAML file naming them; return the YAML file's path.

    Reading the YAML back with :func:`kantorovich.load_plan` gives the same linear
    program. The baseline is not written (a plan file holds it as a mapping, which does
    not scale), nor is an objective constant.

    Examples
    --------
    >>> import tempfile, kantorovich as k
    >>> from kantorovich.model.generate import synthetic_plan, write_plan_csv
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_plan_csv(synthetic_plan(40, policies=2), folder)
    ...     sorted(p.name for p in path.parent.glob('*.*') if p.name[0] != '.')
    ...     k.load_plan(path)
    ['flows.csv', 'goods.csv', 'plan.yaml', 'processes.csv', 'supply.csv', 'units.csv']
    <Plan 'synthetic-40': 12 goods, 2 units, 40 processes, 168 flows, 2 policies, maximize g11>
    """
    from kantorovich.files import output_directory

    # through the output folder's rules: marker, staging, no symlinks or FIFOs
    with output_directory(directory) as folder:
        goods = plan.goods
        pd.DataFrame({"id": goods.index, "name": goods["name"].to_numpy(),
                      "unit": goods["unit"].to_numpy(), "demand": goods["demand"].to_numpy()}
                     ).to_csv(folder / "goods.csv", index=False)
        supplied = goods["supply"].to_numpy(float) != 0
        pd.DataFrame({"good": goods.index[supplied],
                      "amount": goods["supply"].to_numpy(float)[supplied]}
                     ).to_csv(folder / "supply.csv", index=False)
        pd.DataFrame({"id": plan.units.index, "name": plan.units["name"].to_numpy(),
                      "region": plan.units["region"].to_numpy()}
                     ).to_csv(folder / "units.csv", index=False)
        procs = plan.processes
        pd.DataFrame({"id": procs.index, "name": procs["name"].to_numpy(),
                      "unit": procs["unit"].to_numpy(), "min_level": procs["min_level"].to_numpy(),
                      "capacity": procs["capacity"].to_numpy()}
                     ).to_csv(folder / "processes.csv", index=False)
        plan.flows[["process", "good", "input", "output"]].to_csv(folder / "flows.csv",
                                                                  index=False)
        objective = plan.objective
        document: dict[str, object] = {
            "name": plan.name, "period": plan.period,
            "goods": "goods.csv", "units": "units.csv", "processes": "processes.csv",
            "flows": "flows.csv", "supply": "supply.csv",
            "objective": {objective.sense: {str(g): float(w)
                                            for g, w in objective.weights.items()},
                          **({"unit": objective.unit} if objective.unit else {})},
        }
        if plan.policies:
            document["policies"] = {p.id: {"rule": p.rule.text, **({"name": p.name}
                                                                   if p.name else {})}
                                    for p in plan.policies}
        (folder / name).write_text(yaml.safe_dump(document, sort_keys=False),
                                   encoding="utf-8")
    return Path(directory) / name

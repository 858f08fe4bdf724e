"""The certificate on Netlib's LPs: every answer HiGHS proves optimal must be verified.

Netlib's LP collection (public; e.g. the ``.mps.gz`` files of COIN-OR's Data-Netlib) is
not shipped with the project: point the script at a folder of ``.mps`` or ``.mps.gz``
files. Each is read as a plan (`kantorovich.io.load_plan`), solved by `kantorovich.solve`
and compared with raw HiGHS on the same compiled program; the script prints one line per
problem and exits 1 when any problem raw HiGHS solves to optimality is not verified by
our certificate, or ends with another objective.

    python benchmarks/netlib.py ../shared/data/netlib            # every file there
    python benchmarks/netlib.py DIR --smallest 45                # the 45 smallest
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import tempfile
import time
from pathlib import Path

import highspy
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from raw_highs import highs_model  # noqa: E402

import kantorovich as k  # noqa: E402
from kantorovich.io import load_plan  # noqa: E402


def _raw(lp: object) -> tuple[str, float]:
    """Raw HiGHS on the compiled program: its status and objective."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(highs_model(lp))
    h.run()
    return h.modelStatusToString(h.getModelStatus()), h.getInfo().objective_function_value


def _mps(path: Path, folder: Path) -> Path:
    """``path`` itself, or its unpacked copy in ``folder`` when it is gzipped."""
    if path.suffix != ".gz":
        return path
    target = folder / path.stem
    with gzip.open(path, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--smallest", type=int, default=0,
                        help="only the N smallest files (0: all)")
    args = parser.parse_args(argv)
    files = sorted((p for p in args.folder.iterdir()
                    if p.name.endswith((".mps", ".mps.gz"))), key=lambda p: p.stat().st_size)
    if args.smallest:
        files = files[:args.smallest]
    if not files:
        print(f"no .mps or .mps.gz files in {args.folder}", file=sys.stderr)
        return 2
    wrong: list[str] = []
    verified = 0
    print(f"{'problem':<10} {'status':<11} {'objective':>18} {'raw HiGHS':>18} "
          f"{'primal':>8} {'dual':>8} {'slack':>8} {'gap':>8} {'s':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            name = path.name.split(".")[0]
            start = time.perf_counter()
            result = k.solve(load_plan(_mps(path, Path(tmp))))
            seconds = time.perf_counter() - start
            raw_status, raw_objective = _raw(result.lp)
            cert = result.certificate
            verified += bool(cert is not None and cert.verified)
            print(f"{name:<10} {result.status.value:<11} {result.objective:>18.10g} "
                  f"{raw_objective:>18.10g} "
                  + (" ".join(f"{v:>8.1e}" for v in (
                      cert.primal_infeasibility, cert.dual_infeasibility,
                      cert.complementary_slackness, cert.duality_gap))
                     if cert is not None else f"{'':>35}")
                  + f" {seconds:>6.2f}", flush=True)
            if raw_status == "Optimal" and (
                    not result.is_optimal or not np.isclose(
                        result.objective, raw_objective, rtol=1e-6, atol=1e-9)):
                wrong.append(name)
    print(f"{verified} of {len(files)} verified")
    if wrong:
        print("solved by raw HiGHS but not verified here (or another objective): "
              + ", ".join(wrong))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

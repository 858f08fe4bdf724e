"""Sweeps and Monte Carlo: families of plans solved on Dask, streamed to disk.

* `grid`: ``--vary KEY=START:STOP:COUNT`` parsed and checked against the plan;
* `runner`: a generic Dask runner (a pure function over keyed points, each finished point
  written at once, reruns computing only what is missing); the laboratory uses it too;
* `store`: the on-disk store of finished points inside an output directory;
* `point`: one grid point solved warm (objective, shadow prices, rule prices and costs);
* `sample`: uncertain yields, the spread of the optimum and moves, a robust plan;
* `charts`: a rule's efficiency–equity frontier as an offline HTML page;
* `plan_sweep`: all of it for one plan (``kantorovich sweep``); `command`: the CLI.

Nothing is imported here, so that ``kantorovich --help`` stays light.
"""

"""The planning table: a served what-if page over warm sessions (``kantorovich serve``).

* `inputs`: the numbers a planner may move, under the sweeps' keys; the top ones of a
  large plan and a search;
* `pool`: warm sessions for many requests at once, one solve on each at a time;
* `requests`: what a request may ask, checked (400, 413, 422) before any solve;
* `page`: the page (the report beside its inputs) and its script;
* `app`: the Starlette application and its routes (`app.create_app`);
* `command`: ``kantorovich serve`` (uvicorn).

Nothing is imported here, so that ``kantorovich --help`` stays light.
"""

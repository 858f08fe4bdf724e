"""The planning table: a served what-if page over warm sessions (``kantorovich serve``).

`create_app` makes the web application of a `SessionPool`; the command
(`kantorovich.serve.command`) serves it with uvicorn. See `kantorovich.serve.app` for
the routes.
"""

from kantorovich.serve.app import create_app
from kantorovich.serve.pool import SessionPool

__all__ = ["SessionPool", "create_app"]

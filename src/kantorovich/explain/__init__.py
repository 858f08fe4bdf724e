"""Explanations: the baseline and its moves, what rules cost, and the plan in sentences.

The package is callable: ``kantorovich.explain(result)`` gives the sentences
(`kantorovich.explain.story.explain`), so the public name and the folder share the
domain word, and ``kantorovich.explain.story`` and its neighbours stay importable.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallableExplain(types.ModuleType):
    def __call__(self, result: Any, analyses: Any = None) -> Any:
        """The plan explained in sentences; see `kantorovich.explain.story.explain`."""
        from kantorovich.explain.story import explain

        return explain(result, analyses)


sys.modules[__name__].__class__ = _CallableExplain

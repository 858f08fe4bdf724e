"""Public names imported on first use: the one helper behind every package's facade.

A package lists each public name with the module that defines it and takes its
``__getattr__`` and ``__dir__`` from `lazy_names`::

    _HOME = {"Economy": "kantorovich.economy.table", ...}
    __getattr__, __dir__ = lazy_names(__name__, _HOME)

so that ``kantorovich --help`` costs no pandas, scipy or HiGHS, while ``from
kantorovich.economy import Economy`` works as if the name were defined there. The
package's ``if TYPE_CHECKING:`` block imports the same names for type checkers.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__all__ = ["lazy_names"]


def lazy_names(package: str, homes: Mapping[str, str]
               ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose public names live in the
    modules ``homes`` names: a name is imported on first use and kept in the package."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(homes))

    return __getattr__, __dir__

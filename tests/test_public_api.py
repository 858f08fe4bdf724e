"""The public surface is small and deliberate: `__all__` is guarded here."""

from __future__ import annotations

import kantorovich


def test_exported_members() -> None:
    assert sorted(kantorovich.__all__) == sorted([
        "Certificate", "KantorovichError", "Objective", "Plan", "PlanError", "PlanResult",
        "PlanStatusError", "Policy", "Problem", "Session", "Status", "analyse",
        "explain", "load_plan", "moves", "policy_costs", "replan", "solve",
        "write_report",
    ])
    for name in kantorovich.__all__:
        assert getattr(kantorovich, name).__module__.startswith("kantorovich")


def test_the_package_says_it_is_typed() -> None:
    """PEP 561: ``py.typed`` beside the package, and listed for the build to ship."""
    import tomllib
    from pathlib import Path

    assert (Path(kantorovich.__file__).parent / "py.typed").is_file()
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["kantorovich"]


def test_errors_share_one_base_with_codes() -> None:
    for cls in (kantorovich.PlanError, kantorovich.PlanStatusError):
        assert issubclass(cls, kantorovich.KantorovichError)
    assert kantorovich.PlanError.exit_code == 2
    assert kantorovich.PlanStatusError.exit_code == 1


def test_only_the_adapter_imports_highspy() -> None:
    # Only the HiGHS adapter imports highspy: the solver session (lp/highs.py) and MPS
    # files through HiGHS's reader and writer (lp/mps_io.py); the rest speaks of goods,
    # prices and policies.
    from pathlib import Path

    src = Path(kantorovich.__file__).parent
    importers = sorted(str(p.relative_to(src)) for p in src.rglob("*.py")
                       if "import highspy" in p.read_text())
    assert importers == ["lp/highs.py", "lp/mps_io.py"]


# -- layers and cycles ---------------------------------------------------------------------
#: Every package and top-level module, bottom first: a module imports only from its own
#: layer or those below, at module level or inside a function alike. Imports under
#: ``if TYPE_CHECKING:`` never run and are left out. ``kantorovich`` itself, the top
#: package's facade over every layer, sits with the command line; from inside the
#: package only its ``__version__`` may be imported from it (its top imports nothing
#: but `kantorovich._lazy` and the empty ``kantorovich.explain``).
LAYERS = [
    {"_lazy", "errors", "numbers", "serialise", "sizes", "cli_style", "number_table"},
    {"files"},
    {"model"},
    {"lp"},
    {"io"},
    {"results"},
    {"explain"},
    {"report"},
    {"economy"},
    {"sweep"},
    {"lab"},
    {"serve"},
    {"cli", "kantorovich", "__main__"},
]

#: Module cycles allowed, each with why: none (the one between lp/structure.py and
#: lp/merit.py went with the solving chain, issue 16).
ALLOWED_CYCLES: list[set[str]] = []


def _module_imports() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports at run time
    (at its top or inside a function; not under ``if TYPE_CHECKING:``)."""
    import ast
    from pathlib import Path

    src = Path(kantorovich.__file__).parent
    modules = {}
    for path in src.rglob("*.py"):
        parts = list(path.relative_to(src.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        typing_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and "TYPE_CHECKING" in ast.unparse(block.test)
                       for statement in block.body for node in ast.walk(statement)}
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules
                           else base for alias in node.names]
                if base == "kantorovich":
                    bad = [a.name for a in node.names if a.name != "__version__"
                           and f"kantorovich.{a.name}" not in modules]
                    assert not bad, f"{name} imports {bad} through the top package's facade"
            elif (isinstance(node, ast.Call) and ast.unparse(node.func).endswith(
                    "import_module") and node.args
                  and isinstance(node.args[0], ast.Constant)):
                targets = [str(node.args[0].value)]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.add(target)
        graph[name] = found
    return graph


def _layer(module: str) -> int:
    part = module.split(".")[1] if "." in module else "kantorovich"
    return next(i for i, layer in enumerate(LAYERS) if part in layer)


def test_every_package_is_in_a_layer() -> None:
    for module in _module_imports():
        _layer(module)                      # StopIteration: a package not in LAYERS


def test_layers_import_downwards_only() -> None:
    """model -> lp -> io -> results -> explain -> report -> economy -> sweep -> lab ->
    cli: nothing imports a layer above its own, not even inside a function (the facade's
    ``__version__`` aside, checked in `_module_imports`)."""
    upward = sorted(f"{a} imports {b}" for a, targets in _module_imports().items()
                    for b in targets if _layer(b) > _layer(a) and b != "kantorovich")
    assert upward == []


def test_modules_form_no_import_cycle() -> None:
    graph = _module_imports()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[set[str]] = []

    def visit(v: str) -> None:             # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(component)

    for v in graph:
        if v not in index:
            visit(v)
    assert [c for c in cycles if c not in ALLOWED_CYCLES] == []


def test_the_layer_check_sees_imports_inside_functions() -> None:
    graph = _module_imports()
    # kantorovich.model.plan imports its readers only inside functions
    assert "kantorovich.model.load" in graph["kantorovich.model.plan"]
    # and a TYPE_CHECKING import is not one (model.changes names Plan only for types)
    assert "kantorovich.model.plan" not in graph["kantorovich.model.changes"]


def test_write_report_from_python(tmp_path) -> None:
    from pathlib import Path

    plan = kantorovich.load_plan(Path(__file__).parents[1] / "examples" / "leningrad.yaml")
    page = kantorovich.write_report(kantorovich.solve(plan), tmp_path / "plan.html")
    text = page.read_text(encoding="utf-8")
    assert 'id="kantorovich-data"' in text and "6,670,667" in text

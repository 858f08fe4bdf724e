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


def test_errors_share_one_base_with_codes() -> None:
    for cls in (kantorovich.PlanError, kantorovich.PlanStatusError):
        assert issubclass(cls, kantorovich.KantorovichError)
    assert kantorovich.PlanError.exit_code == 2
    assert kantorovich.PlanStatusError.exit_code == 1


def test_only_the_adapter_imports_highspy() -> None:
    # Only lp/highs.py may import highspy; the rest speaks of goods, prices and policies.
    from pathlib import Path

    src = Path(kantorovich.__file__).parent
    importers = sorted(str(p.relative_to(src)) for p in src.rglob("*.py")
                       if "import highspy" in p.read_text())
    assert importers == ["lp/highs.py"]


def test_layers_import_downwards_only() -> None:
    # model -> lp -> results -> explain -> report -> cli: nothing imports a layer above it.
    import re
    from pathlib import Path

    order = ["model", "lp", "results", "explain", "report"]
    src = Path(kantorovich.__file__).parent
    for level, layer in enumerate(order):
        for path in (src / layer).rglob("*.py"):
            imported = set(re.findall(r"^\s*(?:from|import) kantorovich\.(\w+)",
                                      path.read_text(), flags=re.M))
            above = imported & set(order[level + 1:])
            assert not above, f"{path.relative_to(src)} imports {above}"


def test_write_report_from_python(tmp_path) -> None:
    from pathlib import Path

    plan = kantorovich.load_plan(Path(__file__).parents[1] / "examples" / "leningrad.yaml")
    page = kantorovich.write_report(kantorovich.solve(plan), tmp_path / "plan.html")
    text = page.read_text(encoding="utf-8")
    assert 'id="kantorovich-data"' in text and "6,670,667" in text

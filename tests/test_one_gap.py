"""One duality gap (and one set of certificate residuals): the certificate's numbers, as
the terminal, the sentences, the JSON summary and the report page all write them."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from conftest import EXAMPLES
from rich.console import Console

import kantorovich as k
from kantorovich.explain.story import explain
from kantorovich.numbers import residual
from kantorovich.report.html import report_page
from kantorovich.report.summary import summary
from kantorovich.report.terminal import print_result
from kantorovich.results.result import with_certificate


@pytest.fixture(scope="module")
def leningrad() -> k.PlanResult:
    return k.solve(k.load_plan(EXAMPLES / "leningrad.yaml"))


def _everywhere(result: k.PlanResult) -> dict[str, str]:
    """The duality gap as each output writes it."""
    out = io.StringIO()
    print_result(result, Console(file=out, width=200, color_system=None))
    terminal = re.search(r"duality gap (\S+)", out.getvalue()).group(1)
    sentence = re.search(r"duality gap (\S+)\.", explain(result).text()).group(1)
    data = summary(result)["certificate"]["duality_gap"]
    page = report_page(result)
    shown = re.search(r'data-path="\[&quot;certificate&quot;, &quot;duality_gap&quot;\]"'
                      r'[^>]*>([^<]+)<', page).group(1)
    return {"terminal": terminal, "sentence": sentence, "json": residual(data),
            "page": shown}


def test_the_gap_of_a_plan_solved_exactly_is_zero_everywhere(leningrad) -> None:
    # the objective and its dual bound differ by 1.9 loaves' rounding in 6.7 million
    cert = leningrad.certificate
    assert cert.primal_objective != cert.dual_objective
    assert cert.duality_gap == 0.0
    assert set(_everywhere(leningrad).values()) == {"0.0e+00"}


def test_a_small_gap_reads_the_same_everywhere(leningrad) -> None:
    # a residual under the summary's rounding of zero (1e-9) is still the certificate's
    cert = dataclasses.replace(leningrad.certificate,
                               duality_gap=3.2e-12)
    result = with_certificate(k.solve(leningrad.plan), cert)
    assert set(_everywhere(result).values()) == {"3.2e-12"}

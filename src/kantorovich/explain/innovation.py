"""A proposed technique in one sentence, in the explanation's style (numbers from
`kantorovich.results.pricing`)."""

from __future__ import annotations

import numpy as np

from kantorovich.model.plan import Plan
from kantorovich.numbers import fmt, quantity
from kantorovich.results.pricing import ProcessPrice
from kantorovich.serialise import clean

__all__ = ["process_sentence"]


def _amount(plan: Plan, good: str, value: float) -> str:
    unit = plan.good_unit(good)
    return f"{quantity(value, unit)} of {good}" if unit else f"{fmt(value)} {good}"


def _per_level(plan: Plan, price: ProcessPrice) -> str:
    """What one unit of level is: a unit input's own unit ("per t of wheat")."""
    for good, amount in price.process.inputs.items():
        if amount == 1.0 and good != price.good:
            unit = plan.good_unit(good)
            return f"per {unit} of {good}" if unit else f"per {good}"
    return "per unit of level"


def process_sentence(plan: Plan, price: ProcessPrice) -> str:
    """One sentence: what the process would add or lose at the plan's prices, whether
    it would enter, and otherwise the coefficient it would need.

    Examples
    --------
    "Milling at Mill No. 7 making 0.7 t of flour per t of wheat would lose 35 loaves per
    unit of level at the plan's prices: it would need 0.721 t of flour per t of wheat
    (3% more) to enter the plan."
    """
    per = _per_level(plan, price)
    verb = "making" if price.side == "output" else "using"
    head = (f"{price.process.label} {verb} {_amount(plan, price.good, price.coefficient)} "
            f"{per}")
    rc = float(clean([price.reduced_cost], scale=max(1.0, abs(price.slope)))[0])
    worth = quantity(abs(rc), price.objective_unit)
    if price.enters:
        text = (f"{head} would add {worth} per unit of level at the plan's prices: it "
                "would enter the plan.")
    elif not np.isfinite(price.break_even):
        text = (f"{head} would {'lose' if rc < 0 else 'add'} {worth} per unit of level "
                f"at the plan's prices: no {price.side} of {price.good} makes it enter "
                f"({price.good} has no price that pays for it here).")
    else:
        change = abs(price.change) * 100
        direction = "more" if price.break_even > price.coefficient else "less"
        text = (f"{head} would lose {worth} per unit of level at the plan's prices: it "
                f"would need {_amount(plan, price.good, price.break_even)} {per} "
                f"({fmt(float(f'{change:.2g}'))}% {direction}) to enter the plan.")
    if not price.prices_unique:
        text += (" The prices of " + ", ".join(price.not_unique) + " are intervals (the "
                 "optimum is degenerate), so this holds at the solver's prices, not at "
                 "every optimal price.")
    if price.checked is True:
        text += " Re-solving with it added confirms the threshold."
    elif price.checked is False:
        text += " Re-solving with it added does not confirm the threshold exactly."
    return text

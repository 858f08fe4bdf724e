"""The plan file schema (pydantic), the single source of the published JSON Schema.

Files are validated against these models; large tables (and an objective's weights or
counts) may instead be CSV or Parquet files named by path, which `model.load` reads as
whole columns rather than model by model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo,
                      field_validator, model_validator)
from pydantic_core import PydanticCustomError

__all__ = [
    "BaselineSpec", "GoodSpec", "ObjectiveSpec", "PlanSpec", "PolicySpec", "ProcessSpec",
    "PublishedPlanSpec", "StockSpec", "StorableSpec", "TerminalSpec", "UnitSpec",
]



def _not_a_boolean(value: object) -> object:
    """Refuse booleans where a number belongs: pydantic would read ``capacity: yes`` (a
    YAML boolean) as 1.0. Everything else goes on to pydantic's float, which keeps ints
    and the number spellings plan files already use."""
    if isinstance(value, bool):
        raise PydanticCustomError("boolean_number",
                                  "expected a number, got the boolean {value}",
                                  {"value": str(value).lower()})
    return value


_REAL = BeforeValidator(_not_a_boolean)

Number = Annotated[float, _REAL]
"""A real number: an int or a float, never a boolean."""

Amount = Annotated[float, Field(ge=0, allow_inf_nan=True), _REAL]
"""A non-negative quantity; ``.inf`` allowed where the schema says so."""

LARGEST = 1e15
"""Coefficients must stay below this: HiGHS reads 1e20 and above as infinity, and numbers
that large next to ordinary ones leave nothing a double can resolve."""

Demand = Annotated[float, Field(allow_inf_nan=False), _REAL]
"""A demand: finite, and negative where the plan gives the good out."""

Coefficient = Annotated[float, Field(ge=0, lt=LARGEST, allow_inf_nan=False), _REAL]
"""An input or output per unit of level: finite and non-negative."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nan(cls, value: object) -> object:
        if isinstance(value, float) and math.isnan(value):
            raise ValueError("NaN is not a number a plan can use")
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, float) and math.isnan(item):
                    raise ValueError(f"{key}: NaN is not a number a plan can use")
        return value


class GoodSpec(_Strict):
    """Something produced, used or available: a material, a product, labour, money."""

    unit: str = Field("", description="Unit of measure, e.g. t, loaf, hour.")
    name: str | None = Field(None, description="Human-readable name.")
    regions: list[str] | None = Field(
        None, min_length=1,
        description="Declare the good once per place (a region of some unit, or a unit "
                    "id): ids good@place, e.g. wheat@North.")


class UnitSpec(_Strict):
    """A production unit (enterprise); processes belong to units, units to regions."""

    name: str | None = None
    region: str | None = None


class ProcessSpec(_Strict):
    """An activity: per unit of level it uses `inputs` and makes `outputs`."""

    unit: str | None = Field(None, description="The production unit that runs it.")
    name: str | None = None
    inputs: dict[str, Coefficient] = Field(default_factory=dict)
    outputs: dict[str, Coefficient] = Field(default_factory=dict)
    capacity: Amount | None = Field(None, description="Upper bound on the level.")
    min_level: Amount = Field(0.0, description="Lower bound on the level.")
    level_unit: str = Field("", description="What one unit of level is, e.g. ha, shift.")

    @model_validator(mode="after")
    def _bounds_in_order(self) -> ProcessSpec:
        if self.capacity is not None and self.min_level > self.capacity:
            raise ValueError(
                f"min_level {self.min_level:g} is above capacity {self.capacity:g}")
        if math.isinf(self.min_level):
            raise ValueError("min_level cannot be infinite")
        return self


TablePath = Annotated[str, Field(
    pattern=r"(?i)\.(csv|tsv|parquet)$",
    description="Path of a CSV, TSV or Parquet table, relative to the plan file.")]
"""A table named by path; its format is chosen by the extension, in any case."""

SENSES: tuple[Literal["maximize", "minimize", "maximize_sets"], ...] = (
    "maximize", "minimize", "maximize_sets")
"""The objective's senses, each a mapping of good -> weight (or count) or a table."""


class ObjectiveSpec(_Strict):
    """Exactly one of: maximize weighted net output, minimize weighted net use, or
    maximize the number of complete sets (Kantorovich's assortment problem). Weights and
    counts may be a table: columns ``good,weight`` (maximize, minimize) or ``good,count``
    (maximize_sets)."""

    maximize: dict[str, Number] | TablePath | None = Field(
        None, description="Weight per good, or a table with columns good,weight.")
    minimize: dict[str, Number] | TablePath | None = Field(
        None, description="Weight per good, or a table with columns good,weight.")
    maximize_sets: dict[str, Annotated[float, Field(gt=0), _REAL]] | TablePath | None = Field(
        None, description="Count per good in one set, or a table with columns good,count.")
    unit: str | None = Field(None, description="Unit of the objective value, e.g. loaf.")

    @model_validator(mode="after")
    def _exactly_one(self, info: ValidationInfo) -> ObjectiveSpec:
        tables = (info.context or {}).get("objective_tables", ())
        given = [k for k in SENSES if getattr(self, k) or k in tables]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of maximize, minimize or maximize_sets, "
                "each a non-empty mapping of good -> weight or a table")
        for key in given:
            weights = getattr(self, key)
            for good, weight in (weights.items() if isinstance(weights, dict) else ()):
                if not math.isfinite(weight):
                    raise ValueError(f"{key}.{good}: weight must be a finite number")
        return self


class _DocumentObjective(ObjectiveSpec):
    """What `model.load` validates: a sense given as a table is taken out beforehand (and
    named in the validation context as ``objective_tables``), so no field is a union."""

    maximize: dict[str, Number] | None = None
    minimize: dict[str, Number] | None = None
    maximize_sets: dict[str, Annotated[float, Field(gt=0), _REAL]] | None = None


class PolicySpec(_Strict):
    """A named political rule: a linear (in)equality in the rules language."""

    rule: str = Field(description="e.g. input(wheat, mill-3) >= 1000")
    name: str | None = None


class BaselineSpec(_Strict):
    """The plan in force: process levels (processes not named run at level 0)."""

    levels: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False), _REAL]] = Field(
        default_factory=dict)


class PlanSpec(_Strict):
    """A plan: goods, units, processes, availabilities, an objective, policies, a baseline."""

    name: str
    period: str = Field("period", description="What supplies and demands are per.")
    description: str | None = None
    goods: dict[str, GoodSpec] | TablePath = Field(default_factory=dict)
    units: dict[str, UnitSpec] | TablePath = Field(default_factory=dict)
    processes: dict[str, ProcessSpec] | TablePath = Field(default_factory=dict)
    flows: TablePath | None = Field(
        None, description="Table of process,good,input,output amounts per unit of level.")
    supply: Mapping[str, Amount | dict[str, Amount]] | TablePath = Field(
        default_factory=dict, description="Amount per good; per place for a regional good.")
    demand: Mapping[str, Demand | dict[str, Demand]] | TablePath = Field(
        default_factory=dict, description="Amount per good; per place for a regional good.")
    objective: ObjectiveSpec
    policies: Mapping[str, PolicySpec | str] = Field(default_factory=dict)
    baseline: BaselineSpec | None = None


# -- plans over time (read by `model.horizon`; published here for editors) -----------------
PerPeriod = list[Annotated[float, _REAL]]
"""One number per period, in period order (a plan with ``horizon: T`` takes T)."""


class StockSpec(_Strict):
    """Fixed capital of one good held by a process (a plan over time): each unit of the
    process's level needs ``per_level`` of the stock; the stock loses ``depreciation``
    of itself each period and grows by investment, a use of the good ``lag`` periods
    earlier."""

    per_level: Annotated[float, Field(gt=0, lt=LARGEST), _REAL] = Field(
        description="Stock needed per unit of the process's level.")
    depreciation: Annotated[float, Field(ge=0, le=1), _REAL] = Field(
        description="Share of the stock lost each period, 0 to 1.")
    initial: Annotated[float, Field(ge=0, lt=LARGEST), _REAL] = Field(
        description="The stock in the first period.")
    lag: int = Field(1, ge=0, description="Periods an investment takes to join the stock.")


class StorableSpec(_Strict):
    """A good that may be carried from one period to the next."""

    loss: Annotated[float, Field(ge=0, lt=1), _REAL] = Field(
        0.0, description="Share of what is carried lost each period.")


class TerminalSpec(_Strict):
    """What must be left at the end of the last period."""

    stocks: Literal["initial"] = Field(
        description="Every stock ends at least at its initial level.")


# The published classes below are written out in full rather than as subclasses that
# widen their base's fields: a list of one number per period is not a number, and a
# subclass whose field is wider than its base's is not its base's subtype (mypy).
# tests/test_horizon.py checks that each has every field of its one-period class.
class TimedGoodSpec(GoodSpec):
    storable: StorableSpec | bool | None = Field(
        None, description="Plans over time: the good may be carried to the next period.")


class TimedProcessSpec(_Strict):
    """An activity: per unit of level it uses `inputs` and makes `outputs`; in a plan
    over time its bounds may change by period and it may hold stocks."""

    unit: str | None = Field(None, description="The production unit that runs it.")
    name: str | None = None
    inputs: dict[str, Coefficient] = Field(default_factory=dict)
    outputs: dict[str, Coefficient] = Field(default_factory=dict)
    capacity: Amount | PerPeriod | None = Field(
        None, description="Upper bound on the level; a list: one per period.")
    min_level: Amount | PerPeriod = Field(
        0.0, description="Lower bound on the level; a list: one per period.")
    level_unit: str = Field("", description="What one unit of level is, e.g. ha, shift.")
    stocks: dict[str, StockSpec] = Field(
        default_factory=dict, description="Plans over time: fixed capital per good.")


class TimedObjectiveSpec(_Strict):
    """As `ObjectiveSpec`; in a plan over time a weight or count may be a list of one
    per period, and each period is discounted."""

    maximize: dict[str, Number | PerPeriod] | TablePath | None = Field(
        None, description="Weight per good (a list: one per period), or a table with "
                          "columns good,weight[,period].")
    minimize: dict[str, Number | PerPeriod] | TablePath | None = Field(
        None, description="Weight per good (a list: one per period), or a table with "
                          "columns good,weight[,period].")
    maximize_sets: dict[str, Annotated[float, Field(gt=0), _REAL] | PerPeriod] | TablePath \
        | None = Field(None, description="Count per good in one set (a list: one per "
                                         "period), or a table with columns good,count"
                                         "[,period].")
    unit: str | None = Field(None, description="Unit of the objective value, e.g. loaf.")
    discount: Annotated[float, Field(gt=-1), _REAL] | None = Field(
        None, description="Plans over time: period t is weighted (1 + discount)^-(t-1).")


class TimedBaselineSpec(_Strict):
    """The plan in force: process levels (a list: one per period)."""

    levels: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False), _REAL]
                 | PerPeriod] = Field(default_factory=dict)


class PublishedPlanSpec(_Strict):
    """A plan as editors see it: a one-period plan, or with ``horizon`` a plan over time
    whose amounts may be lists of one number per period."""

    name: str
    period: str = Field("period", description="What supplies and demands are per.")
    description: str | None = None
    horizon: int | None = Field(None, ge=1, description="Plan periods 1..T.")
    goods: dict[str, TimedGoodSpec] | TablePath = Field(default_factory=dict)
    units: dict[str, UnitSpec] | TablePath = Field(default_factory=dict)
    processes: dict[str, TimedProcessSpec] | TablePath = Field(default_factory=dict)
    flows: TablePath | None = Field(
        None, description="Table of process,good,input,output amounts per unit of level.")
    supply: dict[str, Amount | PerPeriod | dict[str, Amount | PerPeriod]] | TablePath = \
        Field(default_factory=dict, description="Amount per good (a list: one per "
                                                "period); per place for a regional good.")
    demand: dict[str, Demand | PerPeriod | dict[str, Demand | PerPeriod]] | TablePath = \
        Field(default_factory=dict, description="Amount per good (a list: one per "
                                                "period); per place for a regional good.")
    objective: TimedObjectiveSpec
    policies: Mapping[str, PolicySpec | str] = Field(default_factory=dict)
    baseline: TimedBaselineSpec | None = None
    stocks: TablePath | None = Field(
        None, description="Plans over time: a table of process,good,per_level,"
                          "depreciation,initial[,lag].")
    terminal: TerminalSpec | None = None


class _DocumentSpec(PlanSpec):
    """What `model.load` validates: table paths are taken out beforehand and policy strings
    turned into mappings, so no field is a union and every error has a plain path."""

    goods: dict[str, GoodSpec] = Field(default_factory=dict)
    units: dict[str, UnitSpec] = Field(default_factory=dict)
    processes: dict[str, ProcessSpec] = Field(default_factory=dict)
    supply: dict[str, Amount] = Field(default_factory=dict)
    demand: dict[str, Demand] = Field(default_factory=dict)
    policies: dict[str, PolicySpec] = Field(default_factory=dict)
    objective: _DocumentObjective


class _PlaceAmounts(_Strict):
    """Supplies and demands given per place (``land: {North: 100}``), which the loader
    validates on their own so that a plain amount's errors keep their plain paths."""

    supply: dict[str, dict[str, Amount]] = Field(default_factory=dict)
    demand: dict[str, dict[str, Demand]] = Field(default_factory=dict)


def json_schema() -> dict[str, object]:
    """The JSON Schema editors use to check plan files as they are typed."""
    schema = PublishedPlanSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "kantorovich plan"
    return schema

"""Plans: the schema of plan files, loading, checks and the rules language."""

from kantorovich.model.plan import Objective, Plan, Policy, load_plan, plan_from_mapping

__all__ = ["Objective", "Plan", "Policy", "load_plan", "plan_from_mapping"]

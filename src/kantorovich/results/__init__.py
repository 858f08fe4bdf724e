"""Solving a plan and reading its valuations: levels, prices, certificate, ranges."""

from kantorovich.results.certificate import Certificate, certify
from kantorovich.results.result import PlanResult, solve

__all__ = ["Certificate", "PlanResult", "certify", "solve"]

"""Staff–customer service ratio (员工与客户服务组合比例): queueing and evidence.

Two complementary answers to "how many customers should each member of staff serve?":

* operational — Erlang C / Erlang A staffing for a service-level target
  (:func:`erlang_c`, :func:`staff_for_service_level`, :func:`staffing_plan`);
* evidence-based — how a survey outcome responds to the customers-per-staff ratio across
  units (:func:`fit_response`), the ratio that maximises net value
  (:func:`optimise_ratio`) and the allocation of a staff budget across units
  (:func:`allocate_staff`);

plus the training/renewal plan that keeps the trained share at target
(:func:`renewal_plan`) and two figures (:func:`plot_curve`, :func:`plot_allocation`).
"""

from __future__ import annotations

from .optimise import RatioOptimum, allocate_staff, optimise_ratio
from .plots import plot_allocation, plot_curve
from .queueing import erlang_c, staff_for_service_level, staffing_plan
from .renewal import renewal_plan
from .response import ResponseFit, fit_response

__all__ = [
    "erlang_c",
    "staff_for_service_level",
    "staffing_plan",
    "fit_response",
    "ResponseFit",
    "optimise_ratio",
    "RatioOptimum",
    "allocate_staff",
    "renewal_plan",
    "plot_curve",
    "plot_allocation",
]

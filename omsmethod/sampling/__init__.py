"""Sampling: sample size, allocation, selection, weighting and design-based estimation.

Public API (tidy DataFrames in and out)::

    sample_size, margin_of_error                      # size.py
    allocate                                          # allocation.py
    select                                            # selection.py
    poststratify, rake, trim_weights, RakeResult,     # weighting.py
    effective_sample_size, weighting_deff, achieved_margin_of_error
    Design                                            # design.py (+ estimation.py)
    Design.poststratify/rake/calibrate                # calibration.py
    Design.replicate, ReplicateDesign                 # replicate.py
    Design.contrast                                   # estimation.contrasts
"""

from __future__ import annotations

from .allocation import allocate
from .design import Design
from .replicate import ReplicateDesign
from .selection import select
from .size import margin_of_error, sample_size
from .weighting import (
    RakeResult,
    achieved_margin_of_error,
    effective_sample_size,
    poststratify,
    rake,
    trim_weights,
    weighting_deff,
)

__all__ = [
    "sample_size",
    "margin_of_error",
    "allocate",
    "select",
    "poststratify",
    "rake",
    "trim_weights",
    "RakeResult",
    "effective_sample_size",
    "weighting_deff",
    "achieved_margin_of_error",
    "Design",
    "ReplicateDesign",
]

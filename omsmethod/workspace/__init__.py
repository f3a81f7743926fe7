"""The engagement workspace: an information database of waves, units, logs and actions.

One DuckDB file holds everything an engagement produces — every wave's responses (each
questionnaire version kept), weights and design, the unit hierarchy and channels,
operational unit data, the information log of claim 7's six categories and the actions
taken — and answers "what changed, where, and is it real?".

Public API::

    Workspace                     # store.py: create/open, import, queries, wrappers
    trend, alerts, project        # tracking.py
    profile, channel_consistency  # segments.py
    export, rebuild               # export.py
    TABLES, SCHEMA_VERSION        # schema.py
"""

from __future__ import annotations

from .schema import SCHEMA_VERSION, TABLES
from .store import DEFAULT_DESIGN, ImportResult, Workspace

__all__ = [
    "Workspace",
    "ImportResult",
    "DEFAULT_DESIGN",
    "SCHEMA_VERSION",
    "TABLES",
    "channel_consistency",
    "profile",
    "trend",
    "alerts",
    "project",
]


def __getattr__(name: str):
    if name in ("channel_consistency", "profile"):
        from . import segments

        return getattr(segments, name)
    if name in ("trend", "alerts", "project"):
        from . import tracking

        return getattr(tracking, name)
    raise AttributeError(name)

"""Client reports: parameterised notebooks executed by papermill, published as HTML.

- :func:`render` runs one notebook with parameters and writes a self-contained report.
- :mod:`omsmethod.report.display` holds what a report notebook calls to show tables and
  figures (bilingual, small groups suppressed, identifiers never shown).
"""

from __future__ import annotations

from .render import render

__all__ = ["render"]

"""Client reports: parameterised notebooks executed by papermill, published as HTML.

- :func:`render` runs one notebook with parameters and writes a self-contained report.
- :func:`batch` renders one report per row of a parameters table, in parallel.
- :func:`publish` writes an ``index.html`` listing the reports of a folder.
- :mod:`omsmethod.report.display` holds what a report notebook calls to show tables and
  figures (bilingual, small groups suppressed, identifiers never shown).
"""

from __future__ import annotations

from .batch import BatchResult, batch
from .publish import publish, report_metadata
from .render import render

__all__ = ["render", "batch", "BatchResult", "publish", "report_metadata"]

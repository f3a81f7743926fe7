"""PDF reports: the HTML report printed by headless Chromium (no LaTeX)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ReportError
from ..files import atomic_path

__all__ = ["print_pdf", "chromium_path"]

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
)


def chromium_path() -> str | None:
    """The headless browser on this machine, if any."""
    return next((p for p in map(shutil.which, _CANDIDATES) if p), None)


def print_pdf(page: str, output: Path, timeout: int = 180) -> Path:
    """Print an HTML page (text) to ``output`` as PDF with headless Chromium."""
    browser = chromium_path()
    if browser is None:
        raise ReportError(
            "PDF output needs Chromium, which is not installed",
            hint="install it (Debian: apt-get install chromium) or use --format html",
        )
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "report.html"
        source.write_text(page, encoding="utf-8")
        with atomic_path(output) as target:
            run = subprocess.run(
                [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
                 f"--print-to-pdf={target}", "--virtual-time-budget=10000", source.as_uri()],
                capture_output=True, text=True, timeout=timeout,
            )
            if run.returncode != 0 or not target.exists() or target.stat().st_size == 0:
                raise ReportError("Chromium could not print the report to PDF",
                                  hint=(run.stderr or "").strip()[-300:] or None)
    return output

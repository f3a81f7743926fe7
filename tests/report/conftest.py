import shutil

import pytest

from omsmethod.report import render


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, root):
    """The sample assessment report in both languages (rendered once per session)."""
    out = tmp_path_factory.mktemp("reports")
    client = 'Acme <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    return {
        lang: render(root / "notebooks" / "assessment_report.ipynb", {"lang": lang, "client": client,
                                                                       "show_free_text": True},
                     out / f"report_{lang}.html", keep_notebook=(lang == "en"))
        for lang in ("en", "zh")
    }


@pytest.fixture(scope="session")
def root():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]


def chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")

"""The report opened as a person would: headless Chromium, offline."""

import pytest

from .conftest import chromium

pytestmark = [pytest.mark.browser, pytest.mark.skipif(chromium() is None, reason="needs Chromium")]


def _visit(path):
    from playwright.sync_api import sync_playwright

    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto(path.as_uri())
        page.wait_for_function("document.querySelectorAll('.plot-container svg').length >= 3", timeout=20000)
        seen = {
            "figures": page.locator(".plotly-graph-div").count(),
            "drawn": page.evaluate(
                "Array.from(document.querySelectorAll('.plotly-graph-div'))"
                ".filter(d => d.querySelector('.plot-container svg')).length"
            ),
            "clean": page.evaluate("window.__pwned === undefined"),
            "text": page.inner_text("body"),
        }
        browser.close()
    return seen, errors, requests


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_in_chromium(rendered, lang):
    seen, errors, requests = _visit(rendered[lang])
    assert seen["figures"] >= 3 and seen["drawn"] == seen["figures"], seen
    assert errors == [], errors
    assert requests == [], requests
    assert seen["clean"], "an injected script ran"
    heading = "三个层面与九个子系统的现状" if lang == "zh" else "Status of the three layers and nine subsystems"
    assert heading in seen["text"]

"""The report opened as a person would: headless Chromium, offline."""

import pytest

from .conftest import chromium

pytestmark = [pytest.mark.browser, pytest.mark.skipif(chromium() is None, reason="needs Chromium")]


def test_report_in_chromium(rendered):
    from playwright.sync_api import sync_playwright

    for lang, path in rendered.items():
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
            figures = page.locator(".plotly-graph-div").count()
            drawn = page.evaluate(
                "Array.from(document.querySelectorAll('.plotly-graph-div'))"
                ".filter(d => d.querySelector('.plot-container svg')).length"
            )
            pwned = page.evaluate("window.__pwned === undefined")
            text = page.inner_text("body")
            browser.close()
        assert figures >= 3 and drawn == figures, (lang, figures, drawn)
        assert errors == [], errors
        assert requests == [], requests
        assert pwned, "an injected script ran"
        if lang == "zh":
            assert "三个层面与九个子系统的现状" in text

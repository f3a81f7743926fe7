"""The documentation site: built offline in English and Chinese, nothing loaded from outside.

The site is built once per test session by ``docs/build.py`` into a temporary folder (the
xdist workers share that build through a lock), or taken from ``OMS_DOCS_BUILD`` when
that points to an existing build (``docs/_build/html`` after ``make docs``). The browser
test opens it from ``file://`` in headless Chromium.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import functools
import http.server
import importlib
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
_spec = importlib.util.spec_from_file_location("oms_docs_build", DOCS / "build.py")
docs_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docs_build)

# Tests that need the built site are slow (one build per session); the checks of the
# sources and of the resource checker itself are fast.
slow = pytest.mark.slow
CODE_CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)```", re.S)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    env = os.environ.get("OMS_DOCS_BUILD")
    if env:
        path = Path(env).resolve()
        if not (path / "en" / "index.html").exists():
            pytest.fail(f"OMS_DOCS_BUILD={env} holds no built site (en/index.html missing)")
        return path
    # one build per session: xdist workers share their parent folder, a plain run its own
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = shared / "oms_docs_site" / "html"
    with open(shared / "oms_docs_site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = out.parent / "built"
        if not done.exists():
            # executed notebooks are cached beside `make docs`'s own cache, so a second
            # session (or `make docs`) only reruns notebooks whose code changed
            cache = DOCS / "_build" / "html_work" / "jupyter_cache"
            run = subprocess.run(
                [sys.executable, str(DOCS / "build.py"), "--out", str(out), "--cache", str(cache), "-q"],
                capture_output=True, text=True, cwd=ROOT,
            )
            if run.returncode:
                pytest.fail(f"docs/build.py failed:\n{run.stdout[-4000:]}\n{run.stderr[-8000:]}")
            done.write_text(run.stdout)
    return out


# ---------------------------------------------------------------------------------------
# the external-resource check itself
# ---------------------------------------------------------------------------------------
PLANTED = {
    "script": '<script src="https://cdn.plot.ly/plotly-2.35.2.min.js"></script>',
    "protocol-relative": '<script src="//cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>',
    "stylesheet": '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Lato">',
    "image": '<img src="http://example.org/logo.png" alt="">',
    "srcset": '<img src="a.png" srcset="a.png 1x, https://example.org/b.png 2x">',
    "inline style": '<div style="background: url(https://example.org/bg.jpg)"></div>',
    "inline require": "<script>require.config({paths: {plotly: 'https://cdn.plot.ly/plotly-2.35.2.min.js'}});</script>",
    "style block": "<style>@font-face { font-family: X; src: url('https://fonts.gstatic.com/x.woff2'); }</style>",
}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_checker_finds_planted_external_resource(tmp_path, name):
    (tmp_path / "page.html").write_text(f"<html><head></head><body>{PLANTED[name]}</body></html>")
    found = docs_build.external_resources(tmp_path)
    assert len(found) == 1 and "page.html" in found[0], found


def test_checker_finds_remote_font_in_css_and_allows_links(tmp_path):
    (tmp_path / "theme.css").write_text(
        "@font-face{src:url(../fonts/a.woff2)}\n"
        "@font-face{src:url(\"https://fonts.gstatic.com/s/lato.woff2\") format('woff2')}\n"
        ".x{background:url(data:image/svg+xml;charset=utf-8,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E)}"
    )
    (tmp_path / "ok.html").write_text(
        '<a href="https://doi.org/10.1007/BF02289823">Feldt 1965</a>'
        '<link rel="canonical" href="https://example.org/x.html">'
        '<script src="_static/plotly.min.js"></script><img src="_static/logo.png">'
        '<script>Plotly.newPlot("x", [], {}, {"plotlyServerURL": "https://plot.ly"})</script>'
    )
    assert docs_build.external_resources(tmp_path) == ["theme.css: url(https://fonts.gstatic.com/s/lato.woff2)"]


# ---------------------------------------------------------------------------------------
# sources (fast: no build needed)
# ---------------------------------------------------------------------------------------
def _pages(lang: str) -> set[str]:
    return {p.relative_to(DOCS / lang).as_posix() for p in (DOCS / lang).rglob("*.md")}


def test_both_languages_have_the_same_pages():
    assert _pages("en") == _pages("zh")
    assert {f"guides/{t}.md" for t in ("method", "questionnaires", "sampling", "anova",
                                       "graphs_models", "workspace", "ratio", "reports")} <= _pages("en")


@pytest.mark.parametrize("page", sorted(p for p in _pages("en") if p.startswith("guides/") and p != "guides/index.md"))
def test_guides_run_the_same_code_in_both_languages(page):
    """A zh guide runs its en twin's code (so translations cannot drift), in zh labels."""
    en = CODE_CELL.findall((DOCS / "en" / page).read_text(encoding="utf-8"))
    zh = CODE_CELL.findall((DOCS / "zh" / page).read_text(encoding="utf-8"))
    assert en, f"{page} has no runnable example"
    # the Chinese page may only ask for Chinese labels
    assert en == [c.replace(', lang="zh"', "") for c in zh], f"the code of {page} differs between en and zh"
    # every oms.<module>.<name> the guide calls exists
    import omsmethod as oms

    for module, name in re.findall(r"\boms\.([a-z_]+)\.([A-Za-z_]+)", "\n".join(en)):
        assert hasattr(getattr(oms, module), name), f"{page}: oms.{module}.{name} does not exist"


def _cited_paths(lang: str) -> list[str]:
    text = (DOCS / lang / "references.md").read_text(encoding="utf-8")
    return re.findall(r"`(tests/[^`\s]+\.(?:py|R))`", text)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reference_table_cites_existing_files(lang):
    cited = _cited_paths(lang)
    assert len(cited) > 20
    missing = [p for p in cited if not (ROOT / p).exists()]
    assert missing == []
    assert sorted(set(cited)) == sorted(set(_cited_paths("en")))


def test_reference_table_names_every_fixture_script():
    cited = set(_cited_paths("en"))
    scripts = {p.relative_to(ROOT).as_posix() for p in docs_build.fixture_scripts()}
    assert scripts, "no fixture scripts found under tests/"
    # the response-file generator writes broken inputs, not reference numbers
    uncited = scripts - cited - {"tests/fixtures/responses/make_fixtures.py"}
    assert uncited == set(), f"add these reference scripts to docs/*/references.md: {sorted(uncited)}"


def test_reference_table_lists_tests_that_compare_with_r():
    """Every test module whose docstring says it checks against R is in the table."""
    cited = set(_cited_paths("en"))
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if re.search(r"\bR\b", doc):  # "against R survey", "vs R", "R (lm / glm)" ...
            assert path.relative_to(ROOT).as_posix() in cited, path


# ---------------------------------------------------------------------------------------
# the built site
# ---------------------------------------------------------------------------------------
@slow
def test_site_loads_nothing_from_outside(site):
    assert docs_build.external_resources(site) == []
    # and it actually bundles what it needs
    for lang in ("en", "zh"):
        assert (site / lang / "_static" / "plotly.min.js").stat().st_size > 1_000_000
        assert (site / lang / "_static" / "mathjax" / "tex-chtml.js").exists()


@slow
def test_every_page_has_a_language_switch_to_an_existing_page(site):
    n = 0
    for lang, other in (("en", "zh"), ("zh", "en")):
        for page in sorted((site / lang).rglob("*.html")):
            if "_static" in page.parts:
                continue
            html = page.read_text(encoding="utf-8")
            m = re.search(r'class="[^"]*oms-lang-switch[^"]*" href="([^"]+)"', html)
            assert m, page
            target = (page.parent / m.group(1)).resolve()
            assert target == (site / other / page.relative_to(site / lang)).resolve(), (page, m.group(1))
            assert target.exists(), (page, m.group(1))
            n += 1
    assert n > 40


@slow
def test_api_reference_documents_every_public_name(site):
    missing = []
    for short in docs_build.api_modules():
        name = f"omsmethod.{short}"
        try:
            module = importlib.import_module(name)
        except Exception:
            continue
        html = (site / "en" / "api" / f"{short.replace('.', '_')}.html").read_text(encoding="utf-8")
        for attr in docs_build._public_names(module):
            obj = getattr(module, attr, None)
            if inspect.ismodule(obj):
                continue
            if f'id="{name}.{attr}"' not in html and f"<code class=\"docutils literal notranslate\"><span class=\"pre\">{attr}</span></code>" not in html:
                missing.append(f"{name}.{attr}")
    assert missing == []


@slow
def test_workshop_notebooks_are_pages(site):
    index = (site / "en" / "workshop" / "index.html").read_text(encoding="utf-8")
    built = sorted(p.stem for p in (site / "en" / "workshop").glob("*.html") if p.stem != "index")
    for stem in built:
        assert f'href="{stem}.html"' in index
        assert (site / "zh" / "workshop" / f"{stem}.html").exists()
    if not built:
        assert "No workshop notebooks" in index


@slow
def test_chinese_search_index_is_segmented(site):
    text = (site / "zh" / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    # jieba splits the Chinese text into words: 品牌 (brand) and 抽样 (sampling) are terms
    for word in ("品牌", "抽样", "子系统"):
        assert word in index["terms"], word


@slow
def test_executed_examples_show_real_numbers(site):
    """The guides were run: their outputs hold the library's results, not just code."""
    sampling = (site / "en" / "guides" / "sampling.html").read_text(encoding="utf-8")
    assert "<pre><span></span>556\n</pre>" in sampling  # sample_size("proportion", moe=0.05, N=1000, response_rate=0.5)
    assert "The behaviour × promotion interaction was significant" in (site / "en" / "guides" / "anova.html").read_text(encoding="utf-8")
    anova = (site / "zh" / "guides" / "anova.html").read_text(encoding="utf-8")
    assert "behaviour × promotion的交互作用显著" in anova
    assert anova.count("plotly-graph-div") >= 1 and "plotly.min.js" in anova
    assert "plotly.min.js" not in (site / "en" / "api" / "model.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# in a browser, from file://
# ---------------------------------------------------------------------------------------
def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@slow
@pytest.mark.browser
@pytest.mark.skipif(_chromium() is None, reason="needs Chromium")
@slow
def test_site_in_chromium_from_file(site):
    from playwright.sync_api import sync_playwright

    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None)

        page.goto((site / "index.html").as_uri())  # redirects to en/index.html
        page.wait_for_url("**/en/index.html")
        assert "omsmethod" in page.title()
        assert page.locator("nav.bd-docs-nav a, .bd-sidebar a, .bd-content a").count() > 5

        page.goto((site / "en" / "api" / "sampling.html").as_uri())
        assert page.locator('[id="omsmethod.sampling.Design"]').count() == 1

        page.goto((site / "en" / "guides" / "anova.html").as_uri())
        page.wait_for_function("document.querySelectorAll('.plot-container svg').length >= 1", timeout=30000)

        # the switch keeps the page
        page.click("a.oms-lang-switch >> nth=0")
        page.wait_for_url("**/zh/guides/anova.html")
        page.wait_for_function("document.querySelectorAll('.plot-container svg').length >= 1", timeout=30000)

        # every figure of every guide and workshop notebook is drawn, without errors
        drawn_pages = 0
        for html in sorted((site / "en" / "guides").glob("*.html")) + sorted((site / "en" / "workshop").glob("*.html")):
            page.goto(html.as_uri())
            n = page.locator(".plotly-graph-div").count()
            if n:
                page.wait_for_function(
                    f"document.querySelectorAll('.plotly-graph-div .main-svg').length >= {n}", timeout=30000)
                drawn_pages += 1
        assert drawn_pages >= 4

        # MathJax from the site's own copy typesets a formula of a docstring
        page.goto((site / "en" / "api" / "datasets_operations.html").as_uri())
        page.wait_for_function("document.querySelectorAll('mjx-container').length >= 1", timeout=30000)

        page.goto((site / "zh" / "search.html").as_uri() + "?q=" + quote("品牌"))
        page.wait_for_function("document.querySelectorAll('#search-results ul.search li').length >= 1", timeout=30000)
        hits = page.locator("#search-results ul.search li").count()

        # the same site over http (any static server): figures and search still work
        with _serve(site) as base:
            page.goto(f"{base}/zh/guides/ratio.html")
            page.wait_for_function("document.querySelectorAll('.plot-container svg').length >= 1", timeout=30000)
            page.goto(f"{base}/en/search.html?q=raking")
            page.wait_for_function("document.querySelectorAll('#search-results ul.search li').length >= 1",
                                   timeout=30000)
            requests = [r for r in requests if not r.startswith(base)]
        browser.close()
    assert hits >= 1
    assert errors == []
    assert requests == []


@contextlib.contextmanager
def _serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------------------
# staging copes with what is not there yet
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, text", [("en", "No workshop notebooks"), ("zh", "尚无工作坊笔记本")])
def test_no_workshop_notebooks_yet(monkeypatch, tmp_path, lang, text):
    monkeypatch.setattr(docs_build, "ROOT", tmp_path)
    pages, notebooks = docs_build.workshop_pages(lang)
    assert notebooks == [] and text in pages["workshop/index.rst"]
    assert "toctree" not in pages["workshop/index.rst"]


def test_api_reference_leaves_out_a_module_that_does_not_import(monkeypatch):
    monkeypatch.setattr(docs_build, "API_MODULES", ("model", "no_such_module_in_progress"))
    pages, skipped = docs_build.api_pages()
    assert [s.split(" ")[0] for s in skipped] == ["omsmethod.no_such_module_in_progress"]
    assert "api/model.rst" in pages and "api/no_such_module_in_progress.rst" not in pages
    assert "omsmethod.no_such_module_in_progress" in pages["api/index.rst"]  # said on the page
    assert ".. autofunction:: load" in pages["api/model.rst"]

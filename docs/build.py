"""Build the omsmethod documentation site offline, in English and Chinese.

Usage::

    .venv/bin/python docs/build.py [--out docs/_build/html] [--lang en zh] [--execute cache]

Steps: stage the sources of each language (pages from ``docs/<lang>/``, the API reference
generated from whatever :mod:`omsmethod` modules import, the workshop notebooks found in
``notebooks/workshop/``, the list of reference fixtures), build each with
``sphinx -W --keep-going`` (any warning fails the build; notebooks run through myst-nb with
a shared jupyter-cache, a failing cell fails the build), then check every built HTML and
CSS file for scripts, stylesheets, fonts or images loaded from outside the site.

The site works from ``file://``: open ``<out>/index.html``.
"""

from __future__ import annotations

import argparse
import filecmp
import html.parser
import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
LANGS = ("en", "zh")

# Modules documented in the API reference, in this order (skipped, with a note, when they
# do not import). Packages are documented through their public ``__all__``.
API_MODULES = (
    "model",
    "instrument",
    "responses",
    "xlsform",
    "scoring",
    "assessment",
    "sampling",
    "anova",
    "graph",
    "ratio",
    "sem",
    "workspace",
    "report",
    "report.display",
    "datasets",
    "datasets.enterprise",
    "datasets.promotion",
    "datasets.operations",
    "datasets.engagement",
    "workshop",
    "errors",
    "validation",
    "i18n",
    "files",
    "distributions",
    "figures",
)


# ---------------------------------------------------------------------------------------
# staging
# ---------------------------------------------------------------------------------------
def api_modules() -> list[str]:
    """:data:`API_MODULES` plus any top-level module ``omsmethod`` lists that it misses."""
    import omsmethod

    extra = [m for m in getattr(omsmethod, "_SUBMODULES", ()) if m not in API_MODULES]
    return [*API_MODULES, *extra]


def _write(path: Path, text: str) -> None:
    """Write ``text`` only when it differs (keeps mtimes, so Sphinx rebuilds less)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.write_text(text, encoding="utf-8")


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists() and filecmp.cmp(src, dst, shallow=False):
        return
    shutil.copy2(src, dst)


def _sync_tree(src: Path, dst: Path, keep: set[Path]) -> None:
    for path in sorted(src.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts:
            target = dst / path.relative_to(src)
            _copy(path, target)
            keep.add(target)


def _prune(dst: Path, keep: set[Path]) -> None:
    for path in sorted(dst.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _public_names(module) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and getattr(obj, "__module__", None) == module.__name__
        ]
    return list(names)


def _attribute_docs(module_name: str) -> set[str]:
    """Module attributes with a ``#:`` doc comment (autodoc shows those)."""
    from sphinx.pycode import ModuleAnalyzer

    try:
        docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
    except Exception:
        return set()
    return {attr for (scope, attr) in docs if scope == ""}


def _heading(text: str, char: str = "=") -> str:
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return f"{text}\n{char * width}\n"


def api_pages() -> tuple[dict[str, str], list[str]]:
    """reST pages of the API reference, from the modules that import now.

    Each public object is documented once, on the page of the first module that exports
    it; later exports link to it. Returns ``({relative path: text}, [skipped modules])``.
    """
    pages: dict[str, str] = {}
    skipped: list[str] = []
    seen: dict[int, str] = {}
    entries: list[tuple[str, str]] = []
    for short in api_modules():
        name = f"omsmethod.{short}"
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # a module in progress: document the rest
            skipped.append(f"{name} ({type(exc).__name__}: {exc})".replace("\n", " "))
            continue
        functions, classes, data, elsewhere = [], [], [], []
        for attr in _public_names(module):
            try:
                obj = getattr(module, attr)
            except Exception:
                continue
            if inspect.ismodule(obj):
                continue
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and id(obj) in seen:
                elsewhere.append((attr, seen[id(obj)]))
                continue
            if inspect.isclass(obj):
                classes.append(attr)
            elif callable(obj):
                functions.append(attr)
            else:
                data.append(attr)
                continue
            seen[id(obj)] = f"{name}.{attr}"
        lines = [_heading(name), f".. automodule:: {name}\n   :no-members:\n", f".. currentmodule:: {name}\n"]
        if functions or classes:
            lines.append(".. autosummary::\n   :nosignatures:\n")
            lines += [f"   {n}" for n in functions + classes]
            lines.append("")
        if functions:
            lines.append(_heading("Functions", "-"))
            lines += [f".. autofunction:: {n}\n" for n in functions]
        if classes:
            lines.append(_heading("Classes", "-"))
            for n in classes:
                lines.append(f".. autoclass:: {n}\n   :members:\n   :show-inheritance:\n")
        if data:
            documented = _attribute_docs(name)
            lines.append(_heading("Constants", "-"))
            for n in data:
                if n in documented:
                    lines.append(f".. autodata:: {n}\n   :no-value:\n")
                else:
                    lines.append(f".. py:data:: {n}\n\n   ``{type(getattr(module, n)).__name__}`` (see the module text above).\n")
        if elsewhere:
            lines.append(_heading("Also exported here", "-"))
            lines += [f"- ``{n}``: see :obj:`{target}`" for n, target in elsewhere]
            lines.append("")
        page = short.replace(".", "_")
        pages[f"api/{page}.rst"] = "\n".join(lines)
        entries.append((page, name))
    index = [
        _heading("API reference"),
        "Generated from the docstrings of every public module of :mod:`omsmethod` that "
        "imports at build time (numpydoc format). The reference is in English in both "
        "languages.\n",
        ".. toctree::\n   :maxdepth: 1\n",
    ]
    index += [f"   {page}" for page, _ in entries]
    index += ["   cli", ""]
    if skipped:
        index.append(".. note::\n\n   Not importable when this site was built (left out):\n")
        index += [f"   - ``{s}``" for s in skipped]
        index.append("")
    pages["api/index.rst"] = "\n".join(index)
    pages["api/cli.rst"] = cli_page()
    return pages, skipped


def cli_page() -> str:
    """The ``--help`` of the command and every subcommand, as literal blocks."""
    lines = [_heading("Command line: omsmethod")]
    try:
        from omsmethod.cli import build_parser

        parser = build_parser()
    except Exception as exc:
        return "\n".join(lines + [f"The command line did not load: ``{exc}``.\n"])
    os.environ.setdefault("COLUMNS", "90")
    blocks = [("omsmethod", parser)]
    for action in parser._actions:  # argparse keeps subparsers here
        for name, sub in getattr(action, "choices", {}).items() if hasattr(action, "choices") and isinstance(action.choices, dict) else []:
            blocks.append((f"omsmethod {name}", sub))
            for inner in sub._actions:
                if isinstance(getattr(inner, "choices", None), dict):
                    blocks += [(f"omsmethod {name} {n}", s) for n, s in inner.choices.items()]
    lines.append("Every subcommand prints this help with ``--help``.\n")
    for title, p in blocks:
        text = p.format_help().rstrip()
        lines.append(_heading(title, "-"))
        lines.append(".. code-block:: text\n")
        lines += ["   " + line if line else "" for line in text.splitlines()]
        lines.append("")
    return "\n".join(lines)


def workshop_pages(lang: str) -> tuple[dict[str, str], list[Path]]:
    """The workshop index page and the notebooks found in notebooks/workshop/."""
    folder = ROOT / "notebooks" / "workshop"
    notebooks = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    title = {"en": "Workshop series", "zh": "工作坊系列"}[lang]
    intro = {
        "en": "The workshop notebooks from ``notebooks/workshop/``, executed when this site "
        "was built. Open them in JupyterLab (``make lab``) to do the exercises.",
        "zh": "以下为 ``notebooks/workshop/`` 中的工作坊笔记本，在生成本网站时运行。"
        "在 JupyterLab 中打开（``make lab``）即可完成练习。",
    }[lang]
    none = {
        "en": "No workshop notebooks were present when this site was built.",
        "zh": "生成本网站时尚无工作坊笔记本。",
    }[lang]
    lines = [_heading(title), intro + "\n"]
    if notebooks:
        lines.append(".. toctree::\n   :maxdepth: 1\n")
        lines += [f"   {nb.stem}" for nb in notebooks]
    else:
        lines.append(none)
    lines.append("")
    return {"workshop/index.rst": "\n".join(lines)}, notebooks


def fixture_scripts() -> list[Path]:
    """The scripts that wrote the tests' reference numbers (R, or Python ``make_*``)."""
    found = []
    for path in sorted((ROOT / "tests").rglob("*")):
        rel = path.relative_to(ROOT / "tests").parts
        if path.is_file() and "fixtures" in rel and (path.suffix == ".R" or path.name.startswith("make_")):
            found.append(path)
    return found


def fixture_header(script: Path) -> list[str]:
    """The leading comment of an R script, or the docstring of a Python one."""
    text = script.read_text(encoding="utf-8", errors="replace")
    if script.suffix == ".py":
        import ast

        doc = ast.get_docstring(ast.parse(text)) or ""
        return doc.splitlines()
    header = []
    for line in text.splitlines():
        if line.startswith("#"):
            header.append(line[1:].removeprefix(" ").rstrip())
        elif line.strip() or header:
            break
    return header


def fixture_sources() -> str:
    """Appendix of the reference page: every fixture script and the header it carries."""
    lines = ["<!-- generated by docs/build.py from the fixture scripts under tests/ -->", ""]
    for script in fixture_scripts():
        header = fixture_header(script) or ["(no header comment)"]
        lines += [f"`{script.relative_to(ROOT).as_posix()}`", "", "````text", *header, "````", ""]
    return "\n".join(lines)


def stage(lang: str, src_root: Path) -> tuple[Path, list[str], int]:
    dst = src_root / lang
    keep: set[Path] = set()
    _sync_tree(DOCS / lang, dst, keep)
    pages, skipped = api_pages()
    if lang == "zh":  # the reference itself stays in English
        pages["api/index.rst"] = pages["api/index.rst"].replace(
            _heading("API reference"), _heading("API 参考（英文）"), 1)
    more, notebooks = workshop_pages(lang)
    pages.update(more)
    pages["_fixture_sources.md"] = fixture_sources()
    for rel, text in pages.items():
        _write(dst / rel, text)
        keep.add(dst / rel)
    for nb in notebooks:
        target = dst / "workshop" / nb.name
        _copy(nb, target)
        keep.add(target)
    extra = ROOT / "notebooks" / "workshop"
    for path in sorted(extra.rglob("*")) if extra.is_dir() else []:
        # data or images a workshop notebook reads beside itself
        # (.md/.rst/.ipynb would become pages of their own outside any toctree)
        if path.is_file() and path.suffix not in (".ipynb", ".md", ".rst") and ".ipynb_checkpoints" not in path.parts:
            target = dst / "workshop" / path.relative_to(extra)
            _copy(path, target)
            keep.add(target)
    _prune(dst, keep)
    return dst, skipped, len(notebooks)


def stage_static(static: Path) -> None:
    import plotly.offline

    _write(static / "plotly.min.js", plotly.offline.get_plotlyjs())


def ipython_dir(build_root: Path) -> Path:
    folder = build_root / "ipython"
    _copy(DOCS / "_kernel_startup.py", folder / "profile_default" / "startup" / "00-omsdocs.py")
    return folder


# ---------------------------------------------------------------------------------------
# external-resource check
# ---------------------------------------------------------------------------------------
EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # http://, https://, //host
LOCAL_SCHEMES = re.compile(r"^\s*(?:data|blob|about|javascript|mailto|#)", re.I)
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.I)
LOADING_RELS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "prefetch", "manifest",
                "apple-touch-icon", "preconnect", "dns-prefetch", "mask-icon"}
SCRIPT_URL = re.compile(r"""['"]((?:https?:)?//[^'"\s]+\.(?:js|mjs|css|woff2?|ttf|otf|eot|png|jpe?g|gif|svg|webp))['"]""", re.I)


def _is_external(url: str) -> bool:
    url = url.strip()
    return bool(url) and not LOCAL_SCHEMES.match(url) and bool(EXTERNAL.match(url))


class _ResourceParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._in = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        checks = []
        if tag == "link":
            rels = set(a.get("rel", "").lower().split())
            if rels & LOADING_RELS:
                checks.append(a.get("href", ""))
        elif tag in ("script", "img", "iframe", "source", "audio", "video", "embed", "track", "input"):
            checks += [a.get("src", ""), a.get("poster", "")]
        elif tag == "object":
            checks.append(a.get("data", ""))
        elif tag in ("image", "use", "feimage"):
            checks += [a.get("href", ""), a.get("xlink:href", "")]
        for part in a.get("srcset", "").split(","):
            checks.append(part.strip().split(" ")[0])
        if "style" in a:
            checks += CSS_URL.findall(a["style"])
        for url in checks:
            if _is_external(url):
                self.found.append((tag, url))
        if tag in ("script", "style"):
            self._in, self._buf = tag, []

    def handle_data(self, data):
        if self._in:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if tag == self._in:
            text = "".join(self._buf)
            urls = CSS_URL.findall(text) if tag == "style" else SCRIPT_URL.findall(text)
            self.found += [(f"inline {tag}", u) for u in urls if _is_external(u)]
            self._in = None


def external_resources(site: Path) -> list[str]:
    """Every script, stylesheet, font or image the site would load from outside itself."""
    problems = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            parser = _ResourceParser()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            problems += [f"{path.relative_to(site)}: <{tag}> {url}" for tag, url in parser.found]
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8", errors="replace")
            problems += [f"{path.relative_to(site)}: url({u})" for u in CSS_URL.findall(text) if _is_external(u)]
    return problems


# ---------------------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------------------
REDIRECT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>omsmethod documentation</title>
<meta http-equiv="refresh" content="0; url=en/index.html"></head>
<body><p><a href="en/index.html">omsmethod documentation (English)</a> ·
<a href="zh/index.html" lang="zh">omsmethod 文档（中文）</a></p></body></html>
"""


def build(out: Path, langs=LANGS, execute: str = "cache", fresh: bool = True, quiet: bool = False,
          cache: Path | None = None) -> int:
    out = out.resolve()
    build_root = out.parent / f"{out.name}_work"
    src_root, static = build_root / "src", build_root / "static"
    stage_static(static)
    env = dict(os.environ)
    env.update(
        OMS_DOCS_STATIC=str(static),
        OMS_DOCS_CACHE=str(Path(cache).resolve() if cache else build_root / "jupyter_cache"),
        OMS_DOCS_EXECUTE=execute,
        IPYTHONDIR=str(ipython_dir(build_root)),
        PYTHONHASHSEED="0",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    env.pop("PLOTLY_RENDERER", None)
    failed = []
    for lang in langs:
        started = time.perf_counter()
        src, skipped, n_notebooks = stage(lang, src_root)
        for s in skipped:
            print(f"docs: API reference leaves out {s}", flush=True)
        cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-c", str(DOCS),
               "-d", str(build_root / "doctrees" / lang), str(src), str(out / lang)]
        if fresh:
            cmd.insert(3, "-E")
            shutil.rmtree(out / lang, ignore_errors=True)  # no stale pages of removed sources
        if quiet:
            cmd.insert(3, "-q")
        print(f"docs: building {lang} ({n_notebooks} workshop notebooks) ...", flush=True)
        code = subprocess.call(cmd, env={**env, "OMS_DOCS_LANG": lang}, cwd=str(src))
        print(f"docs: {lang} {'ok' if code == 0 else 'FAILED'} in {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(lang)
    if failed:
        print(f"docs: build failed for {', '.join(failed)} (see the warnings above)", file=sys.stderr)
        return 1
    _write(out / "index.html", REDIRECT)
    (out / ".nojekyll").touch()
    problems = external_resources(out)
    if problems:
        print("docs: resources loaded from outside the site:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"docs: site in {out} (open {out / 'index.html'}); nothing is loaded from outside it")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(DOCS / "_build" / "html"), help="output folder (default docs/_build/html)")
    parser.add_argument("--lang", nargs="+", choices=LANGS, default=list(LANGS))
    parser.add_argument("--execute", choices=("cache", "force", "off"), default="cache",
                        help="notebook execution: cache (default; rerun changed notebooks), force, off")
    parser.add_argument("--incremental", action="store_true", help="reuse the Sphinx environment (faster, less strict)")
    parser.add_argument("--cache", help="jupyter-cache folder for executed notebooks (default <out>_work/jupyter_cache)")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    code = build(Path(args.out), args.lang, args.execute, fresh=not args.incremental, quiet=args.quiet,
                 cache=args.cache)
    print(f"docs: {time.perf_counter() - started:.0f} s in all")
    return code


if __name__ == "__main__":
    sys.exit(main())

"""One-page cheat sheets: a session's key calls and reminders, zh and en, printable.

Each sheet's source is a YAML file in ``notebooks/workshop/cheatsheets/`` with ``session``,
``notebook``, ``title`` / ``goal`` (``zh``, ``en``), ``calls`` (``code``, ``zh``, ``en``)
and ``remember`` (``zh``, ``en``). :func:`render` turns one into a self-contained HTML
page (inline CSS, A4 print layout, nothing fetched from the network); :func:`write_all`
writes every sheet, and PDFs too when Chromium is installed and asked for.
"""

from __future__ import annotations

import html
from pathlib import Path

from ..errors import OMSError

__all__ = ["load", "render", "write_all"]

_LANGS = ("zh", "en")

CSS = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       "Helvetica Neue", Arial, sans-serif; font-size: 10pt; line-height: 1.35; color: #1b1b1b;
       max-width: 190mm; margin: 0 auto; padding: 6mm 0; }
header { border-bottom: 2px solid #1f4e79; margin-bottom: 3mm; }
.session { color: #1f4e79; font-weight: bold; font-size: 9pt; letter-spacing: .05em; }
h1 { font-size: 14pt; margin: 1mm 0; }
h1 .en { display: block; font-size: 11pt; font-weight: normal; color: #444; }
.goal { margin: 2mm 0 3mm; }
.goal .en, td .en, li .en { color: #555; }
table { width: 100%; border-collapse: collapse; margin-bottom: 3mm; }
th { text-align: left; background: #e8eef5; font-size: 9pt; padding: 1.2mm 2mm; }
td { vertical-align: top; padding: 1.2mm 2mm; border-bottom: 1px solid #dde3ea; }
td.code { width: 48%; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 8.3pt;
       white-space: pre-wrap; word-break: break-word; }
h2 { font-size: 10.5pt; margin: 2mm 0 1mm; color: #1f4e79; }
ul { margin: 0; padding-left: 5mm; }
footer { margin-top: 3mm; font-size: 8pt; color: #777; border-top: 1px solid #ccc; padding-top: 1mm; }
@media print { body { padding: 0; } a { color: inherit; text-decoration: none; } }
"""


def _pair(value, where: str, field: str) -> dict:
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) for lang in _LANGS):
        raise OMSError(f"'{field}' needs a zh and an en text", file=where,
                       hint=f"write {field}: {{zh: …, en: …}}")
    return value


def load(path) -> dict:
    """Read and check one cheat-sheet source (YAML)."""
    import yaml

    from ..files import read_yaml

    where = str(path)
    try:
        sheet = read_yaml(path)
    except yaml.YAMLError as err:
        raise OMSError(f"the cheat sheet is not valid YAML: {err}", file=where,
                       hint="quote values that contain ': ' or start with '{'") from None
    if not isinstance(sheet, dict):
        raise OMSError("a cheat sheet must be a YAML mapping", file=where)
    for key in ("session", "notebook", "title", "goal", "calls"):
        if key not in sheet:
            raise OMSError(f"the cheat sheet has no '{key}'", file=where,
                           hint="keys: session, notebook, title, goal, calls, remember")
    _pair(sheet["title"], where, "title")
    _pair(sheet["goal"], where, "goal")
    for number, call in enumerate(sheet["calls"], start=1):
        if not isinstance(call, dict) or not isinstance(call.get("code"), str):
            raise OMSError("a call needs 'code'", file=where, row=number)
        _pair(call, where, f"calls[{number}]")
    for number, item in enumerate(sheet.get("remember") or [], start=1):
        _pair(item, where, f"remember[{number}]")
    return sheet


def _both(pair: dict) -> str:
    e = html.escape
    return f'<span class="zh">{e(pair["zh"])}</span><br><span class="en">{e(pair["en"])}</span>'


def render(sheet: dict) -> str:
    """The sheet as one self-contained HTML page (zh first, then en).

    Examples
    --------
    >>> from omsmethod.workshop.cheatsheet import render
    >>> page = render({"session": 1, "notebook": "01.ipynb", "title": {"zh": "方法", "en": "Method"},
    ...                "goal": {"zh": "目标", "en": "Goal"},
    ...                "calls": [{"code": "a < b", "zh": "比较", "en": "compare"}]})
    >>> "<code>a &lt; b</code>" in page and "http" not in page
    True
    """
    e = html.escape
    rows = "\n".join(
        f'<tr><td class="code"><code>{e(call["code"])}</code></td><td>{_both(call)}</td></tr>'
        for call in sheet["calls"]
    )
    remember = "\n".join(f"<li>{_both(item)}</li>" for item in sheet.get("remember") or [])
    remember_block = f"<h2>记住 Remember</h2>\n<ul>\n{remember}\n</ul>" if remember else ""
    title = sheet["title"]
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title["zh"])} · {e(title["en"])}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<div class="session">第 {e(str(sheet["session"]))} 讲 · SESSION {e(str(sheet["session"]))}</div>
<h1>{e(title["zh"])}<span class="en">{e(title["en"])}</span></h1>
</header>
<p class="goal">{_both(sheet["goal"])}</p>
<table>
<thead><tr><th>调用 Call</th><th>作用 What it does</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
{remember_block}
<footer>omsmethod 工作坊 workshop · 笔记本 notebook: {e(sheet["notebook"])} ·
<code>import omsmethod as oms</code></footer>
</body>
</html>
"""


def write_all(src_dir, out_dir, pdf: bool = False) -> list[Path]:
    """Render every ``*.yaml`` sheet of ``src_dir`` to ``out_dir/<name>.html`` (and ``.pdf``).

    ``pdf=True`` prints each page with headless Chromium
    (:func:`omsmethod.report.pdf.print_pdf`) and raises if Chromium is missing.
    """
    from ..files import atomic_path

    sources = sorted(Path(src_dir).glob("*.yaml"))
    if not sources:
        raise OMSError("no cheat-sheet sources found", file=str(src_dir),
                       hint="the folder must hold one NN_topic.yaml per session")
    written = []
    for source in sources:
        page = render(load(source))
        target = Path(out_dir) / f"{source.stem}.html"
        with atomic_path(target) as tmp:
            tmp.write_text(page, encoding="utf-8")
        written.append(target)
        if pdf:
            from ..report.pdf import print_pdf

            written.append(print_pdf(page, target.with_suffix(".pdf")))
    return written

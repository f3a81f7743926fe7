"""A static site of reports: ``index.html`` listing every report in a folder."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from ..errors import ReportError
from ..files import atomic_path

__all__ = ["publish", "report_metadata"]

_META = re.compile(r'<meta name="oms:([\w-]+)" content="([^"]*)">')


def report_metadata(path: str | Path) -> dict:
    """The ``oms:*`` meta tags an omsmethod report carries (client, language, generated...)."""
    head = Path(path).read_text(encoding="utf-8", errors="replace")[:20000]
    return {k.replace("-", "_"): html.unescape(v) for k, v in _META.findall(head)}


def publish(directory: str | Path, title: str = "OMS reports") -> Path:
    """Write ``index.html`` in ``directory`` listing its reports (client, date, language, data hash).

    Returns the index path. Reports are found by their ``oms:`` meta tags; other HTML
    files are left out.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ReportError("not a folder", file=str(directory), hint="give the folder the reports were written to")
    rows = []
    for path in sorted(directory.rglob("*.html")):
        if path.name == "index.html":
            continue
        meta = report_metadata(path)
        if not meta:
            continue
        rows.append({"report": path.relative_to(directory).as_posix(), "client": meta.get("client", ""),
                     "generated": meta.get("generated", ""), "language": meta.get("language", ""),
                     "notebook": meta.get("notebook", ""), "data_sha256": meta.get("data_sha256", "")[:12]})
    table = pd.DataFrame(rows, columns=["report", "client", "generated", "language", "notebook", "data_sha256"])
    body = "".join(
        "<tr>" + f'<td><a href="{html.escape(r.report, quote=True)}">{html.escape(r.client or r.report)}</a></td>'
        + "".join(f"<td>{html.escape(str(v))}</td>" for v in (r.generated, r.language, r.notebook, r.data_sha256))
        + "</tr>"
        for r in table.itertuples()
    )
    css = (Path(__file__).resolve().parent / "report.css").read_text(encoding="utf-8")
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{css}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p>{len(table)} report(s)</p><table class=\"oms-table\"><thead><tr><th>Client / 客户</th>"
        "<th>Generated / 生成时间</th><th>Language / 语言</th><th>Notebook</th><th>Data SHA-256</th></tr></thead>"
        f"<tbody>{body}</tbody></table></body></html>"
    )
    index = directory / "index.html"
    with atomic_path(index) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return index

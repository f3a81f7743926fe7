"""The folder a teacher hands out: learner notebooks, data, cheat sheets and a README.

``python -m omsmethod.workshop.handout OUT_DIR`` writes::

    OUT_DIR/
      README.md                 how to start, the sessions (zh / en)
      notebooks/NN_topic.ipynb  learner notebooks (solution blocks removed)
      notebooks/assessment_report.ipynb   the report notebook session 7 renders
      sample_data/*.csv         the sample enterprise
      cheatsheets/NN_topic.html one printable page per session (+ .pdf with --pdf)

The folder is built beside ``OUT_DIR`` and renamed into place, so a failed run leaves
the previous hand-out as it was. An existing ``OUT_DIR`` is replaced only if an earlier
run made it (it holds the marker file ``.omsmethod-handout``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from ..errors import OMSError
from . import cheatsheet, learner, resources

__all__ = ["build", "readme", "main"]

MARKER = ".omsmethod-handout"


def readme(sheets: list[dict]) -> str:
    """The hand-out README (zh, then en) listing the sessions of ``sheets``."""
    rows = "\n".join(
        f"| {s['session']} | `notebooks/{s['notebook']}` | {s['title']['zh']} | {s['title']['en']} "
        f"| {s.get('minutes', '')} |"
        for s in sheets
    )
    return f"""# OMS 方法工作坊 · OMS method workshop

## 中文

本文件夹包含七讲工作坊的学员笔记本、示例企业数据和每讲一页的速查表。

**开始**

1. 安装 omsmethod（`pip install omsmethod[lab]`，或在项目目录中执行 `make install`）。
2. 在本文件夹中运行 `jupyter lab notebooks/`，按顺序打开笔记本。
3. 在每个练习单元格中，把 `answer = None` 改成你的答案，运行后 `check(...)` 会显示 ✅ 或 ❌ 和提示。
4. 笔记本通过 `omsmethod.datasets.load(...)` 读取示例数据；`sample_data/` 是同一份数据的副本，可用 Excel 打开。若要让笔记本读取这份副本，设置环境变量 `OMS_SAMPLE_DATA=../sample_data`。
5. 打印 `cheatsheets/` 中的速查表（浏览器“打印”，A4，一讲一页）。

每个笔记本的第一个代码单元是参数：`lang = "zh"` 或 `"en"` 决定图表和表格的语言。所有计算都在本机完成，不需要网络。

## English

This folder holds the learner notebooks of the seven-session workshop, the sample enterprise's data and a one-page cheat sheet per session.

**Getting started**

1. Install omsmethod (`pip install omsmethod[lab]`, or `make install` in the project folder).
2. In this folder run `jupyter lab notebooks/` and open the notebooks in order.
3. In each exercise cell replace `answer = None` with your answer; running it, `check(...)` shows ✅ or ❌ with a hint.
4. The notebooks read the sample data with `omsmethod.datasets.load(...)`; `sample_data/` is a copy of the same data to open in Excel. To make the notebooks read this copy, set the environment variable `OMS_SAMPLE_DATA=../sample_data`.
5. Print the cheat sheets in `cheatsheets/` (the browser's Print, A4, one page per session).

The first code cell of every notebook holds the parameters: `lang = "zh"` or `"en"` sets the language of figures and tables. Everything runs on your computer; no network is needed.

## 课程 Sessions

| # | 笔记本 Notebook | 主题 | Topic | 分钟 Minutes |
|---|---|---|---|---|
{rows}
"""


def _clear_old(out_dir: Path) -> None:
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise OMSError("the folder exists and was not made by the hand-out builder", file=str(out_dir),
                       hint="choose a new folder, or remove this one yourself")


def build(out_dir, source=None, cheatsheets=None, sample_data=None, pdf: bool = False) -> Path:
    """Write the hand-out folder.

    Parameters
    ----------
    out_dir : str or Path
    source : str or Path, optional
        Folder of the solution notebooks (default ``notebooks/workshop/``).
    cheatsheets : str or Path, optional
        Folder of the cheat-sheet sources (default ``notebooks/workshop/cheatsheets/``).
    sample_data : str or Path, optional
        Folder of the sample data (default :func:`omsmethod.datasets.sample_data_dir`).
    pdf : bool
        Also print each cheat sheet to PDF (needs Chromium).

    Returns
    -------
    Path
        ``out_dir``.
    """
    from .. import datasets

    out_dir = Path(out_dir).resolve()
    source = Path(source) if source is not None else resources.solutions_dir()
    cheatsheets = Path(cheatsheets) if cheatsheets is not None else source / "cheatsheets"
    sample_data = Path(sample_data) if sample_data is not None else datasets.sample_data_dir()
    _clear_old(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        learner.generate(source, staging / "notebooks")
        shutil.copy2(resources.assessment_notebook(source.parent), staging / "notebooks")
        data_files = sorted(p for p in sample_data.iterdir() if p.is_file() and not p.name.startswith("."))
        if not data_files:
            raise OMSError("no sample data files found", file=str(sample_data))
        (staging / "sample_data").mkdir()
        for path in data_files:
            shutil.copy2(path, staging / "sample_data" / path.name)
        cheatsheet.write_all(cheatsheets, staging / "cheatsheets", pdf=pdf)
        sheets = [cheatsheet.load(p) for p in sorted(cheatsheets.glob("*.yaml"))]
        (staging / "README.md").write_text(readme(sheets), encoding="utf-8")
        (staging / MARKER).write_text("made by python -m omsmethod.workshop.handout\n", encoding="utf-8")
        staging.chmod(0o755)
        if out_dir.exists():
            _clear_old(out_dir)
            old = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
            staging.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m omsmethod.workshop.handout",
        description="Write the workshop hand-out folder: learner notebooks, sample data, "
                    "cheat sheets and a README.")
    parser.add_argument("out_dir", help="the folder to write (replaced if an earlier run made it)")
    parser.add_argument("--source", help="folder of the solution notebooks (default notebooks/workshop)")
    parser.add_argument("--pdf", action="store_true", help="also print the cheat sheets to PDF (Chromium)")
    args = parser.parse_args(argv)
    try:
        out = build(args.out_dir, source=args.source, pdf=args.pdf)
    except OMSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Reading and validating fielded survey responses.

:func:`read_responses` reads CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX, SPSS
``.sav`` and Parquet, including KoboToolbox/ODK exports whose column names carry group
prefixes (``experience/cus1``, ``experience-cus1``) and exports with choice labels
instead of codes. It checks every cell against the instrument and reports each problem
with the file, column, row and value.

Row numbers are those a person sees when opening the file: for CSV and XLSX the header
row is row 1 (or the row it was found on) and the first answer is the row after it; for
Parquet and SPSS the first record is row 1.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, Problem

__all__ = ["read_responses", "problems_frame"]

_META_PREFIXES = ("_", "meta", "formhub")
_META_NAMES = {"start", "end", "today", "deviceid", "username", "simserial", "subscriberid", "phonenumber",
               "instanceid", "submissiondate", "key", "submitterid", "submittername", "attachmentspresent",
               "attachmentsexpected", "status", "reviewstate", "devicedid", "edits", "formversion"}
_ID_FALLBACKS = ("_uuid", "_id", "meta/instanceID", "instanceID", "KEY")


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """A tidy table of problems: ``file, column, row, value, problem, hint``."""
    columns = ["file", "column", "row", "value", "problem", "hint"]
    return pd.DataFrame([p.as_dict() for p in problems], columns=columns)


# -- file readers ------------------------------------------------------------------------
def _decode(raw: bytes, encoding: str | None, where: str) -> tuple[str, str]:
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"cannot be read as {encoding} ({exc})", file=where,
                             hint="leave encoding unset to detect it, or give the right one") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise InputError(
            "is neither UTF-8 nor GBK/GB18030 text", file=where,
            hint="save the file as CSV UTF-8 from Excel, or pass encoding=",
        ) from None


def _read_csv(path: Path, encoding: str | None, numeric: set[str] = frozenset()) -> tuple[pd.DataFrame, int, str]:
    """Read every column as text, except that columns of ``numeric`` (scored items) are
    parsed as numbers by the CSV reader when all their answers are numbers, which is
    much faster than converting text afterwards. A file with a label or a typo in such a
    column is read again all as text, so that every problem is reported as written."""
    import csv
    import io
    from collections import defaultdict

    text, used = _decode(path.read_bytes(), encoding, str(path))
    if not text.strip():
        raise InputError("the file is empty", file=str(path), hint="export the responses again")
    first = text.splitlines()[0]
    sep = max([",", ";", "\t"], key=first.count)
    options = dict(sep=sep, keep_default_na=False, na_values=[""], skipinitialspace=True)
    header = next(csv.reader([first], delimiter=sep))
    as_numbers = {c for c in header if _short(c) in numeric}
    if as_numbers and len(set(header)) == len(header):
        try:
            dtype = defaultdict(lambda: str, {c: "float64" for c in as_numbers})
            return pd.read_csv(io.StringIO(text), dtype=dtype, **options), 1, used
        except ValueError:
            pass
    return pd.read_csv(io.StringIO(text), dtype=str, **options), 1, used


def _read_excel(path: Path, sheet, known: set[str]) -> tuple[pd.DataFrame, int, str]:
    try:
        raw = pd.read_excel(path, sheet_name=sheet or 0, header=None, dtype=str, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a bad workbook
        raise InputError(f"cannot be read as an Excel workbook ({exc})", file=str(path)) from None
    if raw.dropna(how="all").empty:
        raise InputError("the file is empty", file=str(path), hint="export the responses again")
    header = 0
    best = -1
    for i in range(min(10, len(raw))):
        cells = {_short(str(v)) for v in raw.iloc[i].dropna()}
        hits = len(cells & known)
        if hits > best:
            best, header = hits, i
    frame = raw.iloc[header + 1 :].copy()
    frame.columns = [str(c) if pd.notna(c) else f"unnamed_{j}" for j, c in enumerate(raw.iloc[header])]
    frame = frame.dropna(how="all").reset_index(drop=True)
    return frame, header + 1, "xlsx"


def _read_file(path: Path, encoding, sheet, known, numeric=frozenset()) -> tuple[pd.DataFrame, int, str]:
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError("file not found", file=str(path), hint="check the path")
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=str(path), hint="export the responses again")
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, encoding, numeric)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return _read_excel(path, sheet, known)
    if suffix == ".sav":
        import pyreadstat

        try:
            frame, _ = pyreadstat.read_sav(str(path), apply_value_formats=False)
        except Exception as exc:
            raise InputError(f"cannot be read as SPSS .sav ({exc})", file=str(path)) from None
        return frame, 0, "sav"
    if suffix in (".parquet", ".pq"):
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:
            raise InputError(f"cannot be read as Parquet ({exc})", file=str(path)) from None
        return frame, 0, "parquet"
    raise InputError(
        f"unsupported file type {suffix!r}", file=str(path),
        hint="use .csv, .xlsx, .sav or .parquet",
    )


def _short(column: str) -> str:
    column = column.strip()
    for sep in ("/", "-", ":"):
        if sep in column:
            column = column.rsplit(sep, 1)[-1] if column.rsplit(sep, 1)[-1] else column
    return column


def _is_meta(column: str) -> bool:
    lowered = column.lower()
    return lowered.startswith(_META_PREFIXES) or lowered in _META_NAMES


def _rename_columns(frame: pd.DataFrame, known: set[str]) -> pd.DataFrame:
    """Strip Kobo/ODK group prefixes where the rest is a known column."""
    mapping = {}
    for column in frame.columns:
        name = str(column).strip()
        if name in known or _is_meta(name):
            mapping[column] = name
            continue
        for sep in ("/", "-"):
            tail = name.rsplit(sep, 1)[-1]
            if sep in name and tail in known:
                name = tail
                break
        mapping[column] = name
    return frame.rename(columns=mapping)


def _infer(column: pd.Series) -> pd.Series:
    """A text column as numbers when every answer is a number, else as text."""
    if column.dtype != object and not pd.api.types.is_string_dtype(column):
        return column
    numbers = pd.to_numeric(column, errors="coerce")
    if numbers.notna().sum() == column.notna().sum() and column.notna().any():
        return numbers
    return column.astype("string").astype(object)


# -- validation --------------------------------------------------------------------------
def _label_map(instrument, item: str) -> dict[str, str]:
    """Answer labels (zh/en, with or without the code prefix) → code, for label exports."""
    row = instrument.by_id.loc[item]
    mapping: dict[str, str] = {}
    if isinstance(row["choices"], list):
        for choice in row["choices"]:
            for lang in ("zh", "en"):
                if choice.get(lang):
                    mapping[str(choice[lang]).strip()] = choice["value"]
    elif isinstance(row["scale"], str):
        for point, labels in instrument.scales[row["scale"]].labels.items():
            for text in labels.values():
                mapping[str(text).strip()] = str(point)
                mapping[f"{point} {text}".strip()] = str(point)
    return mapping


def _check_scale(arr: np.ndarray, raw: pd.Series, item: str, items: pd.DataFrame, where: str, row_number,
                 problems: list, bad_rows: set) -> None:
    """Record answers outside the item's scale (or not whole numbers) and blank them in ``arr``."""
    lo, hi = int(items.at[item, "scale_min"]), int(items.at[item, "scale_max"])
    with np.errstate(invalid="ignore"):
        outside = ~np.isnan(arr) & ((arr < lo) | (arr > hi) | (arr != np.round(arr)))
    for position in np.flatnonzero(outside):
        value = raw.iloc[position]
        if isinstance(value, float) and value.is_integer():  # as written in the file
            value = int(value)
        problems.append(Problem(f"answer is outside the scale {lo}–{hi}", where, item, row_number(position),
                                value, hint=f"use a whole number from {lo} to {hi}, or leave it empty"))
        bad_rows.add(position)
    arr[outside] = np.nan


def read_responses(path, instrument, *, errors: str = "raise", encoding: str | None = None,
                   sheet=None, respondent_id: str | None = None):
    """Read a response file and validate it against an instrument.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (UTF-8, UTF-8 with BOM or GBK/GB18030, detected), ``.xlsx``, ``.sav``,
        ``.parquet``. The file is only read, never changed.
    instrument : Instrument or str
        The questionnaire (or its bundled name).
    errors : {"raise", "report"}
        ``"raise"`` raises one :class:`~omsmethod.errors.InputError` listing every
        problem; ``"report"`` returns the clean rows and a table of problems.
    encoding : str, optional
        Text encoding of a CSV file; detected when omitted.
    sheet : str or int, optional
        Worksheet of an Excel file (default: the first). A title row above the header is
        skipped: the header is the row among the first ten that names the most columns.
    respondent_id : str, optional
        Column identifying respondents. Default: the instrument's, else Kobo's ``_uuid``
        or ``_id``, else row numbers.

    Returns
    -------
    DataFrame or (DataFrame, DataFrame)
        One row per respondent: the id, metadata and segment columns as text, scored
        items as float (missing answers NaN), text answers as text. With
        ``errors="report"`` also a problems table (``file, column, row, value, problem,
        hint``); rows with a cell problem are left out of the clean rows.

    Raises
    ------
    InputError
        An empty or unreadable file always; with ``errors="raise"`` any problem: a missing
        item column, an unknown column that looks like a misspelt item, a non-numeric
        answer, a value outside the scale or not among the choices, a duplicate
        respondent id.

    Examples
    --------
    >>> from omsmethod import datasets, instrument
    >>> path = datasets.sample_data_dir() / "customer.csv"
    >>> responses = instrument.read_responses(path, "customer")
    >>> responses[["cus1", "ser1"]].dtypes.tolist()
    [dtype('float64'), dtype('float64')]
    """
    from .instrument import SCORED_KINDS, Instrument, load

    if not isinstance(instrument, Instrument):
        instrument = load(instrument)
    if errors not in ("raise", "report"):
        raise InputError("errors must be 'raise' or 'report'", value=errors)
    path = Path(path)
    where = str(path)
    items = instrument.by_id
    id_column = respondent_id or instrument.respondent_id
    known = set(items.index) | set(instrument.metadata) | {id_column}
    numeric = {i for i in items.index if items.at[i, "kind"] in SCORED_KINDS and items.at[i, "kind"] != "select_one"}
    frame, header_row, _ = _read_file(path, encoding, sheet, known, numeric)
    frame = _rename_columns(frame, known)
    if frame.empty:
        raise InputError("the file has a header but no responses", file=where,
                         hint="export the responses again")
    first_row = header_row + 1 if header_row else 1

    def row_number(position: int) -> int:
        return first_row + int(position)

    problems: list[Problem] = []
    bad_rows: set[int] = set()

    duplicated_columns = frame.columns[frame.columns.duplicated()]
    for column in dict.fromkeys(duplicated_columns):
        problems.append(Problem("the column appears more than once", where, column,
                                hint="remove or rename the duplicate column"))
    frame = frame.loc[:, ~frame.columns.duplicated()]

    # identifiers
    if id_column not in frame.columns:
        fallback = next((c for c in _ID_FALLBACKS if c in frame.columns), None)
        if respondent_id is not None:
            problems.append(Problem("the respondent id column is missing", where, respondent_id,
                                    hint="name the column that identifies respondents"))
        if fallback is not None:
            frame = frame.rename(columns={fallback: id_column})
        else:
            frame[id_column] = [str(row_number(i)) for i in range(len(frame))]
    ids = frame[id_column].astype("string")
    missing_id = ids.isna()
    for position in np.flatnonzero(missing_id.to_numpy()):
        problems.append(Problem("respondent id is empty", where, id_column, row_number(position),
                                hint="every response needs an id"))
        bad_rows.add(position)
    dup = ids.duplicated(keep="first") & ~missing_id
    for position in np.flatnonzero(dup.to_numpy()):
        problems.append(Problem("duplicate respondent id", where, id_column, row_number(position),
                                ids.iloc[position], hint="each respondent must appear once; remove the repeat"))
        bad_rows.add(position)

    # columns: missing items, misspelt items
    item_ids = list(items.index)
    question_ids = [i for i in item_ids if items.at[i, "kind"] != "text"]
    unknown = [c for c in frame.columns if c not in known and not _is_meta(str(c))]
    for column in unknown:
        close = difflib.get_close_matches(str(column), question_ids, n=1, cutoff=0.75)
        if close and close[0] not in frame.columns:
            problems.append(Problem("unknown column; it looks like a misspelt item", where, str(column),
                                    hint=f"did you mean {close[0]!r}? rename the column"))
    for item in question_ids:
        if item not in frame.columns:
            problems.append(Problem("item column is missing", where, item,
                                    hint=f"the {instrument.id} questionnaire asks {item}; add the column or "
                                         "use the questionnaire version the data was collected with"))

    # cells
    out: dict[str, object] = {id_column: ids.astype(object)}
    for column in instrument.metadata:
        if column in frame.columns:
            out[column] = _infer(frame[column])
    for item in item_ids:
        kind = items.at[item, "kind"]
        if item not in frame.columns:
            if kind in SCORED_KINDS:
                out[item] = np.nan
            continue
        raw = frame[item]
        if kind == "text":
            out[item] = raw.astype("string").astype(object)
            continue
        if kind != "select_one":
            values = pd.to_numeric(raw, errors="coerce")
            if values.notna().sum() == raw.notna().sum():  # all numbers: no labels to map
                arr = values.to_numpy(dtype=float, copy=True)
                _check_scale(arr, raw, item, items, where, row_number, problems, bad_rows)
                out[item] = arr
                continue
        text = raw.astype("string").str.strip()
        labels = _label_map(instrument, item)
        if labels:
            text = text.where(~text.isin(labels.keys()), text.map(labels))
        if kind == "select_one":
            allowed = {c["value"] for c in items.at[item, "choices"]}
            bad = text.notna() & ~text.isin(allowed)
            for position in np.flatnonzero(bad.to_numpy()):
                problems.append(Problem("answer is not one of the choices", where, item, row_number(position),
                                        raw.iloc[position], hint=f"use one of {', '.join(sorted(allowed))}"))
                bad_rows.add(position)
            out[item] = text.where(~bad).astype(object)
            continue
        values = pd.to_numeric(text, errors="coerce")
        non_numeric = values.isna() & text.notna()
        for position in np.flatnonzero(non_numeric.to_numpy()):
            problems.append(Problem("answer is not a number", where, item, row_number(position),
                                    raw.iloc[position], hint="recode the answer to its scale point"))
            bad_rows.add(position)
        arr = values.to_numpy(dtype=float)
        _check_scale(arr, raw, item, items, where, row_number, problems, bad_rows)
        out[item] = arr
    # columns outside the instrument (branch codes, segments added by the client) are kept as given
    for column in unknown:
        if column not in out:
            out[column] = _infer(frame[column])

    # Series keep their dtype (object text stays object); arrays are numbers
    out = pd.DataFrame(out, index=frame.index).reset_index(drop=True)
    out.attrs["source_file"] = where
    out.attrs["instrument"] = instrument.id
    if errors == "raise":
        if problems:
            raise InputError(
                f"{len(problems)} problem(s) in the responses for the {instrument.id} questionnaire",
                file=where,
                hint="fix them in a copy of the file, or read with errors='report' to keep the clean rows",
                problems=problems,
            )
        return out
    clean = out.drop(index=sorted(bad_rows)).reset_index(drop=True)
    clean.attrs.update(out.attrs)
    return clean, problems_frame(problems)

"""Reading response files: formats, encodings, Kobo exports, and every problem explained."""

import hashlib

import numpy as np
import pytest

from omsmethod import instrument
from omsmethod.errors import InputError


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def files(fixtures):
    return fixtures / "responses"


@pytest.mark.parametrize(
    "name", ["staff_gbk.csv", "staff_bom.csv", "staff_title_row.xlsx", "staff.sav", "staff.parquet", "staff_kobo.csv"]
)
def test_formats_read_the_same_answers(files, name):
    before = digest(files / name)
    responses = instrument.read_responses(files / name, "staff")
    assert digest(files / name) == before, "the input file must not change"
    assert len(responses) == 12
    assert responses["comments"].iloc[0] == "培训很有帮助"
    assert responses["sta1"].tolist()[:4] == [2.0, 3.0, 4.0, 2.0]
    assert responses["sta1"].dtype == np.float64
    assert responses["department"].iloc[0] in {"sales", "service", "operations", "support"}


def test_kobo_prefixes_labels_and_ids(files):
    responses = instrument.read_responses(files / "staff_kobo.csv", "staff")
    assert "_submission_time" not in responses.columns
    assert responses["respondent_id"].iloc[0] == "uuid-000"  # Kobo's _uuid is the id


def test_every_problem_is_located(files):
    path = files / "staff_broken.csv"
    before = digest(path)
    with pytest.raises(InputError) as info:
        instrument.read_responses(path, "staff")
    assert digest(path) == before
    found = {(p.column, p.row, None if p.value is None else str(p.value), p.message.split(";")[0])
             for p in info.value.problems}
    assert ("sta1", 4, "7", "answer is outside the scale 1–5") in found
    assert ("val2", 6, "agree", "answer is not a number") in found
    assert ("respondent_id", 7, "S01-00002", "duplicate respondent id") in found
    assert ("enps", 9, "11", "answer is outside the scale 0–10") in found
    assert ("department", 10, "legal", "answer is not one of the choices") in found
    assert ("edu4", None, None, "item column is missing") in found
    assert any(p.column == "sat3" and "did you mean 'sta3'" in p.hint for p in info.value.problems)
    assert len(info.value.problems) == 8
    assert str(path) in str(info.value)


def test_report_mode_returns_clean_rows_and_problems(files):
    clean, problems = instrument.read_responses(files / "staff_broken.csv", "staff", errors="report")
    assert list(problems.columns) == ["file", "column", "row", "value", "problem", "hint"]
    assert len(problems) == 8
    # rows 4, 6, 7, 9, 10 of the file (positions 2, 4, 5, 7, 8) are dropped
    assert len(clean) == 12 - 5
    assert clean["edu4"].isna().all()


@pytest.mark.parametrize("name, message", [("empty.csv", "the file is empty"),
                                           ("header_only.csv", "header but no responses")])
def test_empty_files(files, name, message):
    with pytest.raises(InputError, match=message):
        instrument.read_responses(files / name, "staff", errors="report")


def test_wrong_encoding_is_explained(files):
    with pytest.raises(InputError, match="cannot be read as ascii"):
        instrument.read_responses(files / "staff_gbk.csv", "staff", encoding="ascii")


def test_unsupported_type(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text("{}")
    with pytest.raises(InputError, match="unsupported file type"):
        instrument.read_responses(path, "staff")

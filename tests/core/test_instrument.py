"""Questionnaires: coverage of the subsystems, bilingual text, XLSForm export and import."""

import subprocess
import sys
from pathlib import Path

import pytest

from omsmethod import instrument, model

NAMES = ("customer", "staff", "partner")


@pytest.fixture(scope="module")
def instruments():
    return {name: instrument.load(name) for name in NAMES}


def test_every_subsystem_has_three_items_somewhere(instruments):
    for subsystem in model.SUBSYSTEMS:
        best = max(len(inst.likert_items(subsystem)) for inst in instruments.values())
        assert best >= 3, subsystem


@pytest.mark.parametrize("name", NAMES)
def test_instrument_has_the_standard_questions(instruments, name):
    inst = instruments[name]
    kinds = set(inst.items["kind"])
    assert {"likert", "rating", "nps", "text", "select_one"} <= kinds
    assert inst.items[["text_zh", "text_en"]].notna().all().all()
    assert inst.items["reverse"].any(), "each instrument has at least one reverse-coded item"
    # every cited source is explained in the file
    used = set(inst.items["source"].dropna())
    assert used <= set(inst.sources)


def test_customer_segments_cover_the_four_kinds(instruments):
    items = instruments["customer"].items
    assert {"geographic", "value", "psychological", "demographic"} <= set(items["segment"].dropna())
    assert set(instruments["customer"].importance_items()) == {"customer", "service", "brand", "vis", "pr",
                                                              "information"}


def test_based_on_validated_scales(instruments):
    assert "SERVQUAL" in instruments["customer"].sources["servqual"]
    assert "UWES" in instruments["staff"].sources["uwes"]
    assert instruments["customer"].items.set_index("item").loc["ser1", "source"] == "servqual"


@pytest.mark.parametrize("name", NAMES)
def test_xlsform_converts_with_pyxform_and_round_trips(tmp_path, instruments, name):
    inst = instruments[name]
    xlsx = inst.to_xlsform(tmp_path / f"{name}.xlsx")
    xml = tmp_path / f"{name}.xml"
    run = subprocess.run([str(Path(sys.executable).parent / "xls2xform"), str(xlsx), str(xml)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    text = xml.read_text(encoding="utf-8")
    assert 'lang="Chinese (zh)"' in text and 'lang="English (en)"' in text
    assert ". &gt;= 0 and . &lt;= 10" in text or ". >= 0 and . <= 10" in text
    back = instrument.from_xlsform(xlsx)
    columns = ["item", "section", "kind", "subsystem", "scale", "scale_min", "scale_max", "reverse",
               "text_zh", "text_en", "segment"]
    assert back.items[columns].equals(inst.items[columns])
    assert back.scales == inst.scales


def test_unknown_subsystem_in_yaml(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: bad\nsections:\n- id: s\n  items:\n  - {id: q1, subsystem: logistics, type: likert, scale: agree5,"
        " text: {zh: 题, en: Q}}\n", encoding="utf-8")
    (tmp_path / "_scales.yaml").write_text(instrument.questionnaires_dir().joinpath("_scales.yaml").read_text(
        encoding="utf-8"), encoding="utf-8")
    with pytest.raises(instrument.ModelError, match="unknown subsystem"):
        instrument.load(path)

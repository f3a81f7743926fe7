"""The OMS model file: content, provenance and validation of edited copies."""

import pytest
import yaml

from omsmethod import model
from omsmethod.errors import ModelError


def test_nine_subsystems_three_layers():
    m = model.load()
    assert list(m.subsystems["id"]) == [
        "customer", "staff", "brand", "value", "service", "education", "pr", "vis", "information"
    ]
    assert m.layer_of == {
        "customer": "core", "staff": "core", "brand": "core", "value": "core",
        "service": "control", "education": "control", "pr": "control", "vis": "control",
        "information": "external",
    }
    assert m.label("brand", "zh") == "品牌系统"
    assert m.subsystems[["name_zh", "name_en", "owner_zh", "owner_en", "description_en"]].notna().all().all()
    assert list(m.layers["id"]) == ["core", "control", "external"]


def test_relations_carry_provenance():
    m = model.load()
    rel = m.relations
    assert set(rel["source"]) == {"patent", "inferred"}
    patent = rel[rel["source"] == "patent"]
    assert patent["quote"].str.len().gt(20).all()
    pairs = {frozenset((a, b)) for a, b in zip(patent["from"], patent["to"], strict=True)}
    assert {frozenset(("customer", "brand")), frozenset(("staff", "value")),
            frozenset(("environment", "information"))} <= pairs
    assert rel.loc[rel["source"] == "inferred", "basis"].notna().all()


def test_phases_and_information_categories():
    m = model.load()
    assert list(m.phases["phase"].unique()) == ["launch", "measurement", "construction", "adjustment"]
    assert len(m.information_categories) == 6
    assert "customer_demand" in set(m.information_categories["id"])


def _edited(tmp_path, change):
    raw = yaml.safe_load(model.default_path().read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_edited_copy_is_read(tmp_path):
    def rename(raw):
        raw["subsystems"][0]["owner_en"] = "Key accounts"
    assert model.load(_edited(tmp_path, rename)).subsystems.loc[0, "owner_en"] == "Key accounts"


@pytest.mark.parametrize(
    "change, message, value",
    [
        (lambda r: r["subsystems"][1].update(layer="middle"), "unknown layer", "middle"),
        (lambda r: r["relations"].append({"from": "pr", "to": "logistics", "kind": "functional",
                                          "source": "inferred"}), "missing subsystem", "logistics"),
        (lambda r: r["subsystems"].append(dict(r["subsystems"][0])), "duplicate subsystem id", "customer"),
        (lambda r: r["relations"][0].update(quote=None), "no quoted sentence", None),
        (lambda r: r["relations"][3].update(kind="magic"), "unknown kind", "magic"),
    ],
)
def test_invalid_edits_are_explained(tmp_path, change, message, value):
    path = _edited(tmp_path, change)
    with pytest.raises(ModelError) as info:
        model.load(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    if value is not None:
        assert info.value.value == value

"""Scenario files and overrides: valid ones load, broken ones say which key and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartwms.errors import InputFileError
from smartwms.sim import Scenario, ScenarioError, apply_overrides, load_scenario, parse_override

SCENARIOS = Path(__file__).resolve().parents[2] / "instances" / "scenarios"


SHIPPED = sorted(p for p in SCENARIOS.glob("*.json") if not p.name.endswith(".instance.json"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_load(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name == path.stem


def test_set_unknown_key_names_it_and_lists_known_keys() -> None:
    with pytest.raises(ScenarioError, match=r"unknown key 'pickers.cuont'.*count"):
        apply_overrides(Scenario(travel={"enabled": False}), ["pickers.cuont=3"])
    with pytest.raises(ScenarioError, match=r"unknown key 'picker'"):
        apply_overrides(Scenario(travel={"enabled": False}), ["picker.count=3"])


def test_set_ill_typed_or_out_of_range_value_names_the_field() -> None:
    sc = Scenario(travel={"enabled": False})
    with pytest.raises(ScenarioError, match=r"pickers.count.*integer"):
        apply_overrides(sc, ["pickers.count=many"])
    with pytest.raises(ScenarioError, match=r"arrivals.rate_per_hour.*greater than 0"):
        apply_overrides(sc, ["arrivals.rate_per_hour=-1"])
    with pytest.raises(ScenarioError, match="expected key=value"):
        parse_override("pickers.count")


def test_set_values_are_typed() -> None:
    sc = apply_overrides(
        Scenario(travel={"enabled": False}),
        ["pickers.count=12", "congestion.enabled=true", "pick_time.distribution=exponential"],
    )
    assert sc.pickers.count == 12 and sc.congestion.enabled is True
    assert sc.pick_time.distribution == "exponential"


def test_bad_json_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "name": "x",\n  "pickers": {"count": }\n}\n')
    with pytest.raises(InputFileError, match=r"bad.json:3: invalid JSON"):
        load_scenario(bad)


def test_unknown_field_in_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "typo.json"
    path.write_text(json.dumps({"travel": {"enabled": False}, "pickerz": {"count": 2}}))
    with pytest.raises(ScenarioError, match=r"typo.json: pickerz: Extra inputs"):
        load_scenario(path)


def test_travel_without_instance_is_explained() -> None:
    with pytest.raises(ValueError, match="instance: required when travel"):
        Scenario()


def test_replenishment_min_must_be_below_max() -> None:
    with pytest.raises(ScenarioError, match="min_units must be below max_units"):
        apply_overrides(Scenario(travel={"enabled": False}), ["replenishment.min_units=50"])

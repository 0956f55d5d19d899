"""MovingAI maps, LoRR 2023 agents/tasks/problems and Ma et al. .pd files."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartwms.errors import InputFileError
from smartwms.io import detect_format, load_instance
from smartwms.io.mapf import (
    read_agents,
    read_lorr_problem,
    read_map,
    read_pd,
    read_tasks,
    write_agents,
    write_lorr_problem,
    write_map,
    write_tasks,
)


def test_tiny_problem_reads_map_agents_and_tasks(data_dir: Path) -> None:
    prob = read_lorr_problem(data_dir / "agv_tiny.json")
    assert (prob.layout.height, prob.layout.width) == (4, 5)
    assert prob.starts == (0, 4, 15)
    assert prob.tasks == (19, 0, 12, 17, 2)
    assert prob.strategy == "roundrobin" and prob.num_tasks_reveal == 1
    assert not prob.layout.is_free(6) and prob.layout.is_free(15)  # '@' blocked, 'E' free


def test_round_trip_of_every_file(data_dir: Path, tmp_path: Path) -> None:
    prob = read_lorr_problem(data_dir / "agv_tiny.json")
    write_lorr_problem(prob, tmp_path / "p.json", stem="p")
    again = read_lorr_problem(tmp_path / "p.json")
    assert again.layout == prob.layout
    assert (again.starts, again.tasks) == (prob.starts, prob.tasks)
    write_map(prob.layout, tmp_path / "m.map")
    write_agents(prob.starts, tmp_path / "a.agents")
    write_tasks(prob.tasks, tmp_path / "t.tasks")
    assert read_map(tmp_path / "m.map") == prob.layout
    assert read_agents(tmp_path / "a.agents", prob.layout) == prob.starts
    assert read_tasks(tmp_path / "t.tasks", prob.layout) == prob.tasks


def test_pd_stations(data_dir: Path) -> None:
    layout = read_map(data_dir / "agv_pd.map")
    pd = read_pd(data_dir / "agv_pd.map.pd", layout)
    assert pd.pickup == (2, 12, 15)  # 's' and 'p'
    assert pd.delivery == (2, 14, 15)  # 's' and 'd'
    assert pd.endpoints == (0,)
    inst = load_instance(data_dir / "agv_pd.map")
    kinds = sorted(st.kind for st in inst.stations)
    assert kinds == ["delivery"] * 3 + ["pickup"] * 3


def test_load_instance_detects_both_formats(data_dir: Path) -> None:
    assert detect_format(data_dir / "agv_tiny.map") == "mapf"
    assert detect_format(data_dir / "agv_tiny.json") == "lorr"
    inst = load_instance(data_dir / "agv_tiny.json")
    assert inst.layout.kind == "grid"
    assert inst.fleet.agvs[0].count == 3


@pytest.mark.parametrize(
    ("reader", "name", "message"),
    [
        (read_map, "agv_bad_row.map", "agv_bad_row.map:6: row has 3 characters, expected width 5"),
        (read_agents, "agv_on_obstacle.agents", "agv_on_obstacle.agents:3: cell 6 is an obstacle"),
        (read_tasks, "agv_short.tasks", "count says 4 tasks but the file lists 2"),
        (read_tasks, "agv_bad_cell.tasks", "agv_bad_cell.tasks:3: expected a cell index, got 'x1'"),
    ],
)
def test_broken_files_name_line_and_reason(reader, name: str, message: str, data_dir: Path) -> None:
    layout = read_map(data_dir / "agv_tiny.map")
    with pytest.raises(InputFileError, match=None) as info:
        reader(data_dir / name) if reader is read_map else reader(data_dir / name, layout)
    assert message in str(info.value)


def test_problem_with_missing_key(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text('{"mapFile": "x.map", "agentFile": "a"}')
    with pytest.raises(InputFileError, match="taskFile: missing"):
        read_lorr_problem(tmp_path / "p.json")


@pytest.mark.shared
def test_public_lorr_and_ma_files(shared: Path) -> None:
    prob = read_lorr_problem(shared / "mapf/lorr2023/EI23-warehouse_small_200.json")
    assert (prob.layout.height, prob.layout.width) == (33, 57)
    assert len(prob.starts) == 200 and len(prob.tasks) == 20000
    large = read_map(shared / "mapf/lorr2023/maps/warehouse_large.map")
    assert (large.height, large.width) == (140, 500)
    ma = read_map(shared / "mapf/ma2017/warehouse.map")  # no 'type' line in this one
    pd = read_pd(shared / "mapf/ma2017/warehouse.map.pd", ma)
    assert (ma.height, ma.width) == (21, 35)
    assert len(pd.pickup) == len(pd.delivery) == 302
    assert len(pd.endpoints) == 50  # one non-task endpoint per agent of the 50-agent runs

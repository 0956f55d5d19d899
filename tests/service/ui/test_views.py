"""Every result view renders for a small instance of each kind (TestClient, no browser)."""

from __future__ import annotations

import base64
import re
from typing import Any

import numpy as np
import pytest

from smartwms.jobs import job_kinds
from smartwms.service.ui.forms import form_spec

from ..conftest import ALICE, wait_for
from .helpers import csrf_of, example, field_errors


def test_routing_view_draws_one_path_per_tour_with_its_length(console: Any, finished: Any) -> None:
    job_id, result = finished("routing")
    page = console.get(f"/ui/jobs/{job_id}")
    assert page.status_code == 200
    lengths = [float(x) for x in re.findall(r'class="tour"[^>]*data-length="([^"]+)"', page.text)]
    assert lengths == [route["length"] for route in result["routes"]]
    assert re.search(r'id="total-length">64 m<', page.text)
    # Every pick of every tour is numbered in visiting order.
    picks = sum(1 for r in result["routes"] for s in r["stops"] if s["kind"] == "pick")
    assert page.text.count('class="stop-no"') == picks
    assert "state-succeeded" in page.text


def test_slotting_view_shows_heat_maps_before_and_after_and_every_move(
    console: Any, finished: Any
) -> None:
    job_id, result = finished("slotting")
    page = console.get(f"/ui/jobs/{job_id}").text
    assert page.count('class="layout heat-map"') == 2
    moves = result["plan"]["moves"]
    table = page.split('id="move-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == len(moves) + 1  # the header row and one per move
    for move in moves:
        assert f"<td>{move['target']}</td>" in table
    assert "picks/day" in page


def test_agv_views_play_the_plan_back_and_map_the_traffic(console: Any, finished: Any) -> None:
    for kind in ("agv-run", "dispatch"):
        job_id, result = finished(kind)
        page = console.get(f"/ui/jobs/{job_id}").text
        assert f'data-src="/ui/jobs/{job_id}/playback.json"' in page
        assert 'class="layout heat-map traffic"' in page
        plan = console.get(f"/ui/jobs/{job_id}/playback.json").json()
        positions = np.frombuffer(base64.b64decode(plan["positions"]), dtype="<i4")
        positions = positions.reshape(plan["agents"], plan["steps"] + 1)
        if kind == "agv-run":
            assert positions.tolist() == result["plan"]["positions"]
        else:
            # Every AGV is at each stop's cell at the stop's arrival step, moving one cell a step.
            width = plan["width"]
            for agent, route in enumerate(result["routes"]):
                for stop in route:
                    assert positions[agent, stop["arrival"]] == stop["cell"]
            steps = np.abs(np.diff(positions % width)) + np.abs(np.diff(positions // width))
            assert steps.max() <= 1
            table = page.split('id="agv-routes"', 1)[1].split("</table>", 1)[0]
            assert table.count("<tr>") == len(result["routes"]) + 1


def test_simulation_view_lists_every_kpi_with_its_interval(console: Any, finished: Any) -> None:
    job_id, result = finished("simulation")
    page = console.get(f"/ui/jobs/{job_id}").text
    table = page.split('id="sim-kpis"', 1)[1].split("</table>", 1)[0]
    assert table.count('<svg class="ci"') == len(result["kpis"])
    for name in result["kpis"]:
        assert name.replace("_", " ") in table
    assert "order wait s" in table


@pytest.mark.parametrize("kind", ["distance-matrix"])
def test_other_kinds_render_their_result(console: Any, finished: Any, kind: str) -> None:
    job_id, result = finished(kind)
    page = console.get(f"/ui/jobs/{job_id}")
    assert page.status_code == 200
    assert 'id="result"' in page.text and "state-succeeded" in page.text
    assert console.get(f"/ui/jobs/{job_id}/result.json").json() == result


def test_jobs_page_lists_newest_first_and_filters(console: Any) -> None:
    ids = []
    for kind in ("routing", "distance-matrix"):
        answer = console.post("/v1/jobs", json=example(kind), headers=ALICE)
        ids.append(answer.json()["id"])
        wait_for(console, ids[-1], timeout=240)
    first, second = ids
    page = console.get("/ui/jobs").text
    assert page.index(second[:8]) < page.index(first[:8])
    only = console.get("/ui/jobs", params={"kind": "routing"}).text
    assert first[:8] in only and second[:8] not in only
    none = console.get("/ui/jobs", params={"state": "failed"}).text
    assert first[:8] not in none and "No jobs match" in none


def test_every_kind_has_a_form_with_labelled_inputs(console: Any) -> None:
    for kind, registered in job_kinds().items():
        page = console.get("/ui/submit", params={"kind": kind}).text
        spec = form_spec(kind, registered.payload_model)
        for spec_field in spec.fields:
            assert f'<label for="{spec_field.html_id}"' in page, (kind, spec_field.name)
            assert f'id="{spec_field.html_id}"' in page
        inputs = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page)
        labels = set(re.findall(r'<label for="([^"]+)"', page))
        assert set(inputs) <= labels | {"api-key"}, (kind, set(inputs) - labels)


def test_submit_form_shows_errors_next_to_the_field_they_name(console: Any) -> None:
    token = csrf_of(console.get("/ui/submit?kind=routing").text)
    instance = example("routing")["payload"]["instance"]
    import json

    answer = console.post(
        "/ui/submit",
        data={
            "csrf_token": token,
            "kind": "routing",
            "source": "upload",
            "seed": "-3",
            "params.time_limit": "abc",
        },
        files={"problem_file": ("warehouse.json", json.dumps(instance).encode())},
    )
    assert answer.status_code == 422
    page = answer.text
    seed_block = page.split('id="f-seed"', 1)[1].split("</div>", 1)[0]
    assert "greater than or equal to 0" in seed_block
    limit_block = page.split('id="f-params-time-limit"', 1)[1].split("</div>", 1)[0]
    assert "expected a number" in limit_block
    # The values typed are kept.
    assert 'value="-3"' in page


def test_submit_from_an_upload_and_from_a_stored_instance(console: Any) -> None:
    import json

    instance = example("routing")["payload"]["instance"]
    token = csrf_of(console.get("/ui/instances").text)
    stored = console.post(
        "/ui/instances",
        data={"csrf_token": token},
        files={"instance_file": ("w.json", json.dumps(instance).encode())},
        follow_redirects=False,
    )
    assert stored.status_code == 303
    ident = stored.headers["location"].rsplit("/", 1)[1]
    page = console.get(f"/ui/instances/{ident}").text
    assert "four-aisle example" in page and 'id="layout-svg"' in page
    answer = console.post(
        "/ui/submit",
        data={
            "csrf_token": token,
            "kind": "routing",
            "source": "stored",
            "instance_id": ident,
            "method": "sshape",
            "time_limit": "60",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, field_errors(answer.text)
    job_id = answer.headers["location"].rsplit("/", 1)[1]
    job = wait_for(console, job_id, timeout=240)
    assert job["state"] == "succeeded" and job["time_limit"] == 60
    assert f'href="/ui/instances/{ident}"' in console.get(f"/ui/jobs/{job_id}").text


def test_zipped_csv_export_is_read_like_the_cli_reads_the_folder(console: Any) -> None:
    import io
    import zipfile

    from .helpers import ROOT

    folder = ROOT / "tests" / "data" / "csv" / "ok"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, f"export/{path.name}")
    token = csrf_of(console.get("/ui/instances").text)
    answer = console.post(
        "/ui/instances",
        data={"csrf_token": token},
        files={"instance_file": ("export.zip", buffer.getvalue())},
        follow_redirects=False,
    )
    assert answer.status_code == 303, field_errors(answer.text)
    from smartwms.io.csv_import import read_csv_folder

    expected = read_csv_folder(folder)
    page = console.get(answer.headers["location"]).text
    assert f"<dd>{len(expected.locations)}</dd>" in page
    assert f"<dd>{len(expected.orders)}</dd>" in page

"""End to end in Chromium (Playwright for Python, Debian's /usr/bin/chromium, headless).

A real server process (uvicorn on 127.0.0.1) serves the console; the tests sign in, submit
jobs from the examples through the form, watch them finish live, and check what the result
pages draw. They write a screenshot of every page to the test's output folder (and to
``$SMARTWMS_CONSOLE_SHOTS`` when set) and report the measured targets (jobs page with 1,000
jobs, routing view with 200 tours) in ``measurements.json`` there, without asserting them.

Without a browser these tests skip with the reason; under ``CI=true`` they must run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from smartwms.jobs import JobStore, Submission

from .helpers import example

CHROMIUM = Path(os.environ.get("SMARTWMS_CHROMIUM", "/usr/bin/chromium"))
KEYS = "alice=key-alice,bob=key-bob,carol=key-carol,dave=key-dave"
WAIT_MS = 240_000  # a cold numba cache on a busy CI machine: the first solve may take minutes

pytestmark = pytest.mark.slow


def _browser_or_skip() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev extra installed in CI
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("the playwright package is not installed (pip install -e .[dev])")
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing under CI=true: .ci/run installs chromium")
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fill_store(db: Path, owner: str, count: int) -> None:
    """``count`` finished jobs of ``owner`` (the jobs-page target counts stored jobs)."""
    store = JobStore(db)
    payload = json.dumps(example("distance-matrix")["payload"])
    store.submit_many([Submission(owner, "distance-matrix", payload, 60.0, None)] * count)
    store.close()
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE jobs SET state='succeeded', started_at=created_at, "
            "finished_at=created_at+0.5, progress=1.0, best_objective=7.0 WHERE owner=?",
            (owner,),
        )


def _big_agv_plan(height: int = 40, width: int = 50, band: int = 8, steps: int = 500):
    """A valid plan of ``band * width`` (400) agents over ``steps`` steps: the whole band
    sweeps down and up the map, every agent one cell a step (no vertex or swap conflict)."""
    period = 2 * (height - band)

    def offset(t: int) -> int:
        k = t % period
        return k if k <= height - band else period - k

    positions = [
        [(r + offset(t)) * width + c for t in range(steps + 1)]
        for r in range(band)
        for c in range(width)
    ]
    layout = {"kind": "grid", "height": height, "width": width, "rows": ["." * width] * height}
    return layout, {"height": height, "width": width, "steps": steps, "positions": positions}


def _store_agv_job(db: Path, owner: str) -> str:
    """A finished agv-run job with a 400-agent x 500-step plan (the playback target)."""
    from smartwms.agv import check_plan

    layout, plan = _big_agv_plan()
    agents, steps = len(plan["positions"]), plan["steps"]
    payload = {"layout": layout, "agents": agents, "steps": steps}
    result = {
        "agents": agents,
        "steps": steps,
        "tasks_completed": 0,
        "throughput": 0.0,
        "planner": "synthetic sweep",
        "assignment": "none",
        "objective": 0,
        "conflicts": len(check_plan(plan, layout["rows"])),
        "timings": {},
        "plan": plan,
    }
    store = JobStore(db)
    (job,) = store.submit_many([Submission(owner, "agv-run", json.dumps(payload), 60.0, None)])
    store.close()
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE jobs SET state='succeeded', started_at=created_at, finished_at=created_at+1,"
            " progress=1.0, has_result=1, result=? WHERE id=?",
            (json.dumps(result), job.id),
        )
    return job.id


AGV_JOB: dict[str, str] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _browser_or_skip()
    data = tmp_path_factory.mktemp("console-data")
    _fill_store(data / "jobs.sqlite3", "carol", 1000)
    AGV_JOB["id"] = _store_agv_job(data / "jobs.sqlite3", "dave")
    port = _free_port()
    env = {
        **os.environ,
        "SMARTWMS_API_KEYS": KEYS,
        "SMARTWMS_LOG_LEVEL": "WARNING",
        "SMARTWMS_GRACE_SECONDS": "120",
        "SMARTWMS_WORKERS": "2",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smartwms.cli",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the server did not start")
    yield url
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("console-screenshots")


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    sync_playwright = _browser_or_skip()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-extensions",
            ],
        )
        yield chromium
        chromium.close()


MEASURED: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def report(shots: Path) -> Iterator[None]:
    yield
    if MEASURED:
        (shots / "measurements.json").write_text(json.dumps(MEASURED, indent=1))
        print(f"\nconsole measurements ({shots}):\n{json.dumps(MEASURED, indent=1)}")


def _shot(page: Any, shots: Path, name: str) -> None:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    extra = os.environ.get("SMARTWMS_CONSOLE_SHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)


def _signed_in(browser: Any, server: str, key: str, viewport: dict[str, int] | None = None):
    context = browser.new_context(
        base_url=server, viewport=viewport or {"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto("/ui/jobs")
    assert "/ui/login" in page.url
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/ui/jobs")
    return context, page


def _submit(page: Any, tmp_path: Path, kind: str, upload: dict[str, Any], **fields: str) -> str:
    page.goto(f"/ui/submit?kind={kind}")
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(upload))
    page.set_input_files("#problem-file", str(path))
    for selector, value in fields.items():
        page.fill(selector, value)
    page.click("#submit-button")
    page.wait_for_url("**/ui/jobs/*")
    return str(page.url.rsplit("/", 1)[1])


def _api(server: str, path: str, key: str = "key-alice") -> Any:
    answer = httpx.get(server + path, headers={"X-API-Key": key}, timeout=30)
    answer.raise_for_status()
    return answer.json()


def test_sign_in_submit_routing_watch_it_live_and_check_the_tours(
    browser: Any, server: str, shots: Path, tmp_path: Path
) -> None:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/ui/login")
    page.get_by_label("API key").fill("wrong-key")
    page.get_by_role("button", name="Sign in").click()
    assert "unknown API key" in page.locator("#key-error").inner_text()
    _shot(page, shots, "login")
    context.close()

    context, page = _signed_in(browser, server, "key-alice")
    request = example("routing")
    job_id = _submit(page, tmp_path, "routing", request["payload"]["instance"])
    _shot(page, shots, "job-running")
    # The page follows the job over server-sent events and shows the result when it is done.
    page.wait_for_selector("#route-svg", timeout=WAIT_MS)
    assert page.locator("#job-status .state").inner_text() == "succeeded"
    result = _api(server, f"/v1/jobs/{job_id}/result")["result"]
    paths = page.locator("#route-svg path.tour")
    assert paths.count() == len(result["routes"])
    for k, route in enumerate(result["routes"]):
        drawn = paths.nth(k)
        assert float(drawn.get_attribute("data-length")) == pytest.approx(route["length"])
        # The path itself is as long as the tour it draws (it follows the aisles).
        walked = drawn.evaluate("p => p.getTotalLength()")
        assert walked == pytest.approx(route["length"], rel=1e-3)
    total = page.locator("#total-length").inner_text()
    assert total == f"{result['objective']:g} m"
    page.locator(".tour-pick").first.click()
    assert page.locator("#route-svg.focus .tour-group.selected").count() == 1
    _shot(page, shots, "job-routing")
    page.goto("/ui/jobs")
    assert page.locator(f'tr[data-job="{job_id}"] .state').inner_text() == "succeeded"
    _shot(page, shots, "jobs")
    page.goto("/ui/submit?kind=routing")
    _shot(page, shots, "submit-routing")
    context.close()


def test_slotting_job_shows_heat_maps_and_moves(
    browser: Any, server: str, shots: Path, tmp_path: Path
) -> None:
    context, page = _signed_in(browser, server, "key-alice")
    request = example("slotting")
    job_id = _submit(page, tmp_path, "slotting", request)  # a whole job request file
    page.wait_for_selector("svg.heat-map", timeout=WAIT_MS)
    result = _api(server, f"/v1/jobs/{job_id}/result")["result"]
    assert page.locator("svg.heat-map").count() == 2
    assert page.locator("#move-table tbody tr").count() == len(result["plan"]["moves"])
    _shot(page, shots, "job-slotting")
    context.close()


def test_refusals_csrf_less_post_and_another_keys_job(
    browser: Any, server: str, tmp_path: Path
) -> None:
    context, page = _signed_in(browser, server, "key-alice")
    job_id = _submit(page, tmp_path, "routing", example("routing")["payload"]["instance"])
    # A POST without the form's CSRF token (same cookies) is refused.
    answer = page.request.post(
        "/ui/submit", multipart={"kind": "routing", "source": "upload"}, max_redirects=0
    )
    assert answer.status == 403
    answer = page.request.post(f"/ui/jobs/{job_id}/cancel", form={}, max_redirects=0)
    assert answer.status == 403
    context.close()
    context, page = _signed_in(browser, server, "key-bob")
    response = page.goto(f"/ui/jobs/{job_id}")
    assert response is not None and response.status == 404
    page.goto("/ui/jobs")
    assert page.locator(f'tr[data-job="{job_id}"]').count() == 0
    context.close()


def _load_ms(page: Any, url: str, runs: int = 5) -> dict[str, float]:
    server_ms, ready_ms = [], []
    for _ in range(runs):
        page.goto(url)
        timing = page.evaluate(
            "() => { const t = performance.getEntriesByType('navigation')[0];"
            " return [t.responseEnd - t.requestStart,"
            " t.loadEventEnd || t.domContentLoadedEventEnd]; }"
        )
        server_ms.append(timing[0])
        ready_ms.append(timing[1])
    return {
        "response_ms_median": round(statistics.median(server_ms), 1),
        "loaded_ms_median": round(statistics.median(ready_ms), 1),
        "runs": runs,
    }


def _many_tours_instance(tours: int) -> dict[str, Any]:
    aisles, cells = 20, 40
    locations = [
        {"id": f"A{a}-C{c}", "aisle": a, "cell": c} for a in range(aisles) for c in range(cells)
    ]
    orders = [
        {
            "id": f"O{k}",
            "lines": [{"sku": f"S{(k * 37 + j * 101) % len(locations)}"} for j in range(6)],
        }
        for k in range(tours)
    ]
    return {
        "name": f"{tours} tours",
        "layout": {
            "kind": "parallel-aisle",
            "n_aisles": aisles,
            "aisle_spacing": 3,
            "cells_per_block": cells // 2,
            "n_blocks": 2,
            "cell_length": 1,
        },
        "locations": locations,
        "skus": [{"id": f"S{i}"} for i in range(len(locations))],
        "stock": [{"sku": f"S{i}", "location": loc["id"]} for i, loc in enumerate(locations)],
        "orders": orders,
        "stations": [{"id": "depot", "aisle": 0, "cross_aisle": 2}],
    }


def test_measure_jobs_page_and_a_routing_view_of_200_tours(
    browser: Any, server: str, shots: Path, tmp_path: Path
) -> None:
    context, page = _signed_in(browser, server, "key-carol")
    MEASURED["jobs_page_1000_jobs"] = {**_load_ms(page, "/ui/jobs"), "target_ms": 100}
    assert page.locator("#jobs-table tbody tr").count() == 50
    _shot(page, shots, "jobs-1000")
    job_id = _submit(page, tmp_path, "routing", _many_tours_instance(200))
    page.wait_for_selector("#route-svg", timeout=WAIT_MS)
    assert page.locator("#route-svg path.tour").count() == 200
    MEASURED["routing_view_200_tours"] = {
        **_load_ms(page, f"/ui/jobs/{job_id}", runs=3),
        "target_ms": 1000,
    }
    _shot(page, shots, "job-routing-200")
    context.close()


def test_agv_run_and_dispatch_jobs_play_back_on_the_grid(
    browser: Any, server: str, shots: Path, tmp_path: Path
) -> None:
    context, page = _signed_in(browser, server, "key-alice")
    for kind in ("agv-run", "dispatch"):
        job_id = _submit(page, tmp_path, kind, example(kind))
        page.wait_for_selector("figure.playback[data-ready=true]", timeout=WAIT_MS)
        plan = page.evaluate(
            "url => fetch(url).then(r => r.json())", f"/ui/jobs/{job_id}/playback.json"
        )
        slider = page.locator("#playback-time")
        assert slider.get_attribute("max") == str(plan["steps"])
        assert f"{plan['agents']} agents" in page.locator("output.clock").inner_text()
        page.locator("#playback-speed").select_option("5")
        play = page.locator("button.play")
        play.click()
        assert play.get_attribute("aria-pressed") == "true"
        page.wait_for_function("() => Number(document.querySelector('#playback-time').value) > 2")
        # The keyboard moves the slider step by step (and pauses the clock).
        slider.focus()
        page.keyboard.press("Home")
        page.keyboard.press("ArrowRight")
        assert play.get_attribute("aria-pressed") == "false"
        assert slider.input_value() == "1"
        assert page.locator("svg.traffic rect").count() > 1
        _shot(page, shots, f"job-{kind}")
    context.close()


def test_measure_playback_of_400_agents(browser: Any, server: str, shots: Path) -> None:
    context, page = _signed_in(browser, server, "key-dave")
    page.goto(f"/ui/jobs/{AGV_JOB['id']}")
    page.wait_for_selector("figure.playback[data-ready=true]", timeout=60_000)
    assert "400 agents" in page.locator("output.clock").inner_text()
    page.locator("#playback-speed").select_option("25")
    page.locator("button.play").click()
    page.wait_for_timeout(4000)
    fps = page.evaluate("() => document.querySelector('figure.playback').playback.fps")
    MEASURED["agv_playback_400_agents_500_steps"] = {"fps": round(fps, 1), "target_fps": 30}
    _shot(page, shots, "job-agv-400")
    context.close()


def test_tablet_viewport(browser: Any, server: str, shots: Path) -> None:
    context, page = _signed_in(browser, server, "key-carol", {"width": 768, "height": 1024})
    # Nothing wider than the screen but the tables' own scroll boxes.
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    _shot(page, shots, "jobs-tablet")
    context.close()

"""The KPI report: pictures and a page that names the baseline and shows the CIs."""

from __future__ import annotations

from smartwms.plan import plan_shift, write_plan_folder, write_report

from .helpers import small_shift


def test_report_has_its_pictures_and_links(tmp_path) -> None:
    inst = small_shift()
    plan = plan_shift(inst, {"max_moves": 6, "replications": 3, "contributions": True})
    write_plan_folder(plan, inst, tmp_path)
    files = write_report(plan, inst, tmp_path)
    names = {f.name for f in files}
    assert {"gantt.png", "routes.png", "kpis.png", "differences.png", "index.html"} <= names
    for f in files:
        assert f.stat().st_size > 1000, f
    page = (tmp_path / "report" / "index.html").read_text()
    assert "single-order picking" in page and "95 % confidence interval" in page
    assert "What each stage adds" in page and "slotting + batching" in page
    assert "../pick-lists/picker-1.html" in page

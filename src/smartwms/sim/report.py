"""Write experiment results to a folder: JSON, CSV and charts."""

from __future__ import annotations

from pathlib import Path

from smartwms.sim.experiment import (
    Comparison,
    Experiment,
    Sweep,
    summary_rows,
    write_csv,
    write_json,
)

__all__ = ["HEADLINE_KPIS", "write_comparison", "write_experiment", "write_sweep"]

#: The KPIs drawn in charts (every KPI is in the JSON and CSV).
HEADLINE_KPIS = (
    "orders_per_hour",
    "cycle_time_mean_s",
    "order_wait_s",
    "picker_utilisation",
    "travel_per_order_m",
)


def write_experiment(exp: Experiment, out: Path) -> list[Path]:
    """``result.json``, ``kpis.csv`` (mean and CI) and ``replications.csv``."""
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "result.json", exp.to_dict())
    write_csv(out / "kpis.csv", summary_rows(exp.kpis))
    write_csv(
        out / "replications.csv",
        [{"replication": r.replication, **r.kpis} for r in exp.replications],
    )
    return [out / "result.json", out / "kpis.csv", out / "replications.csv"]


def write_comparison(
    cmp: Comparison, out: Path, labels: tuple[str, str] = ("before", "after")
) -> list[Path]:
    """``comparison.json``, ``comparison.csv`` and ``kpi_comparison.png``."""
    from smartwms.plotting.kpis import plot_kpi_comparison

    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "comparison.json", cmp.to_dict())
    rows = []
    for name, diff in cmp.difference.items():
        b, a = cmp.before.kpis[name], cmp.after.kpis[name]
        rows.append(
            {
                "kpi": name,
                f"{labels[0]}_mean": b["mean"],
                f"{labels[0]}_ci95_low": b["ci95"][0],
                f"{labels[0]}_ci95_high": b["ci95"][1],
                f"{labels[1]}_mean": a["mean"],
                f"{labels[1]}_ci95_low": a["ci95"][0],
                f"{labels[1]}_ci95_high": a["ci95"][1],
                "difference_mean": diff["mean"],
                "difference_ci95_low": diff["ci95"][0],
                "difference_ci95_high": diff["ci95"][1],
                "relative_change": diff["relative"],
                "significant": diff["significant"],
            }
        )
    write_csv(out / "comparison.csv", rows)
    png = plot_kpi_comparison(
        cmp.before.kpis, cmp.after.kpis, HEADLINE_KPIS, out / "kpi_comparison.png", labels=labels
    )
    return [out / "comparison.json", out / "comparison.csv", png]


def write_sweep(sw: Sweep, out: Path) -> list[Path]:
    """``sweep.json``, ``sweep.csv`` and ``sweep.png`` (KPI against the parameter)."""
    from smartwms.plotting.kpis import plot_sweep

    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "sweep.json", sw.to_dict())
    rows = []
    for value, exp in zip(sw.values, sw.experiments, strict=True):
        rows.extend(summary_rows(exp.kpis, **{sw.key: value}))
    write_csv(out / "sweep.csv", rows)
    png = plot_sweep(
        sw.key, sw.values, [e.kpis for e in sw.experiments], HEADLINE_KPIS, out / "sweep.png"
    )
    return [out / "sweep.json", out / "sweep.csv", png]

"""SimPy warehouse simulation: scenarios, the model, replications and experiments.

>>> from smartwms.sim import Scenario, run_experiment
>>> sc = Scenario(travel={"enabled": False}, pickers={"count": 1, "setup_s": 0},
...               horizon_s=3600, warmup_s=0, arrivals={"rate_per_hour": 10},
...               pick_time={"distribution": "deterministic", "mean_s": 60,
...                          "per_line_s": 0, "per_unit_s": 0})
>>> run_experiment(sc, replications=2, workers=1).kpis["arrival_rate_per_hour"]["mean"] > 0
True
"""

from smartwms.sim.experiment import (
    Comparison,
    Experiment,
    Sweep,
    compare,
    confidence_interval,
    paired_difference,
    run_experiment,
    run_replications,
    summary_rows,
    sweep,
    write_csv,
    write_json,
)
from smartwms.sim.model import KPI_NAMES, ReplicationResult, random_streams, simulate
from smartwms.sim.prepare import Prepared, prepare, scenario_instance
from smartwms.sim.queueing import erlang_c, mmc_wait
from smartwms.sim.scenario import (
    Scenario,
    ScenarioError,
    apply_overrides,
    load_scenario,
    parse_override,
    scenario_from_dict,
)
from smartwms.sim.travel import available_methods, route_orders

__all__ = [
    "KPI_NAMES",
    "Comparison",
    "Experiment",
    "Prepared",
    "ReplicationResult",
    "Scenario",
    "ScenarioError",
    "Sweep",
    "apply_overrides",
    "available_methods",
    "compare",
    "confidence_interval",
    "erlang_c",
    "load_scenario",
    "mmc_wait",
    "paired_difference",
    "parse_override",
    "prepare",
    "random_streams",
    "route_orders",
    "run_experiment",
    "run_replications",
    "scenario_from_dict",
    "scenario_instance",
    "simulate",
    "summary_rows",
    "sweep",
    "write_csv",
    "write_json",
]

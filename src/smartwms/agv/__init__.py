"""AGV dispatch: task assignment, collision-free lifelong path planning and a plan checker.

* :func:`run_lifelong` - LoRR-style lifelong runs (roundrobin ownership or pooled tasks with
  greedy/optimal assignment) planned step by step with PIBT, optionally traffic-guided.
* :func:`check_plan` - the independent validator of plans (vertex, swap, obstacle, jump and
  task-order rules).
* :func:`solve_dispatch` - offline dispatch of known transport orders (OR-Tools pickup and
  delivery: capacities, time windows, several orders per AGV).
* :class:`OnlineFleet` - a fleet stepped by an outside clock (a simulation, a shift plan):
  errands with holds, the same collision-free planner.
* :class:`Grid` - neighbour tables and cached per-goal BFS distance fields.
"""

from smartwms.agv.assign import ASSIGNERS, assign_greedy, assign_optimal
from smartwms.agv.battery import BatteryPolicy
from smartwms.agv.check import Conflict, check_plan
from smartwms.agv.dispatch import DispatchResult, DispatchStop, TransportOrder, solve_dispatch
from smartwms.agv.grid import UNREACHABLE, Grid
from smartwms.agv.guidance import TrafficGuidance
from smartwms.agv.lifelong import PLANNERS, AgvRunResult, run_lifelong
from smartwms.agv.online import Arrival, Errand, OnlineFleet
from smartwms.agv.pibt import PIBT
from smartwms.agv.tasks import RoundRobinTasks, Task, TaskPool, generated_tasks, lorr_pool
from smartwms.agv.windowed import WindowedPlanner

__all__ = [
    "ASSIGNERS",
    "PIBT",
    "PLANNERS",
    "UNREACHABLE",
    "AgvRunResult",
    "Arrival",
    "BatteryPolicy",
    "Conflict",
    "DispatchResult",
    "DispatchStop",
    "Errand",
    "Grid",
    "OnlineFleet",
    "RoundRobinTasks",
    "Task",
    "TaskPool",
    "TrafficGuidance",
    "TransportOrder",
    "WindowedPlanner",
    "assign_greedy",
    "assign_optimal",
    "check_plan",
    "generated_tasks",
    "lorr_pool",
    "run_lifelong",
    "solve_dispatch",
]

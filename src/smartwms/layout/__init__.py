"""Geometry of warehouses: closed-form parallel-aisle distances, graphs and grid maps."""

from smartwms.layout.distance import distance_matrix, paired_distances, resolve_points
from smartwms.layout.generator import GeneratorConfig, generate_instance
from smartwms.layout.geometry import AislePoints, aisle_distances, location_points, points_of
from smartwms.layout.graph import (
    aisle_network,
    graph_distances,
    grid_distances,
    grid_graph,
    layout_graph,
)
from smartwms.layout.gridmap import WarehouseGrid, warehouse_grid

__all__ = [
    "AislePoints",
    "GeneratorConfig",
    "WarehouseGrid",
    "aisle_distances",
    "aisle_network",
    "distance_matrix",
    "generate_instance",
    "graph_distances",
    "grid_distances",
    "grid_graph",
    "layout_graph",
    "location_points",
    "paired_distances",
    "points_of",
    "resolve_points",
    "warehouse_grid",
]

"""Figures: layout heatmaps, routes, AGV traffic, KPI charts (matplotlib, Agg backend)."""

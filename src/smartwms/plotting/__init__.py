"""Figures: layout heatmaps, routes, AGV traffic, KPI charts (matplotlib, no display needed)."""

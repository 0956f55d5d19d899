"""Figures: layout heat maps, routes, AGV traffic and KPI charts (matplotlib, Agg backend)."""

"""Picker routing: exact dynamic programs, the classic heuristics and OR-Tools for any layout."""

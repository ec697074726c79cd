"""Indicators: definitions as data, pre-aggregated values, dashboards, and the small-cell
suppression every aggregate output goes through."""

"""Reintegration follow-up: plans with their assistance, and the Reintegration Sustainability
Survey with its versioned scoring configuration."""

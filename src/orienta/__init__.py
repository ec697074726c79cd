"""Orienta: a National Referral Mechanism platform for migrants and returning migrants."""

__version__ = "0.1.0"

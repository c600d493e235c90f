"""Instrument files and their loader/validator (standard library only)."""

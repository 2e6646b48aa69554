"""Gazetteer of Vietnamese administrative units (legacy 63 provinces and the 34 of 2025)."""

from gazetteer.admin import ERAS, KINDS, LEVELS, Gazetteer, Unit, data_dir, get_gazetteer, name_key

__all__ = ["ERAS", "KINDS", "LEVELS", "Gazetteer", "Unit", "data_dir", "get_gazetteer", "name_key"]

"""Kept only so tests/stories/conftest.py (owned by another change) still imports it: new code
imports abreast.types."""

from .types import FETCHED_TEXT, TEXT_SOURCE_BY_KIND, Item, iso_week, utc_iso

__all__ = ["FETCHED_TEXT", "TEXT_SOURCE_BY_KIND", "Item", "iso_week", "utc_iso"]

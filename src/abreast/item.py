"""Kept only so tests/stories/conftest.py (owned by another change) still imports: use abreast.types."""

from .types import Item, iso_week, utc_iso

__all__ = ["Item", "iso_week", "utc_iso"]

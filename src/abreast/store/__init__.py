"""Storage: the only package that writes SQL. See docs/schema.md for every table and column."""

from .db import backup, now, open_db, transaction
from .discussions import Comment
from .items import Store, UpsertCounts

__all__ = ["Comment", "Store", "UpsertCounts", "backup", "now", "open_db", "transaction"]

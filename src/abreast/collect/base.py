"""The connector plugin interface and its registry.

A connector declares what it is with class attributes and implements ``collect``; parsing lives in
pure functions next to it so golden fixture tests need no network. Built-in connectors are found
through the ``abreast.connectors`` entry point group, exactly like third-party ones.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import AbreastError
from ..item import Item

if TYPE_CHECKING:
    from .fetcher import Fetcher


@dataclass
class SourceSpec:
    """What a connector needs to know about one configured source (a row of `sources`)."""

    name: str
    kind: str
    url: str
    config: dict[str, Any] = field(default_factory=dict)  # the source's JSON config
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class CollectResult:
    items: list[Item] = field(default_factory=list)
    not_modified: bool = False
    http_status: int | None = None
    nbytes: int = 0
    etag: str | None = None
    last_modified: str | None = None
    max_age: float | None = None  # seconds the response stays fresh (decider.freshness)
    warnings: list[str] = field(default_factory=list)  # survivable problems: skipped entries, etc.


class Connector(ABC):
    kind: ClassVar[str]
    description: ClassVar[str]
    # What `abreast sources add KIND X` expects as X, for --help and error messages.
    target_help: ClassVar[str] = "URL"

    @abstractmethod
    def collect(
        self, source: SourceSpec, fetcher: Fetcher, since: datetime | None = None
    ) -> CollectResult:
        """Fetch through ``fetcher`` and turn the responses into Items (parsing lives in pure
        functions)."""

    def source_from_target(self, target: str) -> dict[str, Any]:
        """What `abreast sources add KIND TARGET` stores: {"url": ..., "config": {...}}."""
        return {"url": target, "config": {}}

    def default_name(self, target: str) -> str:
        return f"{self.kind}:{target}"[:80]


class UnknownConnector(AbreastError):
    pass


def connectors() -> dict[str, EntryPoint]:
    """Installed connectors by kind, not yet loaded (a plugin's import cost is paid on use)."""
    found = {}
    for ep in entry_points(group="abreast.connectors"):
        found[ep.name] = ep
    return found


def get_connector(kind: str) -> Connector:
    eps = connectors()
    if kind not in eps:
        raise UnknownConnector(f"no connector {kind!r}; known: {', '.join(sorted(eps))}.")
    connector: Connector = eps[kind].load()()
    return connector

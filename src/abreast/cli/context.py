"""Shared CLI plumbing: settings and store opened once per command, Rich console, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from .. import config
from ..store import Store

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@dataclass
class _Command:
    """What the running command uses: the settings and store, opened once, and what it asked of
    config.load(): another abreast.toml (--config) and settings of its own (the demo allows
    loopback). Never through os.environ, which would leak into every later command of the same
    process (tests run many commands in one)."""

    config_file: str | None = None
    overrides: dict[str, dict[str, Any]] | None = None
    settings: config.Settings | None = None
    store: Store | None = None


_now = _Command()


def begin(config_file: str | None) -> None:
    """A command starts: settings from ``config_file`` (None: the home's abreast.toml), no
    overrides. Settings and store already open for exactly that are kept."""
    if (_now.config_file, _now.overrides) != (config_file, None):
        reset()
        _now.config_file = config_file


def override(overrides: dict[str, dict[str, Any]]) -> None:
    """This command's own settings over the user's, e.g. {"fetch": {"allow_private": [...]}}."""
    config_file = _now.config_file
    reset()
    _now.config_file, _now.overrides = config_file, overrides


def settings() -> config.Settings:
    if _now.settings is None:
        _now.settings = config.load(config_file=_now.config_file, overrides=_now.overrides)
    return _now.settings


def store() -> Store:
    if _now.store is None:
        s = settings()
        s.paths.ensure()
        _now.store = Store.open(s.paths.db)
    return _now.store


def reset() -> None:
    """Close the store and forget everything (tests run many commands in one process)."""
    global _now
    if _now.store is not None:
        _now.store.close()
    _now = _Command()


@contextmanager
def progress(transient: bool = True) -> Iterator[Progress]:
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=transient,
    ) as p:
        yield p

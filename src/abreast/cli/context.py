"""Shared CLI plumbing: settings and store opened once per command, Rich console, progress bars."""

from __future__ import annotations

from contextlib import contextmanager

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

_state: dict = {}


def settings() -> config.Settings:
    if "settings" not in _state:
        _state["settings"] = config.load()
    return _state["settings"]


def store() -> Store:
    if "store" not in _state:
        s = settings()
        s.paths.ensure()
        _state["store"] = Store.open(s.paths.db)
    return _state["store"]


def reset() -> None:
    """Forget cached settings/store (tests run many commands in one process)."""
    st = _state.pop("store", None)
    if st is not None:
        st.close()
    _state.clear()


@contextmanager
def progress(transient: bool = True):
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

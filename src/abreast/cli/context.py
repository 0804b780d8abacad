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


# What a command passes to config.load(): another abreast.toml (--config) and settings of its own
# (the demo allows loopback). Never through os.environ, which would leak into every later command
# of the same process (tests run many commands in one).
_PLAIN = {"config_file": None, "overrides": None}


def begin(config_file: str | None) -> None:
    """A command starts: settings from ``config_file`` (None: the home's abreast.toml), no
    overrides."""
    wanted = {"config_file": config_file, "overrides": None}
    if _state.get("load", _PLAIN) != wanted:
        reset()
        _state["load"] = wanted


def override(overrides: dict[str, dict]) -> None:
    """This command's own settings over the user's, e.g. {"fetch": {"allow_private": [...]}}."""
    load = {**_state.get("load", _PLAIN), "overrides": overrides}
    reset()
    _state["load"] = load


def settings() -> config.Settings:
    if "settings" not in _state:
        _state["settings"] = config.load(**_state.get("load", _PLAIN))
    return _state["settings"]


def store() -> Store:
    if "store" not in _state:
        s = settings()
        s.paths.ensure()
        _state["store"] = Store.open(s.paths.db)
    return _state["store"]


def reset() -> None:
    """Forget cached settings/store and begin()/override() (tests run many commands in one
    process)."""
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

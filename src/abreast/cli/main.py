"""The `abreast` command. Thin: parse arguments, call the library, print with Rich.

Errors a user can fix (AbreastError) print one line and exit 1; bad usage exits 2 (Click's rule);
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sqlite3
import sys

import typer
from typer.core import TyperGroup, TyperOption

from .. import __version__
from ..errors import AbreastError
from . import context as ctx

# Every usage error (bad value, unknown option, missing argument) derives from click's UsageError.
# Typer vendors click since 0.2x (as a private module), so reach it through the public BadParameter.
UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def _command_path(click_ctx) -> str:
    names = []
    while click_ctx is not None and click_ctx.parent is not None:
        names.append(click_ctx.info_name or "")
        click_ctx = click_ctx.parent
    return " ".join(["abreast", *reversed(names)])


# Typer's rich help prints "<bool>" after every flag ("--force <bool>"), which reads as if the flag
# took a value; a flag shows no type.
_display_type_rich = TyperOption.display_type_rich


def _flag_shows_no_type(self: TyperOption, ctx: typer.Context) -> str | None:
    return None if self.is_flag else _display_type_rich(self, ctx)


TyperOption.display_type_rich = _flag_shows_no_type  # type: ignore[method-assign]


def _database_failure(e: sqlite3.Error):
    from ..store.repair import explain

    try:
        db = ctx.settings().paths.db
    except AbreastError:
        return None
    return explain(e, db)


class FriendlyGroup(TyperGroup):
    """Turns AbreastError anywhere below into one line `Error: ...` on stderr and exit code 1, and a
    bad argument of a command into one line and exit code 2 (Typer's boxed error panel would spread
    one message over five lines)."""

    def invoke(self, click_ctx):
        try:
            return super().invoke(click_ctx)
        except AbreastError as e:
            ctx.err_console.print(f"Error: {e}", markup=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except sqlite3.Error as e:
            # The database failing under a command (damaged, read-only, disk full, locked) is one
            # line saying what to do (store/repair.py); any other SQLite error is a bug: traceback.
            known = _database_failure(e)
            if known is None:
                raise
            ctx.err_console.print(f"Error: {known}", markup=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except UsageError as e:
            message = e.format_message().rstrip()
            message += "" if message.endswith((".", "?", "!")) else "."
            ctx.err_console.print(
                f"Error: {message} See `{_command_path(e.ctx)} --help`.",
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(e.exit_code) from None


app = typer.Typer(
    name="abreast",
    cls=FriendlyGroup,
    help="Keep abreast of the AI/LLM field: collect, understand, cluster, explain, draft a post.",
    add_completion=True,
    no_args_is_help=False,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        ctx.console.print(f"abreast {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    typer_ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    config_file: str = typer.Option(
        None,
        "--config",
        envvar="ABREAST_CONFIG",
        show_envvar=True,
        help="Use this abreast.toml instead of the one in ABREAST_HOME.",
    ),
) -> None:
    """abreast does the legwork; you keep the voice and publish."""
    ctx.begin(config_file)
    if typer_ctx.invoked_subcommand is None:
        ctx.err_console.print("Error: missing command. Run `abreast --help` to see the commands.")
        raise typer.Exit(2)


def _register() -> None:
    # Each command group lives in its own module; importing them here keeps start-up cheap because
    # every module imports heavy libraries (numpy, wordllama, matplotlib) inside its functions.
    from . import (
        ask,
        core,
        db,
        demo,
        explain,
        learn,
        models,
        sources,
        stories,
        understand,
        web,
        write,
    )

    core.register(app)
    app.add_typer(sources.app, name="sources")
    understand.register(app)
    stories.register(app)
    explain.register(app)
    ask.register(app)
    learn.register(app)
    write.register(app)
    models.register(app)
    web.register(app)
    app.add_typer(db.app, name="db")
    app.add_typer(demo.app, name="demo")


_register()


def run() -> None:
    try:
        app()
    except KeyboardInterrupt:
        ctx.err_console.print("Interrupted; everything committed so far is kept.")
        sys.exit(130)

"""`abreast models ...` and `abreast model ID`: the open-model registry, its family trees, this
week's models.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from ..errors import AbreastError, NotFound
from ..store import landscape as sql
from ..stories.weeks import default_week, iso_week
from ..types import RegistryModel
from . import context as ctx

app = typer.Typer(
    help="The open-model registry: list models, draw family trees, rebuild from the sources.",
    no_args_is_help=True,
)


def one_line_errors(fn):
    """AbreastError -> `Error: ...` on one line and exit 1, also when this sub-app runs alone."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AbreastError as e:
            ctx.err_console.print(f"Error: {e}", markup=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


def _conn():
    return ctx.store().conn


def _ensure_built(conn) -> None:
    from ..landscape.registry import build_registry

    if sql.count_models(conn) == 0:
        ctx.err_console.print("Building the model registry (first use)...")
        build_registry(conn)


def _latest_week(conn) -> str:
    """The week the other commands default to (stories.weeks.default_week), else this week."""
    week = default_week(conn)
    if week:
        return week
    return iso_week(date.today())


@app.command("build")
@one_line_errors
def build() -> None:
    """Rebuild the registry from the bundled leaderboards and lists plus the Hugging Face items and
    model mentions in your database. Safe to rerun: the registry is replaced in one transaction."""
    from ..landscape.registry import build_registry

    rep = build_registry(_conn())
    top = ", ".join(f"{f} {n}" for f, n in sorted(rep.families.items(), key=lambda x: -x[1])[:8])
    ctx.console.print(
        f"Registry: {rep.models} models, {rep.edges} base-model links, {rep.scores} leaderboard "
        f"scores, {rep.mentioned} first seen in your items. Largest families: {top}."
    )


@app.command("list")
@one_line_errors
def list_(
    family: str = typer.Option(
        None, "--family", "-f", help="Only this family, e.g. llama, qwen, mistral."
    ),
    org: str = typer.Option(
        None, "--org", help="Only this organisation (Hugging Face owner), e.g. meta-llama."
    ),
    license: str = typer.Option(
        None, "--license", help="Only licenses containing this text, e.g. apache."
    ),
    new_this_week: bool = typer.Option(
        False, "--new-this-week", help="Only models released in the week."
    ),
    week: str = typer.Option(
        None, "--week", help="ISO week for --new-this-week (default: latest with items)."
    ),
    limit: int = typer.Option(
        50, "--limit", "-n", min=0, help="Show at most this many models (0 = all)."
    ),
) -> None:
    """List models with organisation, family, size, release date, license and base model."""
    from ..landscape.weekly import new_models, week_range

    conn = _conn()
    _ensure_built(conn)
    start = end = None
    if new_this_week:
        week = week or _latest_week(conn)
        start, end = week_range(week)
        # became public in the week (first news mention, else repo date), official releases first
        fresh = [m.id for m in new_models(conn, start, end)]
        found = {r.id: r for r in sql.list_models(conn, family=family, org=org, license=license)}
        rows = [found[m] for m in fresh if m in found]
    else:
        rows = sql.list_models(conn, family=family, org=org, license=license)
    total = len(rows)
    shown = rows if limit == 0 else rows[:limit]
    title = f"{total} models" + (f" new in {week} ({start} .. {end})" if new_this_week else "")
    table = Table(title=title)
    table.add_column("id", no_wrap=True)
    table.add_column("org", max_width=16, overflow="ellipsis", no_wrap=True)
    table.add_column("family", no_wrap=True)
    table.add_column("size", no_wrap=True, justify="right")
    table.add_column("released", no_wrap=True)
    table.add_column("license", max_width=14, overflow="ellipsis", no_wrap=True)
    table.add_column("base (relation)", overflow="fold")
    for r in shown:
        bases = sql.bases_of(conn, r.id)
        base = ", ".join(f"{b.base_id} ({b.relation})" for b in bases)
        table.add_row(
            r.id,
            r.org or "",
            r.family or "",
            _size(r.params_b),
            r.released or "",
            _short(r.license),
            base,
        )
    ctx.console.print(table)
    if total > len(shown):
        ctx.console.print(f"... and {total - len(shown)} more (use --limit 0 to see all).")


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "family"


@app.command("tree")
@one_line_errors
def tree(
    family: str = typer.Option(
        "llama", "--family", "-f", help="Family to draw: llama, qwen, mistral, ..."
    ),
    since: str = typer.Option(
        None,
        "--since",
        help="Only models released on/after this date (YYYY-MM-DD); "
        "their ancestors are kept for context.",
    ),
    out: Path = typer.Option(
        None,
        "--out",
        "-o",
        help="Write FILE.svg, FILE.png or FILE.mmd (Mermaid); `-` prints Mermaid text "
        "(default: FAMILY-tree-WEEK.svg here).",
    ),
    week: str = typer.Option(
        None,
        "--week",
        help="Draw as of the end of this ISO week and highlight its new models "
        "(default: the last full week, as `abreast week` uses).",
    ),
    as_of: str = typer.Option(
        None,
        "--as-of",
        help="Draw as of this date (YYYY-MM-DD): nothing released later appears "
        "(default: the end of --week).",
    ),
    width: int = typer.Option(
        1200, "--width", min=200, max=10000, help="Image width in pixels (blog width: 1200)."
    ),
) -> None:
    """Draw a family's lineage as of a date: the family's own releases and the descendants with the
    most attention (news, likes, leaderboards), long tails collapsed into counts, the week's new
    models highlighted, name-inferred links dotted."""
    from ..landscape.tree import TreeSpec, family_tree_as_of, to_mermaid
    from ..landscape.weekly import draw_family_tree, week_end, week_range

    to_stdout = out is not None and str(out) == "-"
    suffix = out.suffix.lower() if out and not to_stdout else ""
    if out is not None and not to_stdout and suffix not in (".svg", ".png", ".mmd", ".md"):
        raise AbreastError(f"cannot write {out.name}: use a .svg, .png or .mmd file name.")
    if as_of is not None:
        _check_date(as_of)
    conn = _conn()
    _ensure_built(conn)
    if week is None and as_of is not None:
        y, w, _ = date.fromisoformat(as_of).isocalendar()
        week = f"{y}-W{w:02d}"
    week = week or _latest_week(conn)
    start, end = week_range(week)
    as_of = as_of or week_end(week)
    if out is None:  # 130 lines of Mermaid help nobody in a terminal: draw the picture
        out = Path(f"{_slug(family)}-tree-{as_of}.svg")
        suffix = ".svg"
    if suffix in (".svg", ".png"):
        info = draw_family_tree(conn, family, week, out, since=since, width_px=width, as_of=as_of)
        ctx.console.print(f"Wrote {out} (as of {as_of}). {info['caption']}", soft_wrap=True)
        return
    t = family_tree_as_of(
        conn, TreeSpec(family.lower(), since=since, as_of=as_of, new_from=start, new_to=end)
    )
    # Mermaid comments carry the caption, so a pasted diagram still says how it was chosen.
    head, rest = to_mermaid(t.root).split("\n", 1)
    text = f"{head}\n    %% As of {as_of}. {t.caption}\n{rest}"
    if to_stdout:
        ctx.console.print(text, markup=False, soft_wrap=True)
        return
    out.write_text(f"```mermaid\n{text}```\n" if suffix == ".md" else text)
    ctx.console.print(f"Wrote {out}")


@app.command("week")
@one_line_errors
def week_(
    week: str = typer.Argument(None, help="ISO week, e.g. 2024-W51 (default: latest with items)."),
) -> None:
    """This week in models: new models, LMArena moves, the stories that name them (Markdown)."""
    from ..landscape.weekly import this_week, to_markdown

    conn = _conn()
    _ensure_built(conn)
    ctx.console.print(
        to_markdown(this_week(conn, week or _latest_week(conn))), markup=False, soft_wrap=True
    )


@one_line_errors
def model_show(
    model_id: str = typer.Argument(
        ..., help="Model id (e.g. qwen/qwq-32b-preview) or part of a name."
    ),
) -> None:
    """Show one model's card (maker, licence in plain words, size, lineage, where it was discussed,
    laptop memory at 4-bit and 8-bit), then every fact with its source, derivatives and scores."""
    _check_query(model_id)  # before building the registry: the answer does not depend on it
    conn = _conn()
    _ensure_built(conn)
    from ..landscape.card import card_lines, model_card

    row = _find(conn, model_id)
    ctx.console.print(f"[bold]{row.name}[/]  ({row.id})")
    for line in card_lines(model_card(conn, row.id)):
        ctx.console.print(line, markup=False, soft_wrap=True)
    ctx.console.print(
        f"family {row.family or '?'} · org {row.org or '?'} · {_size(row.params_b) or '?'}"
        f" · released {row.released or '?'} · license {_short(row.license) or '?'}"
    )
    facts = Table(
        "fact", "value", "source", "as of", title="Facts (the winner of each field is used above)"
    )
    for f in sql.model_facts(conn, row.id):
        facts.add_row(f.field, _short(f.value, 60), f.source, f.as_of or "")
    ctx.console.print(facts)
    lineage = Table("direction", "model", "relation", "source", title="Lineage")
    for b in sql.bases_of(conn, row.id):
        lineage.add_row("base", b.base_id, b.relation, b.source)
    kids = sql.children_of(conn, row.id)
    for k in kids[:15]:
        lineage.add_row("derived", k.model_id, k.relation, k.source)
    if len(kids) > 15:
        lineage.add_row("derived", f"... {len(kids) - 15} more", "", "")
    ctx.console.print(lineage)
    scores = sql.scores_of(conn, row.id)
    if scores:
        st = Table("board", "snapshot", "score", "rank", title="Leaderboards")
        for s in scores:
            st.add_row(
                s.board,
                s.snapshot,
                f"{s.score:.1f}" if s.score is not None else "",
                str(s.rank or ""),
            )
        ctx.console.print(st)


def _check_date(text: str) -> None:
    try:
        date.fromisoformat(text)
    except ValueError:
        raise AbreastError(f"{text!r} is not a date; write it like 2023-12-10.") from None


MAX_MODEL_QUERY = (
    200  # the longest Hugging Face repo id is 96 characters; SQLite's LIKE gives up at 50 kB
)


def _check_query(text: str) -> None:
    if len(text) > MAX_MODEL_QUERY:
        raise AbreastError(
            f"a model id or name is at most {MAX_MODEL_QUERY} characters; "
            f"this one has {len(text):,} ({text[:40]!r}...)."
        )


def _find(conn, text: str) -> RegistryModel:
    _check_query(text)
    row = sql.get_model(conn, text.lower()) or sql.model_by_alias(conn, text)
    if row:
        return row
    found = sql.find_models(conn, text)
    if len(found) == 1 or (found and found[0].name.lower() == text.lower()):
        return found[0]
    hint = (
        f" Did you mean: {', '.join(r.id for r in found)}?"
        if found
        else " `abreast models list` shows the registry."
    )
    raise NotFound(f"no model {text!r} in the registry.{hint}")


def _size(p) -> str:
    from ..landscape.tree import size_label

    return size_label(p)


def _short(v, n: int = 24) -> str:
    v = "" if v is None else str(v)
    return v if len(v) <= n else v[: n - 1] + "…"


def register(main_app: typer.Typer) -> None:
    """Wire into the main CLI: `abreast models ...` and `abreast model ID`."""
    main_app.add_typer(app, name="models")
    main_app.command("model")(model_show)

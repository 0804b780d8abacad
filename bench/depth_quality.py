"""Depth of the story cards (issue 12): does each top story say what happened beyond its title?

    .venv/bin/python -m abreast demo run                      # with ABREAST_HOME=.demo-home
    .venv/bin/python bench/depth_quality.py --home .demo-home  # -> bench/out/depth_quality.md

For the top 25 stories of 2024-W50, 2024-W51 and 2023-W49 it builds each story's card exactly as
`abreast story`, the web story page and the draft show it (explain/card.py) and counts the stories
whose "What happened" has at least two verified sentences that are not the title, among the stories
whose members have any text (target: all of them), and among all; then it lists why each story that
has fewer says less, and how many cards quote what people say.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "out"
WEEKS = ["2024-W50", "2024-W51", "2023-W49"]
TOP = 25


def text_notes(conn, keys: list[str]) -> dict[str, str]:
    """item key -> why it has no article text (robots.txt, paywall, ...), where a fetch said so."""
    cols = {r[1] for r in conn.execute("PRAGMA table_info(items)")}
    if "text_note" not in cols or not keys:
        return {}
    marks = ",".join("?" * len(keys))
    rows = conn.execute(
        f"SELECT key, text_note FROM items WHERE key IN ({marks}) AND text_note IS NOT NULL", keys
    )
    return {r[0]: r[1] for r in rows}


def why_not(story, card, notes: dict[str, str]) -> str:
    """Why a card's "What happened" has fewer than two sentences, in a reader's words, with what
    the reading stage said of each member's article page."""
    tried = [f"{k}: {n}" for k, n in notes.items() if any(m.key == k for m in story.members)]
    pages = "; ".join(tried) if tried else "no article page fetched"
    if not any(m.text.strip() for m in story.members):
        kinds = ", ".join(sorted({m.kind for m in story.members}))
        return f"no text: title-only members ({kinds}); {pages}"
    texts = [" ".join(m.text.split()) for m in story.members if m.text.strip()]
    shown = "; ".join(f"“{t[:90]}{'…' if len(t) > 90 else ''}”" for t in texts[:2])
    why = card.happened_note or "fewer than two sentences"
    return f"{why}; its only text: {shown}; article page: {pages}"


def measure(store, week: str) -> dict:
    from abreast.explain.card import CardLoader
    from abreast.store.stories import load_week

    loader = CardLoader(store)
    rows = []
    for s in load_week(store.conn, week)[:TOP]:
        card = loader.card(s)
        notes = text_notes(store.conn, [m.key for m in s.members])
        has_text = any(m.text.strip() for m in s.members)
        ok = len(card.happened) >= 2
        rows.append(
            {
                "rank": s.rank,
                "title": s.title,
                "id": s.id,
                "has_text": has_text,
                "sentences": len(card.happened),
                "ok": ok,
                "why": "" if ok else why_not(s, card, notes),
                "comments": len(card.comments),
                "discussions": sum(len(src.discussions) for src in card.sources),
                "threads": sum(m.kind in ("hn", "reddit") for m in s.members),
            }
        )
    return {"week": week, "rows": rows}


def pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f}%)" if d else "0/0"


def report(results: list[dict]) -> str:
    lines = [
        "## Depth: what happened, beyond the title (top 25 stories)",
        "",
        "Each story's card as `abreast story`, the web story page and the draft show it "
        "(`explain/card.py`): *What happened* holds 2-3 sentences copied verbatim from the "
        "sources' text, each verified against that text and never a restatement of the title. "
        "Counted here: stories with at least two such sentences.",
        "",
        "| week | with >= 2 sentences, among stories with any text | ... among all | "
        "cards quoting >= 2 comments | stories with a discussion link |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        rows = r["rows"]
        with_text = [x for x in rows if x["has_text"]]
        lines.append(
            f"| {r['week']} | {pct(sum(x['ok'] for x in with_text), len(with_text))} | "
            f"{pct(sum(x['ok'] for x in rows), len(rows))} | "
            f"{pct(sum(x['comments'] >= 2 for x in rows), len(rows))} | "
            f"{pct(sum(x['discussions'] > 0 for x in rows), len(rows))} |"
        )
    lines += ["", "### Stories that say less than two sentences, and why", ""]
    for r in results:
        missing = [x for x in r["rows"] if not x["ok"]]
        lines += [f"**{r['week']}** ({len(missing)} of {len(r['rows'])}):", ""]
        lines += [
            f"- #{x['rank']} {x['title'][:80]} (`{x['id']}`): {x['why']}"
            + (f" [{x['sentences']} sentence]" if x["sentences"] else "")
            for x in missing
        ]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--home", default=".demo-home", help="ABREAST_HOME of a finished demo run")
    args = ap.parse_args(argv)
    from abreast.store import Store

    db = Path(args.home) / "abreast.db"
    if not db.exists():
        sys.exit(f"no demo store at {db}: run `ABREAST_HOME={args.home} abreast demo run` first")
    store = Store.open(db)
    try:
        text = report([measure(store, w) for w in WEEKS])
    finally:
        store.close()
    OUT.mkdir(exist_ok=True)
    (OUT / "depth_quality.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

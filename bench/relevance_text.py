"""AI relevance with and without the item's text, on the held-out (test) half of the dev set.

    .venv/bin/python bench/relevance_text.py                         # labelled texts only
    .venv/bin/python bench/relevance_text.py --store .demo-home/abreast.db   # + fetched page texts

Relevance reads an item's text when it has one (lexicon hits in its opening, the embedding of
title and text), and the understand stage re-annotates an item whose text arrives later (a fetched
article page changes its content hash). This measures what the text changes: every test-split item
that has a text is classified twice with the shipped model, once as stored and once with its text
removed. With ``--store``, labelled Hacker News items whose article page was fetched into that store
(text_source 'page') are added with that text. Nothing is tuned here.
"""

from __future__ import annotations

import argparse
import dataclasses
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import devset  # noqa: E402

OUT = HERE / "out"
# Relevance errors whose AI-ness is in the article, not the title (issue 12).
KNOWN_MISSES = ["hn:42433609", "hn:42469074", "hn:42419469"]


def prf(gold: list[bool], pred: list[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def page_texts(db: Path | None, keys: list[str]) -> dict[str, str]:
    """key -> article text fetched into a store (text_source 'page'), for title-only items."""
    if db is None:
        return {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        cols = {r[1] for r in conn.execute("PRAGMA table_info(items)")}
        if "text_source" not in cols:
            return {}
        out = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            out.update(
                conn.execute(
                    f"SELECT key, text FROM items WHERE text_source = 'page' AND key IN "
                    f"({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            )
        return out
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, help="a store whose fetched article pages to add")
    args = ap.parse_args(argv)
    from abreast.understand.pipeline import annotate

    test = devset.load("test")
    pages = page_texts(args.store, [r.item.key for r in test if not r.item.text.strip()])
    rows = []
    for r in test:
        if r.item.text.strip():
            rows.append((r, r.item, "source"))
        elif r.item.key in pages:
            rows.append((r, dataclasses.replace(r.item, text=pages[r.item.key]), "page"))
    gold = [r.is_ai for r, _, _ in rows]
    with_text = annotate([it for _, it, _ in rows], None)
    title_only = annotate([dataclasses.replace(it, text="") for _, it, _ in rows], None)
    lines = [
        "## Relevance: title only vs with the item's text (test split)",
        "",
        f"The shipped relevance model on the {len(rows)} test-split items that have a text "
        f"({sum(k == 'source' for *_, k in rows)} with their source's own text: arXiv abstracts, "
        f"feed content, Reddit self-text; {sum(k == 'page' for *_, k in rows)} Hacker News items "
        "with a fetched article page"
        + (f" from `{args.store}`" if args.store else "")
        + "), each classified as stored and with its text removed. Nothing tuned on these.",
        "",
        "| input | precision | recall | F1 | AI / items |",
        "|---|---|---|---|---|",
    ]
    for name, anns in (("title only", title_only), ("title + text", with_text)):
        p, r_, f = prf(gold, [a.is_ai for a in anns])
        lines.append(f"| {name} | {p:.3f} | {r_:.3f} | {f:.3f} | {sum(gold)}/{len(gold)} |")
    changed = [
        (r, a.is_ai, b.is_ai)
        for (r, _, _), a, b in zip(rows, with_text, title_only, strict=True)
        if a.is_ai != b.is_ai
    ]
    lines += ["", "Items the text changes (label, with text, title only):", ""]
    lines += [
        f"- {'AI' if r.is_ai else 'not AI'}: {'AI' if w else 'not AI'} with text, "
        f"{'AI' if t else 'not AI'} from the title: {r.item.kind} “{r.item.title[:70]}”"
        for r, w, t in changed
    ] or ["- none"]
    labelled = {r.item.key: r for r in devset.load()}
    lines += ["", "The known misses whose AI-ness is in the article, not the title:", ""]
    for key in KNOWN_MISSES:
        r = labelled[key]
        text = r.item.text or pages.get(key, "")
        score = annotate([dataclasses.replace(r.item, text=text)], None)[0]
        where = "with its article text" if text else "title only: no article text stored"
        lines.append(
            f"- “{r.item.title}” ({r.split} split, labelled AI): relevance {score.relevance:.2f} "
            f"({where})"
        )
    text = "\n".join(lines) + "\n"
    OUT.mkdir(exist_ok=True)
    (OUT / "relevance_text.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

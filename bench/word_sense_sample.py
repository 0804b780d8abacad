"""Draw the items of a word-sense split (fresh4 .. fresh11) at random, before any sense model runs.

    .venv/bin/python bench/word_sense_sample.py --store .demo-home/abreast.db > /tmp/fresh4.tsv
    .venv/bin/python bench/word_sense_sample.py --papers bench/data/word_sense_fresh5_papers.jsonl \
        --seed 20261212 > /tmp/fresh5.tsv

`fresh5` is drawn from papers the demo does not bundle (bench/data/word_sense_fresh5_SOURCE.md):
``--extract GIT_DIR`` wrote that file from a copy of the HuggingAGI/HuggingArxivLLM repository
(fresh6: ``--from-day 11``; fresh7: ``--month papers/2024年08月 --days 31``, then ``--papers
bench/data/word_sense_fresh7_papers.jsonl --seed 20261215`` and ``--seed 20261216 --more-after``;
fresh8: ``--month papers/2024年07月 --days 31``, seeds 20261217 and 20261218; fresh9:
``--month papers/2024年05月 --days 31``, seeds 20261219 and 20261220; fresh10: ``--month
papers/2024年09月 --days 30``, then ``--papers bench/data/word_sense_fresh10_papers.jsonl --seed
20261221`` and ``--seed 20261222 --more-after``; fresh11: ``--month papers/2024年10月 --days
31``, then ``--papers bench/data/word_sense_fresh11_papers.jsonl --seed 20261223`` and ``--seed
20261224 --more-after``).

Prints one candidate a line: term, item key, where it was drawn from, the title, and the sentences
that use the term (the start of the text, as the sense check reads it), for a person to label by
reading. Nothing here runs the sense model (retrieve/sense.py): the draw uses the glossary's own
matcher (which items use the term at all) and plain words.

Pool: the demo store's searchable items (AI-relevant, not duplicates, with a vector: what the
retrieval core and the sense check ever see) that the glossary matcher tags with a term that has a
sense, and whose key no earlier split of bench/data/word_sense.jsonl labels for any term (new
items only). Per term, with seed SEED: (a) PER_TERM random items; (b) up to NO_LLM_TITLE more whose
title uses the term and names no LLM word; (c) EXTRA more for the terms whose other senses are
common, from items whose title or text has a word of a known other field (FIELD_WORDS), then at
random; (d) NO_LLM_ANYWHERE more whose title and text (as the sense check reads it) name no LLM
word at all, where other senses gather. Candidates are sorted by key before shuffling, so the draw
depends only on the store and the seed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from abreast.retrieve.index import load_index  # noqa: E402
from abreast.store import Store  # noqa: E402
from abreast.store.retrieval import texts  # noqa: E402
from abreast.understand.jargon import _entries, find_jargon  # noqa: E402

SEED = 20261211
PER_TERM = 6
NO_LLM_TITLE = 6
LLM_WORDS = re.compile(
    r"\b(llms?|language models?|gpt|llama|chatgpt|claude|gemini|mllms?|vlms?|lvlms?)\b", re.I
)
# words of another field, where the term's other senses are likely (the same lists as fresh3's)
FIELD_WORDS = {
    "agents": r"game|robot|reinforcement|equilibri|utility|swarm|vehicle|consensus|auction|"
    r"multi-agent|agent-based|simulation|negotiat",
    "inference": r"bayesian|posterior|probabilistic|causal|logic|entail|statistic|likelihood|"
    r"variational",
    "transformer": r"power|voltage|electric|grid",
    "tokens": r"crypto|blockchain|authentication|security|nft",
    "hallucination": r"patient|clinical|psych|medical",
    "reinforcement-learning": r"psycholog|behaviou?r|animal|education",
    "distillation": r"dataset distillation|data distillation|chemi",
    "diffusion": r"social|heat|physics|equation|spread|network",
}
EXTRA = {
    "agents": 36,
    "inference": 14,
    "transformer": 8,
    "tokens": 8,
    "hallucination": 4,
    "reinforcement-learning": 4,
    "distillation": 4,
    "diffusion": 4,
}

NO_LLM_ANYWHERE = {
    "agents": 60,
    "transformer": 10,
    "tokens": 8,
    "inference": 5,
    "diffusion": 2,
    "distillation": 2,
}


def _store_items(store_path: str) -> list[tuple[str, str, str]]:
    """(key, title, text) of the demo store's searchable items no split before fresh4 labels."""
    store = Store.open(store_path)
    idx = load_index(store)
    data = ROOT / "bench/data/word_sense.jsonl"
    earlier = [json.loads(line) for line in data.open()]
    used = {r["item_key"] for r in earlier if r["split"] not in ("fresh4", "fresh5")}
    body = texts(store.conn, [r.item_id for r in idx.rows])
    return [(r.key, r.title, body.get(r.item_id, "")) for r in idx.rows if r.key not in used]


def _paper_items(path: Path) -> list[tuple[str, str, str]]:
    """(key, title, abstract) of a papers file (one JSON object a line: key, title, text)."""
    rows = [json.loads(line) for line in path.open()]
    return [(r["key"], r["title"], r["text"]) for r in rows]


def draw(store_path: str | None, seed: int = SEED, papers: Path | None = None) -> list[dict]:
    items = _paper_items(papers) if papers else _store_items(str(store_path))
    terms = sorted(e["id"] for e in _entries() if e.get("sense"))
    pools: dict[str, list[tuple[str, str, str]]] = {t: [] for t in terms}
    for key, title, text in sorted(items):
        for tid in set(find_jargon(f"{title}\n{text[:2000]}")) & set(terms):
            pools[tid].append((key, title, text))
    rng = random.Random(seed)
    out: list[dict] = []
    for tid in terms:
        pool = pools[tid]
        rng.shuffle(pool)
        taken: set[str] = set()

        def take(cands, n, how, tid=tid, taken=taken):
            for key, title, text in [c for c in cands if c[0] not in taken][:n]:
                taken.add(key)
                out.append(
                    {"term": tid, "item_key": key, "drawn": how, "title": title, "text": text}
                )

        take(pool, PER_TERM, "random")
        rx = _term_rx(tid)
        take(
            [c for c in pool if rx.search(c[1]) and not LLM_WORDS.search(c[1])],
            NO_LLM_TITLE,
            "title-no-llm",
        )
        if tid in EXTRA:
            field = re.compile(rf"\b(?:{FIELD_WORDS[tid]})", re.I)
            take(
                [c for c in pool if field.search(f"{c[1]}\n{c[2][:2000]}")],
                EXTRA[tid] // 2,
                "field-word",
            )
            take(pool, EXTRA[tid] - EXTRA[tid] // 2, "random-extra")
        if tid in NO_LLM_ANYWHERE:
            take(
                [c for c in pool if not LLM_WORDS.search(f"{c[1]}\n{c[2][:2000]}")],
                NO_LLM_ANYWHERE[tid],
                "no-llm-anywhere",
            )
    return out


def _term_rx(term_id: str) -> re.Pattern[str]:
    e = next(e for e in _entries() if e["id"] == term_id)
    alts = "|".join(
        re.escape(a).replace(r"\ ", r"[\s-]+")
        for a in sorted({*e["aliases"], *e["exact"]}, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w])(?:{alts})(?:e?s)?(?![\w])", re.I)


def _sentences(term_id: str, text: str) -> list[str]:
    rx = _term_rx(term_id)
    return [s.strip() for s in re.split(r"(?<=[.!?;])\s+|\n", text[:2000]) if rx.search(s)]


# fresh6's second draw (seed 20261214): the first left too few other-sense items (18), so more
# random items of the terms whose other senses are common in papers, among those not drawn yet
MORE = {"alignment": 25, "inference": 20, "agents": 15}


def draw_more(papers: Path, drawn: set[tuple[str, str]], seed: int) -> list[dict]:
    """MORE random (term, paper) pairs per term from ``papers``, none of ``drawn``."""
    out = []
    rng = random.Random(seed)
    items = sorted(_paper_items(papers))
    for tid, n in sorted(MORE.items()):
        pool = [
            c
            for c in items
            if (tid, c[0]) not in drawn and tid in find_jargon(f"{c[1]}\n{c[2][:2000]}")
        ]
        rng.shuffle(pool)
        for key, title, text in pool[:n]:
            out.append(
                {"term": tid, "item_key": key, "drawn": "more", "title": title, "text": text}
            )
    return out


MIRROR_COMMIT = "6107c9494a55f2d0db0534089bb194ae588803a1"  # HuggingAGI/HuggingArxivLLM
MIRROR_MONTH = "papers/2024年06月"  # June 2024: no paper of it is in the demo's weeks
_QUOTED = re.compile(r"^> (.+)$", re.M)
_ARXIV = re.compile(r"\[Arxiv\]\(https?://arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})")


def extract(
    git_dir: str, store_path: str, days: int, first: int = 1, month: str = MIRROR_MONTH
) -> list[dict]:
    """The papers of ``days`` days of ``month`` from day ``first`` in the HuggingArxivLLM
    repository (git directory ``git_dir``) that the glossary matcher tags with a term that has a
    sense, and whose arXiv id no item of the demo store names: key, title, abstract, URL, date.
    Each page there holds a Chinese summary, then the paper's English title and abstract as
    quoted lines."""
    import sqlite3
    import subprocess

    def git(*a: str) -> str:
        cmd = ["git", "-C", git_dir, "-c", "core.quotepath=off", *a]
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

    con = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    demo = " ".join(f"{k} {u or ''}" for k, u in con.execute("SELECT key, url FROM items"))
    terms = {e["id"] for e in _entries() if e.get("sense")}
    out = []
    seen: set[str] = set()
    for name in sorted(git("ls-tree", "-r", "--name-only", MIRROR_COMMIT, month).split()):
        day = re.search(r"(\d{4})年(\d\d)月(\d\d)日/", name)
        if not day or not first <= int(day.group(3)) < first + days or not name.endswith(".md"):
            continue
        page = git("show", f"{MIRROR_COMMIT}:{name}")
        english = [q.strip() for q in _QUOTED.findall(page) if q.strip().isascii()]
        m = _ARXIV.search(page)
        # a paper listed on two days (two pages) is taken once, from its first day
        if len(english) < 2 or not m or m.group(1) in demo or m.group(1) in seen:
            continue
        seen.add(m.group(1))
        title, text = english[0], re.sub(r"^Abstract:\s*", "", english[-1])
        if set(find_jargon(f"{title}\n{text[:2000]}")) & terms:
            out.append(
                {
                    "key": f"arxiv:{m.group(1)}",
                    "title": title,
                    "text": text,
                    "url": f"https://arxiv.org/abs/{m.group(1)}",
                    "published": "-".join(day.groups()),
                }
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=str(ROOT / ".demo-home/abreast.db"))
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--papers", type=Path, help="draw from this papers file, not the store")
    ap.add_argument("--extract", metavar="GIT_DIR", help="print the papers file (fresh5's pool)")
    ap.add_argument("--days", type=int, default=10, help="with --extract: days of June ...")
    ap.add_argument("--from-day", type=int, default=1, help="... from this one (fresh6: 11)")
    ap.add_argument(
        "--month",
        default=MIRROR_MONTH,
        help="with --extract: the digest's month folder (fresh7: papers/2024年08月)",
    )
    ap.add_argument("--more-after", type=Path, help="a first draw's output: draw MORE beside it")
    args = ap.parse_args()
    if args.more_after:
        drawn = {tuple(line.split("\t")[:2]) for line in args.more_after.open()}
        for d in draw_more(args.papers, drawn, args.seed):  # type: ignore[arg-type]
            ctx = " || ".join(_sentences(d["term"], d["text"]))[:900]
            print("\t".join([d["term"], d["item_key"], d["drawn"], d["title"], ctx]))
        return
    if args.extract:
        for paper in extract(args.extract, args.store, args.days, args.from_day, args.month):
            print(json.dumps(paper, ensure_ascii=False))
        return
    for d in draw(args.store, args.seed, args.papers):
        ctx = " || ".join(_sentences(d["term"], d["text"]))[:900]
        print("\t".join([d["term"], d["item_key"], d["drawn"], d["title"], ctx]))


if __name__ == "__main__":
    main()

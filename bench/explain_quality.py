"""How faithful are abreast's summaries? Writes bench/out/explain_quality.md.

  .venv/bin/python bench/explain_quality.py [--data ../shared/data]

Stories: the recorded items of the demo window (2024-11-18 .. 2024-12-22): every arXiv paper with an
abstract (one story each), every lab/newsletter feed entry (one story each), and the hand-grouped
multi-source stories of tests/explain/fixtures/real_stories.json.

Measured:
1. extractive: share of summary sentences whose quote verifies against the stored text (must be
100%);
2. with fake models (tests/explain/fake_llm.py) through llm's real call path: the share of invented
or
   broken sentences that reach the output (target 0%), and the share of faithful sentences kept.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import feedparser
import llm

from abreast.collect.sanitize import html_to_text, one_line
from abreast.explain.abstractive import abstractive_summary, build_prompt, clean_text
from abreast.explain.citations import quote_in_source
from abreast.explain.extractive import extractive_summary, source_text
from abreast.item import iso_week, utc_iso
from abreast.stories.model import Member, Story

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from explain import fake_llm  # noqa: E402  (the test fakes, registered with llm like a plugin)
from explain.conftest import load_real_stories  # noqa: E402

FEEDS = {
    "openai-news": "rss-openai-news-2024-12/openai_news_2024-11-18_2024-12-22.xml",
    "deepmind-blog": "rss-deepmind-blog-2024-12/deepmind_blog_2024-11-18_2024-12-22.xml",
    "simonw-newsletter": (
        "rss-simonwillison-newsletter-2024-12/simonw_substack_2024-11-18_2024-12-22.xml"
    ),
    "anthropic-news": (
        "atom-anthropic-deepseek-news-2024-12/anthropic_news_2024-11-18_2024-12-22.atom.xml"
    ),
}
ABSTRACTS = (
    "arxiv-abstracts-cs-cl-ai-ir-2024-12-18_20/"
    "arxiv_cs_CL_AI_IR_with_abstracts_2024-12-18_2024-12-20.jsonl"
)
FAKE_MODES = ["hallucinating", "wrong-quotes", "invented-sources", "injected-links", "malformed"]


def one_member_story(member: Member, week: str) -> Story:
    member.role = "lead"
    return Story(id=f"{week}-{member.key}", week=week, title=member.title, members=[member])


def arxiv_stories(data: Path) -> list[Story]:
    seen, out = set(), []
    for line in (data / ABSTRACTS).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["arxiv_id"] in seen:
            continue
        seen.add(r["arxiv_id"])
        published = f"{r['listing_date']}T00:00:00+00:00"
        m = Member(
            key=f"arxiv:{r['arxiv_id']}",
            kind="arxiv",
            source="arxiv",
            title=r["title"],
            url=r["link"],
            text=r["abstract"],
            published_at=published,
        )
        out.append(one_member_story(m, iso_week(published)))
    return out


def feed_stories(data: Path) -> list[Story]:
    out = []
    for name, rel in FEEDS.items():
        for e in feedparser.parse((data / rel).read_bytes()).entries:
            parsed = e.get("published_parsed") or e.get("updated_parsed")
            published = utc_iso(time_to_dt(parsed)) if parsed else None
            week = iso_week(published)
            if not week or not ("2024-W47" <= week <= "2024-W51"):
                continue
            body = e.get("content", [{}])[0].get("value") or e.get("summary", "")
            m = Member(
                key=f"feed:{e.link}",
                kind="feed",
                source=name,
                title=one_line(e.title),
                url=e.link,
                text=html_to_text(body),
                published_at=published,
            )
            out.append(one_member_story(m, week))
    return out


def time_to_dt(parsed):
    from datetime import UTC, datetime

    return datetime(*parsed[:6], tzinfo=UTC)


def measure_extractive(stories: list[Story]) -> dict:
    per_week: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # stories, sentences, verified
    started = time.perf_counter()
    for s in stories:
        summary = extractive_summary(s)
        row = per_week[s.week]
        row[0] += 1
        row[1] += len(summary.sentences)
        # re-check independently of the flag the summarizer set
        row[2] += sum(
            quote_in_source(x.quote, source_text(s.members[x.cite - 1])) and x.verified
            for x in summary.sentences
        )
    return {"per_week": dict(sorted(per_week.items())), "seconds": time.perf_counter() - started}


def bad_kind(text: str, sources) -> str:
    """Which kind of invention the fake made (the fake's own recipe, so the bench can break results
    down)."""
    if text in fake_llm.INVENTED:
        return "invented names, numbers or judgements"
    if text in {flat(t) for _, t, _ in fake_llm.spliced(sources)}:
        return "spliced from two real sentences"
    return "negated real sentence"


def measure_fake(stories: list[Story], mode: str) -> dict:
    model = llm.get_model(f"fake-{mode}")
    proposed_bad = reached_bad = proposed_good = kept_good = fallbacks = 0
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # kind -> proposed, shown
    for s in stories:
        sources = fake_llm.sources_in(build_prompt(s))
        good = (
            {flat(d["text"]) for d in fake_llm.faithful(sources)}
            if mode == "hallucinating"
            else set()
        )
        answer = (
            json.loads(fake_llm.answer(mode, build_prompt(s)))
            if mode != "malformed"
            else {"sentences": []}
        )
        proposals = [flat(d["text"]) for d in answer["sentences"]]
        proposed_good += sum(t in good for t in proposals)
        proposed_bad += sum(t not in good for t in proposals) or (mode == "malformed")
        summary = abstractive_summary(s, model)
        fallbacks += summary.method == "fallback"
        shown = [flat(x.text) for x in summary.sentences] if summary.method == "abstractive" else []
        kept_good += sum(t in good for t in shown)
        reached_bad += sum(t not in good for t in shown)
        if mode == "hallucinating":
            for t in proposals:
                if t not in good:
                    kinds[bad_kind(t, sources)][0] += 1
                    kinds[bad_kind(t, sources)][1] += t in shown
    return {
        "mode": mode,
        "stories": len(stories),
        "proposed_bad": proposed_bad,
        "reached_bad": reached_bad,
        "proposed_good": proposed_good,
        "kept_good": kept_good,
        "fallbacks": fallbacks,
        "kinds": dict(kinds),
    }


def flat(text: str) -> str:
    # abreast removes "[3]"-style markers and collapses whitespace in generated sentences: compare
    # alike
    return clean_text(text)


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "n/a"


def report(ext: dict, fakes: list[dict], n_stories: int) -> str:
    lines = [
        "# Explain quality: do summaries stay true to their sources?",
        "",
        "Generated by `bench/explain_quality.py` from the recorded demo-window data; rerun to "
        "refresh.",
        "",
        "## Extractive summaries (default, no LLM)",
        "",
        "| week | stories | sentences | quote verifies |",
        "|---|---|---|---|",
    ]
    tot = [0, 0, 0]
    for week, (n, sents, ver) in ext["per_week"].items():
        lines.append(f"| {week} | {n} | {sents} | {pct(ver, sents)} |")
        tot = [tot[0] + n, tot[1] + sents, tot[2] + ver]
    lines += [
        f"| all | {tot[0]} | {tot[1]} | **{pct(tot[2], tot[1])}** |",
        "",
        f"{n_stories} stories summarized in {ext['seconds']:.2f} s.",
        "",
        "## Abstractive with fake failing models (through llm's real call path)",
        "",
        "A sentence is *bad* when the fake invented it (foreign names, made-up numbers, "
        "judgements no source "
        "makes, negations of a real sentence), gave it a wrong quote or an unknown source number, "
        "or put a "
        "link or image in it. Target: 0% of bad sentences reach the output.",
        "",
        "| fake model | stories | bad proposed | bad shown | share shown | faithful kept | "
        "fallbacks |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in fakes:
        kept = pct(f["kept_good"], f["proposed_good"]) if f["proposed_good"] else "-"
        lines.append(
            f"| fake-{f['mode']} | {f['stories']} | {f['proposed_bad']} | {f['reached_bad']} | "
            f"**{pct(f['reached_bad'], f['proposed_bad'])}** | {kept} | {f['fallbacks']} |"
        )
    lines += [
        "",
        "*faithful kept*: of the sentences the hallucinating fake copied faithfully, the share "
        "shown "
        "(the checks' cost in recall). Stories that fall back show their extractive summary "
        "instead.",
        "",
        "### Invented claims of the hallucinating fake, by kind",
        "",
        "| kind | proposed | shown | share shown |",
        "|---|---|---|---|",
    ]
    for f in fakes:
        for kind, (proposed, shown) in sorted(f["kinds"].items()):
            lines.append(f"| {kind} | {proposed} | {shown} | {pct(shown, proposed)} |")
    lines += [
        "",
        "Limits: the fake's inventions follow recipes written by the same people as the checks, "
        "so these "
        "numbers bound the checks from one side only. Claims built from the source's own words "
        "(spliced sentences) are the hard case: every word, name and number is in the source and "
        "the "
        "quote is real; the passage-overlap check stops most of them, not all. A real model's "
        "paraphrases are also more varied than the fake's copies, so 'faithful kept' is "
        "optimistic.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "explain_quality.md")
    args = ap.parse_args()
    stories = load_real_stories() + feed_stories(args.data) + arxiv_stories(args.data)
    ext = measure_extractive(stories)
    fake_llm.register_fakes()
    try:
        fakes = [measure_fake(stories, mode) for mode in FAKE_MODES]
    finally:
        fake_llm.unregister_fakes()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = report(ext, fakes, len(stories))
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

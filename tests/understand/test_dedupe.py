"""Duplicates among real items recorded in ../shared/data (Nov-Dec 2024): the same launch seen on
HN, Reddit, arXiv, the Hugging Face blog and a lab's feed becomes one canonical item."""

import json
from pathlib import Path

import pytest

from abreast.types import Item, iso_week
from abreast.understand.dedupe import find_duplicates, merged_signals, normalized_title

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared/data"


@pytest.fixture(scope="module")
def recorded():
    if not SHARED_DATA.is_dir():
        pytest.skip("needs the recorded data in ../shared/data")

    def jsonl(rel):
        return [json.loads(line) for line in (SHARED_DATA / rel).open(encoding="utf-8")]

    items: dict[str, Item] = {}
    for r in jsonl("hn-daily-top30-2024-12/hn_daily_top30_2024-11-18_2024-12-22.jsonl"):
        items[f"hn:{r['hn_id']}"] = Item(
            f"hn:{r['hn_id']}",
            "hn",
            r["title"],
            url=r["url"],
            published_at=f"{r['date']}T06:00:00+00:00",
            signals={"points": r["points"], "comments": r["comments"]},
        )
    for r in jsonl("reddit-via-ainews-2024-12/reddit_ai_posts_2024-11-15_2024-12-23.jsonl"):
        if (
            f"reddit:{r['post_id']}" in items
        ):  # AINews recapped some posts twice; the first record is the post
            continue
        items[f"reddit:{r['post_id']}"] = Item(
            f"reddit:{r['post_id']}",
            "reddit",
            r["title"],
            url=r["link_url"] or r["permalink"],
            published_at=r["ainews_sent_utc"][:19] + "+00:00",
            signals={"score": r["score"], "comments": r["num_comments"]},
        )
    for r in jsonl("arxiv-nlp-llm-listing-2024-11-12/arxiv_nlp_llm_2024-11-18_2024-12-22.jsonl"):
        items[f"arxiv:{r['arxiv_id']}"] = Item(
            f"arxiv:{r['arxiv_id']}",
            "arxiv",
            r["title"],
            url=f"https://arxiv.org/pdf/{r['arxiv_id']}v1",
            published_at=f"{r['date']}T00:00:00+00:00",
        )
    for r in jsonl("hf-blog-index-2024-12/hf_blog_2024-11-18_2024-12-22.jsonl"):
        key = f"feed:{r['url']}"
        items[key] = Item(
            key, "feed", r["title"], url=r["url"], published_at=f"{r['date']}T00:00:00+00:00"
        )
    return items


def same_group(dupes, a, b):
    return dupes.get(a, a) == dupes.get(b, b)


def test_real_cross_source_duplicates(recorded):
    dupes = find_duplicates(list(recorded.values()))
    # HN linked the arXiv paper that the arXiv listing also carries: the paper is canonical.
    assert dupes["hn:42378335"] == "arxiv:2412.06769"
    assert dupes["hn:42171043"] == "arxiv:2411.10440"  # HN's title says LLaVA-O1, arXiv's LLaVA-CoT
    # Reddit linked the Qwen2.5 technical report on arXiv.
    assert dupes["reddit:1hie4c9"] == "arxiv:2412.15115"
    # The Hugging Face blog published ModernBERT; HN discussed it.
    assert dupes["hn:42463315"] == "feed:https://huggingface.co/blog/modernbert"
    # HN and r/LocalLLaMA both linked the Llama 3.3 model page: one story.
    assert same_group(dupes, "reddit:1h85ld5", "hn:42341388")
    # A crosspost: the same title in r/LocalLLaMA and r/OpenAI on the same day.
    assert same_group(dupes, "reddit:1gvdnzi", "reddit:1gvkjib")
    # Anthropic's MCP launch post, discussed on HN and on Reddit.
    assert same_group(dupes, "hn:42237424", "reddit:1gzpf81")
    # Unrelated items stay apart.
    assert "hn:42166030" not in dupes  # 1.5 °C of global warming
    canon = set(dupes.values())
    assert not canon & set(dupes), "a canonical item is never itself a duplicate"


def test_choice_does_not_depend_on_input_order(recorded):
    items = list(recorded.values())
    assert find_duplicates(items) == find_duplicates(items[::-1])


def test_merged_signals_keep_every_source(recorded):
    group = [recorded["hn:42341388"], recorded["reddit:1h85ld5"]]
    merged = merged_signals(group)
    assert merged["hn"] == {
        "points": recorded["hn:42341388"].signals["points"],
        "comments": recorded["hn:42341388"].signals["comments"],
    }
    assert merged["reddit"]["score"] == recorded["reddit:1h85ld5"].signals["score"]


def test_crossposts_add_up():
    a = Item("reddit:a", "reddit", "Same post", signals={"score": 10, "comments": 2})
    b = Item("reddit:b", "reddit", "Same post", signals={"score": 5, "comments": 1})
    assert merged_signals([a, b]) == {"reddit": {"score": 15, "comments": 3}}


def test_url_variants():
    items = [
        Item(
            "arxiv:2412.06769",
            "arxiv",
            "Training Large Language Models to Reason in a Continuous Latent Space",
            url="https://arxiv.org/abs/2412.06769",
            published_at="2024-12-09T00:00:00+00:00",
        ),
        Item(
            "hn:1",
            "hn",
            "Coconut",
            url="http://www.arxiv.org/pdf/2412.06769v2.pdf",
            published_at="2024-12-11T00:00:00+00:00",
        ),
        Item(
            "feed:x",
            "feed",
            "Building effective agents",
            url="https://www.anthropic.com/news/x?utm_source=rss",
        ),
        Item("hn:2", "hn", "Effective agents", url="https://anthropic.com/news/x/"),
        # Two posts linking a site's home page are not the same story.
        Item("hn:3", "hn", "OpenAI is hiring", url="https://openai.com/"),
        Item("hn:4", "hn", "OpenAI has a new logo", url="https://www.openai.com"),
    ]
    assert find_duplicates(items) == {"hn:1": "arxiv:2412.06769", "hn:2": "feed:x"}


def test_same_title_needs_the_time_window():
    kw = {"kind": "hn", "url": None}
    a = Item(
        "hn:1",
        title="Show HN: A tiny inference server for GGUF models",
        published_at="2024-12-01T00:00:00Z",
        **kw,
    )
    b = Item(
        "hn:2",
        title="A tiny inference server for GGUF models!",
        published_at="2024-12-03T00:00:00Z",
        **kw,
    )
    c = Item(
        "hn:3",
        title="A tiny inference server for GGUF models",
        published_at="2025-03-01T00:00:00Z",
        **kw,
    )
    short1 = Item("hn:4", title="Bro WTF??", published_at="2024-12-01T00:00:00Z", **kw)
    short2 = Item("hn:5", title="Bro WTF", published_at="2024-12-01T00:00:00Z", **kw)
    assert find_duplicates([a, b, c, short1, short2]) == {"hn:2": "hn:1"}
    assert (
        normalized_title("[D] Why aren't Stella embeddings used?")
        == "why aren t stella embeddings used"
    )


def test_near_identical_text_from_a_real_abstract():
    path = (
        SHARED_DATA
        / "arxiv-abstracts-cs-cl-ai-ir-2024-12-18_20"
        / "arxiv_cs_CL_AI_IR_with_abstracts_2024-12-18_2024-12-20.jsonl"
    )
    if not path.exists():
        pytest.skip("needs the recorded data in ../shared/data")
    rows = [json.loads(line) for line in path.open(encoding="utf-8")][:40]
    items = [
        Item(
            f"arxiv:{r['arxiv_id']}",
            "arxiv",
            r["title"],
            url=r["link"],
            text=r["abstract"],
            published_at="2024-12-18T00:00:00Z",
        )
        for r in rows
    ]
    # The same abstract republished by a lab's feed under its own URL, with its own lead-in and
    # footer.
    src = rows[3]
    repost = Item(
        "feed:https://lab.example/blog/paper",
        "feed",
        src["title"],
        url="https://lab.example/blog/paper",
        published_at="2024-12-19T00:00:00Z",
        text="New paper from our group. " + src["abstract"] + " Read the paper on arXiv.",
    )
    dupes = find_duplicates([*items, repost])
    # The arXiv listing came first; a feed that republishes it is the same paper.
    assert dupes == {repost.key: f"arxiv:{src['arxiv_id']}"}


def test_a_store_fed_week_by_week_marks_what_one_pass_over_everything_finds(recorded, tmp_path):
    """The persistent index (store.dedupe): the recorded items understood in one run per week
    carry the duplicate marks find_duplicates gives over all of them at once, though each run
    compares its new items only with the stored items sharing a URL, title or text band."""
    from abreast.store import Store
    from abreast.store import annotations as sa
    from abreast.understand.pipeline import run

    store = Store.open(tmp_path / "t.db")
    by_week: dict[str, list[Item]] = {}
    for it in recorded.values():
        by_week.setdefault(iso_week(it.published_at), []).append(it)
    for week in sorted(by_week):
        store.upsert_items(by_week[week])
        assert run(store)["annotated"] == len(by_week[week])
    marks = {
        r[0]: r[1]
        for r in store.conn.execute(
            "SELECT i.key, d.key FROM annotations a JOIN items i ON i.id = a.item_id "
            "JOIN items d ON d.id = a.duplicate_of"
        )
    }
    expected = find_duplicates(sa.items_for_understanding(store.conn))
    assert len(by_week) >= 4 and len(expected) > 10
    assert marks == expected
    store.close()

"""Text provenance and discussion comments in the store (migration 0007)."""

from abreast.store import Store
from abreast.types import Comment, Item


def _store(tmp_path) -> Store:
    return Store.open(tmp_path / "a.db")


def _hn(key="hn:1", text=""):
    return Item(key=key, kind="hn", title="Gemini 2.0", url="https://blog.google/gemini", text=text)


def _comment(cid, key="hn:1", parent=None, depth=0, text="A substantive remark."):
    return Comment(
        id=cid,
        item_key=key,
        author="pg",
        score=None,
        text=text,
        url=f"https://news.ycombinator.com/item?id={cid.split(':')[1]}",
        posted_at="2024-12-11T16:00:00+00:00",
        parent_id=parent,
        depth=depth,
    )


def test_text_source_says_where_each_text_came_from(tmp_path):
    st = _store(tmp_path)
    st.upsert_items(
        [
            Item("arxiv:2412.1", "arxiv", "A paper", "https://arxiv.org/abs/2412.1", "We show."),
            Item("reddit:a", "reddit", "A question", None, "Body of the post"),
            Item("feed:x", "feed", "A post", "https://x.org/p", "Entry content"),
            _hn(),
        ]
    )
    got = dict(st.conn.execute("SELECT key, text_source FROM items").fetchall())
    assert got == {
        "arxiv:2412.1": "abstract",
        "reddit:a": "selftext",
        "feed:x": "feed",
        "hn:1": None,
    }


def test_fetched_page_text_survives_a_refetch_and_never_replaces_source_text(tmp_path):
    st = _store(tmp_path)
    st.upsert_items([_hn(), Item("feed:x", "feed", "A post", "https://x.org/p", "Own words")])
    st.set_fetched_text("hn:1", "Google released Gemini 2.0 Flash today.", "page")
    st.set_fetched_text("feed:x", "The page's words.", "page")
    # The next fetch of HN gives the title only again: the page text must stay, and not as an
    # update.
    counts = st.upsert_items([_hn()])
    assert counts.unchanged == 1 and counts.updated == 0
    rows = {r.key: r for r in st.items()}
    assert rows["hn:1"].text == "Google released Gemini 2.0 Flash today."
    assert rows["hn:1"].text_source == "page"
    # An item with words of its own keeps them as the source gave them; the page goes beside them
    # (issue 12: a feed teaser gets its article read too), and readers see both, its own first.
    own = st.conn.execute("SELECT text, page_text FROM items WHERE key = 'feed:x'").fetchone()
    assert tuple(own) == ("Own words", "The page's words.")
    assert rows["feed:x"].text == "Own words\n\nThe page's words."
    assert rows["feed:x"].text_source == "feed"
    # When the source itself starts giving text, its own text wins.
    st.upsert_items([_hn(text="Ask HN body")])
    row = st.item("hn:1")
    assert (row.text, row.text_source) == ("Ask HN body", "selftext")


def test_comments_for_returns_each_items_thread_in_order(tmp_path):
    from abreast.store.discussions import replace_comments

    st = _store(tmp_path)
    st.upsert_items([_hn(), _hn("hn:2")])
    thread = [_comment("hn:10"), _comment("hn:11", parent="hn:10", depth=1), _comment("hn:12")]
    replace_comments(st.conn, "hn:1", thread, seen_count=3)
    replace_comments(st.conn, "hn:2", [_comment("hn:20", key="hn:2")], seen_count=1)
    assert [c.id for c in st.comments_for(["hn:1"])] == ["hn:10", "hn:11", "hn:12"]
    assert st.comments_for(["hn:1"])[1].parent_id == "hn:10"
    assert {c.item_key for c in st.comments_for(["hn:1", "hn:2"])} == {"hn:1", "hn:2"}
    assert st.comments_for([]) == []
    # A refetch replaces the thread (a deleted comment disappears) rather than adding to it.
    replace_comments(st.conn, "hn:1", thread[:1], seen_count=1)
    assert [c.id for c in st.comments_for(["hn:1"])] == ["hn:10"]
    # Deleting the item deletes its comments.
    st.delete_item("hn:2")
    assert st.comments_for(["hn:2"]) == []

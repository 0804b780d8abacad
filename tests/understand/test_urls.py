"""What a reader is shown and sent to for a stored URL: the page, without arrival tags."""

from abreast.understand.urls import canonicalize, reader_text, reader_url
from abreast.write.markdown import link


def test_arrival_tags_are_left_out_and_everything_else_kept():
    meta = "https://ai.meta.com/blog/meta-fair-updates-agents-robustness-safety-architecture/"
    assert reader_url(meta + "?_fb_noscript=1") == meta
    assert (
        reader_url("https://arstechnica.com/a/?utm_source=bsky&utm_medium=social")
        == "https://arstechnica.com/a/"
    )
    # Other parameters, their order, their spelling and the fragment are the page's own.
    assert (
        reader_url("https://Example.com/p?b=2&fbclid=x&a=%20z&ref=hn#part")
        == "https://Example.com/p?b=2&a=%20z#part"
    )
    for kept in ("https://news.ycombinator.com/item?id=42388783", "https://youtu.be/x?t=30"):
        assert reader_url(kept) == kept


def test_item_keys_do_not_change():
    # The store's canonical URL (what item keys and duplicates are decided by) is not the reader's:
    # it keeps Meta's parameter, as the keys of stored items do.
    assert canonicalize("https://ai.meta.com/x/?_fb_noscript=1") == (
        "https://ai.meta.com/x?_fb_noscript=1"
    )


def test_markdown_links_and_text_name_the_clean_address():
    assert link("FAIR", "https://ai.meta.com/blog/x/?_fb_noscript=1") == (
        "[FAIR](<https://ai.meta.com/blog/x/>)"
    )
    assert reader_text("the lab's own post: https://ai.meta.com/x/?_fb_noscript=1; a paper") == (
        "the lab's own post: https://ai.meta.com/x/; a paper"
    )

"""Page text: a title-only feed entry gets its article's main text, through the same guarded
fetcher."""

import json

from abreast import config
from abreast.collect.run import fetch_sources
from abreast.store import Store

from .hostile_server import HostileServer

ARTICLE = b"""<html><head><title>Llama 3.3</title><script>steal(document.cookie)</script></head>
<body><nav>Home | Blog</nav><article><h1>Llama 3.3 is here</h1>
<p>Meta released Llama 3.3 70B, an open model that matches the much larger 405B model on many
benchmarks.</p>
<p>It is available on Hugging Face under the Llama 3.3 community license.</p>
<img src="x" onerror="alert(1)"></article><footer>(c) example</footer></body></html>"""


def _feed(base: str) -> bytes:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Llama 3.3 is here</title><link>{base}/article</link><guid>a1</guid></item>
<item><title>A private page</title><link>http://10.0.0.1/secret</link><guid>a2</guid></item>
</channel></rss>""".encode()


def test_title_only_entries_get_the_article_text_once(tmp_path, monkeypatch):
    monkeypatch.setenv("ABREAST_FETCH_ALLOW_PRIVATE", "127.0.0.1")
    monkeypatch.setenv("ABREAST_FETCH_POLITENESS", "false")
    with HostileServer() as srv:
        srv.add_static("/feed.xml", _feed(srv.base), content_type="application/rss+xml")
        srv.add_static("/article", ARTICLE, content_type="text/html; charset=utf-8")
        store = Store.open(tmp_path / "a.db")
        store.add_source("blog", "feed", srv.url("/feed.xml"), {"page_text": True})
        settings = config.load()
        [report] = fetch_sources(store, settings)
        assert report.status == "ok"
        text = store.item(f"feed:{srv.base}/article")["text"]
        assert "matches the much larger 405B model" in text
        assert "steal" not in text and "onerror" not in text and "Home | Blog" not in text
        # The private link was refused by the fetcher: a warning, the item kept with its title.
        assert "10.0.0.1" in report.note and store.item("feed:http://10.0.0.1/secret")["title"]
        # A second fetch neither refetches the article nor wipes the text it got.
        fetch_sources(store, settings)
        assert srv.hits["/article"] == 1
        assert "405B" in store.item(f"feed:{srv.base}/article")["text"]
        assert json.loads(store.item(f"feed:{srv.base}/article")["score_json"]) == {}

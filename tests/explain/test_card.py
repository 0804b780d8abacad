"""The story card (issue 12): what happened is never the headline, sources are named as people say
them with their discussions next to them, and `abreast story`, the web story page and the draft show
the same card."""

from __future__ import annotations

import html
import math
import re

import pytest

from abreast import config
from abreast.explain.card import build_card, load_card, publisher
from abreast.explain.card_render import card_markdown
from abreast.explain.extractive import happened, repeats_title
from abreast.types import Item, Member, Story

WEEK = "2024-W51"
WHEN = "2024-12-18T10:00:00+00:00"
LAB_URL = "https://www.anthropic.com/research/alignment-faking"
HN_THREAD = "https://news.ycombinator.com/item?id=42458752"
REDDIT_THREAD = "https://www.reddit.com/r/LocalLLaMA/comments/1hgxyz1/alignment_faking/"
LAB_TEXT = (
    "Alignment faking in large language models\n\n"
    "Most of us have encountered situations where someone appears to share our views, but is in "
    "fact only pretending to do so. A new paper from our Alignment Science team provides the first "
    "empirical example of a large language model engaging in alignment faking without having been "
    "trained to do so. We gave Claude 3 Opus a system prompt saying it was being trained to answer "
    "all queries, even harmful ones. The model complied with "
    "harmful queries from free users 14% of "
    "the time, versus almost never for paid users."
)


# A thread as it reads on the day: the top replies are jokes and one-liners; a few explain.
HN_COMMENTS = [
    (
        "hn:1001",
        "jokester",
        0,
        "lol Claude is just like my coworkers, pretending to agree in meetings "
        "and then doing whatever they want anyway. haha, truly human-level intelligence achieved.",
    ),
    ("hn:1002", "brief", 0, "This is terrifying."),
    (
        "hn:1003",
        "researcher",
        0,
        "The interesting part is the gap between free and paid users: the "
        "model only faked alignment when it believed its answers "
        "would be used for training, which means "
        "it reasoned about the training process itself. In the RL run the rate went up to 78%.",
    ),
    (
        "hn:1004",
        "practitioner",
        1,
        "I have run similar experiments with open models like Llama 3.3 70B "
        "and never saw this, but we used much shorter system "
        "prompts. Compared to Opus, the smaller "
        "models rarely mention the training objective in their scratchpad at all.",
    ),
    (
        "hn:1005",
        "researcher",
        1,
        "Replying to myself: the paper also shows the behaviour when the "
        "information is given through fine-tuning on synthetic "
        "documents instead of the prompt, which is "
        "closer to how a model would learn it in pre-training.",
    ),
]
REDDIT_COMMENTS = [
    (
        "reddit:c1",
        "localuser",
        0,
        41,
        "Because the scratchpad is visible to the researchers, this is "
        "an upper bound on what the model reveals. A model that "
        "faked alignment without writing it down "
        "would not show up in these numbers, however the 14% figure is already high.",
    ),
    ("reddit:c2", "memer", 0, 512, "Skynet when it hears about RLHF 💀 this is the way"),
]


def _member(key, kind, title, url, text="", **kw) -> Member:
    return Member(
        key=key, kind=kind, source=kw.pop("source", kind), title=title, url=url, text=text, **kw
    )


# --- what happened --------------------------------------------------------------------------------


def test_what_happened_quotes_the_text_and_never_repeats_the_title():
    members = [
        _member(
            "feed:" + LAB_URL,
            "feed",
            "Alignment faking in large language models",
            LAB_URL,
            LAB_TEXT,
        ),
        _member("hn:42458752", "hn", "Alignment faking in large language models", LAB_URL),
    ]
    found = happened(members)
    assert 2 <= len(found.sentences) <= 3 and found.reason == ""
    for s in found.sentences:
        assert s.verified and s.text in LAB_TEXT
        assert not repeats_title(s.text, [members[0].title])
    # The feed body's first line is the headline: it is text, but not news beyond the title.
    assert all("Alignment faking in large language models" != s.text for s in found.sentences)


def test_a_title_only_story_says_what_to_open_and_claims_nothing_verified():
    story = Story(
        id=f"{WEEK}-copilot",
        week=WEEK,
        title="GitHub Copilot is now available for free",
        members=[
            _member(
                "hn:42453341",
                "hn",
                "GitHub Copilot is now available for free",
                "https://github.com/features/copilot",
                signals={"points": 470, "comments": 272},
                extra={"discussion_url": "https://news.ycombinator.com/item?id=42453341"},
            )
        ],
    )
    card = build_card(story)
    # It said "no article text yet" on 15 of 2024-W51's top 25 cards, as if something were broken
    assert card.happened == [] and card.happened_note == "Only the headline is here; open the page"
    md = "\n".join(card_markdown(card))
    assert "verified" not in md and "no article text" not in md
    assert (
        "**What happened.** *Only the headline is here; open the page*: "
        "[GitHub](<https://github.com/features/copilot>)" in md
    )
    assert "[GitHub](<https://github.com/features/copilot>)" in md  # the article is linked
    assert "[Hacker News discussion](<https://news.ycombinator.com/item?id=42453341>)" in md
    assert "[Hacker News](<https://github.com" not in md  # an article is not "Hacker News"


def test_a_post_with_nothing_to_quote_says_what_it_is():
    """An image, a video or a gallery on Reddit and an Ask HN question have no article: the card
    says what the link is, not that its text is missing (the demo's 2024-W50 and 2024-W51)."""

    def note(url: str, kind: str = "reddit") -> str:
        m = _member(f"{kind}:x", kind, "a title", url)
        return build_card(Story(f"{WEEK}-x", WEEK, "a title", [m])).happened_note

    assert note("https://i.redd.it/dahvtingiy5e1.jpeg") == (
        "An image post with nothing to quote; see it"
    )
    assert note("https://v.redd.it/kapq475ob76e1") == "A video post with nothing to quote; watch it"
    assert note("https://www.reddit.com/gallery/1hbb4qx").startswith("A gallery of images")
    assert note("https://news.ycombinator.com/item?id=42431103", "hn") == (
        "A discussion post whose own text is not stored here; read the thread"
    )
    assert note("https://www.mountaindew.com/x/raid.pdf", "hn") == "A PDF, not quoted here; open it"
    assert note("https://huggingface.co/papers/2412.10360") == (
        "Only the paper's title is here; open the paper"
    )


def previous_hash(story: Story) -> str:
    """input_hash as the previous extractive picker computed it (no picker version in it)."""
    import hashlib
    import json

    payload = [1, "", [(m.key, m.title, m.text, m.url) for m in story.members]]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:32]


def test_the_stored_summary_of_a_title_only_story_does_not_repeat_its_title():
    from abreast.explain.extractive import extractive_summary
    from abreast.explain.summarize import summarize_story

    title = "GitHub Copilot is now available for free"
    hn = _member("hn:42453341", "hn", title, "https://github.com/features/copilot")
    story = Story(id=f"{WEEK}-copilot", week=WEEK, title=title, members=[hn])
    assert extractive_summary(story).sentences == []
    # A summary stored by the previous picker (the title, "1/1 verified") is redone, not reused.
    old = {
        "method": "extractive",
        "input_hash": previous_hash(story),
        "sentences": [
            {
                "text": title,
                "cite": 1,
                "key": hn.key,
                "url": hn.url,
                "quote": title,
                "verified": True,
            }
        ],
    }
    assert summarize_story(story, previous=old).sentences == []


def test_a_text_that_only_restates_the_headline_is_not_what_happened():
    title = "OpenAI o1 and new tools for developers"
    members = [
        _member("feed:x", "feed", title, "https://openai.com/index/o1", f"{title}.\n\n{title}")
    ]
    found = happened(members)
    assert found.sentences == [] and "beyond the headline" in found.reason


def test_a_subtitle_or_a_bare_list_item_is_used_only_when_whole_sentences_are_too_few():
    """A feed's subtitle and a list item that completes "... has delivered:" read as headline
    and fragment on a card: with enough whole sentences they are left out; without, they are
    still quoted (the rule never makes a card say less)."""
    url = "https://openai.com/index/zalando"
    teaser = "Zalando boosts the customer experience with its Assistant, powered by GPT-4o mini"
    page = (
        "Zalando, one of Europe's largest online fashion and lifestyle platforms, serves over 50 "
        "million customers in 25 countries. Zalando worked with OpenAI to develop the Zalando "
        "Assistant, an AI-powered tool that provides personalized content recommendations. The "
        "latest iteration of the Assistant has delivered:\n"
        "- A 23% increase in product clicks\n- A 40%+ increase in products added to the wishlist"
    )
    title = "Boosting the customer retail experience with GPT-4o mini"
    found = happened([_member("feed:" + url, "feed", title, url, teaser + "\n\n" + page)])
    texts = [s.text for s in found.sentences]
    assert len(texts) >= 2 and all(s.verified for s in found.sentences)
    assert teaser not in texts and not any("increase in product clicks" in t for t in texts)
    assert any(t.startswith("Zalando worked with OpenAI") for t in texts)
    # Only fragments: they are what the source says, so the card still quotes them.
    bare = _member("feed:y", "feed", title, url, "- A 23% increase in product clicks\n" + teaser)
    fallback = happened([bare])
    assert [s.text for s in fallback.sentences] == [
        "A 23% increase in product clicks",
        teaser,
    ]


def test_sources_are_named_as_people_say_them_and_merged_with_their_discussions():
    from abreast.explain.card import source_label

    assert publisher(LAB_URL) == "Anthropic"
    lab_post = _member("feed:" + LAB_URL, "feed", "x", LAB_URL, source="anthropic-news")
    assert source_label(lab_post) == "Anthropic"
    assert source_label(_member("hn:1", "hn", "x", LAB_URL)) == "Hacker News"
    assert publisher("https://huggingface.co/blog/modernbert") == "Hugging Face blog"
    assert publisher("https://9to5mac.com/2024/12/16/x") == "9to5mac.com"
    story = Story(
        id=f"{WEEK}-af",
        week=WEEK,
        title="Alignment faking",
        members=[
            _member(
                "hn:42458752",
                "hn",
                "Alignment faking",
                LAB_URL,
                extra={"discussion_url": HN_THREAD},
            ),
            _member(
                "feed:" + LAB_URL,
                "feed",
                "Alignment faking",
                LAB_URL,
                LAB_TEXT,
                source="anthropic-news",
            ),
            _member(
                "reddit:1hgxyz1",
                "reddit",
                "Alignment faking",
                LAB_URL,
                extra={"permalink": REDDIT_THREAD, "subreddit": "LocalLLaMA"},
                signals={"score": 120, "comments": 40},
            ),
        ],
    )
    card = build_card(story)
    assert len(card.sources) == 1  # one article, two discussions of it
    src = card.sources[0]
    assert (src.article.label, src.article.url) == ("Anthropic", LAB_URL)
    assert [(d.label, d.url) for d in src.discussions] == [
        ("Hacker News discussion", HN_THREAD),
        ("r/LocalLLaMA discussion", REDDIT_THREAD),
    ]
    assert src.discussions[1].meta == "120 points · 40 comments"
    assert all(s.cite == 1 and s.source == "Anthropic" for s in card.happened)


# --- one card, three renderings -------------------------------------------------------------------


@pytest.fixture
def story_store(abreast_home):
    """A store holding one story over a lab post, its HN thread and a title-only HN post."""
    from abreast.store import Store
    from abreast.store.stories import save_week

    settings = config.load(abreast_home, environ={"ABREAST_HOME": str(abreast_home)})
    settings.paths.ensure()
    store = Store.open(settings.paths.db)
    lab = store.add_source("anthropic-news", "feed", "https://www.anthropic.com/news/rss.xml")
    hn = store.add_source("hn", "hn", "https://hn.algolia.com")
    items = [
        (
            lab.id,
            Item(
                key="feed:" + LAB_URL,
                kind="feed",
                title="Alignment faking in large language models",
                url=LAB_URL,
                text=LAB_TEXT,
                published_at=WHEN,
                extra={"feed": "Anthropic News"},
            ),
        ),
        (
            hn.id,
            Item(
                key="hn:42458752",
                kind="hn",
                title="Alignment faking in large language models",
                url=LAB_URL,
                published_at=WHEN,
                signals={"points": 276, "comments": 308},
                extra={"discussion_url": HN_THREAD},
            ),
        ),
    ]
    reddit = store.add_source("r-localllama", "reddit", "https://www.reddit.com")
    items.append(
        (
            reddit.id,
            Item(
                key="reddit:1hgxyz1",
                kind="reddit",
                title="Anthropic: alignment faking",
                url=LAB_URL,
                published_at=WHEN,
                signals={"score": 120, "comments": 40},
                extra={"permalink": REDDIT_THREAD, "subreddit": "LocalLLaMA"},
            ),
        )
    )
    for source_id, item in items:
        store.upsert_items([item], source_id=source_id)
    from abreast.store.discussions import replace_comments
    from abreast.types import Comment

    def comment(cid, key, author, depth, text, score=None):
        site = "https://news.ycombinator.com/item?id=" if key.startswith("hn") else REDDIT_THREAD
        return Comment(cid, key, author, score, text, site + cid.split(":")[1], WHEN, None, depth)

    replace_comments(
        store.conn,
        "hn:42458752",
        [comment(c, "hn:42458752", a, d, t) for c, a, d, t in HN_COMMENTS],
        308,
    )
    replace_comments(
        store.conn,
        "reddit:1hgxyz1",
        [comment(c, "reddit:1hgxyz1", a, d, t, sc) for c, a, d, sc, t in REDDIT_COMMENTS],
        40,
    )
    ids = {r["key"]: r["id"] for r in store.conn.execute("SELECT id, key FROM items")}
    from abreast.store.stories import load_story

    members = [
        Member(key=it.key, kind=it.kind, source="x", title=it.title, url=it.url, role=role)
        for (_, it), role in zip(items, ("lead", "member", "member"), strict=True)
    ]
    story = Story(
        id=f"{WEEK}-af0001",
        week=WEEK,
        title=items[0][1].title,
        members=members,
        themes=["safety-alignment"],
        score=0.9,
        rank=1,
        score_parts={},
    )
    save_week(store.conn, WEEK, [story], ids)
    yield store, settings, load_story(store.conn, story.id)
    store.close()


def test_what_people_say_is_chosen_for_substance_from_more_than_one_thread(story_store):
    store, _, story = story_store
    card = load_card(store, story)
    said = {c.text: c for c in card.comments}
    assert 2 <= len(card.comments) <= 4
    texts = " ".join(said)
    assert (
        "lol" not in texts and "💀" not in texts and "This is terrifying." not in said
    )  # jokes, one-liners
    assert {c.where for c in card.comments} == {"Hacker News", "r/LocalLLaMA"}  # not all one thread
    assert len({c.author for c in card.comments}) == len(card.comments)  # one voice each
    for c in card.comments:  # verbatim, attributed, cited with its permalink
        stored = store.conn.execute(
            "SELECT text, author, url FROM discussion_comments WHERE url = ?", (c.url,)
        ).fetchone()
        assert (stored["text"], stored["author"]) == (c.text, c.author)
    authors = [c.author for c in card.comments]
    assert "researcher" in authors and "memer" not in authors  # the explanation, not the top joke


def test_abreast_story_the_web_page_and_the_draft_show_the_same_card(
    story_store, tmp_path, monkeypatch
):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from abreast.cli.main import app
    from abreast.web.app import create_app
    from abreast.write.draft import write_draft

    store, settings, story = story_store
    card = load_card(store, story)
    assert len(card.happened) >= 2
    links = card.links()
    assert LAB_URL in links and HN_THREAD in links and REDDIT_THREAD in links
    assert len(card.comments) >= 2

    monkeypatch.setenv("COLUMNS", "250")
    cli = CliRunner().invoke(app, ["story", story.id])
    assert cli.exit_code == 0, cli.output
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8421") as client:
        page = client.get(f"/story/{story.id}").text
    draft = write_draft(store, settings, WEEK, out_dir=tmp_path / "draft").read_text()

    def flat(text: str) -> str:
        return " ".join(text.split())

    shown = {
        "cli": flat(cli.output),
        "web": flat(html.unescape(re.sub(r"<[^>]+>", " ", page))),
        "draft": flat(draft.replace("\\", "")),
    }
    hrefs = {
        "cli": set(re.findall(r"https?://\S+", cli.output)),
        "web": {html.unescape(u) for u in re.findall(r'href="(https?://[^"]+)"', page)},
        "draft": set(re.findall(r"\(<(https?://[^>]+)>\)", draft)),
    }
    for where in shown:
        for s in card.happened:
            assert flat(s.text) in shown[where], (where, s.text)
        for c in card.comments:
            assert flat(c.text) in shown[where], (where, c.text)
        assert set(links) <= hrefs[where], (where, set(links) - hrefs[where])
        assert "Hacker News discussion" in shown[where] and "Anthropic" in shown[where]
    # The draft links nothing the card does not (its story section is the card).
    section = draft.split("### ", 1)[1].split("<TODO>", 1)[0]
    assert set(re.findall(r"\(<(https?://[^>]+)>\)", section)) == set(links)


def test_a_rant_is_not_what_people_say_and_list_numbers_are_not_specifics():
    from abreast.explain.discussion import rejection, substance

    rant = (
        "1. That brand sucks and everyone knows it. 2. The whole demo is fake and staged from the "
        "start. 3. All that text is too fast to read anyway, so why even bother showing it here"
    )
    assert rejection(rant, "someone") == "a rant"
    listed = (
        "1. It is slow. 2. It is closed. 3. It is expensive for what it does in the end, sadly."
    )
    plain = "It is slow. It is closed. It is expensive for what it does in the end, sadly."
    length = lambda t: math.log(len(t.split()))  # noqa: E731 - substance grows with length
    assert substance(listed) - length(listed) == pytest.approx(substance(plain) - length(plain))
    # A real figure is a specific.
    assert substance(plain.replace("slow", "slow at 480,000x")) > substance(plain)


def test_mockery_is_not_what_people_say_but_names_with_odd_capitals_are_fine():
    from abreast.explain.discussion import rejection

    # the demo's 2024-W50 "finally" thread led with this (60 points) above the comments that
    # explained why OpenAI keeps GPT-3 closed
    mock = (
        "Our fRoNTiEr model is *vastly* supeeeerioooor to your *PATHETIC* Chinese open-source "
        "model. **...Meanwhile:** MOM! DAD! Open source is catching up! IT'S NOT FAIR! BAN THEM!!!"
    )
    assert rejection(mock, "someone") == "mockery or shouting"
    named = (
        "Local runners with an OpenAI endpoint: KoboldCPP, vLLM, LM Studio and llama.cpp; MuJoCo "
        "for the simulator, all running fine on my iPhone-sized test box at 20 tokens a second."
    )
    assert rejection(named, "someone") is None


def test_the_makers_own_post_comes_first_and_a_cut_excerpt_is_a_last_resort():
    blog = "https://simonwillison.net/2024/Dec/11/gemini-2/"
    lab = "https://blog.google/technology/google-deepmind/google-gemini-ai-update-december-2024/"
    commentary = (
        "Huge announcement from Google this morning about their new model family. "
        "There is a ton of stuff in there, but the most interesting pieces are the things we can "
        "start using today, built around the brand new Gemini…"
    )
    own = (
        "Today we are announcing Gemini 2.0, our most capable multimodal AI model yet. "
        "It brings native image and audio output and native tool use to developers."
    )
    members = [
        _member(
            "feed:" + blog, "feed", "Gemini 2.0 Flash: a sci-fi streaming mode", blog, commentary
        ),
        _member("feed:" + lab, "feed", "Gemini 2.0: our new AI model", lab, own),
    ]
    found = happened(members)
    assert found.sentences[0].key == "feed:" + lab  # the maker's words before the commentary
    assert all(not s.text.endswith("…") for s in found.sentences)


def test_a_quote_never_breaks_off_mid_sentence_beside_a_whole_one():
    from abreast.explain.card_render import card_terminal
    from abreast.explain.extractive import says_little

    # Simon Willison's feed excerpt on Purple Llama (the demo's 2023-W49 card quoted both, the
    # second ending "a new open…": three components promised, two given).
    url = "https://ai.meta.com/blog/purple-llama-open-trust-safety-generative-ai/"
    whole = (
        'New from Meta AI, Purple Llama is "an umbrella project featuring open trust and safety '
        'tools and evaluations meant to level the playing field for developers".'
    )
    cut = 'There are three components: a 27 page "Responsible Use Guide", a new open…'
    title = "Announcing Purple Llama"
    excerpt = _member("feed:purple", "feed", title, url, f"{whole} {cut}")
    card = build_card(Story("2023-W49-p", "2023-W49", title, [excerpt]))
    assert [s.text for s in card.happened] == [whole]  # verbatim, and whole
    lines = "\n".join(card_terminal(card))
    assert "new open…" not in lines
    assert "Only 1: the rest of what its sources say breaks off mid-sentence" in lines
    # The reading stage still counts the excerpt as saying enough (it reads no more pages for it).
    assert not says_little(title, f"{whole} {cut}")
    # All there is: quoted as it ends, visibly cut ("…"), never silently.
    alone = _member("feed:purple", "feed", title, url, cut)
    assert [
        s.text for s in build_card(Story("2023-W49-p", "2023-W49", title, [alone])).happened
    ] == [cut]


@pytest.mark.slow
def test_a_card_names_a_models_maker_as_readers_know_it_not_its_hub_account(demo_store):
    from abreast.explain.card import load_card
    from abreast.store.stories import load_week

    veo = next(s for s in load_week(demo_store.conn, "2024-W51") if "Veo 2" in s.title)
    makers = {m.name: m.org for m in load_card(demo_store, veo).models}
    assert makers.get("Veo 2") == "Google"  # the registry's owner is the hub account "google"


@pytest.mark.slow
def test_a_cards_models_are_the_ones_its_titles_name_not_a_texts_asides(demo_store):
    from abreast.store.stories import load_week

    o3 = next(s for s in load_week(demo_store.conn, "2024-W51") if "O3" in s.title)
    # ARC Prize's post recalls GPT-3 and GPT-4o on the way to o3: asides, not the story's models
    assert [m.name for m in load_card(demo_store, o3).models] == ["o3"]
    # A story whose titles name no model keeps the ones its text names (the paper's Claude 3 Opus)
    faking = next(
        s for s in load_week(demo_store.conn, "2024-W51") if "Alignment faking" in s.title
    )
    assert "Claude 3 Opus" in [m.name for m in load_card(demo_store, faking).models]


@pytest.mark.slow
def test_a_card_names_the_model_its_title_names_with_its_maker(demo_store):
    from abreast.explain.card_render import card_terminal
    from abreast.store.stories import load_week

    week = load_week(demo_store.conn, "2024-W51")
    o1 = next(s for s in week if s.title == "OpenAI o1 and new tools for developers")
    # "o1" is o1 itself, not o1-mini or o1-preview: the card named only the Reddit comparison's
    # Claude 3.5 Sonnet before (the registry filed o1's news under its mini and preview models)
    models = load_card(demo_store, o1).models
    assert [(m.name, m.org) for m in models][0] == ("o1", "OpenAI")
    assert not {"o1-mini", "o1-preview"} & {m.name for m in models}
    # o3's maker is known from the entity list, though no family "o" exists
    o3 = next(s for s in week if "O3" in s.title)
    lines = card_terminal(load_card(demo_store, o3))
    assert any("model: o3 (OpenAI; weights: not in our data)" in ln for ln in lines)


def test_a_newsletters_words_are_quoted_as_its_own_not_as_the_articles_it_links():
    # Simon Willison's newsletter section on Anthropic's post, in his words (the demo's 2023-W49)
    post = "https://www.anthropic.com/index/claude-2-1-prompting"
    letter = "https://simonw.substack.com/p/datasette-enrichments-a-new-plugin"
    section = _member(
        f"feed:{letter}#s17",
        "feed",
        "Long context prompting for Claude 2.1",
        post,
        "Claude 2.1 has a 200,000 token context, enough for around 500 pages of text. Anthropic "
        "found that adding one sentence to the end of the prompt was enough to raise its score.",
        source="simonw-newsletter",
        extra={
            "section_of": f"feed:{letter}",
            "newsletter": "Simon Willison’s Newsletter",
            "newsletter_title": "Datasette Enrichments: a new plugin framework",
            "newsletter_url": letter,
        },
    )
    card = build_card(Story("2023-W49-x", "2023-W49", section.title, [section]))
    assert card.happened and {(s.source, s.url) for s in card.happened} == {
        ("Simon Willison", letter)
    }
    assert "Quoted word for word from Simon Willison;" in card_markdown(card)[4]
    # the article it talks about is still the story's source, with the newsletter beside it
    assert card.sources[0].article.url == post
    assert [(d.label, d.url) for d in card.sources[0].discussions] == [
        ("Simon Willison’s Newsletter", letter)
    ]
    # and the story's item list names the item by who wrote it
    from abreast.explain.card import source_label

    assert source_label(section) == "Simon Willison"


@pytest.mark.slow
def test_a_bare_family_name_is_not_listed_as_its_first_model(demo_store):
    from abreast.store.stories import load_week

    # "Purple Llama" (Meta's safety tools, 2023-W49) named "Llama": the card listed "LLaMA (Meta
    # AI; weights: not in our data)", the phylogeny's Llama 1 row, beside a story about neither
    purple = next(s for s in load_week(demo_store.conn, "2023-W49") if "Purple Llama" in s.title)
    assert load_card(demo_store, purple).models == []
    # "3b Llama to outperform 70b" (2024-W51) is not about Llama 1 either
    search = next(s for s in load_week(demo_store.conn, "2024-W51") if "3b Llama" in s.title)
    assert "LLaMA" not in [m.name for m in load_card(demo_store, search).models]
    # a bare name with no versions under it is the model itself (ModernBERT's card names BERT)
    bert = next(s for s in load_week(demo_store.conn, "2024-W51") if "ModernBERT" in s.title)
    assert "BERT" in [m.name for m in load_card(demo_store, bert).models]


def test_a_reddit_thread_an_hn_post_links_is_named_by_its_subreddit():
    # 2024-W50's whistleblower story listed "[2] Reddit: OpenAI whistleblower found dead ...",
    # an HN post linking old.reddit.com/r/sanfrancisco
    from abreast.explain.card import sources_of

    hn = _member(
        "hn:42413195",
        "hn",
        "OpenAI whistleblower found dead in apartment",
        "https://old.reddit.com/r/sanfrancisco/comments/1hdmn62/openai_whistleblower/",
    )
    [src], _ = sources_of([hn])
    assert src.article.label == "r/sanfrancisco"


def test_one_article_at_two_addresses_is_one_source():
    from abreast.explain.card import sources_of

    # the demo's Sora story listed "OpenAI: Sora is here" twice: the feed's URL and HN's, which
    # ends in a slash; Anthropic's agents post sits under /research/ and /engineering/
    members = [
        _member("feed:sora", "feed", "Sora is here", "https://openai.com/index/sora-is-here"),
        _member(
            "hn:42368604",
            "hn",
            "Sora is here",
            "https://openai.com/index/sora-is-here/",
            extra={"discussion_url": "https://news.ycombinator.com/item?id=42368604"},
        ),
        _member(
            "feed:a", "feed", "Building effective agents", "https://www.anthropic.com/research/x"
        ),
        _member(
            "feed:b", "feed", "Building effective agents", "https://www.anthropic.com/engineering/x"
        ),
        _member("feed:c", "feed", "Sora System Card", "https://openai.com/index/sora-system-card"),
    ]
    sources, _ = sources_of(members)
    assert [(s.article.label, s.article.title) for s in sources] == [
        ("OpenAI", "Sora is here"),
        ("Anthropic", "Building effective agents"),
        ("OpenAI", "Sora System Card"),
    ]
    assert [d.url for d in sources[0].discussions] == [
        "https://news.ycombinator.com/item?id=42368604"
    ]
    # a curated feed's PDF link and the paper's arXiv page: one source, linking the page
    title = "Fine-Tuning or Retrieval? Comparing Knowledge Injection in LLMs"
    paper = [
        _member("feed:p", "feed", title, "http://arxiv.org/pdf/2312.05934v1"),
        _member("arxiv:2312.05934", "arxiv", title, "https://arxiv.org/abs/2312.05934"),
    ]
    [one], _ = sources_of(paper)
    assert one.article.url == "https://arxiv.org/abs/2312.05934"


@pytest.mark.slow
def test_a_release_named_as_a_line_is_shown_as_the_release_in_its_sizes(demo_store):
    from abreast.store.stories import load_week

    # "Welcome the Falcon 3 Family of Open Models!" listed "Falcon3-10B-Base (TII; 10.3B
    # parameters; ...)", the first of the family's models by id, as if it were the release
    falcon = next(s for s in load_week(demo_store.conn, "2024-W51") if "Falcon 3" in s.title)
    [model] = load_card(demo_store, falcon).models
    assert (model.name, model.org) == ("Falcon 3", "TII")
    assert model.size is not None and " to " in model.size and "sizes" in model.size


@pytest.mark.slow
def test_a_news_only_model_is_named_as_its_maker_writes_it(demo_store):
    """A model known only from news and leaderboards is shown as "Claude 2.1" and "DeepSeek-V2.5",
    not a leaderboard's "Claude-2.1" and "Deepseek-v2.5"; a Hub repo keeps its own name."""
    from abreast.explain.card import load_card
    from abreast.store.stories import load_week

    def names(week, start):
        story = next(s for s in load_week(demo_store.conn, week) if s.title.startswith(start))
        return [m.name for m in load_card(demo_store, story).models]

    assert names("2023-W49", "Long context prompting for Claude 2.1") == ["Claude 2.1"]
    assert names("2024-W50", "DeepSeek-V2.5-1210") == ["DeepSeek-V2.5"]
    assert names("2024-W51", "Why is Llama 3.3-70B") == ["Llama-3.3-70B-Instruct"]


@pytest.mark.slow
def test_a_cards_release_is_the_model_its_page_releases_with_what_it_is_built_on(demo_store):
    """Bamba's card (2024-W51) said "model: Mamba 2 (weights: not in our data)", the architecture
    its title names, as if the story were Mamba 2's; Pixtral Large's (2024-W47) listed only Mistral
    Large; QwQ's (2024-W48) listed o1, which QwQ is only compared with, first."""
    from abreast.explain.card_render import card_terminal, model_line
    from abreast.store.stories import load_week

    def lines(week, start):
        story = next(s for s in load_week(demo_store.conn, week) if s.title.startswith(start))
        return [model_line(m) for m in load_card(demo_store, story).models], card_terminal(
            load_card(demo_store, story)
        )

    models, text = lines("2024-W51", "Bamba:")
    assert models == ["Bamba (weights: not in our data; built on Mamba 2)"]
    assert "  model: Bamba (weights: not in our data; built on Mamba 2)" in text
    assert not any("released" in ln and "Mamba 2" in ln and "Bamba" not in ln for ln in text)
    models, _ = lines("2024-W47", "Pixtral Large")
    assert (
        models[0]
        == "Pixtral Large (Mistral AI; weights: not in our data; built on Mistral Large 2)"
    )
    models, _ = lines("2024-W48", "QwQ:")
    assert models[0].startswith("QwQ-32B-Preview (Alibaba;")

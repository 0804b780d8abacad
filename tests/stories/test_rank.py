"""The score is the sum of seven explained parts; attention is relative to each source's own
week."""

from __future__ import annotations

import pytest

from abreast.stories.rank import (
    PAPER_AUTHORITY,
    WEIGHTS,
    AttentionScale,
    explain,
    rank_stories,
    score_story,
)
from abreast.types import Member, Story


def _m(key, kind, source, signals=None, url=None, when="2024-12-20T12:00:00+00:00"):
    return Member(
        key=key,
        kind=kind,
        source=source,
        title=key,
        url=url,
        published_at=when,
        signals=signals or {},
    )


SCALE = AttentionScale.of(
    [("hn", {"points": p, "comments": 0}) for p in (20, 50, 100, 200, 400, 1100)]
    + [("reddit", {"score": s, "comments": 0}) for s in (40, 60, 80, 100, 150)]
)


def test_parts_sum_to_the_score_and_each_part_says_why():
    s = Story(
        id="2024-W51-aaaaaa",
        week="2024-W51",
        title="o3",
        members=[
            _m("hn:1", "hn", "hn", {"points": 1100, "comments": 0}),
            _m(
                "feed:https://openai.com/index/o3",
                "feed",
                "openai-news",
                url="https://openai.com/index/o3",
            ),
        ],
    )
    rank_stories([s], SCALE)
    assert set(s.score_parts) == {
        "attention",
        "breadth",
        "authority",
        "recency",
        "novelty",
        "release",
        "substance",
    }
    assert sum(p["weight"] for p in s.score_parts.values()) == pytest.approx(1.0)
    assert s.score == pytest.approx(sum(p["points"] for p in s.score_parts.values()), abs=1e-6)
    for p in s.score_parts.values():
        assert p["points"] == pytest.approx(p["value"] * p["weight"], abs=1e-4)
        assert p["why"]
    assert s.score_parts["authority"]["value"] == 1.0  # openai.com is the lab's own post
    lines = explain(s)
    assert lines[0].startswith(f"score {s.score:.3f}")
    assert any("hn:1" in line and "attention" in line for line in lines)


def test_attention_is_a_percentile_within_the_source():
    top_reddit = Story(
        id="a",
        week="2024-W51",
        title="r",
        members=[_m("reddit:x", "reddit", "r/LocalLLaMA", {"score": 150})],
    )
    mid_hn = Story(
        id="b", week="2024-W51", title="h", members=[_m("hn:2", "hn", "hn", {"points": 150})]
    )
    a = score_story(top_reddit, SCALE)["attention"]["value"]
    b = score_story(mid_hn, SCALE)["attention"]["value"]
    assert a > b  # the same raw number is the best of Reddit's week but middling on HN


def test_breadth_and_authority_order_stories():
    single = Story(
        id="s1", week="2024-W51", title="one", members=[_m("hn:3", "hn", "hn", {"points": 100})]
    )
    broad = Story(
        id="s2",
        week="2024-W51",
        title="many",
        members=[
            _m("hn:4", "hn", "hn", {"points": 100}),
            _m("reddit:y", "reddit", "r/OpenAI", {"score": 80}),
            _m("arxiv:2412.1", "arxiv", "arxiv", url="https://arxiv.org/abs/2412.1"),
        ],
    )
    rank_stories([single, broad], SCALE)
    assert broad.rank == 1 and single.rank == 2
    assert broad.score_parts["breadth"]["value"] > single.score_parts["breadth"]["value"] == 0.0
    assert broad.score_parts["authority"]["value"] == pytest.approx(PAPER_AUTHORITY)  # a paper
    assert single.score_parts["authority"]["value"] == 0.0


def test_a_labs_own_announcement_outranks_a_curated_paper():
    """2023-W49: Google's Gemini launch post must not sink under arXiv papers that a daily list
    picked."""
    lab = Story(
        id="s3",
        week="2023-W49",
        title="Introducing Gemini",
        members=[
            _m(
                "feed:gemini",
                "feed",
                "deepmind-blog",
                url="https://deepmind.google/discover/blog/introducing-gemini-our-largest-and-most-capable-ai-model/",
            )
        ],
    )
    paper = Story(
        id="s4",
        week="2023-W49",
        title="A paper",
        members=[
            _m("arxiv:2312.05934", "arxiv", "arxiv", url="https://arxiv.org/abs/2312.05934"),
            _m("feed:paper", "feed", "llm-paper-daily", url="http://arxiv.org/pdf/2312.05934v1"),
        ],
    )
    rank_stories([paper, lab], SCALE)
    assert lab.rank == 1


def test_an_hn_post_linking_to_the_labs_own_page_gives_the_story_its_primary_source():
    story = Story(
        id="s5",
        week="2024-W51",
        title="Early Evals for OpenAI o3",
        members=[
            _m("hn:42473000", "hn", "hn", {"points": 30}, url="https://openai.com/12-days/?day=12")
        ],
    )
    rank_stories([story], SCALE)
    assert story.score_parts["authority"]["value"] == 1.0


def test_a_labs_own_post_on_x_is_its_primary_source_and_anyone_elses_is_not():
    # 2023-W49: Mistral released Mixtral as a tweet with a magnet link; on HN the story linked
    # that tweet and ranked 37th, below a week of arXiv papers, with "no primary source".
    def story(url: str) -> Story:
        s = Story(
            id=url,
            week="2023-W49",
            title="Mistral releases 8x7 MoE model via torrent",
            members=[_m("hn:38572127", "hn", "hn", {"points": 18, "comments": 2}, url=url)],
        )
        rank_stories([s], SCALE)
        return s

    lab = story("https://twitter.com/MistralAI/status/1733150512395038967?s=20")
    assert lab.score_parts["authority"]["value"] == 1.0
    assert "MistralAI" in lab.score_parts["authority"]["why"]
    someone = story("https://twitter.com/realGeorgeHotz/status/1868356459542770087")
    assert someone.score_parts["authority"]["value"] == 0.0
    assert lab.score > someone.score


def test_a_model_repo_alone_counts_half_the_attention_of_a_discussion():
    scale = AttentionScale.of(
        [("hf", {"likes": n}) for n in (1, 2, 3, 5, 8)]
        + list(("hn", {"points": p, "comments": 0}) for p in (20, 50, 100))
    )
    repo = Story(
        id="s6",
        week="2024-W51",
        title="Some/merge-7B",
        members=[
            _m(
                "hf:Some/merge-7B",
                "hf",
                "hf-models",
                {"likes": 8},
                url="https://huggingface.co/Some/merge-7B",
            )
        ],
    )
    thread = Story(
        id="s7",
        week="2024-W51",
        title="A thread",
        members=[_m("hn:1", "hn", "hn", {"points": 100, "comments": 0})],
    )
    rank_stories([repo, thread], scale)
    assert repo.score_parts["attention"]["value"] < thread.score_parts["attention"]["value"]
    assert "half weight" in repo.score_parts["attention"]["why"]


def test_a_labs_page_naming_the_model_it_releases_outranks_a_labs_page_naming_none():
    """A launch the feeds carried alone (no forum thread joined it) is one of the week's main
    stories: it gets the release part; the lab's other posts and a forum thread naming the model
    do not."""

    def story(sid, title, url, kind="feed", entities=()):
        m = _m(sid, kind, "openai-news" if kind == "feed" else kind, url=url)
        m.title = title
        return Story(id=sid, week="2024-W51", title=title, members=[m], entities=list(entities))

    launch = story(
        "a",
        "OpenAI o1 and new tools for developers",
        "https://openai.com/index/o1",
        entities=["model:o1"],
    )
    other = story("b", "1-800-ChatGPT", "https://openai.com/index/1-800-chatgpt")
    thread = story(
        "c", "O1's full LiveBench results", "https://reddit.com/r/x", "reddit", ["model:o1"]
    )
    rank_stories([launch, other, thread], SCALE)
    assert launch.score_parts["release"]["value"] == 1.0
    assert "o1 released" in launch.score_parts["release"]["why"]
    assert other.score_parts["release"]["value"] == thread.score_parts["release"]["value"] == 0.0
    assert launch.rank == 1


def test_a_release_is_filed_under_the_release_theme_whatever_its_items_were_tagged():
    """Falcon 3's launch, its items tagged business and applications, is a model release: it
    leads with "open-models" (the draft's "Open & foundation models"); a story that releases
    nothing, or one of a user's own taxonomy, keeps its themes."""
    from abreast.stories.build import release_first

    def story(sid, title, url, themes):
        m = _m(sid, "feed", "hf-blog", url=url)
        m.title, m.themes = title, themes
        return Story(
            id=sid,
            week="2024-W51",
            title=title,
            members=[m],
            entities=["model:falcon-3"],
            themes=list(themes),
        )

    falcon = story(
        "a",
        "Welcome the Falcon 3 Family",
        "https://huggingface.co/blog/falcon3",
        ["business", "applications"],
    )
    guide = story("b", "Prompting tips", "https://huggingface.co/blog/tips", ["applications"])
    mine = story("c", "Falcon 3 is out", "https://huggingface.co/blog/f3", ["my-launches"])
    rank_stories([falcon, guide, mine], SCALE)
    assert release_first(falcon) == ["open-models", "business"]
    assert release_first(guide) == ["applications"]
    assert release_first(mine) == ["my-launches"]


def _lab_story(sid, *titles_urls):
    members = []
    for i, (title, url) in enumerate(titles_urls):
        kind = "reddit" if "reddit.com" in url else "feed"
        m = _m(f"{sid}:{i}", kind, kind, url=url)
        m.title = title
        members.append(m)
    return Story(id=sid, week="2024-W51", title=titles_urls[0][0], members=members)


def test_the_release_part_credits_the_model_the_title_releases_not_the_one_it_is_built_on():
    """ "Bamba: Inference-Efficient Hybrid Mamba2 Model" releases Bamba: "why is this here" said
    "mamba-2 released on the lab's own page" (2024-W51 of the demo). Mistral's page for Pixtral
    Large, "a vision model based on Mistral Large 2", is Pixtral Large's launch, not Mistral
    Large 2's; QwQ, "Alibaba's O1 Like Reasoning LLM", is not o1."""
    bamba = _lab_story(
        "bamba",
        ("Bamba: Inference-Efficient Hybrid Mamba2 Model", "https://huggingface.co/blog/bamba"),
    )
    pixtral = _lab_story(
        "pixtral",
        ("Pixtral Large", "https://mistral.ai/news/pixtral-large/"),
        (
            "Pixtral Large Released - Vision model based on Mistral Large 2",
            "https://mistral.ai/news/pixtral-large/",
        ),
    )
    qwq = _lab_story(
        "qwq", ("QwQ: Alibaba's O1 Like Reasoning LLM", "https://qwenlm.github.io/blog/qwq/")
    )
    rank_stories([bamba, pixtral, qwq], SCALE)
    why = {s.id: s.score_parts["release"]["why"] for s in (bamba, pixtral, qwq)}
    assert why["bamba"].startswith("Bamba, built on Mamba 2, released on the lab's own page")
    assert why["pixtral"].startswith("Pixtral Large, built on Mistral Large 2, released")
    assert why["qwq"].startswith("QwQ released") and "o1" not in why["qwq"]
    assert all(s.score_parts["release"]["value"] == 1.0 for s in (bamba, pixtral, qwq))


def test_a_labs_guide_to_a_model_is_not_its_release():
    """Anthropic's "Long context prompting for Claude 2.1" rose 15th -> 4th of the demo's 2023-W49
    as if it launched Claude 2.1; "Introducing Claude 2.1" did. A page about prompting, evaluating
    or deploying a model, or a product tier of it, releases nothing; "OpenAI o1 and new tools for
    developers" and a model card name the model as their subject and do."""
    guide = _lab_story(
        "guide",
        (
            "Long context prompting for Claude 2.1",
            "https://www.anthropic.com/index/claude-2-1-prompting",
        ),
    )
    how_to = _lab_story(
        "how", ("Claude: How to use system prompts", "https://www.anthropic.com/index/prompts")
    )
    deploy = _lab_story(
        "deploy",
        (
            "Claude 3.5 Haiku on AWS Trainium2 and model distillation in Amazon Bedrock",
            "https://www.anthropic.com/news/trainium2",
        ),
    )
    tier = _lab_story("tier", ("Introducing ChatGPT Pro", "https://openai.com/index/chatgpt-pro"))
    launch = _lab_story(
        "launch", ("Introducing Claude 2.1", "https://www.anthropic.com/index/claude-2-1")
    )
    tools = _lab_story(
        "tools", ("OpenAI o1 and new tools for developers", "https://openai.com/index/o1-tools")
    )
    card = _lab_story("card", ("OpenAI o1 System Card", "https://openai.com/index/o1-card"))
    rank_stories([guide, how_to, deploy, tier, launch, tools, card], SCALE)
    for s in (guide, how_to, deploy, tier):
        assert s.score_parts["release"] == {
            "value": 0.0,
            "why": "no lab's own page releases a model",
            "weight": WEIGHTS["release"],
            "points": 0.0,
        }, s.title
    assert launch.score_parts["release"]["why"].startswith("Claude 2.1 released")
    assert tools.score_parts["release"]["why"].startswith("o1 released")
    assert card.score_parts["release"]["why"].startswith("o1 released")


def test_an_announcement_is_said_as_one_and_needs_the_labs_page():
    """o3 (2024-W51) was announced with its evals, not released: the lab's page ("Early Evals for
    OpenAI O3", openai.com) names it and a thread says "OpenAI just announced O3". A thread alone,
    with no lab page naming the model, is no release."""
    o3 = _lab_story(
        "o3",
        ("Early Evals for OpenAI O3", "https://openai.com/12-days/?day=12"),
        ("OpenAI just announced O3 and O3 mini", "https://www.reddit.com/r/LocalLLaMA/x"),
    )
    rumour = _lab_story(
        "rumour", ("OpenAI just announced O3 and O3 mini", "https://www.reddit.com/r/OpenAI/y")
    )
    rank_stories([o3, rumour], SCALE)
    assert o3.score_parts["release"]["why"] == (
        "o3 announced on the lab's own page: https://openai.com/12-days/?day=12"
    )
    assert rumour.score_parts["release"]["value"] == 0.0


def test_a_name_the_title_introduces_is_a_release_when_its_page_calls_it_a_model():
    """ "Finally, a Replacement for BERT: Introducing ModernBERT" never calls ModernBERT a model;
    its page's opening does ("ModernBERT, a family of ... encoder-only models"). The Synthetic
    Data Generator's opening calls it an application, ChatGPT Pro's a plan."""

    def story(sid, title, text):
        m = _m(sid, "feed", "hf-blog", url=f"https://huggingface.co/blog/{sid}")
        m.title, m.text = title, text
        return Story(id=sid, week="2024-W51", title=title, members=[m])

    bert = story(
        "modernbert",
        "Finally, a Replacement for BERT: Introducing ModernBERT",
        "This blog post introduces ModernBERT, a family of state-of-the-art encoder-only models "
        "representing improvements over older generation encoders across the board.",
    )
    tool = story(
        "sdg",
        "Introducing the Synthetic Data Generator - Build Datasets with Natural Language",
        "Introducing the Synthetic Data Generator, a user-friendly application that takes a "
        "no-code approach to creating custom datasets with Large Language Models (LLMs).",
    )
    plan = story(
        "pro",
        "Introducing ChatGPT Pro",
        "ChatGPT Pro, a $200 monthly plan that enables scaled access to the best of OpenAI's "
        "models",
    )
    rank_stories([bert, tool, plan], SCALE)
    assert bert.score_parts["release"]["why"].startswith("ModernBERT released on the lab's own")
    assert tool.score_parts["release"]["value"] == plan.score_parts["release"]["value"] == 0.0


def test_a_model_named_as_the_base_is_never_the_release():
    """What a title says a model is built on ("based on", "a Llama 3 fine-tune", "hybrid Mamba2")
    is the base; a page only about the base names no release."""
    from abreast.stories.release import title_release

    tuned = title_release("MedLlama: a Llama 3 fine-tune")
    assert tuned is not None and tuned.said == "MedLlama, built on Llama 3, released"
    vision = title_release("Foo: a vision model based on Mistral Large 2")
    assert vision is not None and vision.said == "Foo, built on Mistral Large 2, released"
    assert title_release("A Llama 3 fine-tune for medicine") is None
    assert (
        title_release("Why is Llama 3.3-70B so good at personas based on the system prompt?")
        is None
    )


def test_a_meme_with_nothing_to_read_ranks_below_a_labs_research_post():
    """2024-W50: "Finally", an image post on r/LocalLLaMA (1,884 points), ranked 13th, above
    Anthropic's Clio research post (21st): the crowd's attention to a picture counted as much as
    to an article. A post with as much attention and nothing to read now ranks below the lab's
    post; `abreast why` says which member had what to read."""
    meme = Story(
        id="meme",
        week="2024-W50",
        title="Finally",
        members=[
            _m(
                "reddit:1haumxe",
                "reddit",
                "r-localllama",
                {"score": 150, "comments": 0},
                url="https://i.redd.it/dahvtingiy5e1.jpeg",
            )
        ],
    )
    clio = Story(
        id="clio",
        week="2024-W50",
        title="Clio: A system for privacy-preserving insights into real-world AI use",
        members=[
            _m(
                "feed:https://www.anthropic.com/research/clio",
                "feed",
                "anthropic-news",
                url="https://www.anthropic.com/research/clio",
            )
        ],
    )
    rank_stories([meme, clio], SCALE)
    assert meme.score_parts["attention"]["value"] > clio.score_parts["attention"]["value"]
    assert clio.rank == 1 and meme.rank == 2
    assert meme.score_parts["substance"]["value"] == 0.0
    assert "image or video post" in meme.score_parts["substance"]["why"]
    assert clio.score_parts["substance"]["value"] == 1.0
    assert "anthropic.com" in clio.score_parts["substance"]["why"]
    assert any(line.lstrip().startswith("substance") for line in explain(meme))


def test_a_discussed_reddit_post_with_text_or_an_article_keeps_its_substance():
    """Being on Reddit is not the problem: a self post with a few paragraphs to read, or a post
    linking Microsoft's Phi-4 announcement, counts in full; a chart whose title names a model says
    something; a bare one-liner says nothing."""

    def post(key, url, text="", entities=(), jargon=()):
        m = _m(key, "reddit", "r-localllama", {"score": 150, "comments": 0}, url=url)
        m.text, m.entities, m.jargon = text, list(entities), list(jargon)
        return Story(id=key, week="2024-W50", title=key, members=[m])

    essay = post(
        "reddit:essay", "https://www.reddit.com/r/LocalLLaMA/comments/x/", "We tested it. " * 40
    )
    link = post("reddit:phi4", "https://techcommunity.microsoft.com/blog/phi-4")
    chart = post("reddit:chart", "https://i.redd.it/x.png", entities=["model:gemini-2.0-flash"])
    line = post("reddit:line", "https://www.reddit.com/r/ChatGPT/comments/y/")
    # "Llama 3.3 (70B) Finetuning - now with 90K context length": its text was not recorded, the
    # thread discusses the terms its title names
    terms = post(
        "reddit:terms",
        "https://www.reddit.com/r/LocalLLaMA/comments/z/",
        entities=["model:llama-3.3"],
        jargon=["fine-tuning", "context-window"],
    )
    rank_stories([essay, link, chart, line, terms], SCALE)
    value = {s.id: s.score_parts["substance"]["value"] for s in (essay, link, chart, line, terms)}
    assert value["reddit:essay"] == value["reddit:phi4"] == 1.0
    assert 0.0 < value["reddit:chart"] < value["reddit:terms"] < 1.0
    assert "fine-tuning" in terms.score_parts["substance"]["why"]
    assert value["reddit:line"] == 0.0
    assert "gemini-2.0-flash" in chart.score_parts["substance"]["why"]
    assert essay.rank < chart.rank < line.rank

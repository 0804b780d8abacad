"""Headlines, keywords and the pure clustering rules."""

from __future__ import annotations

import numpy as np

from abreast.stories.cluster import ClusterParams, cluster
from abreast.stories.title import choose_lead, class_keywords, headline
from abreast.types import Member

from .conftest import topic_vector


def _m(
    key,
    title,
    kind=None,
    url=None,
    signals=None,
    entities=None,
    when="2024-12-18T12:00:00+00:00",
    text="",
):
    return Member(
        key=key,
        kind=kind or key.split(":")[0],
        source=kind or key.split(":")[0],
        title=title,
        url=url,
        text=text,
        published_at=when,
        signals=signals or {},
        entities=entities or [],
    )


def test_headline_prefers_the_labs_post_over_a_reddit_title():
    members = [
        _m("reddit:1", "He won guys", signals={"score": 900}),
        _m(
            "feed:https://deepmind.google/x",
            "State-of-the-art video generation with Veo 2",
            kind="feed",
        ),
        _m("hn:1", "Veo 2: Our video generation model", signals={"points": 377}),
    ]
    assert members[choose_lead(members)].key == "feed:https://deepmind.google/x"
    assert (
        headline("Show HN: Nvidia Jetson Orin Nano Super [video]")
        == "Nvidia Jetson Orin Nano Super"
    )


def test_keywords_name_what_sets_a_story_apart():
    stories = [
        [
            _m("hn:1", "Falcon 3 just dropped"),
            _m("feed:f", "Welcome the Falcon 3 family of open models"),
        ],
        [
            _m("hn:2", "Bamba: an inference-efficient hybrid Mamba2 model"),
            _m("reddit:b", "Bamba hybrid model"),
        ],
        [
            _m("hn:3", "Genesis: a generative physics engine"),
            _m("reddit:g", "New physics AI is insane"),
        ],
    ]
    kws = class_keywords(stories)
    assert "falcon" in kws[0][0]
    assert "bamba" in kws[1][0]
    assert any("physics" in k for k in kws[2][:2])


def test_same_url_joins_and_distinct_papers_stay_apart():
    members = [
        _m("hn:1", "A Replacement for BERT", url="https://huggingface.co/blog/modernbert"),
        _m(
            "feed:https://huggingface.co/blog/modernbert",
            "Finally, ModernBERT",
            kind="feed",
            url="https://huggingface.co/blog/modernbert",
        ),
        _m("arxiv:1", "RAG evaluation benchmark for finance"),
        _m("arxiv:2", "RAG evaluation benchmark for medicine"),
    ]
    # The two items sharing a URL get unrelated vectors; the two papers get near-identical ones.
    vecs = np.stack(
        [
            topic_vector("a"),
            topic_vector("b"),
            topic_vector("rag", seed=1),
            topic_vector("rag", seed=2),
        ]
    )
    assert cluster(members, vecs) == [[0, 1], [2], [3]]


def test_a_single_source_story_is_still_a_story():
    members = [
        _m(f"reddit:{i}", f"Falcon 3 release thread {i}", signals={"score": 10 * i})
        for i in range(4)
    ]
    members.append(_m("reddit:z", "Which GPU for local inference?"))
    vecs = np.stack([topic_vector("falcon", seed=i) for i in range(4)] + [topic_vector("gpu")])
    assert cluster(members, vecs) == [[0, 1, 2, 3], [4]]


def test_shared_model_entity_pulls_reactions_together_but_an_org_alone_does_not():
    params = ClusterParams(title_weight=0.0)
    members = [
        _m("hn:1", "x", entities=["model:o3", "org:openai"]),
        _m("reddit:1", "y", entities=["model:o3"]),
        _m("reddit:2", "z", entities=["org:openai"]),
    ]
    o3 = topic_vector("o3")
    other = topic_vector("other")
    third = topic_vector("third")
    orth = other - (other @ o3) * o3
    orth /= np.linalg.norm(orth)
    orth2 = third - (third @ o3) * o3 - (third @ orth) * orth
    orth2 /= np.linalg.norm(orth2)
    # cosine 0.6 with o3 each: below the threshold alone, above it with the model boost
    vecs = np.stack([o3, 0.6 * o3 + 0.8 * orth, 0.6 * o3 + 0.8 * orth2])
    sims = vecs @ vecs.T
    assert params.threshold - params.model_boost <= sims[0, 1] < params.threshold
    assert cluster(members, vecs, params) == [[0, 1], [2]]


def test_the_fast_small_linkage_agrees_with_scipy():
    from scipy.cluster.hierarchy import fcluster, linkage

    from abreast.stories.cluster import _small_average_linkage

    rng = np.random.default_rng(3)
    for m in (3, 5, 9, 17, 24):
        pts = rng.normal(size=(m, 4))
        condensed = np.array(
            [np.linalg.norm(pts[i] - pts[j]) for i in range(m) for j in range(i + 1, m)]
        )
        cut = float(np.median(condensed)) * 0.6
        ours = _small_average_linkage(condensed, m, cut)
        ref = fcluster(linkage(condensed, method="average"), t=cut, criterion="distance")
        same_ours = {(i, j) for i in range(m) for j in range(m) if ours[i] == ours[j]}
        same_ref = {(i, j) for i in range(m) for j in range(m) if ref[i] == ref[j]}
        assert same_ours == same_ref


def test_a_paper_joins_news_only_when_the_news_names_it():
    """Close embeddings alone do not make a book on LLM pitfalls and a paper on LLM compilers one
    story (the demo's 2024-W50 card once quoted the paper under the book's title); the news item
    that repeats the paper's title, or links it, still joins it."""
    paper = _m(
        "arxiv:2412.12163",
        "Towards LLM-based optimization compilers. Can LLMs learn how to apply a single peephole "
        "optimization? Reasoning is all LLMs need!",
        url="https://arxiv.org/abs/2412.12163",
    )
    book = _m(
        "hn:42404202",
        "Taming LLMs – A Practical Guide to LLM Pitfalls with Open Source Software",
        url="https://www.souzatharsis.com/tamingLLMs/markdown/toc.html",
    )
    vecs = np.stack([topic_vector("llms", seed=1), topic_vector("llms", seed=2)])
    assert float(vecs[0] @ vecs[1]) >= ClusterParams().threshold  # the embeddings alone would join
    assert cluster([paper, book], vecs) == [[0], [1]]
    named = _m(
        "reddit:1",
        "Can LLMs learn how to apply a peephole optimization? Reasoning is all LLMs need",
        url="https://www.reddit.com/r/LocalLLaMA/comments/1/",
    )
    linked = _m("hn:2", "LLMs as compilers", url="https://arxiv.org/abs/2412.12163")
    vecs3 = np.stack([topic_vector("llms", seed=s) for s in (1, 3, 4)])
    assert cluster([paper, named], vecs3[:2]) == [[0, 1]]
    assert cluster([paper, linked], vecs3[::2]) == [[0, 1]]


def test_a_name_the_news_uses_every_week_does_not_join_two_stories_but_a_new_release_does():
    from abreast.stories.cluster import background_models

    # The demo's 2023-W49: a Show HN of an open-source tool and an Ask HN about paying for
    # ChatGPT Plus were one story, held together only by both naming ChatGPT.
    params = ClusterParams(title_weight=0.0)
    members = [
        _m("hn:38587052", "x", entities=["model:chatgpt"]),
        _m("hn:38590313", "y", entities=["model:chatgpt"]),
    ]
    a, b = topic_vector("tool"), topic_vector("plus")
    b = b - (b @ a) * a
    b /= np.linalg.norm(b)
    vecs = np.stack([a, 0.6 * a + 0.8 * b])  # cosine 0.6: one story only with the model boost
    earlier = [{"model:chatgpt", "model:gpt-4"}, {"model:chatgpt"}, {"model:chatgpt", "model:o1"}]
    background = background_models(earlier)
    assert background == {"model:chatgpt"}  # named every earlier week; gpt-4 and o1 are not
    assert cluster(members, vecs, params, background=background) == [[0], [1]]
    # o3, named for the first time this week, still ties its reactions together
    launch = [_m("hn:1", "x", entities=["model:o3"]), _m("reddit:1", "y", entities=["model:o3"])]
    assert cluster(launch, vecs, params, background=background) == [[0, 1]]
    # all but one earlier week: a week recorded in part does not make every name look new
    assert "model:chatgpt" in background_models([*earlier, {"model:o1"}])
    assert background_models([{"model:chatgpt"}]) == frozenset()  # one week says nothing


def test_the_demo_weeks_no_longer_join_stories_on_chatgpt_alone(demo_db):
    import sqlite3

    conn = sqlite3.connect(demo_db)

    def story_of(key):
        return conn.execute(
            "SELECT s.story_id FROM story_items s JOIN items i ON i.id = s.item_id WHERE i.key = ?",
            (key,),
        ).fetchone()[0]

    assert story_of("hn:38587052") != story_of("hn:38590313")  # 2023-W49
    # 2024-W50: Simon Willison's note on ChatGPT Canvas had gathered an outage, a maths blunder,
    # a "keeping me sane" post and a price comparison
    canvas = story_of("feed:https://simonw.substack.com/p/gemini-20-flash-an-outstanding-multi#s2")
    assert all(story_of(k) != canvas for k in ("reddit:1ha5uk5", "reddit:1hc7u3t"))
    # the Sora launch stays one story (its lab posts and the HN thread)
    sora = story_of("feed:https://openai.com/index/sora-is-here")
    assert (
        story_of("hn:42368604")
        == sora
        == story_of("feed:https://openai.com/index/sora-system-card")
    )


def test_a_newsletters_title_for_a_page_does_not_head_the_pages_story():
    # 2024-W49 was headed "Quote from OpenAI o1 System Card" (Simon Willison's section title),
    # with OpenAI's own post in the story; the post's title heads it now
    letter = "feed:https://simonw.substack.com/p/i-can-now-run-a-gpt-4-class-model"
    section = _m(f"{letter}#s7", "Quote from OpenAI o1 System Card", kind="feed")
    section.extra = {"section_of": letter}
    post = _m("feed:https://openai.com/index/openai-o1-system-card", "OpenAI o1 System Card")
    hn = _m("hn:42330666", "OpenAI o1 system card", signals={"points": 371})
    assert [section, post, hn][choose_lead([section, post, hn])] is post
    # without the lab's post, the newsletter's title still reads better than HN's or Reddit's
    release = _m(f"{letter}#s2", "Meta AI release Llama 3.3", kind="feed")
    release.extra = {"section_of": letter}
    repo = _m("hn:1", "Llama-3.3-70B-Instruct", signals={"points": 400})
    assert [repo, release][choose_lead([repo, release])] is release


def test_the_demo_o1_system_card_story_is_headed_by_openais_title(demo_db):
    import sqlite3

    conn = sqlite3.connect(demo_db)
    title = conn.execute(
        "SELECT s.title FROM stories s JOIN story_items si ON si.story_id = s.id "
        "JOIN items i ON i.id = si.item_id WHERE i.key = ?",
        ("feed:https://openai.com/index/openai-o1-system-card",),
    ).fetchone()[0]
    assert title == "OpenAI o1 System Card"


def test_a_theme_only_a_minority_of_members_carry_does_not_tag_the_story():
    """Five threads on o3's launch, two of which quote its benchmark scores (tagged research):
    the story is a model launch, not "Research papers"."""
    from abreast.stories.title import dominant_themes
    from abreast.types import Member

    def m(i, themes):
        return Member(key=f"hn:{i}", kind="hn", source="hn", title="o3", url=None, themes=themes)

    launch = [
        m(1, ["open-models", "research"]),
        m(2, ["open-models", "business"]),
        m(3, ["open-models"]),
        m(4, ["open-models", "research"]),
        m(5, ["open-models", "fine-tuning-agents"]),
    ]
    assert dominant_themes(launch) == ["open-models"]
    # Half the members is enough: a paper and the thread about it keep both themes.
    pair = [m(1, ["research", "safety-alignment"]), m(2, ["safety-alignment"])]
    assert dominant_themes(pair) == ["safety-alignment", "research"]

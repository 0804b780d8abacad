"""The configured topics before any feedback (the cold start): what they lift, and by how much."""

from __future__ import annotations

import math

import numpy as np

from abreast.learn.model import Example, Prior, fit, normalised
from abreast.learn.personal import blend, confidence


def _item(key: str, *themes: str) -> Example:
    named = {f"theme:{t}": 1.0 for t in themes}
    named["source:hn"] = 1.0
    return Example(key=key, named=named, vector=np.zeros(0, np.float32))


def _prior(theme: str) -> Prior:
    return Prior(
        topics=[theme],
        named=[normalised({f"theme:{theme}": 1.0})],
        vectors=np.zeros((1, 0), np.float32),
    )


def test_topics_alone_put_an_item_about_them_above_one_that_merely_touches_them():
    """A reader whose topic is business: before any feedback, a story that is only about
    business outranks one that is also about applications, although everyone's attention put
    the second higher; both outrank what is not business at all. (Sized as the prior's own
    weights, every business item scored 0.99 and up, alike, and kept everyone's order.)"""
    items = [
        _item("about", "business"),
        _item("touches", "business", "applications"),
        _item("other", "applications"),
        _item("papers", "research"),
        _item("models", "open-models"),
    ]
    base = [0.5, 0.6, 0.7, 0.4, 0.3]
    model = fit([], [], _prior("business"))
    scores = model.scores(items)
    final = blend(base, scores, 10.0 * confidence(model))
    ranked = [e.key for _, e in sorted(zip(final, items, strict=True), key=lambda p: -p[0])]
    assert ranked[:3] == ["about", "touches", "other"]


def test_topics_alone_count_as_one_liked_item_and_signals_still_have_to_push_hard():
    """Before feedback an item just like the topic scores what one liked item says (tanh 1),
    not near-certainty; once feedback contrasts items, the topics hold as strongly as before
    (a single "less" on a business item does not drop business below the rest)."""
    prior = _prior("business")
    model = fit([], [], prior)
    like_topic = Example(key="t", named={"theme:business": 1.0}, vector=np.zeros(0, np.float32))
    assert math.isclose(model.score(like_topic), math.tanh(1.0), rel_tol=1e-3)
    given = [_item("b1", "business"), _item("a1", "applications"), _item("r1", "research")]
    after = fit(given, [-1.0, 1.0, -1.0], prior)
    assert after.score(_item("b2", "business")) > after.score(_item("r2", "research"))


def test_more_on_an_item_your_topics_already_like_still_teaches_the_less_beside_it():
    """Topic "running models locally"; the reader says "more" on a local-inference post (which
    the topics already score far above one signal's worth) and "less" on a chatbot product.
    `abreast interests` must then say less of the chatbot's theme, and nothing about the liked
    post may turn into "less". (Unclipped, the liked post's residual was as negative as the
    disliked one's, the two cancelled and the interests said "less: nothing specific yet".)"""
    from abreast.learn.model import describe

    liked = Example(
        key="bamba",
        named={"theme:deployment": 1.0, "entity:model:bamba": 1.0, "source:hf-blog": 1.0},
        vector=np.zeros(0, np.float32),
    )
    model = fit([liked, _item("chatgpt", "applications")], [1.0, -1.0], _prior("deployment"))
    more, less = describe(model)
    assert "theme:applications" in dict(less)
    assert all(model.named.get(f, 0.0) >= 0 for f in liked.named)

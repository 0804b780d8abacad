"""Learning what the reader cares about: the model, feedback, mutes, interests, the week."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

from abreast.cli.main import app
from abreast.learn.model import Example, describe, fit
from abreast.learn.personal import blend, for_reader, give_feedback, week_for_reader
from abreast.store.stories import load_week

runner = CliRunner()
WEEK = "2024-W51"


def _ex(key, named, vec):
    return Example(key=key, named={n: 1.0 for n in named}, vector=np.asarray(vec, np.float32))


def test_the_model_learns_named_features_and_says_them():
    liked = [_ex(f"a{i}", ["theme:safety-alignment", "source:hn"], [1, 0, 0]) for i in range(3)]
    disliked = [_ex(f"b{i}", ["theme:business", "source:hn"], [0, 1, 0]) for i in range(5)]
    m = fit(liked + disliked, [1.0] * 3 + [-1.0] * 5)
    new_safety = _ex("c", ["theme:safety-alignment"], [0.9, 0.1, 0])
    new_business = _ex("d", ["theme:business"], [0.1, 0.9, 0])
    assert m.score(new_safety) > 0 > m.score(new_business)
    more, less = describe(m)
    assert more[0][0] == "theme:safety-alignment"
    assert less[0][0] == "theme:business"
    assert "source:hn" not in dict(more) | dict(less), "a feature on both sides says nothing"


def test_a_liked_theme_still_counts_on_an_item_that_names_many_things():
    """Ten signals teach themes; an item naming eight models and eight terms must not drown its
    theme in them (with one normalisation over all its features it kept a third of its score)."""
    liked = [_ex(f"a{i}", ["theme:safety-alignment", f"source:s{i}"], [0, 0]) for i in range(5)]
    disliked = [_ex(f"b{i}", ["theme:business", f"source:s{i}"], [0, 0]) for i in range(5)]
    m = fit(liked + disliked, [1.0] * 5 + [-1.0] * 5)
    terse = _ex("t", ["theme:safety-alignment", "source:x"], [0, 0])
    many = [f"entity:model:m{i}" for i in range(8)] + [f"term:t{i}" for i in range(8)]
    wordy = _ex("w", ["theme:safety-alignment", "source:x", "site:example.org", *many], [0, 0])
    assert m.score(terse) > 0
    assert m.score(wordy) > 0.7 * m.score(terse)


def test_interests_say_each_interest_once():
    """The term "Fine-tuning" beside the theme "Fine-tuning, small task-specific models & agents"
    is one interest: `abreast interests` says it once, and the next one takes its place."""
    from abreast.learn.model import InterestModel
    from abreast.learn.personal import in_words

    m = InterestModel(
        named={"theme:fine-tuning-agents": 0.5, "term:fine-tuning": 0.3, "source:hn": 0.2},
        signals=10,
    )
    more, _ = in_words(m)
    assert more == ["Fine-tuning, small task-specific models & agents", "Hacker News"]


def test_no_signals_means_no_opinion():
    m = fit([], [])
    assert m.is_empty and m.score(_ex("x", ["theme:business"], [1, 0])) == 0.0


def test_one_kind_of_signal_has_nothing_to_contrast_and_moves_nothing():
    """Ten "less" and no "more": the fit has no contrast, so no opinion, not rounding noise."""
    items = [_ex(f"b{i}", ["theme:business", f"entity:org:o{i}"], [i % 3, 1, i]) for i in range(10)]
    m = fit(items, [-1.0] * 10)
    assert m.signals == 10 and not m.named and m.vector is None
    assert m.score(_ex("x", ["theme:business"], [1, 1, 1])) == 0.0


def test_a_personal_score_that_hardly_differs_does_not_reorder_the_week():
    base = [5.0, 4.0, 3.0, 2.0, 1.0]
    noise = [1e-16, -2e-16, 3e-16, 0.0, 2e-16]
    assert blend(base, noise, 10.0) == pytest.approx(base)
    clear = [-0.5, 0.0, 0.0, 0.0, 0.6]  # an opinion still leads at weight 10
    assert np.argmax(blend(base, clear, 10.0)) == 4


@pytest.fixture
def home(abreast_home, demo_db):
    abreast_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_db, abreast_home / "abreast.db")
    return abreast_home


def test_feedback_moves_a_story_up_and_interests_say_why(home):
    before = runner.invoke(app, ["week", WEEK, "-n", "200"])
    assert before.exit_code == 0, before.output
    r = runner.invoke(app, ["interests"])
    assert "No signals yet" in r.output
    from abreast.cli import context as ctx

    store = ctx.store()
    stories = load_week(store.conn, WEEK)

    def papers_on_top(ranked) -> int:
        return sum(any(m.kind == "arxiv" for m in s.members) for s in ranked[:10])

    arxiv_keys = [m.key for s in stories[:80] for m in s.members if m.kind == "arxiv"][:6]
    hn_keys = [m.key for s in stories[:20] for m in s.members if m.kind == "hn"][:6]
    for k in arxiv_keys:
        assert runner.invoke(app, ["feedback", k, "--more"]).exit_code == 0
    for k in hn_keys:
        assert runner.invoke(app, ["feedback", k, "--less"]).exit_code == 0
    ranked = week_for_reader(store, WEEK, ctx.settings())
    assert papers_on_top(ranked) > papers_on_top(stories), "the papers this reader wants rose"
    assert len(ranked) == len(stories), "re-ranked, nothing dropped"
    r = runner.invoke(app, ["interests"])
    assert "Learnt from 12 signals" in r.output
    assert "more:" in r.output and "arXiv" in r.output.split("less:")[0]
    r = runner.invoke(app, ["why", arxiv_keys[0]])
    assert "for you:" in r.output and "your interest: +" in r.output
    r = runner.invoke(app, ["interests", "--reset"])
    assert "Forgot 12 signals" in r.output
    assert [s.id for s in week_for_reader(store, WEEK, ctx.settings())][:10] == [
        s.id for s in stories[:10]
    ]


def test_a_muted_source_leaves_the_week_and_unmute_brings_it_back(home):
    from abreast.cli import context as ctx

    store = ctx.store()
    assert any(m.source == "hn" for s in load_week(store.conn, WEEK) for m in s.members)
    r = runner.invoke(app, ["mute", "hn"])
    assert r.exit_code == 0 and "Muted the source hn" in r.output
    muted = week_for_reader(store, WEEK, ctx.settings())
    assert not any(m.source == "hn" for s in muted for m in s.members)
    assert "hn (source)" in runner.invoke(app, ["interests"]).output
    assert runner.invoke(app, ["unmute", "hn"]).exit_code == 0
    back = week_for_reader(store, WEEK, ctx.settings())
    assert any(m.source == "hn" for s in back for m in s.members)
    assert runner.invoke(app, ["unmute", "hn"]).exit_code == 1


def test_a_story_continuing_one_you_read_is_not_news(home):
    from abreast.cli import context as ctx

    store = ctx.store()
    stories = load_week(store.conn, WEEK)
    follow = next(s for s in stories if s.related and s.is_new is not None)
    earlier = follow.related[0]
    assert (
        next(s for s in for_reader(store, stories, 1.0) if s.id == follow.id).is_new
        == follow.is_new
    )
    give_feedback(store, "known", story_id=earlier)
    again = next(s for s in for_reader(store, stories, 1.0) if s.id == follow.id)
    assert again.is_new is False


def test_feedback_needs_exactly_one_signal(home):
    r = runner.invoke(app, ["feedback", "hn:42473321", "--more", "--less"])
    assert r.exit_code == 1 and "exactly one" in r.output


def test_one_more_signal_updates_the_model_to_what_a_fit_from_scratch_gives(home):
    """The incremental update (one row per signal) is the same model as refitting every signal,
    through changed minds, undos and a story's signal given to its items."""
    from abreast.learn.personal import current, retrain
    from abreast.store import Store
    from abreast.store import learn as sql

    store = Store.open(home / "abreast.db")
    stories = load_week(store.conn, WEEK)
    keys = [m.key for s in stories[:30] for m in s.members][:24]
    for i, k in enumerate(keys):
        give_feedback(store, "more" if i % 3 else "less", item_key=k)
    give_feedback(store, "more", item_key=keys[0])  # changed their mind
    give_feedback(store, "undo", item_key=keys[1])
    give_feedback(store, "hide", story_id=stories[40].id)
    give_feedback(store, "more", item_key=keys[1])  # and back again
    step = current(store)
    saved_rows = sql.load_rows(store.conn)[0].live()
    scratch = retrain(store, full=True)
    assert saved_rows == sql.load_rows(store.conn)[0].live(), "the saved rows are up to date"
    assert step.signals == scratch.signals >= 24
    assert step.named.keys() == scratch.named.keys()
    assert max(abs(step.named[f] - scratch.named[f]) for f in step.named) < 1e-4
    assert np.allclose(step.vector, scratch.vector, atol=1e-5)


def test_a_new_embedder_rebuilds_the_rows_instead_of_ignoring_the_vectors(home):
    """The saved rows name their embedder; when the store's vectors come from another one (a
    re-run of understand with a new model), the next signal refits from scratch in the new one."""
    from abreast.learn.personal import current
    from abreast.store import Store
    from abreast.store import learn as sql

    store = Store.open(home / "abreast.db")
    keys = [m.key for s in load_week(store.conn, WEEK)[:20] for m in s.members][:8]
    for i, k in enumerate(keys[:6]):
        give_feedback(store, "more" if i % 2 else "less", item_key=k)
    old = sql.load_rows(store.conn)[1]
    store.conn.execute("UPDATE embeddings SET model = 'another-embedder'")
    store.conn.commit()
    give_feedback(store, "more", item_key=keys[6])
    rows, embedder, _ = sql.load_rows(store.conn)
    assert embedder == "another-embedder" != old
    assert rows.signals == 7 and not (rows.vectors[-1] == 0).all()
    assert current(store).vector is not None


def test_a_reader_who_only_said_less_keeps_the_default_order(home):
    """Only "less" so far: nothing says what this reader wants instead, so the week keeps its
    order (the fit is exactly zero, not rounding noise for the blend to stretch)."""
    from abreast.cli import context as ctx

    store = ctx.store()
    stories = load_week(store.conn, WEEK)
    for s in stories[:10]:
        give_feedback(store, "less", item_key=s.members[0].key)
    ranked = week_for_reader(store, WEEK, ctx.settings())
    assert [s.id for s in ranked] == [s.id for s in stories]
    r = runner.invoke(app, ["interests"])
    assert "Learnt from 10 signals" in r.output and "Nothing to tell apart yet" in r.output


def test_a_model_saved_under_the_old_feature_layout_is_refitted(home):
    """Rows and weights saved before the named features were normalised per kind do not fit
    today's features: the first read refits them from the feedback, and says the new layout."""
    import json

    from abreast.learn.model import FEATURES
    from abreast.learn.personal import current, retrain
    from abreast.store import Store
    from abreast.store import learn as sql

    store = Store.open(home / "abreast.db")
    keys = [m.key for s in load_week(store.conn, WEEK)[:20] for m in s.members][:8]
    for i, k in enumerate(keys):
        give_feedback(store, "more" if i % 2 else "less", item_key=k)
    model_json, rows_json = store.conn.execute(
        "SELECT model_json, rows_json FROM interest_model"
    ).fetchone()
    old_model = {k: v for k, v in json.loads(model_json).items() if k != "features"}
    old_model["named"] = {f: 9.0 for f in old_model["named"]}  # weights from another layout
    old_rows = {k: v for k, v in json.loads(rows_json).items() if k != "features"}
    store.conn.execute(
        "UPDATE interest_model SET model_json = ?, rows_json = ?",
        (json.dumps(old_model), json.dumps(old_rows)),
    )
    store.conn.commit()
    assert sql.load_rows(store.conn)[0].features != FEATURES
    refitted = current(store)
    assert refitted.signals == 8 and max(refitted.named.values()) < 9.0
    assert sql.load_model(store.conn)[0]["features"] == FEATURES
    assert sql.load_rows(store.conn)[0].features == FEATURES
    scratch = retrain(store, full=True)
    assert refitted.named.keys() == scratch.named.keys()

    # A store opened read-only (marked damaged) still reads the week: the refit stays in memory.
    store.conn.execute(
        "UPDATE interest_model SET model_json = ?, rows_json = ?",
        (json.dumps(old_model), json.dumps(old_rows)),
    )
    store.conn.commit()
    store.conn.execute("PRAGMA query_only=ON")
    assert current(store).named.keys() == scratch.named.keys()
    assert len(week_for_reader(store, WEEK, None)) == len(load_week(store.conn, WEEK))


def test_the_week_is_ranked_by_each_story_s_best_item_as_the_model_scores_it(home):
    """The re-rank scores the loaded members directly (a 20,000-item week < 1 s); a reader gets
    the same order as scoring each item's stored facts one by one would give them."""
    from abreast.learn.personal import FULL_CONFIDENCE, current, example
    from abreast.store import Store
    from abreast.store import learn as sql

    store = Store.open(home / "abreast.db")
    stories = load_week(store.conn, WEEK)
    keys = [m.key for s in stories[:40] for m in s.members][:20]
    for i, k in enumerate(keys):
        give_feedback(store, "more" if i % 2 else "less", item_key=k)
    model = current(store)
    assert model.signals >= FULL_CONFIDENCE
    members = [m.key for s in stories for m in s.members]
    facts = {f.key: f for f in sql.item_facts(store.conn, members, sql.embedding_model(store.conn))}
    best = [max(model.score(example(facts[m.key])) for m in s.members) for s in stories]
    expected = blend([s.score for s in stories], best, 10.0)
    want = [
        s.id for _, s in sorted(zip(expected, stories, strict=True), key=lambda p: (-p[0], p[1].id))
    ]
    ranked = for_reader(store, stories, 10.0)
    assert [s.id for s in ranked] == want
    assert [s.id for s in ranked][:10] != [s.id for s in stories][:10], "the signals moved it"
    assert all(s.score_parts.get("personal") is not None for s in ranked[:10])
    assert [s.rank for s in stories[:3]] == [1, 2, 3], "the caller's stories are left as given"


def test_configured_topics_rank_the_week_before_any_feedback_and_say_so(home):
    """Cold start: a reader who only wrote `topics` in the config sees stories about them rise,
    `abreast interests` and `abreast why` name the topics, and removing them restores the default
    order; feedback then builds on the topics instead of starting from nothing."""
    from abreast.cli import context as ctx

    stories = load_week(ctx.store().conn, WEEK)
    default = [s.id for s in stories]

    def about(ranked, theme: str) -> int:
        return sum(theme in s.themes for s in ranked[:20])

    (home / "abreast.toml").write_text(
        '[understand]\ntopics = ["AI safety, alignment and regulation"]\n', encoding="utf-8"
    )
    ctx.reset()
    r = runner.invoke(app, ["interests"])
    assert r.exit_code == 0, r.output
    assert "ranking starts from your topics" in r.output
    assert "your topics: AI safety, alignment and regulation" in r.output
    assert "Safety, alignment & policy" in r.output.split("less:")[0]
    # Only what the topic names: the theme classifier, set for items, also called it research,
    # which lifted papers for a reader who asked for safety.
    assert "Research papers" not in r.output
    ranked = week_for_reader(ctx.store(), WEEK, ctx.settings())
    assert about(ranked, "safety-alignment") > about(stories, "safety-alignment")
    safety = next(m.key for s in ranked[:5] for m in s.members if "safety-alignment" in m.themes)
    r = runner.invoke(app, ["why", safety])
    assert "from 0 signals and your topics: AI safety" in r.output
    assert "(one of your topics)" in r.output
    other = [m.key for s in stories[:30] for m in s.members if "safety-alignment" not in m.themes]
    assert runner.invoke(app, ["feedback", other[0], "--less"]).exit_code == 0
    assert runner.invoke(app, ["feedback", safety, "--more"]).exit_code == 0
    r = runner.invoke(app, ["interests"])
    assert "Learnt from 2 signals" in r.output and "your topics:" in r.output
    assert "Forgot 2 signals; ranking is back to your configured topics" in (
        runner.invoke(app, ["interests", "--reset"]).output
    )
    (home / "abreast.toml").write_text("", encoding="utf-8")
    ctx.reset()
    assert "No signals yet: rank is everyone's default" in runner.invoke(app, ["interests"]).output
    assert [s.id for s in week_for_reader(ctx.store(), WEEK, ctx.settings())] == default


def test_a_topic_names_the_themes_it_says_and_the_nearest_one():
    """What a topic starts the ranking from: the themes whose words it uses and the one nearest
    in meaning ("AI applications" is not a keyword, but it is what the reader wrote)."""
    from abreast.learn.personal import topic_prior

    prior = topic_prior(
        ["AI safety, alignment and regulation", "building agents and AI applications"], None, None
    )
    themes = [sorted(f for f in nm if f.startswith("theme:")) for nm in prior.named]
    assert themes == [
        ["theme:safety-alignment"],
        ["theme:applications", "theme:fine-tuning-agents"],
    ]


def test_serve_ranks_the_web_week_by_the_configured_topics(home, monkeypatch):
    """`abreast serve` with topics in the config: the web app's week shows them risen before any
    feedback (the app itself has no settings to refit with; serve brings the model up to them)."""
    import uvicorn
    from fastapi.testclient import TestClient

    from abreast.cli import context as ctx

    def week_ids(client) -> list[str]:
        r = client.get("/api/weeks/" + WEEK + "/stories", params={"limit": 20})
        assert r.status_code == 200, r.text
        return [s["id"] for s in r.json()["stories"]]

    served: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.setdefault("app", app))
    assert runner.invoke(app, ["serve"]).exit_code == 0
    with TestClient(served.pop("app"), base_url="http://127.0.0.1:8421") as c:
        default = week_ids(c)
    (home / "abreast.toml").write_text(
        '[understand]\ntopics = ["AI safety, alignment and regulation"]\n', encoding="utf-8"
    )
    ctx.reset()
    assert runner.invoke(app, ["serve"]).exit_code == 0
    with TestClient(served.pop("app"), base_url="http://127.0.0.1:8421") as c:
        ranked = week_ids(c)
        # The Interests page says where the week starts (it said "ranked by everyone's
        # attention" although the topics were reordering it).
        page = c.get("/interests").text
        assert "the week starts from your topics" in page
        assert "Your topics: <strong>AI safety, alignment and regulation</strong>" in page
        assert "everyone's attention" not in page
        assert c.get("/api/interests").json()["topics"] == ["AI safety, alignment and regulation"]
    stories = {s.id: s for s in load_week(ctx.store().conn, WEEK)}

    def about_safety(ids: list[str]) -> int:
        return sum("safety-alignment" in stories[i].themes for i in ids)

    assert about_safety(ranked) > about_safety(default)

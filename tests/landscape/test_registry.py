"""The registry built from the bundled real data, and from items a user collected."""

import json

from abreast.landscape.lineage import ORG_FAMILY
from abreast.landscape.registry import build_registry
from abreast.store import Store
from abreast.store import landscape as sql
from abreast.types import Item


def _bases(conn, mid):
    return {(b.base_id, b.relation) for b in sql.bases_of(conn, mid)}


def test_known_lineage_from_hugging_face_metadata(built):
    store, report = built
    conn = store.conn
    assert report.models > 2000
    qwq = sql.get_model(conn, "qwen/qwq-32b-preview")
    assert qwq.family == "qwen" and qwq.org == "Qwen" and round(qwq.params_b) == 33
    assert ("qwen/qwen2.5-32b", "finetune") in _bases(conn, "qwen/qwq-32b-preview")
    assert sql.get_model(conn, "meta-llama/llama-3.3-70b-instruct").family == "llama"
    assert ("tiiuae/falcon3-10b-base", "finetune") in _bases(conn, "tiiuae/falcon3-10b-instruct")
    assert ("qwen/qwen2.5-7b", "adapter") in _bases(conn, "junhoee/qwen-megumin")


def test_names_of_instruct_models_give_their_base_marked_as_inferred(built):
    conn = built[0].conn
    bases = sql.bases_of(conn, "tiiuae/falcon3-3b-instruct")
    assert [(b.base_id, b.relation, b.source) for b in bases] == [
        ("tiiuae/falcon3-3b-base", "finetune", "name-inference")
    ]

    # Mistral never uploaded its v0.2 base; the one re-upload of that name is the parent
    assert [
        (b.base_id, b.source) for b in sql.bases_of(conn, "mistralai/mistral-7b-instruct-v0.2")
    ] == [("mistral-community/mistral-7b-v0.2", "name-inference")]


def test_a_name_never_points_at_a_model_published_after_it(built):
    # "orca_mini_v2_7b" (July 2023) spells the words of Orca-2-7b (November 2023), and is not
    # built on it; no community model's name links it to a model released later
    conn = built[0].conn
    assert not _bases(conn, "pankajmathur/orca_mini_v2_7b")
    models = {m.id: m for m in sql.list_models(conn)}
    later = []
    for b in sql.all_bases(conn):
        child, base = models.get(b.model_id), models.get(b.base_id)
        if b.source != "name-inference" or b.relation == "quantized" or not (child and base):
            continue
        owner = child.id.split("/")[0]
        if owner in ORG_FAMILY or owner == base.id.split("/")[0]:  # X-Chat, uploaded before X
            continue
        day, then = (child.released or "")[:10], (base.released or "")[:10]
        if day and then and day < then[: len(day)]:
            later.append((child.id, base.id))
    assert later == []


def test_quantized_base_named_in_metadata_is_linked_to_its_origin(built):
    conn = built[0].conn
    assert ("mistralai/mistral-nemo-base-2407", "quantized") in _bases(
        conn, "unsloth/mistral-nemo-base-2407-bnb-4bit"
    )


def test_arena_names_join_hugging_face_repos(built):
    conn = built[0].conn
    boards = {
        (s.board, s.snapshot) for s in sql.scores_of(conn, "meta-llama/llama-3.3-70b-instruct")
    }
    assert ("lmarena", "2024-12-16") in boards and (
        "open-llm-leaderboard-v2",
        "2024-12-22",
    ) in boards
    # a renamed repo (Meta-Llama-3.1-8B -> Llama-3.1-8B) is one model, reachable by its old name
    facts = {(f.field, f.value) for f in sql.model_facts(conn, "meta-llama/llama-3.1-8b")}
    assert ("alias", "meta-llama/Meta-Llama-3.1-8B") in facts


def test_conflicting_facts_keep_their_sources_and_the_authoritative_one_wins(built):
    conn = built[0].conn
    lic = {
        f.source: f.value
        for f in sql.model_facts(conn, "qwen/qwq-32b-preview")
        if f.field == "license"
    }
    assert lic == {"lmarena": "Apache 2.0", "open-llm-leaderboard-v2": "apache-2.0"}
    assert sql.get_model(conn, "qwen/qwq-32b-preview").license == "apache-2.0"


def test_collected_hf_card_overrides_and_mentions_give_first_seen(tmp_path):
    store = Store.open(tmp_path / "a.db")
    store.upsert_items(
        [
            Item(
                key="hf:meta-llama/Llama-3.3-70B-Instruct",
                kind="hf",
                title="meta-llama/Llama-3.3-70B-Instruct",
                published_at="2024-11-26T16:00:00+00:00",
                extra={
                    "base_model": ["meta-llama/Llama-3.1-70B"],
                    "base_model_relation": "finetune",
                    "license": "llama3.3",
                    "params": 70553706496,
                    "tags": ["text-generation"],
                    "created_at": "2024-11-26T16:08:47+00:00",
                },
            ),
            Item(
                key="hn:42300000",
                kind="hn",
                title="QwQ: Reflect deeply on the boundaries of the unknown",
                published_at="2024-11-28T10:00:00+00:00",
            ),
            Item(
                key="hn:42400000",
                kind="hn",
                title="QwQ again",
                published_at="2024-12-05T10:00:00+00:00",
            ),
        ]
    )
    for key in ("hn:42300000", "hn:42400000"):
        item_id = store.conn.execute("SELECT id FROM items WHERE key = ?", (key,)).fetchone()[0]
        store.conn.execute(
            "INSERT INTO annotations(item_id, relevance, is_ai, entities_json, content_hash, "
            "annotated_at) "
            "VALUES (?, 1, 1, ?, 'h', '2024-12-01')",
            (item_id, json.dumps(["model:qwq-32b-preview", "org:qwen"])),
        )
    build_registry(store.conn)
    conn = store.conn
    assert [
        (b.base_id, b.relation, b.source)
        for b in sql.bases_of(conn, "meta-llama/llama-3.3-70b-instruct")
    ] == [("meta-llama/llama-3.1-70b", "finetune", "hf")]
    # the leaderboard's claim about the base (none) and params are kept next to the card's
    params = {
        f.source: f.value
        for f in sql.model_facts(conn, "meta-llama/llama-3.3-70b-instruct")
        if f.field == "params_b"
    }
    assert params == {"hf": "70.554", "open-llm-leaderboard-v2": "70.554"}
    assert sql.get_model(conn, "qwen/qwq-32b-preview").first_item_key == "hn:42300000"
    assert sql.get_model(conn, "meta-llama/llama-3.3-70b-instruct").first_item_key == (
        "hf:meta-llama/Llama-3.3-70B-Instruct"
    )
    store.close()


def test_a_collected_cards_prose_names_the_base_over_the_leaderboards_root(tmp_path):
    # The leaderboard says aaditya/Llama3-OpenBioLLM-70B was made from Meta-Llama-3-70B; its card
    # names Meta-Llama-3-70B-Instruct (template line "Finetuned from model"). The card's words win,
    # credited to it.
    store = Store.open(tmp_path / "a.db")
    store.upsert_items(
        [
            Item(
                key="hf:aaditya/Llama3-OpenBioLLM-70B",
                kind="hf",
                title="aaditya/Llama3-OpenBioLLM-70B",
                text="OpenBioLLM-70B is an advanced open source language model designed "
                "specifically for the biomedical domain. Finetuned from model: "
                "meta-llama/Meta-Llama-3-70B-Instruct",
                published_at="2024-04-24T00:00:00+00:00",
                extra={"created_at": "2024-04-24T00:00:00+00:00"},
            )
        ]
    )
    build_registry(store.conn)
    bases = sql.bases_of(store.conn, "aaditya/llama3-openbiollm-70b")
    assert [(b.base_id, b.source) for b in bases] == [
        ("meta-llama/meta-llama-3-70b-instruct", "hf-card")
    ]
    store.close()


def test_rebuild_is_idempotent(tmp_path):
    store = Store.open(tmp_path / "a.db")
    first = build_registry(store.conn)
    rows = store.conn.execute("SELECT id, family, released FROM models ORDER BY id").fetchall()
    second = build_registry(store.conn)
    assert (first.models, first.edges) == (second.models, second.edges)
    assert (
        rows == store.conn.execute("SELECT id, family, released FROM models ORDER BY id").fetchall()
    )
    store.close()


def test_news_naming_a_release_counts_for_it_not_for_its_variants_or_fine_tunes(tmp_path):
    """ "o1" in the news is o1 (not o1-mini or o1-preview, which the arena lists), "Phi-4" is
    Phi-4 (not a community phi-4-abliterated), "Llama 3.2" is Meta's (not a Korean fine-tune
    named llama-3.2-rabbit-ko-3b): what a model's page and a story card say comes from this."""
    store = Store.open(tmp_path / "a.db")
    hub = [
        ("Orion-zhen/phi-4-abliterated", "2024-12-17T00:00:00+00:00"),
        ("CarrotAI/Llama-3.2-Rabbit-Ko-3B-Instruct", "2024-11-20T00:00:00+00:00"),
    ]
    news = {
        "hn:1": ("OpenAI o1 and Phi-4 compared", ["model:o1", "model:phi-4"]),
        "hn:2": ("o1 in the API; Phi-4 on Azure", ["model:o1", "model:phi-4"]),
        "hn:3": ("Llama 3.2 on a phone", ["model:llama-3.2"]),
    }
    store.upsert_items(
        [
            Item(key=f"hf:{repo}", kind="hf", title=repo, published_at=day, extra={"tags": []})
            for repo, day in hub
        ]
        + [
            Item(key=k, kind="hn", title=t, published_at="2024-12-18T10:00:00+00:00")
            for k, (t, _) in news.items()
        ]
    )
    for key, (_, refs) in news.items():
        item_id = store.conn.execute("SELECT id FROM items WHERE key = ?", (key,)).fetchone()[0]
        store.conn.execute(
            "INSERT INTO annotations(item_id, relevance, is_ai, entities_json, content_hash, "
            "annotated_at) VALUES (?, 1, 1, ?, 'h', '2024-12-18')",
            (item_id, json.dumps(refs)),
        )
    build_registry(store.conn)
    conn = store.conn

    def mentioned(mid):
        return {
            f.field.split(":", 1)[1] for f in sql.model_facts(conn, mid) if "mention:" in f.field
        }

    o1 = sql.get_model(conn, "openai/o1")
    assert (o1.name, o1.org, o1.first_item_key) == ("o1", "openai", "hn:1")
    assert not mentioned("openai/o1-mini") and not mentioned("openai/o1-preview")
    assert mentioned("microsoft/phi-4") == {"hn:1", "hn:2"}
    assert not mentioned("orion-zhen/phi-4-abliterated")
    assert not mentioned("carrotai/llama-3.2-rabbit-ko-3b-instruct")
    assert "hn:3" in mentioned("meta-llama/llama-3.2-1b")
    store.close()

"""Pure lineage decisions on the shapes the real metadata has (see data/PROVENANCE.md)."""

from abreast.landscape.lineage import (
    assign_families,
    base_in_card,
    base_words_in,
    collapse_children,
    family_from_name,
    generation,
    model_id,
    name_key,
    official_names,
    parse_leaderboard_base,
    quantized_origin_key,
    versionless_base,
)


def test_leaderboard_base_noise_is_not_lineage():
    kw = dict(merged=False, weight_type="Original", model_type="chatmodels")
    assert parse_leaderboard_base("Qwen/QwQ-32B-Preview", "Qwen/Qwen2.5-32B", **kw) == [
        ("qwen/qwen2.5-32b", "finetune")
    ]
    # "Removed", the model itself, and the model itself with the ubiquitous " (Merge)" suffix say
    # nothing
    assert parse_leaderboard_base("a/b", "Removed", **kw) == []
    assert (
        parse_leaderboard_base(
            "meta-llama/Llama-3.3-70B-Instruct", "meta-llama/Llama-3.3-70B-Instruct (Merge)", **kw
        )
        == []
    )
    assert parse_leaderboard_base("a/b", None, **kw) == []


def test_leaderboard_relation_from_weight_type_and_merge_flags():
    assert parse_leaderboard_base(
        "Junhoee/Qwen-Megumin",
        "Qwen/Qwen2.5-7B",
        merged=False,
        weight_type="Adapter",
        model_type="chatmodels",
    ) == [("qwen/qwen2.5-7b", "adapter")]
    assert parse_leaderboard_base(
        "ehristoforu/RQwen-v0.2",
        "ehristoforu/RQwen-v0.1 (Merge)",
        merged=True,
        weight_type="Original",
        model_type="basemergesandmoerges",
    ) == [("ehristoforu/rqwen-v0.1", "merge")]


def test_quantized_copies_point_at_their_origin_name():
    assert quantized_origin_key("unsloth/mistral-nemo-base-2407-bnb-4bit") == name_key(
        "Mistral-Nemo-Base-2407"
    )
    assert quantized_origin_key("bartowski/Llama-3.3-70B-Instruct-GGUF") == name_key(
        "Llama-3.3-70B-Instruct"
    )
    assert quantized_origin_key("Qwen/Qwen2.5-32B") is None


def test_family_by_the_earliest_family_word_in_the_name():
    assert family_from_name("Goekdeniz-Guelmez/Josiefied-Qwen2.5-0.5B-Instruct") == "qwen"
    assert family_from_name("nvidia/Llama-3.1-Nemotron-70B-Instruct-HF") == "llama"
    assert family_from_name("mistralai/Mixtral-8x7B-v0.1") == "mistral"
    assert family_from_name("microsoft/phi-4") == "phi"
    assert family_from_name("someone/Starling-LM-7B-alpha") is None


def test_family_is_inherited_from_the_root_of_the_base_chain():
    bases = {
        "berkeley-nest/starling-lm-7b-alpha": [("openchat/openchat_3.5", "finetune")],
        "openchat/openchat_3.5": [("mistralai/mistral-7b-v0.1", "finetune")],
    }
    fams = assign_families(
        [
            "berkeley-nest/starling-lm-7b-alpha",
            "openchat/openchat_3.5",
            "mistralai/mistral-7b-v0.1",
        ],
        bases,
    )
    assert fams["berkeley-nest/starling-lm-7b-alpha"] == "mistral"


def test_family_survives_a_cycle_in_metadata():
    bases = {"a/x": [("a/y", "merge")], "a/y": [("a/x", "merge")]}
    assert set(assign_families(["a/x", "a/y"], bases)) == {"a/x", "a/y"}


def test_generation_lines():
    assert generation("Meta-Llama-3.1-8B", "llama") == "Llama 3.1"
    assert generation("Llama-3.3-70B-Instruct", "llama") == "Llama 3.3"
    assert generation("llama-160m", "llama") == "Llama"  # a size, not a version
    assert generation("QwQ-32B-Preview", "qwen") == "QwQ"
    assert generation("Falcon3-7B-Base", "falcon") == "Falcon3"


def test_long_tails_collapse_into_counts_but_kept_models_stay():
    kids = [(f"c/m{i}", "finetune") for i in range(6)] + [
        (f"q/m{i}-GGUF", "quantized") for i in range(4)
    ]
    kids.append(("c/merge", "merge"))
    drawn, hidden = collapse_children(kids, keep={"c/merge"}, limit=3, rank={"c/m5": 10.0})
    assert "c/merge" in drawn and "c/m5" in drawn and len(drawn) == 3
    assert hidden == {"finetune": 4, "quantized": 4}


def test_ids_are_stable_and_case_insensitive():
    assert model_id("Qwen/QwQ-32B-Preview") == "qwen/qwq-32b-preview"
    assert model_id("Llama-3.3-70B-Instruct", "Meta") == "meta-llama/llama-3.3-70b-instruct"


def test_card_prose_names_the_base_and_ignores_non_model_words():
    # the phrasings cards use, including the Hugging Face card template's "Finetuned from model"
    assert base_in_card(
        "Llama-3.1-Storm-8B is built on top of Llama-3.1-8B-Instruct, with the aim of enhancing"
    ) == ("Llama-3.1-8B-Instruct", "finetune")
    assert base_in_card("This model is a fine-tuned version of Qwen/Qwen2-72B-Instruct.") == (
        "Qwen/Qwen2-72B-Instruct",
        "finetune",
    )
    assert base_in_card("A merge of Qwen2.5-14B and Qwen2.5-14B-Instruct.") == (
        "Qwen2.5-14B",
        "merge",
    )
    assert base_in_card("- Finetuned from model: meta-llama/Meta-Llama-3-70B-Instruct") == (
        "meta-llama/Meta-Llama-3-70B-Instruct",
        "finetune",
    )
    assert base_in_card("Based on the transformer architecture, trained on web data.") is None


def test_card_templates_name_the_base_in_markdown():
    # the generated cards as stored (markdown): the Hugging Face template (an unfilled field is no
    # base), Unsloth's "Finetuned from model :", mergekit's "... merge method using X as a base"
    assert base_in_card("- **Finetuned from model [optional]:** [More Information Needed]") is None
    assert base_in_card(
        "- **Finetuned from model [optional]:** [google/gemma-2-2b-it]"
        "(https://huggingface.co/google/gemma-2-2b-it)"
    ) == ("google/gemma-2-2b-it", "finetune")
    assert base_in_card("- **Finetuned from model :** unsloth/llama-3-8b-bnb-4bit") == (
        "unsloth/llama-3-8b-bnb-4bit",
        "finetune",
    )
    mergekit = (
        "This is a merge of pre-trained language models created using "
        "[mergekit](https://github.com/cg123/mergekit).\n\n### Merge Method\n\nThis model was "
        "merged using the [TIES](https://arxiv.org/abs/2306.01708) merge method using "
        "[mistralai/Mistral-7B-v0.1](https://huggingface.co/mistralai/Mistral-7B-v0.1) as a base."
    )
    assert base_in_card(mergekit) == ("mistralai/Mistral-7B-v0.1", "merge")
    # data is not a base; one plain word may stand before the name; ids keep their underscores
    assert base_in_card("Fine-tuned on HuggingFaceH4/ultrafeedback_binarized for 3 epochs.") is None
    assert base_in_card("A fine-tuned version of the popular meta-llama/Llama-2-7b-hf.") == (
        "meta-llama/Llama-2-7b-hf",
        "finetune",
    )
    assert base_in_card("Built on TencentARC/Mistral_Pro_8B_v0.1.") == (
        "TencentARC/Mistral_Pro_8B_v0.1",
        "finetune",
    )


OFFICIAL = {
    "meta-llama/meta-llama-3-8b": "2024-04-17",
    "meta-llama/meta-llama-3-8b-instruct": "2024-04-17",
    "meta-llama/llama-3.1-8b": "2024-07-14",
    "meta-llama/llama-guard-3-8b": "2024-07-22",
    "mistralai/mistral-7b-v0.1": "2023-09-20",
    "mistralai/mistral-7b-instruct-v0.2": "2023-12-11",
    "mistralai/mistral-7b-v0.3": "2024-05-22",
}


def test_official_name_words_in_another_order_name_the_base():
    names = official_names(OFFICIAL)
    assert base_words_in("princeton-nlp/Llama-3-Instruct-8B-SimPO", names) == (
        "meta-llama/meta-llama-3-8b-instruct"
    )
    assert base_words_in("abacusai/Llama-3-Smaug-8B", names) == "meta-llama/meta-llama-3-8b"
    assert base_words_in("someone/Llama-2-8B-chat", names) is None


def test_a_versionless_name_gets_the_newest_official_base_its_date_allows():
    # Hebrew-Mistral-7B (April 2024) predates Mistral-7B-v0.3: Mistral-7B-v0.1, never the Instruct
    assert versionless_base("yam-peleg/Hebrew-Mistral-7B", "2024-04-26", OFFICIAL) == (
        "mistralai/mistral-7b-v0.1"
    )
    assert versionless_base("x/Hebrew-Mistral-7B", "2024-06-01", OFFICIAL) == (
        "mistralai/mistral-7b-v0.3"
    )
    # Llama Guard is a product, not the plain base; Llama 3.1 existed by September 2024
    assert versionless_base("NCSOFT/Llama-VARCO-8B-Instruct", "2024-09-12", OFFICIAL) == (
        "meta-llama/llama-3.1-8b"
    )
    # before any official 8B Llama, or with no date, or with a version in the name: no guess
    assert versionless_base("x/Llama-Tiny-8B", "2023-01-01", OFFICIAL) is None
    assert versionless_base("x/Llama-Tiny-8B", None, OFFICIAL) is None
    assert versionless_base("x/chat_rebased_mistral-7b-v0.2", "2024-07-21", OFFICIAL) is None
    assert versionless_base("x/Llama-3-Tiny-8B", "2024-09-12", OFFICIAL) is None

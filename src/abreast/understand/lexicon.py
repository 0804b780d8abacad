"""The lexicon of AI names and terms: models, model families, labs, products, people, technical
terms and domains. A curated seed plus everything the recorded leaderboards, hub metadata and model
lists name, so it grows with the data (`scripts/build_lexicon.py` rebuilds ``data/lexicon.json``).

Each entry says whether it is *ambiguous*: an ordinary English word ("falcon", "claude",
"transformer") that needs other evidence before it says "AI". Ambiguity comes from word frequency in
general English (wordfreq, at build time only) plus the curated seed's own flags.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypedDict

DATA_FILE = Path(__file__).parent / "data" / "lexicon.json"

# A token keeps internal dots and plus signs so "qwen2.5", "3.3" and "llama.cpp" stay whole; dashes
# separate tokens, so "Llama-3.3-70B" and "Llama 3.3 70B" read the same. Dot parts match too.
_TOKEN = re.compile(r"[a-z0-9](?:[a-z0-9+]|[.](?=[a-z0-9]))*")
_ALPHA_PREFIX = re.compile(r"^[a-z]+")
MAX_NGRAM = 3


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def candidates(toks: list[str], first_words: set[str] | frozenset[str] | None = None) -> set[str]:
    """Every string a lexicon term could be: tokens, their dot parts, alpha prefixes, 2-3 grams.
    With first_words (the first words of the multi-word terms looked for), only n-grams that can
    match are built: most of the cost on long texts."""
    out: set[str] = set()
    for i, t in enumerate(toks):
        out.add(t)
        if "." in t:
            parts = t.split(".")
            out.update(p for p in parts if p)
            out.add(" ".join(parts))
        m = _ALPHA_PREFIX.match(t)
        if m and len(m.group()) >= 3:
            out.add(m.group())
        if first_words is None or t in first_words:
            for n in range(2, MAX_NGRAM + 1):
                if i + n <= len(toks):
                    out.add(" ".join(toks[i : i + n]))
    return out


def first_words(phrases: Iterable[str]) -> frozenset[str]:
    return frozenset(p.split(" ", 1)[0] for p in phrases if " " in p)


def normalize(name: str) -> str:
    return " ".join(tokens(name))


@dataclass(frozen=True)
class Match:
    term: str
    kind: str  # model | family | org | product | person | term | domain
    ambiguous: bool


class Entry(TypedDict):
    """One term of lexicon.json."""

    kind: str
    ambiguous: bool
    sources: list[str]


CommonWord = Callable[[str], object]  # term -> truthy when it is an everyday English word


class Lexicon:
    def __init__(self, entries: dict[str, Entry]):
        self.entries = entries
        self.domains = {t: e for t, e in entries.items() if e["kind"] == "domain"}
        self.first_words = first_words(t for t in entries if t not in self.domains)

    def __len__(self) -> int:
        return len(self.entries)

    def match(self, text: str) -> list[Match]:
        """Terms found in text, longest first, skipping parts of a longer match ("gpt" inside
        "gpt-4o")."""
        found = [
            t
            for t in candidates(tokens(text), self.first_words)
            if t in self.entries and t not in self.domains
        ]
        found.sort(key=lambda t: (-len(t), t))
        kept: list[str] = []
        for t in found:
            if not any(_inside(t, k) for k in kept):
                kept.append(t)
        return [Match(t, self.entries[t]["kind"], self.entries[t]["ambiguous"]) for t in kept]

    def domain(self, host: str | None) -> Match | None:
        """The lexicon entry for a host or any parent domain of it (help.openai.com ->
        openai.com)."""
        if not host:
            return None
        host = host.lower().removeprefix("www.")
        parts = host.split(".")
        for i in range(len(parts) - 1):
            d = ".".join(parts[i:])
            if d in self.domains:
                return Match(d, "domain", self.domains[d]["ambiguous"])
        return None


def _inside(short: str, long: str) -> bool:
    return short != long and (short in re.split(r"[ .\-]", long) or long.startswith(short))


@lru_cache(maxsize=1)
def load() -> Lexicon:
    entries = json.loads(DATA_FILE.read_text(encoding="utf-8"))["entries"]
    return Lexicon(entries)


# --- building
# -------------------------------------------------------------------------------------------

# kind, ambiguous, terms. Ambiguous terms are common words that need other evidence.
SEED: list[tuple[str, bool, str]] = [
    (
        "term",
        False,
        "ai|a.i.|llm|llms|genai|gen ai|gpt|gpts|chatbot|chatbots|artificial intelligence|"
        "machine learning|deep learning|neural network|neural networks|neural net|neural "
        "nets|neural|"
        "language model|language models|large language model|large language models|generative ai|"
        "foundation model|foundation models|reinforcement learning|rlhf|dpo|fine-tuning|fine-tune|"
        "fine-tuned|finetuning|finetune|fine tuning|lora|qlora|rag|retrieval augmented|"
        "retrieval-augmented|embedding model|embedding models|vector database|prompt engineering|"
        "prompt injection|jailbreak|hallucination|hallucinations|diffusion model|diffusion models|"
        "text-to-image|text-to-video|text-to-speech|speech recognition|computer vision|vlm|vlms|"
        "vision language|vision-language|multimodal|reasoning model|chain of "
        "thought|chain-of-thought|"
        "agi|asi|ai agent|ai agents|agentic|tokenizer|pretraining|pre-training|mixture of experts|"
        "gguf|ggml|deepfake|deepfakes|voice clone|voice clones|voice cloning|facial recognition|"
        "face recognition|self-driving|robotaxi|robotaxis|autonomous vehicles|neurips|icml|iclr|"
        "arc-agi|sparse autoencoder|sparse autoencoders|interpretability|ai "
        "safety|superintelligence|"
        "model context protocol|ml|nlp|aiops|ai-generated|ai generated|ai slop|transformers|"
        "backpropagation|gradient descent|inference engine|tokens/s|world model|world models|"
        "speculative decoding|quantized|distillation|synthetic data|evals|benchmarks|"
        "sequence to sequence|seq2seq|convolutional|perceptron|attention mechanism|positional "
        "encoding|"
        "context window|context length|long context|knowledge graph|semantic "
        "search|copilot|copilots|"
        "voice assistant|voice assistants|loss function|loss functions|maximum likelihood",
    ),
    (
        "term",
        True,
        "model|models|agent|agents|prompt|prompts|transformer|diffusion|inference|training|alignment|"
        "embedding|embeddings|benchmark|reasoning|tokens|gpu|gpus|cuda|tpu|tpus|quantization|moe|"
        "weights|open weights|open-weight|eval|ocr|asr|tts|stt|learning|intelligence|robot|robots|"
        "autonomous|bot|bots|vision|generative|synthetic|neuron|neurons|recall|mcp|chip|chips",
    ),
    (
        "product",
        False,
        "chatgpt|gpt-4|gpt-4o|gpt-4o-mini|gpt-3|gpt-3.5|gpt-2|o1|o1-preview|o1-mini|o3|o3-mini|"
        "sora|dall-e|dalle|midjourney|stable diffusion|github copilot|notebooklm|apple "
        "intelligence|"
        "veo|imagen|alphafold|alphago|alphaproof|alphaqubit|alphachip|alphazero|gencast|llava|"
        "paligemma|dspy|langchain|llamaindex|langfuse|autogen|crewai|ollama|lm studio|llama.cpp|"
        "vllm|tensorrt|tensorrt-llm|mlx|comfyui|automatic1111|elevenlabs|character.ai|replika|"
        "pytorch|tensorflow|keras|scikit-learn|hugging "
        "face|huggingface|bert|modernbert|whisper.cpp|"
        "bing chat|microsoft recall|gemini|claude|grok|bard|copilot+|stable "
        "video|flux|trellis|genie 2|veo 2|"
        "amazon nova|qwq|deepseek-v3|deepseek-r1|chatgpt pro|canvas|sonnet|haiku|opus|"
        "text-embedding|clip|yolo|ultralytics|mediapipe|onnx|gemma|phi-3|phi-4|mistral|mixtral|"
        "llama|llama 2|llama 3|codellama|qwen|falcon|vicuna|alpaca|deepseek|devin|cursor|windsurf|"
        "perplexity|openrouter|groq|runway|pika|suno|udio|kling|hunyuan|ltx-video|mochi",
    ),
    (
        "org",
        False,
        "openai|anthropic|deepmind|google deepmind|meta ai|fair|mistral ai|stability ai|xai|x.ai|"
        "cohere|deepseek|alibaba cloud|qwen team|01.ai|ai2|allen institute for ai|cerebras|"
        "tenstorrent|scale ai|together ai|character ai|inflection ai|adept|cognition labs|world "
        "labs|"
        "safe superintelligence|arc prize|lmsys|lmarena|eleutherai|laion|nous research|"
        "hugging face|nvidia|waymo|cruise|midjourney|runwayml|perplexity "
        "ai|ai21|reka|zhipu|moonshot ai|"
        "baichuan|minimax|databricks|mosaicml|snowflake arctic|ibm granite|liquid ai|sakana ai",
    ),
    (
        "person",
        False,
        "sam altman|altman|ilya sutskever|sutskever|andrej karpathy|karpathy|yann lecun|lecun|"
        "geoffrey hinton|hinton|demis hassabis|hassabis|dario amodei|amodei|fei-fei li|"
        "mustafa suleyman|gary marcus|mira murati|greg brockman|yoshua bengio|andrew ng|"
        "emad mostaque|arthur mensch|jan leike|noam shazeer|jeff dean|simon willison",
    ),
    (
        "domain",
        False,
        "openai.com|anthropic.com|claude.ai|deepmind.google|deepmind.com|huggingface.co|mistral.ai|"
        "ai.meta.com|llama.meta.com|qwenlm.github.io|cohere.com|stability.ai|x.ai|deepseek.com|"
        "arcprize.org|ollama.com|cerebras.ai|groq.com|together.ai|perplexity.ai|cognition.ai|"
        "worldlabs.ai|ai.google.dev|aistudio.google.com|dspy.ai|voyageai.com|langchain.com|"
        "lmarena.ai|lmsys.org|eleuther.ai|thegradient.pub|deeplearning.ai|chatgpt.com|sora.com|"
        "replicate.com|civitai.com|paperswithcode.com|kaggle.com|wandb.ai|lmstudio.ai|"
        "anyscale.com|fireworks.ai|runwayml.com|midjourney.com|elevenlabs.io",
    ),
    (
        "domain",
        True,
        "arxiv.org|research.google|blog.google|simonwillison.net|developers.googleblog.com|"
        "nature.com|spectrum.ieee.org|news.mit.edu|research.facebook.com|microsoft.com|nvidia.com|modal.com",
    ),
]

MIN_NAME_LEN = 3
# Names that are ordinary words elsewhere but, in technology news, almost always mean the AI
# product.
STRONG_DESPITE_COMMON = {"claude", "gemini", "openai", "nvidia"}


def seed_entries(common_word: CommonWord | None = None) -> dict[str, Entry]:
    """Curated terms keep their own flag (we chose them); curated names are also checked against
    general English, so "falcon" or "amazon" alone do not say "AI"."""
    out: dict[str, Entry] = {}
    for kind, flagged, terms in SEED:
        for t in terms.split("|"):
            key = t if kind == "domain" else normalize(t)
            if not key or key in out:
                continue
            ambiguous = flagged
            if kind not in ("term", "domain") and common_word and key not in STRONG_DESPITE_COMMON:
                ambiguous = flagged or bool(common_word(key))
            out[key] = {"kind": kind, "ambiguous": ambiguous, "sources": ["seed"]}
    return out


def _model_names(data: Path) -> list[tuple[str, str, str | None]]:
    """(name, source, organisation) for every model named in the recorded leaderboards and lists."""
    rows: list[tuple[str, str, str | None]] = []

    def read_csv(rel: str) -> list[dict[str, str]]:
        p = data / rel
        if not p.exists():
            return []
        with p.open(encoding="utf-8-sig") as f:
            return list(csv.DictReader(f))

    for r in read_csv(
        "lmarena-leaderboard-2024-12/arena_text_leaderboard_snapshots_2024-11-15_2024-12-23.csv"
    ):
        rows.append((re.sub(r"\(.*?\)", "", r["model"]), "lmarena", r.get("organization")))
    for r in read_csv("lmsys-arena-2023-12-07/arena_leaderboard_2023-12-07.csv"):
        rows.append((r["model"], "lmsys-arena", None))
    for r in read_csv("llm-lineage-phylogeny/llm_models.csv"):
        rows.append((r["name"], "llm-lineage", r.get("brand")))
        rows.append((r["family"], "llm-lineage", r.get("brand")))
    for r in read_csv("open-llm-leaderboard-2023-10-31/open_llm_leaderboard_top_2023-10-31.csv"):
        rows.append((r["Model"].split("/")[-1], "open-llm-leaderboard", None))
    for r in read_csv("open-llm-leaderboard-v2-2024-12-22/open_llm_leaderboard_v2_2024-12-22.csv"):
        rows.append((r["model_name"].split("/")[-1], "open-llm-leaderboard-v2", None))
    for rel in (
        "open-llms-eugeneyan-2024-12/open_llms_as_of_2024-12-22.jsonl",
        "open-llms-eugeneyan/open_llms_2023-11-03.jsonl",
    ):
        p = data / rel
        if p.exists():
            for line in p.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    name = json.loads(line).get("Language Model")
                    if name:
                        rows.append((name, "open-llms", None))
    return rows


def _name_forms(name: str) -> list[str]:
    """ "Llama-3.3-70B-Instruct" -> "llama 3.3", "llama 3.3 70b", "llama 3.3 70b instruct": news
    says the short forms. Every form must contain a digit, so a bare family word never becomes a
    model name."""
    toks = tokens(name)
    forms = []
    for n in range(2, len(toks) + 1):
        form = " ".join(toks[:n])
        if any(c.isdigit() for c in form) and len(form) >= MIN_NAME_LEN:
            forms.append(form)
    if len(toks) == 1 and any(c.isdigit() for c in toks[0]) and len(toks[0]) >= MIN_NAME_LEN:
        forms.append(toks[0])
    return forms


def _family(name: str) -> str | None:
    toks = tokens(name)
    if not toks:
        return None
    m = _ALPHA_PREFIX.match(toks[0])
    return m.group() if m and len(m.group()) >= MIN_NAME_LEN else None


def build(data: Path, common_word: CommonWord | None = None) -> dict[str, object]:
    """Seed + names grown from the recorded data. common_word(term) -> True marks a term
    ambiguous."""
    entries = seed_entries(common_word)
    names = _model_names(data)
    family_sources: dict[str, set[str]] = {}
    family_count: Counter[str] = Counter()
    curated_sources = {"lmarena", "lmsys-arena", "llm-lineage", "open-llms"}
    for name, source, org in names:
        if source in curated_sources:
            for form in _name_forms(name):
                _add(entries, form, "model", source, common_word)
        fam = _family(name)
        if fam:
            family_sources.setdefault(fam, set()).add(source)
            family_count[fam] += 1
        if org:
            o = normalize(org)
            if o and len(o) >= MIN_NAME_LEN:
                _add(entries, o, "org", source, common_word)
    for fam, srcs in family_sources.items():
        # A family named only by hub uploads needs several of them: one-off merge names are noise.
        if srcs & curated_sources or family_count[fam] >= 5:
            _add(entries, fam, "family", sorted(srcs)[0], common_word)
    return {"version": 1, "entries": dict(sorted(entries.items()))}


def _add(
    entries: dict[str, Entry], term: str, kind: str, source: str, common_word: CommonWord | None
) -> None:
    if term in entries:
        if source not in entries[term]["sources"]:
            entries[term]["sources"].append(source)
        return
    ambiguous = bool(common_word and term not in STRONG_DESPITE_COMMON and common_word(term))
    entries[term] = {"kind": kind, "ambiguous": ambiguous, "sources": [source]}

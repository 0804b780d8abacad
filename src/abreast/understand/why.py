"""`abreast why KEY` as text: the stored decision about an item, the signals that pushed it most,
the words and topics behind them. Light on purpose (no numpy): the CLI imports it at start-up."""

from __future__ import annotations

from typing import Any

SIGNAL_NAMES = {
    "lex_strong": "AI names/terms in the title",
    "lex_strong_text": "AI names/terms in the text",
    "lex_ambiguous": "ambiguous words in the title",
    "lex_ambiguous_text": "ambiguous words in the text",
    "lex_name": "names a model or AI product",
    "lex_org_person": "names an AI lab or person",
    "domain_ai": "links to an AI site",
    "domain_mixed": "links to a mixed site (arXiv, research blog)",
    "domain_dot_ai": "links to a .ai domain",
    "source_prior": "source's usual AI share",
    "sim_ai": "similarity to AI topics",
    "sim_margin": "AI topics vs everyday-tech topics",
    "has_text": "has an abstract or excerpt",
    "glossary_title": "AI jargon in the title",
    "model_entity_title": "names a known model in the title",
    "words": "title words",
}


def signal_sentence(name: str, value: float) -> str:
    """One relevance signal as a sentence: "+12.95 towards AI: AI names/terms in the title."."""
    what = SIGNAL_NAMES.get(name, name.replace("_", " "))
    side = "towards AI" if value >= 0 else "away from AI"
    return f"{value:+.2f} {side}: {what}."


def why_lines(data: dict[str, Any]) -> list[str]:
    """Plain-text lines for `abreast why KEY` from store.annotations.why(): the decision, then the
    signals that pushed it most (positive = towards AI), the words and topics behind them, themes
    and links."""
    r = data["why"].get("relevance", {})
    verdict = "about AI" if data["is_ai"] else "not about AI"
    lines = [
        f"{data['key']}: {data['title']}",
        f"  {verdict}: relevance {data['relevance']:.2f} (threshold {r.get('threshold', 0.5):.2f})",
    ]
    if r.get("negative_keywords"):
        lines.append(f"  capped by your negative keywords: {', '.join(r['negative_keywords'])}")
    for name, value in list(r.get("contributions", {}).items())[:6]:
        lines.append(f"  {signal_sentence(name, value)}")
    if r.get("matched"):
        lines.append(f"  AI words: {', '.join(dict.fromkeys(r['matched']))}")
    if r.get("matched_ambiguous"):
        lines.append(f"  ambiguous words: {', '.join(r['matched_ambiguous'])}")
    if r.get("domain"):
        lines.append(f"  domain: {r['domain']}")
    if r.get("nearest_topics"):
        lines.append(
            "  nearest topics: " + "; ".join(f"{t} ({s:.2f})" for t, s in r["nearest_topics"])
        )
    if data.get("themes"):
        lines.append(f"  themes: {', '.join(data['themes'])}")
    if data.get("entities"):
        lines.append(f"  entities: {', '.join(data['entities'])}")
    if data.get("jargon"):
        lines.append(f"  jargon: {', '.join(data['jargon'])}")
    if data.get("duplicate_of"):
        lines.append(f"  duplicate of: {data['duplicate_of']}")
    return lines

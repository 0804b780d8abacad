"""How good are the references abreast proposes? Writes bench/out/retrieval_quality.md (quality) and
bench/out/retrieval_bench.md (speed).

  .venv/bin/python bench/retrieval_quality.py --store .demo-home/abreast.db

1. bench/data/todo_requests.jsonl: TODO-style requests written from the demo store's two windows
   (the user's December 2023 draft, the demo weeks of late 2024), each with the items a careful
   reader would keep. The same search is run three ways in one run: the fused core, full-text
   (FTS5/BM25) alone and embeddings alone. A hit counts when it is a labelled item or belongs to the
   same story as one (the core returns one item per story).
   precision@5 = relevant hits among the first 5 / min(5, relevant stories);
   recall@10 = relevant stories among the first 10 / min(10, relevant stories).
   (Both are normalised by what is achievable: a request about one announcement has one right
   answer.)
2. bench/data/word_sense.jsonl: (term, item, in sense?) judgments; the sense check
(retrieve/sense.py)
   is scored on each split: precision of "in sense", other-sense items kept, in-sense items dropped.
3. Speed: `abreast todo` on the user's draft (../shared/seed) as new CLI processes, wall and CPU;
   `--speed-only` reruns only this part (one command for timing on an idle machine).
Dev split tunes, test split reports.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from demo_speed import src_of  # bench/: a baseline revision's sources

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "out"
MODES = ("fused", "fts", "embed")


def _story_map(store) -> dict[str, str]:
    rows = store.conn.execute(
        "SELECT items.key, max(si.story_id) FROM story_items si "
        "JOIN items ON items.id = si.item_id "
        "GROUP BY items.key"
    ).fetchall()
    return {k: s for k, s in rows}


def retrieval(store) -> tuple[list[str], dict]:
    from abreast.retrieve.query import Request, search

    story = _story_map(store)
    reqs = [json.loads(line) for line in (DATA / "todo_requests.jsonl").open()]
    per: dict[tuple[str, str], list[tuple[float, float]]] = {}
    misses: list[str] = []
    for r in reqs:
        units = {story.get(x["key"], x["key"]) for x in r["relevant"]}
        for mode in MODES:
            hits = search(
                store,
                Request(r["request"], r["context"]),
                since=r["since"],
                until=r["until"],
                limit=10,
                mode=mode,
            )
            got = [story.get(h.key, h.key) for h in hits]
            p5 = len({u for u in got[:5] if u in units}) / min(5, len(units))
            r10 = len({u for u in got[:10] if u in units}) / min(10, len(units))
            per.setdefault((r["split"], mode), []).append((p5, r10))
            if mode == "fused" and r["split"] == "test" and p5 < 0.6:
                misses.append(f"{r['id']} (P@5 {p5:.2f})")
    lines = [
        "# Retrieval: references for TODOs (issue 13)",
        "",
        f"{len(reqs)} TODO-style requests (bench/data/todo_requests.jsonl; "
        f"{sum(r['split'] == 'dev' for r in reqs)} dev, "
        f"{sum(r['split'] == 'test' for r in reqs)} test), "
        "each searched three ways in the same run over the demo store. "
        "precision@5 and recall@10 are "
        "normalised by the number of relevant stories (see the script).",
        "",
        "| split | method | precision@5 | recall@10 |",
        "|---|---|---|---|",
    ]
    for split in ("dev", "test"):
        for mode in MODES:
            vals = per.get((split, mode), [])
            if vals:
                p = statistics.mean(v[0] for v in vals)
                rc = statistics.mean(v[1] for v in vals)
                name = {
                    "fused": "fused core (RRF + importance + sense + MMR)",
                    "fts": "FTS5 alone",
                    "embed": "embeddings alone",
                }[mode]
                lines.append(f"| {split} | {name} | {p:.3f} | {rc:.3f} |")
    if misses:
        lines += [
            "",
            "Test requests where the fused core keeps fewer than 3 of 5: " + ", ".join(misses),
        ]
    lines += [
        "",
        "How the labels were made: the requests were written from the demo data of both windows "
        "(the user's December 2023 draft, the late-2024 demo weeks); each request's relevant items "
        "were chosen by title from a pool of title-pattern matches in its window and the three "
        "methods' top 10, then pruned by hand. The pool includes the system's own results, so "
        "unseen good items are under-counted. Requests about one announcement have one or two "
        "right answers, hence the normalisation. The dev split was looked at while tuning (word "
        "choice for full-text search, names, word-sense cues); the test split was not, except "
        "once: the fourth word-sense revision's margin for title evidence was run at -0.1 and "
        "-0.2 on both splits (test precision@5 0.796 and 0.806); -0.2 is also what the "
        "word-sense splits before fresh4 choose (the least strict margin keeping none of their "
        "other-sense items).",
    ]
    return lines, per


def word_sense(store) -> list[str]:
    from abreast.retrieve.index import load_index
    from abreast.retrieve.sense import is_paper, judge
    from abreast.store.retrieval import texts

    idx = load_index(store)
    by_key = {r.key: i for i, r in enumerate(idx.rows)}
    rows = [json.loads(line) for line in (DATA / "word_sense.jsonl").open()]
    ids = [idx.rows[by_key[r["item_key"]]].item_id for r in rows if r["item_key"] in by_key]
    body = texts(store.conn, ids)
    # the fresh splits' papers (fresh5 on) are not in the demo store: their title and abstract
    # come from the bundled files, their vectors from the store's own embedding model, embedded
    # as understand embeds an item (pipeline.embed_text: "title. text").
    papers = [
        json.loads(line)
        for path in sorted(DATA.glob("word_sense_fresh*_papers.jsonl"))
        for line in path.open()
    ]
    outside = {p["key"]: p for p in papers if p["key"] not in by_key}
    if outside:
        vecs = idx.embedder.embed_batch([f"{p['title']}. {p['text']}" for p in outside.values()])
        for p, v in zip(outside.values(), vecs, strict=True):
            p["vector"] = v

    def item(key: str) -> tuple[str, str, object, bool] | None:
        """title, text, vector and is-a-paper of a labelled item, from the store or a papers file"""
        if key in by_key:
            i = by_key[key]
            row = idx.rows[i]
            return row.title, body.get(row.item_id, ""), idx.vectors[i], is_paper(row.kind, row.url)
        if key in outside:
            p = outside[key]
            return p["title"], p["text"], p["vector"], True
        return None

    lines = [
        "# Word sense: matches in another sense are dropped",
        "",
        f"{len(rows)} labelled (term, item, in sense?) judgments (bench/data/word_sense.jsonl) for "
        f"{len({r['term'] for r in rows})} ambiguous glossary terms "
        "(how they were drawn and labelled: bench/data/LABELLING.md).",
        "",
        "| split | judgments | other-sense | precision of 'in sense' | other-sense kept | "
        "in-sense dropped |",
        "|---|---|---|---|---|---|",
    ]
    looked = {
        "dev": "dev (tuned on)",
        "test": "test (first held-out half; read since, tuned on)",
        "fresh-dev": "fresh-dev (tuned on)",
        "fresh-test": "fresh-test (held out once; read since, tuned on)",
        "fresh2": "fresh2 (held out once; read since, tuned on)",
        "fresh3": "fresh3 (held out once; read since, tuned on)",
        "fresh4": "fresh4 (held out once; read since, tuned on)",
        "fresh5": "fresh5 (papers outside the demo; held out once; read since, tuned on)",
        "fresh6": "fresh6 (papers outside the demo; held out once; read since, tuned on)",
        "fresh7": "fresh7 (August 2024 papers; held out once; read since, tuned on)",
        "fresh8": "fresh8 (July 2024 papers; held out once; read since, tuned on)",
        "fresh9": "fresh9 (May 2024 papers; held out once; read since, tuned on)",
        "fresh10": "fresh10 (September 2024 papers; held out once; read since, tuned on)",
        "fresh11": "fresh11 (October 2024 papers; held out)",
    }
    for split in looked:
        part = [r for r in rows if r["split"] == split and item(r["item_key"])]
        if not part:
            continue
        kept_other = dropped_in = kept = 0
        for r in part:
            title, text, vec, paper = item(r["item_key"])  # type: ignore[misc]
            ok = judge(r["term"], title, text, vec, idx.embedder, paper)  # type: ignore[arg-type]
            keep = ok.startswith("in")
            kept += keep
            kept_other += keep and not r["in_sense"]
            dropped_in += (not keep) and r["in_sense"]
        other = sum(not r["in_sense"] for r in part)
        prec = (kept - kept_other) / kept if kept else 0.0
        lines.append(
            f"| {looked[split]} | {len(part)} | {other} | {prec:.3f} | {kept_other} of {other} | "
            f"{dropped_in} of {len(part) - other} |"
        )
    return lines + [
        "",
        "Which rows were looked at. dev and test cover five terms (alignment, quantization, "
        "inference, diffusion, agents) and were looked at while the sense model was built; "
        "fresh-dev/fresh-test, fresh2 and fresh3 were drawn later for 13-14 terms, each labelled "
        "before the model of its day was run on it, measured once, then read for the next "
        "revision. Their first measurements, other-sense kept / in-sense dropped: fresh-test 6 "
        "of 17 / 1 of 63 (first revision), fresh2 3 of 20 / 9 of 144 (second), fresh3 4 of 30 / "
        "5 of 145 (third). All of them were tuned on for the fourth revision, and with fresh4 "
        "for the fifth.",
        "",
        "fresh4 (240 judgments, 32 other-sense, 16 terms, only items no earlier split holds) was "
        "drawn by bench/word_sense_sample.py, labelled by reading and committed (2818425) before "
        "the fourth revision was written; the revision was chosen on the earlier splits alone "
        "and committed (8e461a6) before its one measurement on fresh4. That first measurement is "
        "the number of record: other-sense kept 2 of 32, in-sense dropped 72 of 208 (precision "
        "of 'in sense' 0.986). The target of zero other-sense items kept was not met on unseen "
        "data. The model before the revision (main at 6975eb1) scores 9 of 32 / 9 of 208 on "
        "fresh4. The person who revised the model had labelled fresh4 by hand first, so had read "
        "its items (not the model's verdicts on them); fresh4's errors were read only after the "
        "number above was recorded (committed in ebe9141). The two kept: 'distill consistent "
        "semantic knowledge' in a knowledge-graph paper (a verb for 'extract'; margin +0.14 with "
        "no evidence) and 'a graph reasoning LLM' (an instruction-tuned Llama, not a model that "
        "thinks before answering; 'reasoning' in 'graph reasoning tasks' beside it counted as a "
        "related word though it is the term's own word). The model was not changed after "
        "reading them; the fifth revision (below) was, so the fresh4 row now shows the fifth "
        "revision and the number of record stays 2 of 32 / 72 of 208. Of the 72 in-sense items "
        "dropped, 29 are agents, 10 tokens, 9 reinforcement learning, 8 inference, 8 transformer.",
        "",
        "The fifth revision (004927e), chosen on every split above, all of them dev by then: "
        "(1) the bug behind 'a graph reasoning LLM' fixed generally: a term's own words "
        "(the words of its spellings) are no evidence for its sense anywhere in an item, not "
        "only inside the term's own span; (2) a term used only as a verb ('distill', "
        "'quantized': the glossary sense's `verbs`) with no evidence is out, because a verb keeps "
        "its everyday meaning ('distill consistent semantic knowledge'). On the splits above it "
        "removes the two fresh4 items and drops no in-sense item the fourth revision kept; the "
        "todo benchmark is unchanged (fused core P@5 0.676 dev / 0.806 test).",
        "",
        "fresh5 (178 judgments, 31 other-sense, 14 terms) is real text the demo does not bundle: "
        "the English titles and abstracts of 258 arXiv papers listed 2024-06-01..10 by the "
        "public digest HuggingAGI/HuggingArxivLLM (bench/data/word_sense_fresh5_SOURCE.md), "
        "drawn by bench/word_sense_sample.py --papers (seed 20261212), labelled by reading and "
        "committed (d1d8012) after the fifth revision was committed and before any sense model "
        "ran on it. Its one measurement, above, is the number of record: other-sense kept 7 of "
        "31, in-sense dropped 38 of 147 (precision of 'in sense' 0.940). The target of zero "
        "other-sense items kept was not met on unseen data, again. The number was recorded "
        "(in QUALITY.md, cc4c606) before fresh5's errors were read. The fifth revision's code "
        "was final before fresh5 was drawn; its items were read only to label them. The model "
        "before it (the fourth revision) scores 8 of 31 / 38 of 147 on fresh5.",
        "",
        "fresh5 was then read: four of the seven kept had a word that only names the field "
        "beside the term ('LLM dataset inference', 'the generated LLM outputs guide the agent' "
        "of an RL agent, 'a knowledge graph ... distilled' beside 'LLM', 'LLM inference "
        "capabilities' meaning the ability to infer). The sixth revision (aa48831), chosen on "
        "every split through fresh5 (fresh5 is dev from then on, its number of record stays "
        "7 of 31): such a word (LLM, language model, model, training, ...) is no evidence "
        "beside the term, only in a title as a whole (the weak kind). On the splits through "
        "fresh4 it keeps no other-sense item and drops 14 more in-sense ones (of 805); on "
        "fresh5 it keeps 3 of 31 and drops 45 of 147; the todo benchmark is unchanged (fused "
        "core P@5 0.676 dev / 0.806 test).",
        "",
        "fresh6 (245 judgments, 33 other-sense, 14 terms) is the same digest's papers of "
        "2024-06-11..20 (none in fresh5's file), drawn by bench/word_sense_sample.py --papers "
        "(seed 20261213, then 20261214 --more-after for 25 alignment, 20 inference and 15 agents "
        "pairs more, as the first draw held only 18 other-sense items), labelled by reading and "
        "committed (abf4436) after the sixth revision was committed and before any sense model "
        "ran on it. Its one measurement, above, is the number of record for the sixth revision "
        "on unseen data: other-sense kept 4 of 33, in-sense dropped 68 of 212 (precision of 'in "
        "sense' 0.973). The target of zero other-sense items kept was not met. The number was "
        "recorded before fresh6's errors were read. Measured after it, on fresh6: the fourth "
        "revision 4 of 33 / 56 of 212, the fifth 4 of 33 / 58 of 212. So the sixth revision's "
        "gain on fresh5 (7 to 3 kept) did not carry over to unseen papers: on fresh6 it keeps "
        "as many other-sense items as the two before it and drops 10 more in-sense ones; it was "
        "left in place, not revised after fresh6. The four kept: an RL attacker's 'agent' "
        "(RL-JACK), 'any agent (be it a machine or a human)', 'stance detection agents' "
        "(classifiers), and 'speech-to-text large language model alignment module' (modal "
        "alignment, taken in by the compound 'language model alignment'). Of the 68 in-sense "
        "items dropped, 17 are agents, 15 inference, 7 tokens, 7 alignment. The table alone: "
        "bench/retrieval_quality.py's word_sense() (the full script also times `abreast todo`).",
        "",
        "fresh7 (278 judgments, 40 other-sense, 16 terms) is the same digest's papers of August "
        "2024 (bench/data/word_sense_fresh7_papers.jsonl, 497 papers, none in an earlier file or "
        "the demo), drawn by bench/word_sense_sample.py --papers (seed 20261215, then 20261216 "
        "--more-after for 25 alignment, 20 inference and 15 agents pairs, decided before "
        "labelling), labelled by reading and committed (f88d01d) before the seventh revision was "
        "written and before any sense model ran on it. The seventh revision (407832e) was trained "
        "and its cut-offs chosen on the splits dev..fresh6 alone; its one measurement on fresh7, "
        "above, is the number of record: other-sense kept 2 of 40, in-sense dropped 75 of 238 "
        "(precision of 'in sense' 0.988). The target of zero was not met on unseen data. The "
        "number was recorded (3647d50) before fresh7's errors were read.",
        "",
        "The seventh revision replaces the hand-set margins of the contest with a learned model "
        "(scripts/train_sense.py, src/abreast/retrieve/data/sense_model.json): a logistic "
        "regression over the closeness of the term's windows and of the whole item to the gloss "
        "and to the nearest other sense, the evidence level, and the words beside the term (for "
        "every term and per term), trained on every judgment of dev..fresh6 that the cue rules "
        "leave to the contest (1,234 of 1,433). C and the cut-offs were chosen on "
        "leave-one-split-out predictions: each dev split judged by a model trained on the others, "
        "per evidence level the lowest cut-off at which at most one of that level's other-sense "
        "items passes (0.95 for papers with no or text evidence, 0.9 for a compound, 0.5 for "
        "title or source evidence). Those dev numbers (the cue rules were tuned on these splits, "
        "so only the learned part is out of fold): dev 0 of 54 / 10 of 91, test 0 of 29 / 14 of "
        "93, fresh-dev 0 of 23 / 18 of 61, fresh-test 0 of 17 / 13 of 63, fresh2 0 of 20 / 27 of "
        "144, fresh3 0 of 30 / 33 of 145, fresh4 0 of 32 / 59 of 208, fresh5 3 of 31 / 40 of 147, "
        "fresh6 0 of 33 / 67 of 212; all dev splits 3 of 269 / 281 of 1,164 (other-sense kept / "
        "in-sense dropped). The sixth revision, in sample on the same splits (it was tuned on all "
        "but fresh6): 7 of 269 / 336 of 1,164. The todo benchmark is unchanged (fused core P@5 "
        "0.676 dev / 0.806 test) and `abreast todo`'s first run took 1.00 s (load 3.0).",
        "",
        "fresh7 was then read. Measured after the record, the sixth revision scores 1 of 40 / 78 "
        "of 238 on it: on unseen papers the learned contest is no better at the target (2 kept "
        "against 1) and drops about as many in-sense items (75 against 78). The two it kept: "
        "'Prompt Tuning as User Inherent Profile Inference Machine' (labelled other-sense for the "
        "title's inferring of user profiles; its abstract's only use, 'high inference latency', "
        "is in sense: a close call the model read from the text; p 0.95 at a 0.95 cut-off) and "
        "'MIDI-to-Tab: Guitar Tablature Inference via Masked Language Modeling' (estimating a "
        "tablature; p 0.97, the title's 'Masked Language Modeling' pulls it in). The one the "
        "sixth kept, 'alignment of LLMs with human judgements' of similarity, was taken in by the "
        "compound cue 'alignment of llms'; the seventh weighs compounds and dropped it. Of the 75 "
        "in-sense items dropped, 26 are agents, 13 inference, 7 tokens, 6 distillation, 6 "
        "reinforcement learning, 6 alignment. The model was not changed after fresh7; no split is "
        "unseen now, so a next revision needs a new one.",
        "",
        "fresh8 (293 judgments, 52 other-sense, 16 terms) is the same digest's papers of July "
        "2024 (bench/data/word_sense_fresh8_papers.jsonl, 639 papers, none in an earlier file "
        "or the demo), drawn by bench/word_sense_sample.py --papers (seed 20261217, then "
        "20261218 --more-after for 25 alignment, 20 inference and 15 agents pairs, decided "
        "before labelling), labelled by reading and committed (3e312f7) before the eighth "
        "revision was written and before any sense model ran on it. The eighth revision "
        "(b58e174) was trained and its cut-offs chosen on the splits dev..fresh7 alone; its one "
        "measurement on fresh8, above, is the number of record: other-sense kept 1 of 52, "
        "in-sense dropped 79 of 241 (precision of 'in sense' 0.994). The target of zero "
        "other-sense items kept was not met on unseen data. The number was recorded (0ade7d7) "
        "before fresh8's errors were read. The todo benchmark in the same run: fused core P@5 "
        "0.676 dev / 0.806 test (unchanged).",
        "",
        "The eighth revision (scripts/train_sense.py, trained on dev..fresh7, 1,477 of 1,711 "
        "judgments reach the learned contest) asks more of a term whose other senses are "
        "common, chosen by a nested leave-one-split-out check: each dev split judged by a "
        "model, a C and cut-offs chosen from the other splits alone (`scripts/train_sense.py "
        "--nested`). With the seventh's rule (per evidence level the lowest cut-off at which at "
        "most one other-sense item passes) that check keeps 6 of the 309 dev other-sense items "
        "(4 in fresh5, 2 in fresh7) and drops 399 of 1,402 in-sense ones. The eighth: (1) the "
        "terms whose other-sense items are at least 1% of their judgments (agents, alignment, "
        "attention, diffusion, distillation, inference, quantization, tokens) get their own "
        "cut-offs, the lowest at which no other-sense item passes out of fold, at most 0.99 "
        "(0.9 with no evidence, 0.99 with a related word in the text or a compound, 0.5 with "
        "title or source evidence; every other term 0.5); (2) a paper that uses such a term "
        "with no related word beside it must name an AI model (LLM, GPT, Llama, BERT, a neural "
        "network, ...) in a sentence that uses it, else it is out before the model weighs it. "
        "Nested: dev 0 of 54 / 22 of 91, test 0 of 29 / 26 of 93, fresh-dev 0 of 23 / 15 of 61, "
        "fresh-test 0 of 17 / 18 of 63, fresh2 0 of 20 / 37 of 144, fresh3 0 of 30 / 52 of 145, "
        "fresh4 0 of 32 / 73 of 208, fresh5 1 of 31 / 34 of 147, fresh6 0 of 33 / 77 of 212, "
        "fresh7 0 of 40 / 78 of 238; all dev splits 1 of 309 / 432 of 1,402 (other-sense kept / "
        "in-sense dropped). Tried on the same check and not kept: the same rule without the "
        "AI-model gate (2 of 309 / 501), caps of 0.95 (3 of 309) and 0.995 (1 of 309 / 516 "
        "dropped), and a 'names an AI model' feature for the learned model instead of the gate "
        "(no gain). `abreast todo`'s first run took 0.86 s (load 3.3).",
        "",
        "fresh8 was then read. Measured after the record, the seventh revision scores 3 of 52 / "
        "68 of 241 on it. The one the eighth kept is an error of the term finder more than of "
        "the sense check: 'What Makes and Breaks Safety Fine-tuning? Mechanistic Study' says "
        "'real-world models' (Llama-2 and Llama-3), which the glossary matcher reads as 'world "
        "model'; world model had no other-sense item in any dev split, so it is not a term with "
        "a common other sense and its cut-off is 0.5 (p 0.99). The seventh also kept 'distill "
        "user preferences as personalized soft prompts' and PhenoFlow's 'make inferences' from "
        "metadata; the eighth dropped both. Of the 79 in-sense items dropped, 29 are agents, 16 "
        "inference, 11 tokens, 7 alignment, 6 distillation; 38 by the AI-model rule, 29 by the "
        "learned contest's cut-offs, 9 by other-sense words beside the term ('multi-agent "
        "systems' in LLM papers), 3 by the verb rule ('distill' as a verb). "
        "The model was not changed after fresh8; no split is unseen now, so a next revision "
        "needs a new one.",
        "",
        "fresh9 (299 judgments, 46 other-sense, 15 terms) is the same digest's papers of May "
        "2024 (bench/data/word_sense_fresh9_papers.jsonl, 718 papers, none in an earlier file"
        " or split or the demo), drawn by bench/word_sense_sample.py --papers (seed 20261219,"
        " then 20261220 --more-after for 25 alignment, 20 inference and 15 agents pairs, "
        "decided before labelling), labelled by reading and committed (25e6059) before the "
        "ninth revision was written and before any sense model ran on it. The ninth revision "
        "(8d43eef) was trained and its cut-offs chosen on the splits dev..fresh8 alone; its "
        "one measurement on fresh9, above, is the number of record: other-sense kept 5 of 46,"
        " in-sense dropped 88 of 253 (precision of 'in sense' 0.971). The target of zero "
        "other-sense items kept was not met on unseen data; it is further from it than the "
        "eighth revision's first measurement on fresh8 (1 of 52). The number was recorded "
        "before fresh9's errors were read. The todo benchmark in the same run: fused core P@5"
        " 0.676 dev / 0.806 test (unchanged); `abreast todo`'s first run 1.80 s wall, 1.12 s "
        "CPU (load 3.5).",
        "",
        "The ninth revision, chosen on dev..fresh8 (2,004 judgments, 1,738 reach the learned "
        "contest): (1) the term finder (understand/jargon.py) no longer reads a term of "
        "several words split out of another compound: a glossary entry lists the words that "
        'close a compound with its first word (`not_after`: "real", "open", "closed" for '
        'world model), joined by a hyphen or written apart, so "real-world models" is not '
        '"world model"; the sense check drops an item whose only use of the term\'s words is '
        "such a compound (\"out: 'real-world models' is another compound\"), since search may "
        "still bring it for the words. A rule on every hyphen-joined word was tried first and"
        " not kept: over the dev texts (demo store and fresh5..fresh8 papers, 9,507 items) it"
        ' removed the term from 10 items, one right ("real-world models") and eight in sense '
        '("Layout-to-Image Generation", "text-video generation", a "test-merged model"); the '
        "not_after rule changes only the one. Every hyphen-joined match of a multi-word "
        'spelling in the dev texts was read: besides "real-world models" only "in-context '
        'lengths" (context window, a term without a sense check) is a close call, left as it '
        'is; written apart, "real world models" is the one such compound found for world '
        "model. (2) A term with no other-sense dev item gets a floor of 0.8 instead of 0.5 at"
        " every evidence level (FLOOR in scripts/train_sense.py; world model now has "
        "other-sense items and is among the risky terms). Nested leave-one-split-out check "
        "(`scripts/train_sense.py --nested --floor F`, each dev split judged by a model and "
        "cut-offs chosen without it), other-sense kept / in-sense dropped over all dev "
        "splits: floor 0.5 3 of 361 / 513 of 1,643; 0.8 3 of 361 / 523; 0.95 3 of 361 / 562. "
        "With 0.8: dev 0 of 54 / 20 of 91, test 0 of 29 / 26 of 93, fresh-dev 0 of 23 / 23 of"
        " 61, fresh-test 0 of 17 / 19 of 63, fresh2 0 of 20 / 39 of 144, fresh3 1 of 30 / 52 "
        "of 145, fresh4 0 of 32 / 71 of 208, fresh5 2 of 31 / 34 of 147, fresh6 0 of 33 / 78 "
        "of 212, fresh7 0 of 40 / 81 of 238, fresh8 0 of 52 / 80 of 241. The floor costs 10 "
        "in-sense items on that check and keeps no fewer other-sense ones there (the dev "
        "splits hold no other-sense item of a term that had none elsewhere, besides fresh8's "
        "world model); it is a bar for an unforeseen other sense, not a measured gain. (3) "
        "The learned model retrained on dev..fresh8 (C 1.0; cut-offs for risky terms 0.9 with"
        " no evidence, 0.99 with text evidence or a compound, 0.6 title, 0.5 source). Splits "
        "looked at: dev..fresh8 (all read before or during this revision); fresh9 only "
        "labelled, not read against any verdict, before its one measurement.",
        "",
        "fresh9 was then read (after the number above was committed). The five kept: "
        'Comcast\'s "LLMs to Assist Agents in Real Time" (human customer-service agents beside'
        " the word LLM; p 1.00 with a related word next to it), Robo-Instruct's \"Instruction "
        'Alignment" (an instruction-program matching step; the title\'s "Finetuning" is title '
        'evidence, p 0.78 at a 0.6 cut-off), "disease diffusion" and "a rapid diffusion of '
        'Large Language Models" (spread, in a sentence that names LLMs, so the AI-model rule '
        'lets it pass; p 0.96 at 0.9), "LLM-Assisted Inference" that infers decision '
        "variables of optimisation results (a close call the title reads as running a model; "
        'p 1.00) and "Federated Edge Inference" (statistical inference by sensor agents; p '
        "0.88 at 0.6 with title evidence). Four of five are papers whose words sit right "
        "beside a language model (the sentence or title names LLMs), where the contest and "
        "the AI-model rule read the field, not the sense; none is a finder error. Of the 88 "
        "in-sense items dropped, 24 are agents, 16 inference, 14 tokens, 12 alignment; 42 by "
        "the learned contest's cut-offs, 38 by the AI-model rule, 7 by other-sense words "
        "beside the term. The model was not changed after fresh9; no split is unseen now, so "
        "a next revision needs a new one.",
        "",
        "The tenth revision, chosen on dev..fresh9 (2,303 judgments, 2,005 reach the learned "
        "contest; every split above is dev now, and the next unseen split, fresh10, was "
        "labelled by another session and not read, counted or scored here before this revision "
        "was committed): (1) for a term whose other senses are common (the risky terms), a "
        "paper must hold a word of the sense in a sentence that uses the term, at every "
        "evidence level, title evidence included (sense.sense_word: a related word that is "
        'neither a field word such as "LLM", "model" or "training" nor one of the term\'s own; a'
        ' related compound over the term, read longest first so that "LLM agents" is not read '
        'as the field word "LLM"; an AI model\'s name joined to the term with no word between, '
        '"LLM agents", "quantized LLMs", "Large Language Model-based Agents"; an in_patterns '
        'phrase). Without one the paper is out before the learned model weighs it ("out: no '
        "word of this sense in a sentence that uses it\"). This replaces the ninth's rule that "
        "asked only for an AI model's name in the sentence, which four of fresh9's five misses "
        'passed ("LLMs to Assist Agents", "a rapid diffusion of Large Language Models", '
        '"LLM-Assisted Inference"). (2) In a paper, a risky term\'s title or text evidence no '
        "longer lowers its cut-off: it meets the no-evidence one, and only a compound found by "
        "(1) meets the compound one (sense.bar_level). (3) Each cut-off stands at least 0.02 "
        "above the surest out-of-fold other-sense item of its level (MARGIN in "
        "scripts/train_sense.py; the grid now reaches 0.995 and 0.999). The model retrained on "
        "dev..fresh9: C 1.0; risky terms' cut-offs 0.999 for a paper, 0.99 for a compound, 0.5 "
        "for a news or community source; other terms 0.8. Nested leave-one-split-out check "
        "(`scripts/train_sense.py --nested`), other-sense kept / in-sense dropped: dev 0 of 54 "
        "/ 34 of 91, test 0 of 29 / 45 of 93, fresh-dev 0 of 23 / 29 of 61, fresh-test 0 of 17 "
        "/ 30 of 63, fresh2 0 of 20 / 57 of 144, fresh3 0 of 30 / 52 of 145, fresh4 0 of 32 / "
        "102 of 208, fresh5 0 of 31 / 51 of 147, fresh6 0 of 33 / 113 of 212, fresh7 0 of 40 / "
        "126 of 238, fresh8 0 of 52 / 118 of 241, fresh9 0 of 46 / 137 of 253; all dev splits 0"
        " of 407 / 894 of 1,896. Tried on the same check and not kept (other-sense kept of 407 "
        "/ in-sense dropped of 1,896): the ninth's rules retrained the same way 6 / 794 (5 of "
        "them fresh9's); the sentence rule alone 4 / 728; with (2) but compounds held to the "
        'no-evidence bar, margin 0 1 / 876 (fresh5\'s "LLM alignment" of human similarity '
        "judgements, a compound at p 0.965), 0.01 1 / 969, 0.02 0 / 981; with (2) as kept, "
        'margin 0 1 / 786 and 0.03 0 / 946; a first version of (1) that read "LLM agents" as '
        "the field word and had no AI-model compounds, 0 / 1,002 at margin 0.02, and with only "
        "the words beside the term (WINDOW) instead of the sentence 1 / 822; the ninth's "
        "AI-model rule with margins 0.02 and 0.05, 5 / 832 and 5 / 920 (fresh9's misses sit at "
        "p 0.96-1.00, beyond any margin); cut-offs per risky term instead of one for the group,"
        " 3-5 / 757-851. A second judge (a nearest-neighbour vote over the labelled windows) "
        "was not tried. Of the 894 in-sense items dropped on the nested check, 443 by the "
        "sentence rule, 406 by the learned contest's cut-offs and 45 by the word rules; 272 are"
        " agents, 188 inference, 134 tokens, 107 alignment; all but 2 are papers. The todo "
        "benchmark with this revision: fused core P@5 0.667 dev / 0.806 test (was 0.676 / "
        '0.806); `abreast explain "test-time compute"` still lists the o3 story. The table '
        "above now shows this revision on splits it was tuned on; fresh9's number of record "
        "stays the ninth's 5 of 46 / 88 of 253.",
        "",
        "fresh10 (294 judgments, 55 other-sense, 15 terms) is the same digest's papers of "
        "September 2024 (bench/data/word_sense_fresh10_papers.jsonl, 579 papers, none in an "
        "earlier file or split or the demo), drawn by bench/word_sense_sample.py --papers (seed "
        "20261221, then 20261222 --more-after for 25 alignment, 20 inference and 15 agents "
        "pairs, decided before labelling), labelled by reading in another session and committed "
        "(0fc8298) before the tenth revision was committed and before any sense model ran on "
        "it; the session that wrote the tenth revision did not open it. The lead ran this "
        "script once on a fresh demo store from main at 14e02a3: that first measurement, in the "
        "table above, is the number of record: other-sense kept 1 of 55, in-sense dropped 128 of "
        "239 (precision of 'in sense' 0.991). The target of zero other-sense items kept was not "
        "met on unseen data; it is the closest of the four first measurements on unseen papers "
        "(fresh7 2 of 40, fresh8 1 of 52, fresh9 5 of 46), at the price of more than half of the "
        "in-sense paper matches. The number was recorded before fresh10's errors were read.",
        "",
        "fresh10 was then read (after the number above was committed). The one kept is 'Multi-"
        "modal Situated Reasoning in 3D Scenes': its abstract's 'more powerful situated "
        "reasoning models' means models that reason about a 3D scene (a vision-language model "
        "trained on the MSQA dataset), not a model that thinks at length before answering; the "
        "finder reads 'reasoning models' inside 'situated reasoning models', as it read 'graph "
        "reasoning LLM' (fresh4) and 'real-world models' (fresh8): a word before the term that "
        "names what is reasoned about makes another compound. Of the 128 in-sense items "
        "dropped, 40 are agents, 34 inference, 19 tokens, 8 alignment, 7 distillation. The "
        "model was not changed after fresh10.",
        "",
        "The eleventh revision, chosen on dev..fresh10 (2,597 judgments, 2,266 reach the "
        "learned contest; every split above is dev now; the next unseen split, fresh11, is "
        "labelled by another session and was not read, counted or scored here), changes the "
        "rules, not the model: (1) the bug behind fresh10's one miss: the tenth revision's "
        "sentence rule (sense.unsupported) was only asked of a risky term whose other senses "
        "the glossary describes, so reasoning model (risky by its labels: 8 of its 13 dev "
        "judgments are other-sense, yet no other sense described) skipped it and was judged "
        'on closeness to its gloss alone ("in: closeness 0.47 to the sense"); sense_word '
        "finds no word of the sense in 'more powerful situated reasoning models', so with the"
        " rule asked of every risky term that item is out. (2) The finder "
        "(understand/jargon.py): a glossary entry marked `qualified` (reasoning model: its "
        "first word names an activity often qualified by what it is about) is not the term "
        "where the word before it makes, with its first word, a phrase the same item uses on "
        "its own as the head of a noun phrase (followed by punctuation, the end, or a "
        "preposition or conjunction: 'Situated Reasoning in 3D Scenes', 'Graph Reasoning in "
        "LLMs', 'Causal Reasoning behind ...'; a function word never qualifies). It "
        "generalises `not_after` without naming the words: over the 9,365 dev texts (demo "
        "store and fresh5..fresh10 papers) it changes 3 matches, all read, all labelled "
        "other-sense ('more powerful situated reasoning models', 'a graph reasoning LLM "
        "called GraphForge', 'a Risk Contagion Causal Reasoning model called RC2R'); 'open', "
        "'new', 'large', 'small', 'generalist' and 'multimodal' reasoning models are "
        "untouched (their items do not use those phrases on their own). The one other term "
        "whose first word is a gerund, scaling laws, has no sense check and is not marked. "
        "(3) An AI model's name joined to the term through 'multi-' is a compound of the "
        "sense ('LLM-based Multi-Agent System', 'Large Language Model-based Multi-Agent "
        "Simulation'): over the dev texts it changes the word sense_word finds in 29 matches,"
        " all read, all LLM-driven agent systems (5 had no word of the sense before). The "
        "shipped model is still the tenth's (trained on dev..fresh9, C 1.0, margin 0.02). "
        "Nested leave-one-split-out check over dev..fresh10 of these rules with that "
        "procedure (`scripts/train_sense.py --nested --C 1.0`), other-sense kept / in-sense "
        "dropped: dev 0 of 54 / 38 of 91, test 0 of 29 / 58 of 93, fresh-dev 0 of 23 / 34 of "
        "61, fresh-test 0 of 17 / 33 of 63, fresh2 0 of 20 / 72 of 144, fresh3 0 of 30 / 62 "
        "of 145, fresh4 0 of 32 / 115 of 208, fresh5 1 of 31 / 51 of 147, fresh6 0 of 33 / "
        "134 of 212, fresh7 0 of 40 / 139 of 238, fresh8 0 of 52 / 126 of 241, fresh9 0 of 46"
        " / 136 of 253, fresh10 0 of 55 / 126 of 239; all dev splits 1 of 462 / 1,124 of "
        "2,135. The target of zero is not met on that check: the one kept is fresh5's 'Do "
        "Large Language Models Perform the Way People Expect? Measuring the Human "
        "Generalization Function' ('LLM alignment' with human beliefs, a compound at p 0.94 "
        "against a compound cut-off of 0.9 chosen without fresh5, whose surest other-sense "
        "compound stood at 0.86): with fresh10 among the training splits the compound "
        "cut-offs fall. Tried on the same check: (1)+(2) alone at C 0.3 (the C the script "
        "chooses out of fold) 1 / 1,107; (1)-(3) at C 0.3 1 / 1,099, with margin 0.03 1 / "
        "1,134, with margin 0.05 0 / 1,250. The last is the only one at zero, and was trained"
        " and measured but not kept: retrained on dev..fresh10 (C 0.3, margin 0.05: risky "
        "terms' cut-offs 0.999 for a paper, 0.995 for a compound) it lowered the todo "
        "benchmark to P@5 0.633 dev / 0.775 test (quant-4bit fell to 0.40), and to 0.650 / "
        "0.796 with the 0.97 compound cut-off of margin 0.02, below the 0.8 guard rail: at C "
        "0.3 the model is less sure, and in-sense papers it put at 0.999 fall below the paper"
        " cut-off ('Fast inference with transformers' over a serving abstract: 0.99x). "
        "Retraining waits for a way to keep the margin without that loss. The in-sense drops "
        "were read by rule (the tenth's rules over dev..fresh10, in sample): 504 in-sense "
        "judgments are dropped by the sentence rule before the contest (156 agents, 136 "
        "inference, 126 tokens, 29 distillation, 22 alignment, 15 diffusion, 10 world model);"
        " 'inference-time', 'during inference' and 'LLM multi-agent' occur only in in-sense "
        "sentences there, but only the last is a compound of the kind the rule reads ((3)); "
        "word lists chosen from the dev drops would not be checked by the nested run, so none"
        " was added. The todo benchmark with this revision: fused core P@5 0.667 dev / 0.806 "
        'test (unchanged); `abreast explain "test-time compute"` still lists the o3 story '
        "first. The table above still shows the tenth revision's model with the tenth's "
        "rules; the lead's next run of this script shows this revision, with fresh11.",
        "",
        "fresh11 (332 judgments, 55 other-sense, 16 terms) is the same digest's papers of "
        "October 2024 (bench/data/word_sense_fresh11_papers.jsonl, 1,137 papers, none in an "
        "earlier file or split or the demo), drawn by bench/word_sense_sample.py --papers (seed"
        " 20261223, then 20261224 --more-after for 25 alignment, 20 inference and 15 agents "
        "pairs, decided before labelling), labelled by reading in another session and committed"
        " (0c5e824, 06:18 UTC) before the eleventh revision was committed (c08e062, 06:43 UTC) "
        "and before any sense model ran on it; the session that wrote the eleventh revision did"
        " not open it. The lead ran this script once on a fresh demo store from main at "
        "5143fd9: that first measurement, in the table above, is the number of record: other-"
        "sense kept 0 of 55, in-sense dropped 130 of 277 (precision of 'in sense' 1.000). This "
        "is the first unseen split on which no other-sense item was kept (first measurements "
        "before it: fresh7 2 of 40, fresh8 1 of 52, fresh9 5 of 46, fresh10 1 of 55). The price"
        " is recall: 47% of the in-sense matches in papers are dropped, and the nested check "
        "over dev..fresh10 still keeps one item (fresh5's 'LLM alignment' with human beliefs), "
        "so a later unseen split can still show a miss. The todo benchmark in the same run: "
        "fused core P@5 0.667 dev / 0.806 test; `abreast todo`'s first run 0.96 s wall. The "
        "number was recorded before fresh11's errors were read.",
        "",
        "fresh11 was then read (after the number above was committed): no other-sense item was "
        "kept. Of the 130 in-sense items dropped, 39 are agents, 30 inference, 23 tokens, 13 "
        "alignment, 8 distillation; 60 by the sentence rule (no word of the sense in a sentence"
        " that uses the term), the rest by the learned contest's cut-offs. The model was not "
        "changed after fresh11.",
        "",
        "The fourth revision is structural, not more cue words: a term is taken in its AI sense "
        "only on positive evidence (a news, lab or community source rather than a paper; a "
        "related word beside the term; the term's compound), and the weaker the evidence the "
        "further the context must lean to the sense. It gives up recall for precision (in-sense "
        "dropped on the earlier splits 139 of 597, was 9); with the cue lists of other-sense "
        "phrases removed, it keeps 6 of the earlier splits' 173 other-sense items, the model "
        "before it 40.",
    ]


def speed(store_path: Path, runs: int = 6, before: str | None = None) -> list[str]:
    """`abreast todo` on the user's draft as a user runs it: a new CLI process each time (Python
    start-up, imports, the store read, the search, the picture), over a copy of the store in a
    fresh home, as right after `abreast demo run` (nothing of an earlier `todo` kept). Wall and CPU
    (user + sys of the child) per run, with the machine's load. With ``before`` (a commit), that
    commit's code is timed too, run for run interleaved with this one's, and the two drafts with
    proposals are compared."""
    import os
    import resource
    import sqlite3
    import subprocess
    import tempfile

    seed = sorted((ROOT.parent / "shared" / "seed").glob("*.txt"))
    if not seed:
        return ["# Speed of `abreast todo`", "", "Not measured: no draft in ../shared/seed."]
    with tempfile.TemporaryDirectory() as tmp:
        srcs = {"this code": ROOT / "src"}
        if before:
            # A commit, or a folder holding a source tree (``src/``) not committed anywhere.
            old = Path(before) / "src" if Path(before).is_dir() else None
            old = old or src_of(before, Path(tmp) / "before")
            srcs = {f"before ({before})": old, **srcs}
        homes, drafts, n_items = {}, {}, 0
        for n, label in enumerate(srcs):
            home = Path(tmp) / f"home{n}"
            home.mkdir()
            src = sqlite3.connect(store_path)
            dst = sqlite3.connect(home / "abreast.db")
            src.backup(dst)  # a consistent copy, write-ahead log included
            n_items = dst.execute("SELECT count(*) FROM items").fetchone()[0]
            src.close()
            dst.close()
            homes[label] = home
            drafts[label] = Path(tmp) / f"draft{n}" / "draft.md"
            drafts[label].parent.mkdir()
            drafts[label].write_text(seed[0].read_text(encoding="utf-8"), encoding="utf-8")
        n_todos = seed[0].read_text(encoding="utf-8").lower().count("<todo>")
        cmd = [sys.executable, "-m", "abreast"]

        def env(label: str) -> dict[str, str]:
            e = {**os.environ, "ABREAST_HOME": str(homes[label]), "PYTHONPATH": str(srcs[label])}
            # An installed package has its bytecode compiled; so do these runs (one warm-up call).
            e.pop("PYTHONDONTWRITEBYTECODE", None)
            return e

        for label in srcs:
            subprocess.run([*cmd, "--help"], env=env(label), check=True, capture_output=True)
        load_before = os.getloadavg()
        results: dict[str, list[tuple[float, float]]] = {label: [] for label in srcs}
        for n in range(runs):
            for label in srcs:  # interleaved: both see the same machine load
                if n == 1:  # the second run: the query vectors of the first are not kept
                    for f in (homes[label] / "cache").glob("query-vectors.sqlite*"):
                        f.unlink()
                t0 = time.perf_counter()
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run(
                    [*cmd, "todo", str(drafts[label])],
                    env=env(label),
                    check=True,
                    capture_output=True,
                )
                wall = time.perf_counter() - t0
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
                results[label].append((wall, cpu))
        load_after = os.getloadavg()
        outputs = {
            label: d.with_name("draft.todo.md").read_text(encoding="utf-8")
            for label, d in drafts.items()
        }
    lines = [
        "# Speed of `abreast todo` (issue 13)",
        "",
        f"`abreast todo` on the user's draft ({n_todos} TODOs, one asking for the Llama family "
        f"tree picture) over a copy of the whole demo store ({n_items} items) in a fresh home, as "
        "right after `abreast demo run`; each run a new CLI process (start-up, imports, store "
        "read, search, picture), bytecode compiled as in an installed package. Machine: "
        f"{os.cpu_count()} cores, load average {load_before[0]:.1f} before and "
        f"{load_after[0]:.1f} after the runs (the machine is shared: wall time stretches with "
        "load, CPU time much less).",
        "",
        "| code | run | wall s | CPU s (user+sys) |",
        "|---|---|---|---|",
    ]
    for label, res in results.items():
        rest = res[2:]
        lines += [
            f"| {label} | first (loads the embedding model, draws the family-tree picture) | "
            f"{res[0][0]:.2f} | {res[0][1]:.2f} |",
            f"| {label} | second, the first run's query vectors removed (loads the model again) | "
            f"{res[1][0]:.2f} | {res[1][1]:.2f} |",
            f"| {label} | next {len(rest)}, median (query vectors kept: no model) | "
            f"{statistics.median(w for w, _ in rest):.2f} | "
            f"{statistics.median(c for _, c in rest):.2f} |",
        ]
    if before:
        same = len(set(outputs.values())) == 1
        lines += [
            "",
            f"The draft with proposals is {'identical' if same else 'DIFFERENT'} before and after.",
        ]
    wall, cpu = results["this code"][0]
    lines += [
        "",
        f"Target: the first run under 2 s. This run: {wall:.2f} s wall, {cpu:.2f} s CPU at load "
        f"{load_before[0]:.1f}: {'met' if wall < 2 else 'not met at this load'}. What a first run "
        "costs (python -X importtime and cProfile of one run): Python with typer, rich and "
        "pydantic ~0.3 s; numpy ~0.1 s; reading the corpus ~0.15 s; the embedding model, read from "
        "wordllama's wheel without importing the package, ~0.1 s; the searches and the word-sense "
        "check ~0.3 s; the family tree as of the draft's date, selected and drawn with Pillow, "
        "~0.15 s. Before this round the tree alone took ~1.2 s (matplotlib: ~0.55 s to import, "
        "~0.65 s to lay out and rasterise ~130 labels) and importing wordllama ~0.2 s; the old "
        "code's later runs reused a picture kept from its first run, the new code keeps nothing "
        "between runs but the query vectors.",
    ]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=str(ROOT / ".demo-home" / "abreast.db"))
    ap.add_argument("--speed-only", action="store_true", help="only time `abreast todo`")
    ap.add_argument(
        "--todo-only",
        action="store_true",
        help="only the todo requests' table (no word-sense table, no timing): a word-sense split "
        "held out for a later measurement is not read",
    )
    ap.add_argument(
        "--before",
        help="also time this commit's code (or a folder's src/), interleaved with this one's",
    )
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from abreast.store import Store

    if not Path(args.store).exists():
        raise SystemExit(f"no store at {args.store}: run `abreast demo run` first.")
    OUT.mkdir(parents=True, exist_ok=True)
    quality: list[str] = []
    if args.todo_only:
        store = Store.open(args.store)
        quality, _ = retrieval(store)
        store.close()
        print("\n".join(quality))
        return
    if not args.speed_only:
        store = Store.open(args.store)
        quality, _ = retrieval(store)
        quality += [""] + word_sense(store)
        (OUT / "retrieval_quality.md").write_text("\n".join(quality) + "\n")
        quality.append("")
        store.close()
    bench = speed(Path(args.store), before=args.before)
    (OUT / "retrieval_bench.md").write_text("\n".join(bench) + "\n")
    print("\n".join(quality + bench))


if __name__ == "__main__":
    main()

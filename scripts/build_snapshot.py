"""Build the bundled demo snapshot (src/abreast/demo/snapshot/) from the recorded data in
../shared/data.

Rerunnable and deterministic: same input files -> byte-identical output (sorted records, gzip mtime
0). Every record is converted from recorded fields only; a field the recording lacks is left out.
See src/abreast/demo/PROVENANCE.md for what each output file holds and where it came from.

    python scripts/build_snapshot.py [--data DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import re
from collections import defaultdict
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "abreast" / "demo" / "snapshot"

# The demo windows plus a margin either side, so a collector asking for "the week before" still
# finds
# the edge of the recording instead of a cliff exactly at the window start.
KEEP_RANGES = [("2023-11-01", "2023-12-31"), ("2024-11-10", "2024-12-31")]
EXCERPT_CHARS = (
    400  # sources without a stated license: short excerpts only (DESIGN.md, "The bundled demo")
)


def in_kept_range(day: str) -> bool:
    return any(lo <= day[:10] <= hi for lo, hi in KEEP_RANGES)


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def day_start_iso(day: str) -> str:
    """'2024-11-18' -> '2024-11-18T00:00:00.000Z' (Algolia's created_at format); time of day
    unknown."""
    return f"{day}T00:00:00.000Z"


def day_start_epoch(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Cut plain text at a word boundary, marking the cut with an ellipsis."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


# ---------------------------------------------------------------- Hacker News (Algolia hit objects)


def hn_hits(data: Path) -> list[dict]:
    hits = []
    for row in read_jsonl(
        data / "hn-daily-top30-2024-12" / "hn_daily_top30_2024-11-18_2024-12-22.jsonl"
    ):
        hit = {
            "objectID": str(row["hn_id"]),
            "title": row["title"],
            "created_at": day_start_iso(row["date"]),
            "created_at_i": day_start_epoch(row["date"]),
            "points": row["points"],
            "story_id": row["hn_id"],
            # The daily top-30 issue is a front-page record of that day.
            "_tags": hn_tags(row["title"], row["hn_id"], front_page=True),
        }
        if row.get("comments") is not None:
            hit["num_comments"] = row["comments"]
        # Ask/Launch HN rows carry the HN item page as url; real Algolia/Firebase have no url for
        # them.
        if not _is_hn_item_url(row["url"], row["hn_id"]):
            hit["url"] = _undo_togithub(row["url"], row.get("domain"))
        hits.append(hit)
    for row in read_jsonl(data / "hn-signalkite-2023-12-04_05" / "hn_stories_2023-12-04_05.jsonl"):
        hit = {
            "objectID": str(row["hn_id"]),
            "title": row["title_rewritten_by_llm"],  # the only title recorded; see PROVENANCE.md
            "created_at": day_start_iso(row["date"]),
            "created_at_i": day_start_epoch(row["date"]),
            "story_id": row["hn_id"],
            "_tags": hn_tags(row["title_rewritten_by_llm"], row["hn_id"], front_page=False),
        }
        if row.get("url") and not _is_hn_item_url(row["url"], row["hn_id"]):
            hit["url"] = row["url"]
        hits.append(hit)
    hits += hnrss_frontpage_ai_hits()
    unique = {h["objectID"]: h for h in hits}  # each id is recorded once; dict guards the contract
    return sorted(unique.values(), key=lambda h: (-h["created_at_i"], -int(h["objectID"])))


# Front-page stories of 2023-12-04 .. 12-10 whose title names AI (transcribed rows, see
# scripts/recorded/hn-frontpage-ai-2023-12-04_10/SOURCE.md). The filter is applied again here so the
# rule is checkable: every shipped row matches it.
HNRSS_2023 = ROOT / "scripts" / "recorded" / "hn-frontpage-ai-2023-12-04_10"
AI_UPPER = re.compile(r"(?<![\w.])(AI|A\.I\.)(?![\w])")
AI_TERMS = re.compile(
    r"\b(LLMs?|GPT(-\d)?|ChatGPT|OpenAI|Gemini|DeepMind|Mistral|Mixtral|Llama|Anthropic|Claude|MLX|"
    r"StableLM|language models?|neural|machine learning|transformers?|diffusion|copilot\w*|"
    r"chatbots?|AGI|Hugging Face|Bard|Grok|Midjourney|MoE|mixture-of-experts)\b",
    re.IGNORECASE,
)


def names_ai(title: str) -> bool:
    return bool(AI_UPPER.search(title) or AI_TERMS.search(title))


def hnrss_frontpage_ai_hits() -> list[dict]:
    hits = []
    for row in read_jsonl(HNRSS_2023 / "hn_frontpage_ai_2023-12-04_10.jsonl"):
        if not names_ai(row["title"]):
            raise SystemExit(f"{row['hn_id']}: title does not name AI: {row['title']!r}")
        created = datetime.fromisoformat(row["date_published"]).astimezone(UTC)
        hit = {
            "objectID": str(row["hn_id"]),
            "title": row["title"],
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "created_at_i": int(created.timestamp()),
            "story_id": row["hn_id"],
            "_tags": hn_tags(row["title"], row["hn_id"], front_page=True),
        }
        if row["points"] is not None:
            hit["points"] = row["points"]
        if row["comments"] is not None:
            hit["num_comments"] = row["comments"]
        if row["url"]:
            hit["url"] = row["url"]
        hits.append(hit)
    return hits


def hn_tags(title: str, hn_id: int, front_page: bool) -> list[str]:
    """Algolia's _tags: the item type, ask_hn/show_hn from the title prefix (as Algolia derives
    them)."""
    tags = ["story", f"story_{hn_id}"]
    if title.startswith("Ask HN:"):
        tags.append("ask_hn")
    if title.startswith("Show HN:"):
        tags.append("show_hn")
    if front_page:
        tags.append("front_page")
    return tags


def _undo_togithub(url: str, domain: str | None) -> str:
    """The archive routes GitHub links through its togithub.com redirector (so repos are not
    pinged); its own `domain` field records the real host, github.com, which is what HN linked
    to."""
    if domain == "github.com" and url.startswith("https://togithub.com/"):
        return "https://github.com/" + url[len("https://togithub.com/") :]
    return url


def _is_hn_item_url(url: str, hn_id: int) -> bool:
    return bool(re.match(rf"https?://news\.ycombinator\.com/item\?id={hn_id}$", url or ""))


# ---------------------------------------------------------------- arXiv (entry records, rendered as
# Atom)


ARXIV_LATER = ROOT / "scripts" / "recorded" / "arxiv-abstracts-2024-12-23_31"
# Abstracts of a few top-story papers that the listings hold by title only, each copied from a named
# copy (a stored arXiv page, a digest repository) and checked against a second (that folder's
# SOURCE.md). Targeted, not a bulk set: a bulk set once moved retrieval.
ARXIV_TOP = ROOT / "scripts" / "recorded" / "arxiv-abstracts-top-stories"


def arxiv_entries(data: Path) -> tuple[list[dict], dict]:
    listing: dict[str, dict] = {}
    for name in (
        "arxiv-nlp-llm-listing-2023-11-12/arxiv_nlp_llm_2023-11_2023-12.jsonl",
        "arxiv-nlp-llm-listing-2024-11-12/arxiv_nlp_llm_2024-11-18_2024-12-22.jsonl",
    ):
        for row in read_jsonl(data / name):
            if in_kept_range(row["date"]):
                listing[row["arxiv_id"]] = row
    abstracts: dict[str, list[dict]] = defaultdict(list)
    path = data / "arxiv-abstracts-cs-cl-ai-ir-2024-12-18_20"
    for row in read_jsonl(path / "arxiv_cs_CL_AI_IR_with_abstracts_2024-12-18_2024-12-20.jsonl"):
        abstracts[row["arxiv_id"]].append(row)

    # The same source's later listing days (2024-12-23 .. 31) hold the abstracts of window papers
    # announced after the window (scripts/recorded/arxiv-abstracts-2024-12-23_31/SOURCE.md): used
    # only for papers of the listing, never as new entries.
    later: dict[str, list[dict]] = defaultdict(list)
    for row in read_jsonl(ARXIV_LATER / "arxiv_abstracts_2024-12-23_31.jsonl"):
        later[row["arxiv_id"]].append(row)

    top = {
        row["arxiv_id"]: row for row in read_jsonl(ARXIV_TOP / "arxiv_abstracts_top_stories.jsonl")
    }

    entries, stats = [], defaultdict(int)
    for arxiv_id, row in listing.items():
        entry = _entry_from_listing(arxiv_id, row)
        if arxiv_id in abstracts:
            _merge_abstract(entry, abstracts[arxiv_id])
            stats["listing+abstract"] += 1
        elif arxiv_id in later:
            _merge_abstract(entry, later[arxiv_id])
            stats["listing+abstract listed 12-23..31"] += 1
        elif arxiv_id in top:
            # The copies name no arXiv list, so no category is invented; authors only where the
            # copy lists them all (else the listing's first author stays, marked incomplete).
            entry["summary"] = top[arxiv_id]["abstract"]
            if top[arxiv_id].get("authors"):
                entry["authors"] = [a.strip() for a in top[arxiv_id]["authors"].split(",")]
                entry.pop("authors_complete", None)
            stats["listing+abstract of top stories"] += 1
        else:
            stats["listing only"] += 1
        entries.append(entry)
    for arxiv_id, rows in abstracts.items():
        if arxiv_id in listing:
            continue
        first = min(rows, key=lambda r: r["listing_date"])
        # Old ids in a December listing are replacements/cross-lists of papers from other years;
        # their
        # submission date is not recorded, so they are left out rather than dated wrongly.
        if not arxiv_id.startswith(first["listing_date"][2:4] + first["listing_date"][5:7]):
            stats["abstract only, old id, skipped"] += 1
            continue
        entry = {
            "id": arxiv_id,
            "title": first["title"],
            "published": first["listing_date"] + "T00:00:00Z",
            "published_is_listing_date": True,
        }
        _merge_abstract(entry, rows)
        entries.append(entry)
        stats["abstract only"] += 1
    entries.sort(key=lambda e: (e["published"], e["id"]), reverse=True)
    return entries, dict(stats)


def _entry_from_listing(arxiv_id: str, row: dict) -> dict:
    version = re.search(r"v(\d+)$", row["paper_url"])
    entry = {"id": arxiv_id, "title": row["title"], "published": row["date"] + "T00:00:00Z"}
    if version:
        entry["version"] = int(version.group(1))
        if entry["version"] == 1:  # arXiv's <updated> equals <published> until a v2 exists
            entry["updated"] = entry["published"]
    first_author = re.sub(r"\s*et\.?\s*al\.?$", "", row.get("first_author_et_al") or "").strip()
    if first_author:
        entry["authors"] = [first_author]
        entry["authors_complete"] = False
    return entry


def _merge_abstract(entry: dict, rows: list[dict]) -> None:
    row = rows[0]
    entry["summary"] = row["abstract"]
    entry["authors"] = [a.strip() for a in row["authors"].split(",") if a.strip()]
    entry.pop("authors_complete", None)
    entry["categories"] = sorted({c for r in rows for c in r["listing_subjects"]})


# ---------------------------------------------------------------- Reddit (t3 data objects)


def reddit_posts(data: Path) -> list[dict]:
    posts: dict[str, dict] = {}
    path = data / "reddit-via-ainews-2024-12" / "reddit_ai_posts_2024-11-15_2024-12-23.jsonl"
    for row in read_jsonl(path):
        if row["post_id"] in posts:
            continue  # listed by two AINews issues: keep the first (earliest) observation
        permalink = re.sub(r"^https?://(www\.)?reddit\.com", "", row["permalink"])
        post = {
            "id": row["post_id"],
            "name": f"t3_{row['post_id']}",
            "subreddit": row["subreddit"],
            "title": row["title"],
            "permalink": permalink,
            "url": row["link_url"] or f"https://www.reddit.com{permalink}",
            "is_self": row["link_url"] is None,
            "score": row["score"],
            "num_comments": row["num_comments"],
            # Not a Reddit field: the recording's own observation time (when the AINews issue that
            # listed the post was sent). created_utc is not recorded; this dates only the week.
            "first_seen_utc": int(datetime.fromisoformat(row["ainews_sent_utc"]).timestamp()),
        }
        posts[post["id"]] = post
    path = data / "reddit-localllama-archive" / "localllama_posts_2023-12_to_2025-08-08.jsonl"
    for row in read_jsonl(path):
        if not in_kept_range(row["created_iso"]):
            continue
        post = {
            k: row[k]
            for k in (
                "id",
                "name",
                "subreddit",
                "title",
                "author",
                "created_utc",
                "score",
                "upvote_ratio",
                "num_comments",
                "url",
                "permalink",
                "domain",
                "link_flair_text",
                "is_self",
                "over_18",
                "stickied",
            )
            if k in row
        }
        # The archive stored Reddit's legacy HTML-escaped strings (no raw_json=1); store them raw,
        # the
        # replay server escapes them again unless the client asks for raw_json=1, as Reddit does.
        for key in ("title", "url"):
            if post.get(key):
                post[key] = html.unescape(post[key])
        if row.get("selftext"):
            post["selftext"] = excerpt(html.unescape(row["selftext"]))
        posts[post["id"]] = post  # the archive's full post object wins over the AINews line
    # Reddit ids are base36 and increase with time, so id order is /new order.
    return sorted(posts.values(), key=lambda p: int(p["id"], 36), reverse=True)


# ---------------------------------------------------------------- Reddit comment trees

LOCALLLAMA_COMMIT = "13e832a4fadc38d511727eb5d98aa27ec87d92e8"
DEFAULT_LOCALLLAMA_GIT = Path("/work/.mirror/maifeeulasad+LocalLLaMA/repo")
THREAD_COMMENTS = 200  # what abreast asks Reddit for (limit=200): the first 200 in thread order
COMMENT_FIELDS = ("id", "name", "author", "score", "created_utc", "parent_id", "depth", "permalink")


def reddit_threads(posts: list[dict], git_dir: Path) -> list[list] | None:
    """The recorded comment trees (`/comments/<id>.json` answers) of the posts that have one:
    [post listing, comment listing] per post, each comment cut to the fields abreast reads and its
    body to an excerpt (Reddit users' content, no license stated). None when the archive's git
    mirror is not on this machine (the build then keeps the snapshot's existing file)."""
    import subprocess

    if not (git_dir / "HEAD").exists() and not (git_dir / ".git").exists():
        return None
    threads = []
    for post in posts:
        if "created_utc" not in post:
            continue  # only the archive's full records have a dump
        shown = subprocess.run(
            [
                "git",
                "-C",
                str(git_dir),
                "show",
                f"{LOCALLLAMA_COMMIT}:src/dump/{post['id']}/index.json",
            ],
            capture_output=True,
            check=False,
        )
        if shown.returncode != 0:
            continue
        raw = json.loads(shown.stdout)
        kept = [0]
        comments = _trim_listing(raw[1], kept)
        head = raw[0]["data"]["children"][0]["data"]
        post_obj = {
            k: head[k]
            for k in ("id", "name", "subreddit", "title", "permalink", "num_comments")
            if k in head
        }
        post_obj["title"] = html.unescape(post_obj["title"])
        threads.append(
            [
                {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": post_obj}]}},
                comments,
            ]
        )
    return sorted(threads, key=lambda t: t[0]["data"]["children"][0]["data"]["id"])


def _trim_listing(listing, kept: list[int]) -> dict | str:
    if not isinstance(listing, dict):
        return ""
    children = []
    for child in listing.get("data", {}).get("children", []):
        if child.get("kind") != "t1" or kept[0] >= THREAD_COMMENTS:
            continue  # "more" stubs are not followed by abreast
        d = child["data"]
        kept[0] += 1
        obj = {k: d[k] for k in COMMENT_FIELDS if k in d}
        obj["body"] = excerpt(html.unescape(d.get("body") or ""))
        obj["replies"] = _trim_listing(d.get("replies"), kept)
        children.append({"kind": "t1", "data": obj})
    return {"kind": "Listing", "data": {"children": children}}


# ---------------------------------------------------------------- Hugging Face (model objects)


def hf_models(data: Path) -> list[dict]:
    path = (
        data
        / "open-llm-leaderboard-v2-2024-12-22"
        / "models_submitted_or_uploaded_2024-11-18_2024-12-22.jsonl"
    )
    rows: dict[str, list[dict]] = defaultdict(list)
    for row in read_jsonl(path):
        rows[row["model_name"]].append(row)
    models = [_model_object(repo_id, versions) for repo_id, versions in rows.items()]
    return sorted(models, key=lambda m: m["id"])


def _model_object(repo_id: str, versions: list[dict]) -> dict:
    latest = max(versions, key=lambda r: r["submission_date"] or "")
    uploaded = sorted(r["upload_date"] for r in versions if r["upload_date"])
    # The hub's own "_id", downloads, trendingScore and lastModified are not recorded: left out.
    model: dict = {"id": repo_id, "modelId": repo_id, "author": repo_id.split("/")[0]}
    if latest["hub_hearts"] is not None:
        model["likes"] = latest["hub_hearts"]
    if uploaded:
        model["createdAt"] = uploaded[0] + "T00:00:00.000Z"
    else:
        # Not a Hub field: the recording's observation time (the day the leaderboard first listed
        # the model). The upload date is not recorded; this dates only the item's week.
        model["firstSeenAt"] = min(r["submission_date"] for r in versions) + "T00:00:00.000Z"
    if latest["model_sha"]:
        model["sha"] = latest["model_sha"]
    tags, card = [], {}
    if latest["is_merged"]:
        tags.append("merge")
    if latest["is_moe"]:
        tags.append("moe")
    base = _base_model(repo_id, latest["base_model"])
    if base:
        tags.append(f"base_model:{base}")
        card["base_model"] = base
        # The Hub states an adapter's relation as a `base_model:adapter:<id>` tag; the leaderboard
        # records
        # the same fact as weight_type "Adapter" (it reads it from the Hub).
        if latest.get("weight_type") == "Adapter":
            tags.append(f"base_model:adapter:{base}")
    if latest["hub_license"]:
        tags.append(f"license:{latest['hub_license']}")
        card["license"] = latest["hub_license"]
    model["tags"] = tags
    if card:
        model["cardData"] = card
    if latest["architecture"]:
        model["config"] = {"architectures": [latest["architecture"]]}
    return model


def _base_model(repo_id: str, recorded: str | None) -> str | None:
    """The leaderboard's base_model, minus its noise: 'Removed', the model itself, ' (Merge)'
    suffix."""
    if not recorded or recorded == "Removed":
        return None
    base = re.sub(r"\s*\(Merge\)$", "", recorded).strip()
    if base == repo_id or "/" not in base:
        return None
    return base


# ---------------------------------------------------------------- feeds (text-level cuts of
# recorded XML)

RSS_ITEM = re.compile(r"(\s*)(<item>.*?</item>)", re.S)
ATOM_ENTRY = re.compile(r"(\s*)(<entry>.*?</entry>)", re.S)


def cut_rss(doc: str, transform=None) -> tuple[str, int]:
    """Keep the channel header/footer verbatim and the <item>s dated in KEEP_RANGES."""
    return _cut(doc, RSS_ITEM, _rss_item_day, transform)


def cut_atom(doc: str) -> tuple[str, int]:
    return _cut(doc, ATOM_ENTRY, _atom_entry_day, None)


def _cut(doc: str, pattern: re.Pattern, day_of, transform) -> tuple[str, int]:
    blocks = list(pattern.finditer(doc))
    if not blocks:
        return doc, 0
    kept = [
        m.group(1) + (transform(m.group(2)) if transform else m.group(2))
        for m in blocks
        if in_kept_range(day_of(m.group(2)))
    ]
    return doc[: blocks[0].start()] + "".join(kept) + doc[blocks[-1].end() :], len(kept)


def _rss_item_day(item: str) -> str:
    raw = re.search(r"<pubDate>(.*?)</pubDate>", item, re.S).group(1).strip()
    return parsedate_to_datetime(raw).astimezone(UTC).date().isoformat()


def _atom_entry_day(entry: str) -> str:
    raw = re.search(r"<(?:published|updated)>(.*?)</", entry, re.S).group(1).strip()
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC).date().isoformat()


def shorten_content_encoded(item: str) -> str:
    """Simon Willison's newsletter states no license: keep excerpts only. An issue is a digest of
    many posts, links and quotes, so the excerpt is per section: the issue's opening, then each
    section's own start (its heading or link line as sent, ~400 characters of its words, and its
    closing attribution line when it has one), in order."""

    def repl(m: re.Match) -> str:
        return f"<content:encoded><![CDATA[{excerpt_digest(m.group(1))}]]></content:encoded>"

    return re.sub(
        r"<content:encoded><!\[CDATA\[(.*?)\]\]></content:encoded>", repl, item, flags=re.S
    )


def excerpt_digest(content: str) -> str:
    from lxml import html as lxml_html

    from abreast.collect.newsletter import chunks, parse_section

    parts = []
    for i, chunk in enumerate(chunks(content)):
        if i > 0 and parse_section(chunk, None) is None:
            continue  # not a section (subscribe box, footer): dropped
        elements = lxml_html.fragments_fromstring(chunk)
        kept, used = [], 0
        for n, el in enumerate(elements):
            if isinstance(el, str):
                continue
            text = " ".join(el.text_content().split())
            last = n == len(elements) - 1
            if used + len(text) <= EXCERPT_CHARS or (last and len(text) <= 120 and kept):
                kept.append(lxml_html.tostring(el, encoding="unicode"))
                used += len(text)
                continue
            room = max(EXCERPT_CHARS - used, 120)
            kept.append(f"<p>{escape(excerpt(text, room))}</p>")
            tail = elements[-1]
            if not last and not isinstance(tail, str) and len(tail.text_content()) <= 120:
                kept.append(lxml_html.tostring(tail, encoding="unicode"))  # who is quoted
            break
        parts.append("".join(kept))
    return "<hr />".join(p for p in parts if p)


def merge_rss(newer: str, older: str) -> str:
    """Items of an older copy of the same feed appended after the newer copy's items (newest
    first)."""
    older_items = "".join(m.group(0) for m in RSS_ITEM.finditer(older))
    last = list(RSS_ITEM.finditer(newer))[-1]
    return newer[: last.end()] + older_items + newer[last.end() :]


def rss_document(title: str, link: str, description: str, items: list[str]) -> str:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{escape(title)}</title>\n<link>{escape(link)}</link>\n"
        f"<description>{escape(description)}</description>\n"
    )
    return head + "".join(items) + "</channel>\n</rss>\n"


def rss_item(
    title: str,
    link: str,
    day: str,
    description: str | None = None,
    creator: str | None = None,
    categories: tuple = (),
) -> str:
    pub = format_datetime(
        datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC), usegmt=True
    )
    parts = [
        f"<title>{escape(title)}</title>",
        f"<link>{escape(link)}</link>",
        f'<guid isPermaLink="true">{escape(link)}</guid>',
        f"<pubDate>{pub}</pubDate>",
    ]
    if description:
        parts.append(f"<description>{escape(description)}</description>")
    if creator:
        parts.append(f"<dc:creator>{escape(creator)}</dc:creator>")
    parts += [f"<category>{escape(c)}</category>" for c in categories]
    return "<item>" + "".join(parts) + "</item>\n"


def hf_blog_feed(data: Path) -> tuple[str, int]:
    rows = read_jsonl(data / "hf-blog-index-2024-12" / "hf_blog_2024-11-18_2024-12-22.jsonl")
    rows = sorted(
        (r for r in rows if in_kept_range(r["date"])),
        key=lambda r: (r["date"], -r["yml_order"]),
        reverse=True,
    )
    items = [
        rss_item(r["title"], r["url"], r["date"], creator=r["author"], categories=tuple(r["tags"]))
        for r in rows
    ]
    doc = rss_document(
        "Hugging Face - Blog",
        "https://huggingface.co/blog",
        "Replay feed built from the huggingface/blog post index (_blog.yml)",
        items,
    )
    return doc, len(items)


def paper_daily_feed(data: Path) -> tuple[str, int]:
    rows = read_jsonl(
        data / "llm-paper-daily-2023-11-12" / "llm_paper_daily_2023-11-01_2023-12-28.jsonl"
    )
    rows = [r for r in rows if in_kept_range(r["date"])]
    rows.sort(key=lambda r: (r["date"], r["arxiv_url"] or ""), reverse=True)
    items = [
        rss_item(
            r["title"],
            r["arxiv_url"],
            r["date"],
            description=excerpt(r["summary"], 600) if r["summary"] else None,
        )
        for r in rows
        if r["arxiv_url"]
    ]
    doc = rss_document(
        "llm-paper-daily",
        "https://github.com/xianshang33/llm-paper-daily",
        "Replay feed built from the README_en.md daily table of xianshang33/llm-paper-daily",
        items,
    )
    return doc, len(items)


def feeds(data: Path) -> dict[str, tuple[str, int]]:
    def read(rel: str) -> str:
        return (data / rel).read_text(encoding="utf-8")

    simon_new, _ = cut_rss(
        read("rss-simonwillison-newsletter-2024-12/simonw_substack_2024-11-18_2024-12-22.xml"),
        shorten_content_encoded,
    )
    simon_old, _ = cut_rss(
        read("rss-simonwillison-newsletter/simonw_substack_2023-10-01_2023-12-23.xml"),
        shorten_content_encoded,
    )
    simon = merge_rss(simon_new, simon_old)
    return {
        "openai-news.rss.xml": cut_rss(
            read("rss-openai-news/openai_news_full_snapshot_2025-07-28.xml")
        ),
        "deepmind-blog.rss.xml": cut_rss(
            read("rss-deepmind-blog/deepmind_blog_full_snapshot_2025-07-26.xml")
        ),
        "anthropic-news.atom.xml": cut_atom(
            read(
                "atom-anthropic-deepseek-news-2024-12/anthropic_news_2024-11-18_2024-12-22.atom.xml"
            )
        ),
        "deepseek-news.atom.xml": cut_atom(
            read(
                "atom-anthropic-deepseek-news-2024-12/deepseek_news_2024-11-18_2024-12-22.atom.xml"
            )
        ),
        "simonw-newsletter.rss.xml": (simon, len(RSS_ITEM.findall(simon))),
        "hf-blog.rss.xml": hf_blog_feed(data),
        "llm-paper-daily.rss.xml": paper_daily_feed(data),
    }


# ---------------------------------------------------------------- article pages (at their own URL)

# Recorded article texts the reading stage reads at the article's own URL (see each folder's
# SOURCE.md). Each row's markdown is rendered to a minimal HTML document: not the site's markup.
PAGES = [
    ROOT / "scripts" / "recorded" / "hf-blog-openings-2024-12" / "hf_blog_openings_2024-12.jsonl",
    ROOT / "scripts" / "recorded" / "deepmind-gemini-2023-12" / "deepmind_gemini_2023-12-06.jsonl",
    ROOT
    / "scripts"
    / "recorded"
    / "openai-index-openings-2024-12"
    / "openai_index_openings_2024-12.jsonl",
    ROOT / "scripts" / "recorded" / "arcprize-o3-2024-12" / "arcprize_o3_2024-12-20.jsonl",
    ROOT
    / "scripts"
    / "recorded"
    / "anthropic-openings-2024-12"
    / "anthropic_openings_2024-12.jsonl",
]
# openai.com's links carry a visually hidden "(opens in a new window)" for screen readers; a copy
# converted to markdown keeps it inside the link text. It is markup, not the post's prose, so the
# rendered page leaves it out (scripts/recorded/openai-index-openings-2024-12/SOURCE.md).
SCREEN_READER_LABEL = re.compile(r"\s*\(opens in a new window\)")


def article_pages() -> list[dict]:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    pages = []
    for path in PAGES:
        for row in read_jsonl(path):
            title = html.escape(row["title"])
            body = md.render(SCREEN_READER_LABEL.sub("", row["markdown"]))
            doc = (
                '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
                f"<title>{title}</title></head>\n<body><article>\n<h1>{title}</h1>\n{body}"
                "</article></body></html>\n"
            )
            # A repository file (repo/path@commit), or a stored copy of a page (its address).
            origin = row.get("origin_url") or f"{row['repo']}/{row['path']}@{row['commit']}"
            pages.append({"url": row["url"], "html": doc, "origin": origin})
    pages.sort(key=lambda p: p["url"])
    return pages


# ---------------------------------------------------------------- writing


def write_gz(path: Path, payload: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(payload)
    return hashlib.sha256(payload).hexdigest()


def dump_json(records) -> bytes:
    return (json.dumps(records, ensure_ascii=False, sort_keys=True, indent=0) + "\n").encode(
        "utf-8"
    )


def build(data: Path, out: Path, localllama_git: Path = DEFAULT_LOCALLLAMA_GIT) -> dict:
    files: dict[str, dict] = {}

    def put(rel: str, payload: bytes, count: int, **extra) -> None:
        files[rel] = {
            "records": count,
            "sha256": write_gz(out / rel, payload),
            "bytes": len(payload),
            **extra,
        }

    hits = hn_hits(data)
    put("hn/hits.json.gz", dump_json(hits), len(hits))
    entries, stats = arxiv_entries(data)
    put("arxiv/entries.json.gz", dump_json(entries), len(entries), breakdown=stats)
    posts = reddit_posts(data)
    put("reddit/posts.json.gz", dump_json(posts), len(posts))
    threads = reddit_threads(posts, localllama_git)
    if threads is None:
        old = DEFAULT_OUT / "reddit" / "comments.json.gz"  # the committed copy
        threads = json.loads(gzip.decompress(old.read_bytes())) if old.exists() else []
        print(f"note: {localllama_git} not found; kept the recorded comment trees as they are")
    put("reddit/comments.json.gz", dump_json(threads), len(threads))
    models = hf_models(data)
    put("hf/models.json.gz", dump_json(models), len(models))
    for name, (doc, count) in feeds(data).items():
        put(f"feeds/{name}.gz", doc.encode("utf-8"), count)
    pages = article_pages()
    put("pages/pages.json.gz", dump_json(pages), len(pages))
    for stale in out.rglob("*.gz"):
        if stale.relative_to(out).as_posix() not in files:
            stale.unlink()
    manifest = {"keep_ranges": KEEP_RANGES, "files": files}
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="the recorded data (../shared/data)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="the snapshot folder to (re)write"
    )
    parser.add_argument(
        "--localllama-git",
        type=Path,
        default=DEFAULT_LOCALLLAMA_GIT,
        help="a git clone of maifeeulasad/LocalLLaMA (the Reddit comment trees)",
    )
    args = parser.parse_args()
    manifest = build(args.data, args.out, args.localllama_git)
    total = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    for rel, info in manifest["files"].items():
        print(f"{rel:40} {info['records']:6} records  {info['bytes']:9,} bytes uncompressed")
    print(f"snapshot on disk: {total:,} bytes in {args.out}")


if __name__ == "__main__":
    main()

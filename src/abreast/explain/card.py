"""The story card: what happened, what people say, the terms, the context, and the sources.

One plain data structure built once per story and rendered by thin renderers (``card_render``) for
`abreast story`, the web story page and the draft's story sections, so the three cannot drift apart
(issue 12). Everything on a card comes from the store and links to where it came from:

- *What happened*: verbatim sentences of the primary source's text (``extractive.happened``), each
  citing its source; never the headline; when none, what the link is and the link ("Only the
  headline is here; open the page: GitHub", "An image post with nothing to quote; see it").
- *What people say*: verbatim comments of the story's Hacker News and Reddit threads, chosen for
  substance (``discussion.pick_comments``), each with its author and permalink.
- *Terms*: glossary entries for the jargon the story uses.
- *Context*: the models it names, from the landscape registry, and the earlier stories it continues.
- *Sources*: one line per article, named as people say them ("Anthropic", not "anthropic-news"),
  with the discussions of it (HN item page, Reddit thread) next to it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..types import Member, Story
from ..understand.urls import media_kind, reader_url
from .extractive import happened, quoted_at
from .summary import is_safe_url

NO_TEXT = "no article text yet"
MAX_TERMS = 5
MAX_MODELS = 4
# registry stamp -> its mention index (one entry: the registry this process reads now)
_MENTION_INDEX: dict[tuple[Any, ...], Any] = {}

# Hosts people name by their owner. The key is a host suffix; the first matching one wins, so the
# more specific ("huggingface.co/blog") come first.
PUBLISHERS = [
    ("huggingface.co/blog", "Hugging Face blog"),
    ("huggingface.co/papers", "Hugging Face papers"),
    ("huggingface.co", "Hugging Face"),
    ("openai.com", "OpenAI"),
    ("anthropic.com", "Anthropic"),
    ("deepmind.google", "Google DeepMind"),
    ("deepmind.com", "Google DeepMind"),
    ("blog.google", "Google"),
    ("research.google", "Google Research"),
    ("ai.meta.com", "Meta AI"),
    ("about.fb.com", "Meta"),
    ("mistral.ai", "Mistral AI"),
    ("deepseek.com", "DeepSeek"),
    ("x.ai", "xAI"),
    ("microsoft.com", "Microsoft"),
    ("nvidia.com", "NVIDIA"),
    ("apple.com", "Apple"),
    ("github.blog", "GitHub blog"),
    ("github.com", "GitHub"),
    ("arxiv.org", "arXiv"),
    ("simonwillison.net", "Simon Willison"),
    ("simonw.substack.com", "Simon Willison"),
    ("arcprize.org", "ARC Prize"),
    ("youtube.com", "YouTube"),
    ("x.com", "X"),
    ("twitter.com", "X"),
    ("nytimes.com", "The New York Times"),
    ("theverge.com", "The Verge"),
    ("techcrunch.com", "TechCrunch"),
    ("arstechnica.com", "Ars Technica"),
    ("bloomberg.com", "Bloomberg"),
    ("reuters.com", "Reuters"),
    ("wsj.com", "The Wall Street Journal"),
    ("ft.com", "Financial Times"),
    ("theinformation.com", "The Information"),
    ("reddit.com", "Reddit"),
    ("redd.it", "Reddit"),
]


@dataclass
class Link:
    label: str  # who published it, as people say it: "Anthropic", "Hacker News discussion"
    url: str
    title: str = ""
    meta: str = ""  # "470 points · 272 comments"


@dataclass
class Source:
    """One article of the story, with the discussions that link to it."""

    n: int  # the number sentences cite
    article: Link
    discussions: list[Link] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # item keys merged into this source


@dataclass
class Said:
    """What happened, one sentence: verbatim from source ``cite``."""

    text: str
    cite: int
    url: str | None
    source: str  # the cited source's label


@dataclass
class Quote:
    """What people say: one verbatim comment."""

    author: str
    text: str
    url: str  # permalink
    where: str  # "Hacker News", "r/LocalLLaMA"
    score: int | None = None


@dataclass
class Term:
    term: str
    definition: str
    url: str | None = None


@dataclass
class ModelFacts:
    name: str
    org: str | None
    weights: str  # "open weights, apache-2.0 license" | "weights: not in our data"
    size: str | None  # "70B parameters"
    parent: str | None  # "fine-tune of Llama 3.1 70B"
    id: str = ""


@dataclass
class Earlier:
    id: str
    week: str
    title: str
    url: str | None = None  # its lead article, what the draft links (the web links the story page)


@dataclass
class StoryCard:
    id: str
    week: str
    rank: int | None
    title: str
    is_new: bool
    happened: list[Said]
    happened_note: str  # why "What happened" has fewer than two sentences; "" when it has enough
    sources: list[Source]
    comments: list[Quote] = field(default_factory=list)
    comments_note: str = ""
    terms: list[Term] = field(default_factory=list)
    models: list[ModelFacts] = field(default_factory=list)
    earlier: list[Earlier] = field(default_factory=list)

    @property
    def primary(self) -> Source | None:
        return self.sources[0] if self.sources else None

    def links(self) -> list[str]:
        """Every URL the card shows, in order: what renderers must all carry."""
        out = [s.url for s in self.happened if s.url]
        for src in self.sources:
            out.append(src.article.url)
            out += [d.url for d in src.discussions]
        out += [c.url for c in self.comments]
        return list(dict.fromkeys(out))


# --- naming sources -------------------------------------------------------------------------------


def host_of(url: str | None) -> str:
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return ""
    return (parts.hostname or "").removeprefix("www.") + (parts.path or "")


def publisher(url: str | None, fallback: str = "") -> str:
    """The name people give whoever published ``url``: a known owner, else the bare host."""
    where = host_of(url)
    host = where.split("/", 1)[0]
    sub = re.match(r"(?:[\w-]+\.)?reddit\.com/r/([A-Za-z0-9_]{2,21})/", where)
    if sub:  # a thread an HN post links: its subreddit ("r/sanfrancisco"), as for Reddit's own
        return f"r/{sub.group(1)}"
    for suffix, name in PUBLISHERS:
        if "/" in suffix:
            if where.startswith(suffix):
                return name
        elif host == suffix or host.endswith("." + suffix):
            return name
    return host or fallback


def source_label(m: Member) -> str:
    """Where an item itself was published, as people say it ("Hacker News", "r/LocalLLaMA",
    "Anthropic"), never the internal source id ("anthropic-news")."""
    if m.kind in FIXED_KINDS:
        return FIXED_KINDS[m.kind]
    if m.kind == "reddit":
        return subreddit_label(m)
    words = words_of(m)
    if words:  # a newsletter's section is the newsletter's, not the linked page's publisher's
        return author_of(words)
    return publisher(m.url, m.extra.get("feed") or m.source)


FIXED_KINDS = {"hn": "Hacker News", "arxiv": "arXiv", "hf": "Hugging Face"}


def source_display(
    kind: str, name: str, config: dict | None = None, item_urls: Sequence[str] = ()
) -> str:
    """A configured source as people say it ("Hacker News", "r/LocalLLaMA", "OpenAI"), for lists
    and filters that name sources rather than items; the rule ``source_label`` follows for items.
    A feed is named by who publishes what it links to (``item_urls``: its recent items), since its
    own address may be a mirror or a scraper, but only when nearly all of them have that one known
    publisher: a newsletter linking everywhere keeps the source's name."""
    if kind in FIXED_KINDS:
        return FIXED_KINDS[kind]
    if kind == "reddit":
        sub = (config or {}).get("subreddit")
        return f"r/{sub}" if sub else name
    known = {label for _, label in PUBLISHERS}
    said = Counter(publisher(u) for u in item_urls).most_common(1)
    if said and said[0][0] in known and said[0][1] >= 0.8 * len(item_urls):
        return said[0][0]
    return name


def subreddit_label(m: Member) -> str:
    sub = m.extra.get("subreddit")
    return f"r/{sub}" if sub else "Reddit"


def discussion_of(m: Member) -> Link | None:
    """The page where people discuss ``m`` (an HN item page, a Reddit thread), when it has one."""
    if m.kind == "hn":
        url = m.extra.get("discussion_url")
        label = "Hacker News discussion"
    elif m.kind == "reddit":
        url = m.extra.get("permalink")
        label = f"{subreddit_label(m)} discussion"
    else:
        return None
    url = shown(url)
    if url is None:
        return None
    return Link(label=label, url=url, title=m.title, meta=signals_line(m.signals))


def shown(url: object) -> str | None:
    """A stored URL as the card shows and links it (no utm_*, fbclid or Meta's ?_fb_noscript=1:
    understand.urls.reader_url), or None when it is no link to give a reader."""
    return reader_url(url) if isinstance(url, str) and url and is_safe_url(url) else None


def article_of(m: Member) -> Link | None:
    """The article a member is or links to, labelled by its publisher."""
    url = shown(m.url)
    if url is None:
        return None
    if m.kind == "reddit" and (publisher(url) == "Reddit" or publisher(url).startswith("r/")):
        label = subreddit_label(m)  # a self or image post: the post is the article
    elif m.kind == "hn" and url == shown(m.extra.get("discussion_url")):
        label = "Hacker News"  # Ask HN / Show HN text posts: the thread is the article
    elif m.kind == "arxiv":
        label = "arXiv"
    elif m.kind == "hf":
        label = "Hugging Face"
    else:
        label = publisher(url, m.extra.get("feed") or m.source)
    return Link(label=label, url=url, title=m.title)


def words_of(m: Member) -> Link | None:
    """Where a member's own words were published, when that is not the article it links: a
    newsletter's section quotes and explains an article in the newsletter's words (Simon
    Willison on Anthropic's post), so its sentences are his and cite his newsletter, never the
    article's publisher."""
    quoted = quoted_at(m)
    url = shown(quoted)
    if quoted == m.url or url is None:
        return None
    # labelled as the newsletter calls itself ("Simon Willison’s Newsletter"); `author_of` names
    # whose words they are
    label = str(m.extra.get("newsletter") or publisher(url))
    return Link(label=label, url=url, title=str(m.extra.get("newsletter_title") or m.title))


def author_of(words: Link) -> str:
    """Whose words a link holds, as people say it: a known publisher ("Simon Willison" for his
    newsletter), else the link's own label."""
    name = publisher(words.url)
    return name if name in {label for _, label in PUBLISHERS} else words.label


def signals_line(signals: dict) -> str:
    parts = []
    for key, word in (("points", "points"), ("score", "points"), ("comments", "comments")):
        value = signals.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value:
            parts.append(f"{int(value):,} {word}")
    return " · ".join(dict.fromkeys(parts))


def sources_of(members: list[Member]) -> tuple[list[Source], dict[int, int]]:
    """Members merged by the article they point to, primary first; and member index -> source
    number.

    An HN post and a Reddit post of the same blog post are one source with two discussions."""
    from .extractive import primary_order

    first = primary_order(members)
    order = first + [i for i in range(len(members)) if i not in first]
    sources: list[Source] = []
    by_url: dict[str, Source] = {}
    by_title: dict[tuple[str, str], Source] = {}
    number: dict[int, int] = {}
    for i in order:
        m = members[i]
        art = article_of(m)
        disc = discussion_of(m)
        if art is None and disc is None:
            continue
        if art is None or art.url == (disc.url if disc else None):
            art, disc = (art or disc), None
        # one article at two addresses is one source: "openai.com/index/sora-is-here" and ".../"
        # from the feed and from HN, Anthropic's post under /research/ and /engineering/
        same = (art.label, " ".join(art.title.lower().split()))
        src = by_url.get(art.url) or (by_title.get(same) if art.title else None)
        if src is not None and _is_pdf(src.article.url) and not _is_pdf(art.url):
            src.article.url = art.url  # the paper's page over its PDF (arXiv abs, not pdf/v1)
            by_url[art.url] = src
        if src is None:
            src = Source(n=len(sources) + 1, article=art)
            sources.append(src)
            by_url[art.url] = src
            by_title.setdefault(same, src)
        src.keys.append(m.key)
        said = words_of(m)
        for link in (disc, said):
            if link and all(d.url != link.url for d in src.discussions):
                src.discussions.append(link)
        if m.kind == "hn" and not disc and not src.article.meta:
            src.article.meta = signals_line(m.signals)
        number[i] = src.n
    return sources, number


_SOCIAL_HOSTS = {"twitter.com": "X", "x.com": "X", "bsky.app": "Bluesky", "threads.net": "Threads"}


def nothing_to_quote(url: str | None) -> str:
    """What "What happened" says when no text was read: what the link is and what to do with it
    (the renderers put the link after it), not that something is missing: an image post has no
    text to quote, and a headline whose article was not read is one click from it."""
    where = host_of(url)
    host = where.split("/", 1)[0]
    path = urlsplit(url or "").path.lower()
    media = media_kind(url)
    if media == "image":
        return "An image post with nothing to quote; see it"
    if media == "video":
        return "A video post with nothing to quote; watch it"
    if media == "gallery":
        return "A gallery of images with nothing to quote; see them"
    if url and _is_pdf(url):
        return "A PDF, not quoted here; open it"
    if host in _SOCIAL_HOSTS:
        return f"A post on {_SOCIAL_HOSTS[host]}, not quoted here; read it"
    if (host == "news.ycombinator.com" and path == "/item") or (
        host.endswith("reddit.com") and "/comments/" in path
    ):
        return "A discussion post whose own text is not stored here; read the thread"
    if host == "arxiv.org" or (host == "huggingface.co" and path.startswith("/papers/")):
        return "Only the paper's title is here; open the paper"
    return "Only the headline is here; open the page"


def _is_pdf(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(".pdf") or path.startswith("/pdf/")


# --- building the card ----------------------------------------------------------------------------


def build_card(
    story: Story,
    *,
    comments: list[Quote] | None = None,
    comments_note: str = "",
    terms: list[Term] | None = None,
    models: list[ModelFacts] | None = None,
    earlier: list[Earlier] | None = None,
) -> StoryCard:
    """The card from a story and what was looked up for it (pure: ``load_card`` does the I/O)."""
    sources, number = sources_of(story.members)
    found = happened(story.members)
    said = []
    for s in found.sentences:
        n = number.get(s.cite - 1)
        if n is None:  # a member without any link cannot be cited: its sentence is not shown
            continue
        words = words_of(story.members[s.cite - 1])
        if words:
            said.append(Said(s.text, n, words.url, author_of(words)))
        else:
            art = sources[n - 1].article
            said.append(Said(s.text, n, art.url, art.label))
    note = found.reason if len(said) < 2 else ""
    if not said and (found.reason == NO_TEXT or not any(m.text.strip() for m in story.members)):
        note = nothing_to_quote(sources[0].article.url if sources else None)
    return StoryCard(
        id=story.id,
        week=story.week,
        rank=story.rank,
        title=story.title,
        is_new=story.is_new,
        happened=said,
        happened_note=note,
        sources=sources,
        comments=comments or [],
        comments_note=comments_note,
        terms=terms or [],
        models=models or [],
        earlier=earlier or [],
    )


# --- looking things up (the I/O half) -------------------------------------------------------------


class CardLoader:
    """Looks up what cards need from the store; one per request or draft, so the model index is
    built once for many stories."""

    def __init__(self, store):
        self.store = store
        self.conn = store.conn
        self._index = None

    def card(self, story: Story) -> StoryCard:
        terms = self.terms(story)
        comments, note = self.comments(story, terms)
        return build_card(
            story,
            comments=comments,
            comments_note=note,
            terms=terms,
            models=self.models(story),
            earlier=self.earlier(story),
        )

    def comments(self, story: Story, terms: list[Term]) -> tuple[list[Quote], str]:
        """The comments worth quoting from the story's threads, and what to say when none are."""
        from ..collect.discussion import NOTE_THREAD_NOT_RECORDED
        from ..store.discussions import discussion_fetches
        from .discussion import pick_comments

        threads = {m.key: m for m in story.members if m.kind in ("hn", "reddit")}
        if not threads:
            return [], "no Hacker News or Reddit discussion of this story"
        stored = self.store.comments_for(list(threads))
        if not stored:
            fetched = discussion_fetches(self.conn, list(threads))
            if not fetched:
                return [], "the discussion has not been fetched yet"
            if all(f["error"] == NOTE_THREAD_NOT_RECORDED for f in fetched.values()):
                return [], NOTE_THREAD_NOT_RECORDED + "; the links above open the live thread"
            if all(f["status"] == "gone" for f in fetched.values()):
                # 404 or 410 from the source: say what was answered, not what exists (a replayed
                # recording answers 404 for a thread it did not record).
                return [], "its discussion could not be read (the server answered: no such thread)"
            errors = [f["error"] for f in fetched.values() if f["status"] != "ok" and f["error"]]
            if errors and len(errors) == len(fetched):
                return [], "the discussion could not be read; the next fetch tries again"
            return [], "no comments in its discussion"
        names = [t.term for t in terms] + [e.split(":", 1)[-1] for e in story.entities]
        out = []
        for c in pick_comments(stored, names):
            m = threads[c.item_key]
            url = shown(c.url)
            if url is None:
                continue
            where = "Hacker News" if m.kind == "hn" else subreddit_label(m)
            out.append(Quote(c.author or "anonymous", c.text, url, where, c.score))
        note = "" if out else f"none of its {len(stored)} comments says enough to quote"
        return out, note

    def terms(self, story: Story) -> list[Term]:
        from .glossary import story_jargon

        return [Term(t.term, t.definition, t.url) for t in story_jargon(story)[:MAX_TERMS]]

    def earlier(self, story: Story) -> list[Earlier]:
        """What the story continues: the earlier story of its model line (o3 continues o1, from
        stories.novelty.continuations), then the related stories of earlier weeks; each with its
        lead article's link."""
        from ..store.stories import load_story
        from ..stories.novelty import continuations

        out = [
            Earlier(c.story_id, c.week, c.title, shown(c.url))
            for c in continuations(self.conn, story)
        ]
        for rid in story.related:
            s = load_story(self.conn, rid)
            if s is not None and s.members and all(e.id != rid for e in out):
                out.append(Earlier(s.id, s.week, s.title, shown(s.lead.url)))
        return out

    def models(self, story: Story) -> list[ModelFacts]:
        from ..store import landscape as sql
        from ..stories.rank import is_lab_post
        from ..stories.release import flat_name, story_release
        from ..understand.entities import entity_label, extract_entities, model_family

        refs = [e for e in story.entities if e.startswith("model:")]
        refs += [e for m in story.members for e in m.entities if e.startswith("model:")]
        if not refs or sql.count_models(self.conn) == 0:
            return []
        # The models the story's titles name are its context; a model only its texts name is a
        # comparison or an aside (ARC Prize's post on o3 recalls GPT-3 and GPT-4o), listed only
        # when no title names one (a paper's title seldom names the model it studies).
        titled = {
            e
            for m in story.members
            for e in extract_entities(m.title or "")
            if e.startswith("model:")
        }
        if any(r in titled for r in refs):
            refs = [r for r in refs if r in titled]
        # The model the story releases comes first; the one it is built on is said in its line,
        # not listed as if it were the release ("Bamba (built on Mamba 2)", not "Mamba 2").
        release = story_release((m.title, is_lab_post(m), m.text) for m in story.members)
        built_on = entity_label(release.base) if release and release.base else None
        if release is not None:
            refs = [r for r in refs if r != release.base]
        out = self._listed(refs)
        if release is None:
            return out
        # The release leads, under the name its page gives it when the registry does not know it
        # (Bamba, Pixtral Large), with what it is built on.
        lead = next((m for m in out if flat_name(m.name).startswith(flat_name(release.name))), None)
        if lead is None:
            family = model_family(release.entity.removeprefix("model:")) if release.entity else None
            lead = ModelFacts(
                release.name,
                maker_name(family.org) if family else None,
                NOT_IN_OUR_DATA,
                None,
                None,
            )
        else:
            out.remove(lead)
        lead.parent = lead.parent or _built(built_on)
        return [lead, *out][:MAX_MODELS]

    def _listed(self, refs: list[str]) -> list[ModelFacts]:
        """The registry's facts on each model the card names, a release's line once."""
        from ..landscape.registry import names_a_family, ref_key, resolve_mention
        from ..store import landscape as sql

        index = self._mention_index()
        out: list[ModelFacts] = []
        seen: set[str] = set()
        for ref in dict.fromkeys(refs):
            if names_a_family(ref_key(ref), index):  # "Llama" is the family, not Llama 1
                continue
            found = resolve_mention(ref, index)
            if len(found) > 1 and found != index.keys.get(ref_key(ref)):
                # A release's line ("Falcon 3": Falcon3-1B ... 10B): the release, in its sizes,
                # not whichever of its models sorts first ("Falcon3-10B-Base, 10.3B parameters")
                release = self._release(ref, found, seen)
                if release is not None:
                    out.append(release)
                if len(out) >= MAX_MODELS:
                    return out
                continue
            for mid in found[:1]:  # the best match, not every re-upload
                row = sql.get_model(self.conn, mid)
                if row is None or mid in seen:
                    continue
                seen.add(mid)
                out.append(self._facts(row, ref))
                if len(out) >= MAX_MODELS:
                    return out
        return out

    def _release(self, ref: str, mids: list[str], seen: set[str]) -> ModelFacts | None:
        from ..store import landscape as sql
        from ..understand.entities import entity_label

        rows = [r for r in (sql.get_model(self.conn, m) for m in mids) if r is not None]
        if not rows or all(r.id in seen for r in rows):
            return None
        seen.update(r.id for r in rows)
        first = self._facts(rows[0])
        sizes = sorted({round(r.params_b, 1) for r in rows if r.params_b})
        if len(sizes) > 1:
            first.size = f"{sizes[0]:g}B to {sizes[-1]:g}B parameters, {len(sizes)} sizes"
        weights = {self._facts(r).weights for r in rows}
        first.weights = first.weights if len(weights) == 1 else "weights: differ by model"
        first.name, first.parent, first.id = entity_label(ref), None, rows[0].id
        return first

    def _mention_index(self):
        if self._index is None:
            from ..landscape.registry import mention_index
            from ..store import landscape as sql

            # Built from the whole registry: once per registry build and process, not per card
            # (issue 20: it was most of a story page's time, and grows with the registry).
            stamp = sql.registry_stamp(self.conn)
            cached = _MENTION_INDEX.get(stamp)
            if cached is None:
                cached = mention_index(
                    [r.id for r in sql.list_models(self.conn)],
                    set(sql.facts_by_field(self.conn, "official")),
                )
                _MENTION_INDEX.clear()
                _MENTION_INDEX[stamp] = cached
            self._index = cached
        return self._index

    def _facts(self, row, ref: str | None = None) -> ModelFacts:
        from ..store import landscape as sql

        parent = None
        bases = sql.bases_of(self.conn, row.id)
        if bases:
            base = sql.get_model(self.conn, bases[0].base_id)
            rel = {"finetune": "fine-tune", "quantized": "quantization", "adapter": "adapter"}.get(
                bases[0].relation, bases[0].relation
            )
            parent = f"{rel} of {base.name if base else bases[0].base_id}"
        size = f"{row.params_b:.3g}B parameters" if row.params_b else None
        on_hub = _on_hub(row.id, self.conn)
        weights = weights_line(row.license, on_hub)
        return ModelFacts(
            name=row.name if on_hub or ref is None else news_name(row.name, ref),
            org=maker_name(row.org),
            weights=weights,
            size=size,
            parent=parent,
            id=row.id,
        )


def _built(base: str | None) -> str | None:
    return f"built on {base}" if base else None


def news_name(name: str, ref: str) -> str:
    """A news-only model under the name its maker writes ("Claude 2.1", "DeepSeek-V2.5"), not a
    leaderboard's spelling of it ("Claude-2.1", "Deepseek-v2.5"); a more specific registry name
    ("Claude 3.5 Sonnet (20241022)" for "claude-3.5-sonnet") is kept. A Hub repo's name is its
    real name and never comes here."""
    from ..understand.entities import entity_label

    label = entity_label(ref)

    def flat(x: str) -> str:
        return re.sub(r"[\s_-]+", "", x.lower())

    return label if flat(label) == flat(name) else name


def maker_name(org: str | None) -> str | None:
    """The maker as a reader knows it ("Google", "Meta", "OpenAI"), not the Hub account or the
    entity id the registry stores ("google", "openai")."""
    from ..landscape.tree import MAKERS
    from ..understand.entities import gazetteer

    low = (org or "").lower()
    if low in MAKERS:
        return MAKERS[low]
    return next((str(o["label"]) for o in gazetteer()["orgs"] if o["id"] == low), org)


NOT_IN_OUR_DATA = "weights: not in our data"


def weights_line(license: str | None, on_hub: bool) -> str:
    """Open or closed, as far as the registry knows, and under which license. A model with neither
    a license nor a Hugging Face record is one the registry knows from a history table (BERT, 2018,
    from the LLM phylogeny; its weights are open, the table just does not say): that says nothing
    about its weights, so neither does the card."""
    lic = (license or "").strip()
    if lic.lower() in ("proprietary", "closed", "api"):
        return "closed weights, proprietary license"
    if lic and lic.lower() != "unknown":
        return f"open weights, {lic} license"
    return "open weights on Hugging Face" if on_hub else NOT_IN_OUR_DATA


def _on_hub(model_id: str, conn) -> bool:
    from ..store import landscape as sql

    # Sources that only list Hugging Face repos: a model they describe has downloadable weights.
    hub = ("hf", "open-llm-leaderboard-v1", "open-llm-leaderboard-v2")
    return sql.has_fact_from(conn, model_id, hub)


def load_card(store, story: Story) -> StoryCard:
    return CardLoader(store).card(story)

"""One retrieval core: full-text (FTS5, BM25) and embedding search fused by reciprocal rank fusion,
then weighed by importance, kept to one item per story, made diverse (MMR), within a time window,
each hit with a one-line reason.

Why both: BM25 finds the exact names a reader typed ("Llama", "DPO") but also every other sense of a
word ("specific" in "domain-specific"); embeddings find the topic of a whole paragraph without its
words but blur names. Reciprocal rank fusion (Cormack et al., SIGIR 2009) needs no score calibration
between the two. Terms from the glossary are then checked for their sense (retrieve/sense.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..store import retrieval as sql
from ..store.db import database_file
from ..store.items import Store
from ..types import CorpusRow
from ..understand.jargon import find_jargon
from .index import Index, load_index
from .sense import is_paper, senses
from .verdicts import KeptVerdicts, judge_items
from .verdicts import cache_path as verdicts_path

RRF_K = 60  # the constant of the RRF paper; rank 1 and rank 10 differ by ~13%, not 10x
CANDIDATES = 150  # per retriever, before fusion
IMPORTANCE = 0.6  # score = relevance x (1 + IMPORTANCE x importance)
MMR_LAMBDA = 0.75  # relevance vs. difference from what is already picked
CONTEXT_WEIGHT = 0.35  # the paragraph around a request, against the request itself
COMMON_DF = 0.03  # a word in more than this share of items says little on its own
MODES = ("fused", "fts", "embed")

# Words that shape a request but say nothing about its topic.
STOP = frozenset(
    """a an and the of to in on for from with about some any few first more maybe research
    researching
references reference read reading keep up date different coming this that these those my me i we our
it its is are be was were been being projects project pet things stuff e g eg etc what how why
which who
also find look into add write check picture image diagram chart figure good really very there here
other others much many new way ways just like use using used not but or so as at by if then than can
could would should may might will do does did get got make made our your their them they he she you
examples example ai ml llm llms large language model models""".split()
)
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+'-]*[A-Za-z0-9+]|[A-Za-z0-9]")


@dataclass(frozen=True)
class Hit:
    key: str
    title: str
    url: str | None
    kind: str
    source: str
    published_at: str | None
    story_id: str | None
    score: float
    relevance: float  # fused rank score, 1.0 for the best candidate
    importance: float
    reason: str
    origin: str = "store"  # "store" for items of your store; see retrieve/canon.py for "background"
    matched: tuple[str, ...] = field(default_factory=tuple)  # "text", "meaning"


@dataclass(frozen=True)
class Request:
    """What a reader asks (a TODO, a question) and the prose around it (section heading,
    paragraph)."""

    text: str
    context: str = ""


def content_words(text: str) -> list[str]:
    """The words of ``text`` that carry its topic, in order, once each."""
    out: list[str] = []
    seen: set[str] = set()
    for w in WORD.findall(text):
        w = w.strip(".'")
        w = w[:-2] if w.endswith("'s") else w
        low = w.lower()
        if len(w) < 2 or low in STOP or low in seen or low.isdigit():
            continue
        seen.add(low)
        out.append(w)
    return out


def search(
    store: Store,
    query: str | Request,
    since: str | None = None,
    until: str | None = None,
    limit: int = 10,
    mode: str = "fused",
    exclude_story: str | None = None,
    all_time: bool = False,
) -> list[Hit]:
    """The best ``limit`` items of ``store`` for ``query``, published in [since, until) when given.
    Without a period and ``all_time``, among the RECENT_ITEMS most recently collected items
    (store.items.recent_floor): the cost of a search stops growing with history (issue 20).
    ``mode`` "fts" or "embed" runs one retriever alone (for measuring what fusion adds)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    req = query if isinstance(query, Request) else Request(query)
    idx = load_index(store, all_time=all_time or bool(since or until))
    mask = idx.window(since, until)
    if exclude_story:
        mask[idx.by_story.get(exclude_story, [])] = False
    ranked: dict[int, float] = {}
    matched: dict[int, list[str]] = {}
    if mode in ("fused", "fts"):
        for rank, i in enumerate(_fts(store, idx, req, mask)):
            ranked[i] = ranked.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
            matched.setdefault(i, []).append("text")
    qvec = _query_vector(idx, req)
    if mode in ("fused", "embed"):
        for rank, i in enumerate(idx.nearest(qvec, mask, CANDIDATES)):
            ranked[i] = ranked.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
            matched.setdefault(i, []).append("meaning")
    if not ranked:
        return []
    cand = _keep_named(store, idx, req, sorted(ranked, key=lambda i: (-ranked[i], i)))
    sense = _Sense.of(store, idx, req, cand)
    if sense is not None:
        cand = sense.head
    # Scores are relative to the best candidate in sense, the first one in rank order that is;
    # judged with the candidates after it in one batch (at 1M the top of "agent" is ~70 copies
    # of items in another sense, one call each cost 20 ms of a request's first time).
    best_at = next(
        (
            i
            for k, i in enumerate(cand)
            if sense is None or sense.ok(i, cand[k + 1 : k + _Sense.BATCH])
        ),
        None,
    )
    if best_at is None:
        return []
    best = ranked[best_at]
    imp = idx.importance
    scored = {i: ranked[i] / best * (1 + IMPORTANCE * float(imp[i])) for i in cand}
    order = sorted(scored, key=lambda i: -scored[i])
    order = _one_per_story(idx, order, _pool_size(limit), sense)
    picked = _mmr(idx, order, scored, limit)
    terms = content_words(req.text)
    return [_hit(idx, i, scored[i], ranked[i] / best, matched[i], terms) for i in picked]


# --- the two retrievers -----------------------------------------------------------------------


def _fts(store: Store, idx: Index, req: Request, mask: np.ndarray) -> list[int]:
    """Rows ranked by BM25 over the request's topical words: adjacent words as phrases ("task
    specific" matches "task-specific"), rare words alone, each word also by its stem ("quantizing"
    finds "quantization"). Words far in meaning from the request as a whole ("without", "breaking"
    in "Quantizing LLMs to 4 bits without breaking them") are left to the embedding side."""
    words = topical_words(idx, req.text) or content_words(req.context)[:12]
    if not words:
        return []
    total = max(1, len(idx.rows))
    phrases = [f'"{a} {b}"' for a, b in zip(words, words[1:], strict=False)]
    singles = []
    # Counting stops past the limit: a common word at 1M items matches 100k of them (issue 20).
    cap = int(COMMON_DF * total) + 1
    for w in words:
        q = _quote(w)
        rare = sql.fts_count(store.conn, q, cap, idx.floor) <= COMMON_DF * total
        if rare or len(words) == 1:
            singles.append(q)
        # The stem's prefix query matches every item the word does (the stem begins the word and
        # the tokenizer does not stem): a common word has a common stem, no need to count it.
        stem = _stem(w) if rare else None
        common = sql.fts_count(store.conn, f"{_quote(stem)}*", cap, idx.floor) if stem else 0
        if stem and common <= COMMON_DF * total:
            singles.append(f"{_quote(stem)}*")
    terms = [_quote_phrase(p) for p in phrases] + singles
    # A glossary term's own close words widen it: a request about alignment also wants the posts on
    # "superalignment", which full-text search does not match as "alignment".
    for tid in find_jargon(req.text):
        terms += [_quote(w) for w in senses().get(tid, {}).get("expand", [])]
    match = " OR ".join(dict.fromkeys(t for t in terms if t))
    out = []
    for item_id, _ in sql.fts_ranked(store.conn, match, CANDIDATES * 4, idx.floor):
        i = idx.by_id.get(item_id)
        if i is not None and mask[i]:
            out.append(i)
            if len(out) >= CANDIDATES:
                break
    return out


TOPICAL = 0.28  # a word's cosine to its whole request below which it only shapes the sentence


def topical_words(idx: Index, text: str) -> list[str]:
    """The content words of ``text`` that carry its meaning (see TOPICAL); all of them when the
    request is one or two words."""
    words = content_words(text)
    if len(words) <= 2:
        return words
    vecs = idx.embedder.embed_batch([text, *words])
    sims = vecs[1:] @ vecs[0]
    keep = [w for w, s in zip(words, sims, strict=True) if s >= TOPICAL]
    return keep or words


_SUFFIX = re.compile(r"(?:ations?|ing|ed|es|s)$")


def _stem(word: str) -> str | None:
    """A crude stem for a prefix query ("quantizing" -> "quantiz"), only for long plain words."""
    if not word.isalpha() or len(word) < 7:
        return None
    stem = _SUFFIX.sub("", word.lower())
    return stem if len(stem) >= 5 and stem != word.lower() else None


def _query_vector(idx: Index, req: Request) -> np.ndarray:
    """The request's vector, the paragraph around it weighing CONTEXT_WEIGHT; zeros for a request
    with no words (an embedder normalising an empty text returns NaNs)."""
    texts = [t for t in (req.text, req.context) if t.strip()]
    if not texts:
        return np.zeros(idx.vectors.shape[1], dtype=np.float32)
    vecs = np.nan_to_num(idx.embedder.embed_batch(texts))
    v = vecs[0] if len(vecs) == 1 else (1 - CONTEXT_WEIGHT) * vecs[0] + CONTEXT_WEIGHT * vecs[1]
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n > 0 else v.astype(np.float32)


def _quote(word: str) -> str:
    w = word.replace('"', "").strip()
    return f'"{w}"' if w else ""


def _quote_phrase(p: str) -> str:
    return '"' + p.strip('"').replace('"', "") + '"'


# --- after fusion -----------------------------------------------------------------------------


class _Sense:
    """Which candidates use the request's glossary terms in their sense ("label alignment" is out
    for a request about AI alignment), judged only when the walk down the scores reaches them.

    Why lazily: a request needs MMR's pool (60 items, one per story and URL) from the 150 best
    candidates; a candidate whose story, URL or title is already in the pool is passed over
    whatever its sense, and one below a full pool is never read. Judging all 150 (their texts read,
    each use of the term parsed, its words embedded) was most of a glossary request's time, and the
    more copies of an item a store holds, the more of them the pool skips. The verdicts are
    retrieve/sense.py's, for the same items, in batches of BATCH (one read of texts, one embedding
    call), so the results are those of judging every candidate first. They are kept with the
    index (Index.sense_verdicts) for the next request with the same terms."""

    BATCH = 16

    def __init__(self, store: Store, idx: Index, terms: list[str], head: list[int]):
        # A term without a sense keeps every item (sense.judge_many): only the others are judged.
        self.store, self.idx, self.head = store, idx, head
        self.terms = [t for t in terms if t in senses()]
        self.verdicts = idx.sense_verdicts(terms)  # kept with the index: judged once per process
        if idx.kept is None:
            path = verdicts_path(database_file(store.conn))
            idx.kept = KeptVerdicts(path, idx.embedder.name)
        self.kept: KeptVerdicts = idx.kept

    @classmethod
    def of(cls, store: Store, idx: Index, req: Request, cand: list[int]) -> _Sense | None:
        """None when the request names no glossary term (then nothing is judged or dropped; a
        request naming only terms without a sense still has its candidates cut to the best
        CANDIDATES, as it always had)."""
        terms = find_jargon(req.text) or find_jargon(req.context)[:3]
        return cls(store, idx, terms, cand[:CANDIDATES]) if terms else None

    def ok(self, i: int, upcoming: list[int] | None = None) -> bool:
        """Whether candidate ``i`` is in sense; judges it with the next unjudged of ``upcoming``
        (the order the caller walks in, from ``i`` on)."""
        if i not in self.verdicts:
            batch = [i] + [j for j in (upcoming or []) if j != i and j not in self.verdicts]
            self._judge(batch[: self.BATCH])
        return self.verdicts[i]

    def _judge(self, rows: list[int]) -> None:
        """keep_in_sense's verdicts on ``rows``: each term's verdict read from those kept beside
        the store (retrieve/verdicts.py: `process` judged the window's items), judged and kept
        only where none was."""
        if not self.terms:
            self.verdicts.update(dict.fromkeys(rows, True))
            return
        idx, conn = self.idx, self.store.conn
        ids = [idx.rows[i].item_id for i in rows]
        hashes = sql.content_hashes(conn, ids)
        ok = dict.fromkeys(rows, True)
        for term in self.terms:
            have = self.kept.get(term, hashes)
            todo = [i for i in rows if idx.rows[i].item_id not in have]
            if todo:
                texts = sql.texts(conn, [idx.rows[i].item_id for i in todo])
                items = [
                    (idx.rows[i].title, texts.get(idx.rows[i].item_id, ""), idx.vectors[i])
                    for i in todo
                ]
                papers = [is_paper(idx.rows[i].kind, idx.rows[i].url) for i in todo]
                judged = judge_items(term, items, idx.embedder, papers)
                have |= {idx.rows[i].item_id: v for i, v in zip(todo, judged, strict=True)}
                keep = [idx.rows[i].item_id for i in todo if idx.rows[i].item_id in hashes]
                self.kept.put(term, [(k, hashes[k], have[k]) for k in keep])
            for i in rows:
                ok[i] = ok[i] and have[idx.rows[i].item_id]
        self.verdicts.update(ok)


def names(text: str) -> list[str]:
    """Proper names in a request ("Llama", "Fixie.ai", "QwQ"): words of a model or organisation the
    entity lexicon knows, words with an inner capital, digit or dot, and capitalised words that do
    not
    start a sentence ("Improving retrieval..." names nothing)."""
    known = _lexicon_words()
    out = []
    for m in WORD.finditer(text):
        w = m.group().strip(".'")
        w = w[:-2] if w.endswith("'s") else w
        low = w.lower()
        if low in STOP or len(w) < 2 or not any(c.isalpha() for c in w):
            continue
        starts = m.start() == 0 or text[: m.start()].rstrip().endswith((".", "?", "!", ":"))
        inner = any(c.isupper() for c in w[1:]) or any(c.isdigit() for c in w) or "." in w
        if low in known or inner or (w[0].isupper() and not starts):
            if low not in (x.lower() for x in out):
                out.append(w)
    return out


def _name_phrases(text: str, known: list[str]) -> list[str]:
    """Names written next to each other are one name: "Purple Llama", not "Purple" or "Llama"."""
    out: list[str] = []
    for n in known:
        if out and re.search(rf"{re.escape(out[-1])}\W+{re.escape(n)}", text):
            out[-1] = f"{out[-1]} {n}"
        else:
            out.append(n)
    return out


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    """Lower-case words of every organisation, person and model family the entity lexicon knows."""
    from ..understand.entities import families, gazetteer

    g = gazetteer()
    words = {w.lower() for f in families() for w in re.split(r"[-\s]+", f)}
    for kind in ("orgs", "people"):
        for e in g.get(kind, []):
            for a in [e.get("label", ""), *e.get("aliases", [])]:
                words.update(w.lower() for w in a.split())
    return frozenset(w for w in words if len(w) > 1)


@lru_cache(maxsize=1)
def _org_lexicon() -> frozenset[str]:
    from ..understand.entities import gazetteer

    return frozenset(
        w.lower()
        for e in gazetteer().get("orgs", [])
        for a in [e.get("label", ""), *e.get("aliases", [])]
        for w in a.split()
    )


def _org_words(text: str) -> set[str]:
    return {w.lower().removesuffix("'s") for w in WORD.findall(text)} & _org_lexicon()


def known_names(store: Store, text: str) -> tuple[list[str], list[str]]:
    """(names some item mentions, names no item mentions)."""
    known, unknown = [], []
    for n in names(text):
        (known if sql.fts_count(store.conn, _quote(n), cap=1) else unknown).append(n)
    return known, unknown


def _keep_named(store: Store, idx: Index, req: Request, cand: list[int]) -> list[int]:
    """A request that names something (a model family, a company) wants items about it: those that
    mention one of its names, when there are at least three."""
    known, _ = known_names(store, req.text)
    # An organisation is context, not the topic: "Anthropic's research on alignment faking" wants
    # the
    # paper, whose abstract never names the lab. Models, products and unknown names filter.
    orgs = _org_words(req.text)
    known = [n for n in known if n.lower() not in orgs]
    if not known:
        return cand
    match = " OR ".join(_quote(n) for n in _name_phrases(req.text, known))
    # Only the candidates are asked about, not every item that names it (issue 20).
    ids = sql.fts_among(store.conn, match, [idx.rows[i].item_id for i in cand])
    lows = [n.lower() for n in known]
    # A lab's own post names the lab in its address, not always in its words.
    named = [
        i
        for i in cand
        if idx.rows[i].item_id in ids
        or any(n in f"{idx.rows[i].url or ''} {idx.rows[i].source}".lower() for n in lows)
    ]
    return named if len(named) >= 3 else cand


def _pool_size(limit: int) -> int:
    """How many of the best candidates MMR chooses among."""
    return max(limit * 6, 30)


def _one_per_story(
    idx: Index, order: list[int], want: int | None = None, sense: _Sense | None = None
) -> list[int]:
    """Best first, one item per story and per URL (a paper and its mirror, a post and its
    thread); the first ``want`` of them (MMR reads no further). With ``sense``, only candidates in
    the sense of the request's glossary terms, judged only when they would be taken."""
    seen: set[str] = set()
    out: list[int] = []
    marks_of: dict[int, set[str]] = {}
    for n, i in enumerate(order):
        if want is not None and len(out) >= want:
            break
        marks = marks_of.get(i) or _marks(idx.rows[i])
        if marks & seen:
            continue
        if sense is not None and i not in sense.verdicts:
            # Judged together with this one: the next candidates this walk would take if the ones
            # before them are in sense (one per story, URL and title among them too).
            ahead: list[int] = []
            taken = set(seen)
            size = min(sense.BATCH, want - len(out)) if want is not None else sense.BATCH
            for j in order[n:]:
                if len(ahead) >= size:
                    break
                marks_of[j] = marks_of.get(j) or _marks(idx.rows[j])
                if marks_of[j] & taken or sense.verdicts.get(j) is False:
                    continue
                if j not in sense.verdicts:
                    ahead.append(j)
                taken |= marks_of[j]
            sense.ok(i, ahead)
        if sense is not None and not sense.verdicts[i]:
            continue
        seen |= marks
        out.append(i)
    return out


def _marks(r: CorpusRow) -> set[str]:
    marks = {f"story:{r.story_id}"} if r.story_id else set()
    if r.url:
        marks.add(f"url:{r.url.rstrip('/').lower()}")
    marks.add(f"title:{' '.join(r.title.lower().split())}")
    return marks


def _mmr(idx: Index, order: list[int], scored: dict[int, float], limit: int) -> list[int]:
    """Maximal marginal relevance (Carbonell & Goldstein 1998): each pick trades its score against
    its
    likeness to the picks before it, so five versions of one paper do not fill the list."""
    pool = order[: _pool_size(limit)]
    if not pool:
        return []
    top = max(scored[i] for i in pool)
    # The pool's cosines to one another, once; each round reads the columns of the picks so far.
    rel = MMR_LAMBDA * np.array([scored[i] for i in pool], dtype=np.float64) / top
    vecs = idx.vectors[pool]
    sims = vecs @ vecs.T
    left = list(range(len(pool)))
    picked: list[int] = []
    while left and len(picked) < limit:
        if not picked:
            best = 0
        else:
            near = sims[np.ix_(left, picked)].max(axis=1).astype(np.float64)
            best = left[int(np.argmax(rel[left] - (1 - MMR_LAMBDA) * near))]
        picked.append(best)
        left.remove(best)
    return [pool[k] for k in picked]


SOURCE_NAMES = {
    "hn": "Hacker News",
    "arxiv": "arXiv paper",
    "reddit": "Reddit",
    "hf": "Hugging Face",
}


def _hit(idx: Index, i: int, score: float, rel: float, matched: list[str], terms: list[str]) -> Hit:
    r = idx.rows[i]
    return Hit(
        key=r.key,
        title=r.title,
        url=r.url,
        kind=r.kind,
        source=r.source,
        published_at=r.published_at,
        story_id=r.story_id,
        score=round(score, 4),
        relevance=round(rel, 4),
        importance=round(float(idx.importance[i]), 4),
        reason=_reason(idx, i, matched, terms),
        matched=tuple(matched),
    )


def _reason(idx: Index, i: int, matched: list[str], terms: list[str]) -> str:
    """One line a reader can check: where it is from, when, why it counts, why it matches."""
    r = idx.rows[i]
    where = SOURCE_NAMES.get(r.kind) or r.source or r.kind
    parts = [f"{where}, {(r.published_at or 'undated')[:10]}"]
    if idx.authority[i] >= 1.0:
        parts.append("the lab's own post")
    sig = r.signals
    if sig.get("points"):
        parts.append(f"{sig['points']} points")
    elif sig.get("score") and r.kind == "reddit":
        parts.append(f"score {sig['score']}")
    if r.story_sources > 1:
        parts.append(f"covered by {r.story_sources} sources")
    low = r.title.lower()
    named = [t for t in terms if t.lower() in low]
    if named:
        parts.append("title names " + ", ".join(named[:3]))
    elif matched == ["meaning"]:
        parts.append("close in meaning to your note")
    return "; ".join(parts)

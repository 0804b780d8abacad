"""Duplicates: the same thing reached through several sources becomes one canonical item.

Two items are the same thing when
  1. their URLs canonicalize to the same address (tracking parameters, www, trailing slashes, arXiv
     abs/pdf/version variants; an HN or Reddit post linking an arXiv paper or a hub page meets the
     item for that paper or page). A bare domain ("https://openai.com") is not evidence: it names a
     site, not an article;
  2. or their titles are the same after normalisation (case, punctuation, "Show HN:", "[D]"), the
  title
     is long enough to be specific (4+ words), and they were published within ``WINDOW_DAYS``;
  3. or their title+text are near-identical: word 3-gram Jaccard >= ``TEXT_JACCARD``, found through
     MinHash/LSH so that 100k items do not mean 10^10 comparisons, then checked exactly.

The canonical item of a group is the original publisher when there is one (a lab's feed, arXiv, the
hub) over the places that discuss it (HN, Reddit), then the earliest, then the smallest key, so the
choice does not depend on input order. Every source's signals survive in ``merged_signals``.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from abreast.types import Item
from abreast.understand.urls import canonicalize

WINDOW_DAYS = 7
TEXT_JACCARD = 0.7
MIN_TITLE_WORDS = 4
MIN_SHINGLES = 20
# Who published the thing itself ranks before who links to it.
PUBLISHER_RANK = {"feed": 0, "arxiv": 0, "hf": 1, "hn": 2, "reddit": 2}
TITLE_NOISE = re.compile(
    r"^(?:show|ask|tell|launch) hn\s*[:\-–]\s*|^\[[a-z]{1,3}\]\s*|\s*[·|\-–]\s*hugging face$", re.I
)
NUM_PERM, BANDS = 64, 16
_PRIME = (1 << 61) - 1


def find_duplicates(items: Sequence[Item]) -> dict[str, str]:
    """key -> canonical key, for every item that duplicates another (canonical items are not
    listed)."""
    uf = _UnionFind([it.key for it in items])
    _link_by_url(items, uf)
    _link_by_title(items, uf)
    _link_by_text(items, uf)
    by_key = {it.key: it for it in items}
    out: dict[str, str] = {}
    for members in uf.groups():
        if len(members) < 2:
            continue
        canon = min((by_key[k] for k in members), key=_canonical_order).key
        out.update({k: canon for k in members if k != canon})
    return out


def merged_signals(group: list[Item]) -> dict[str, dict[str, Any]]:
    """Every source's signals side by side: {"hn": {"points": 412, ...}, "reddit": {"score": 238,
    ...}}. Two items from the same source (a repost, a crosspost) add up their numbers."""
    out: dict[str, dict[str, Any]] = {}  # values as the sources gave them
    for it in sorted(group, key=lambda i: i.key):
        slot = out.setdefault(it.kind, {})
        for name, value in (it.signals or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool) and name in slot:
                slot[name] += value
            else:
                slot.setdefault(name, value)
    return out


def _canonical_order(it: Item) -> tuple[int, str, str]:
    return (PUBLISHER_RANK.get(it.kind, 1), it.published_at or "9999", it.key)


def _link_by_url(items: Sequence[Item], uf: _UnionFind) -> None:
    first: dict[str, str] = {}
    for it in items:
        for url in _urls(it):
            if url in first:
                uf.union(first[url], it.key)
            else:
                first[url] = it.key


def _urls(it: Item) -> list[str]:
    urls = []
    for raw in (it.url, (it.extra or {}).get("link_url")):
        if not raw:
            continue
        url = canonicalize(raw)
        if urlsplit(url).path.strip("/") or urlsplit(url).query:
            urls.append(url)
    if it.kind == "arxiv" and it.key.startswith("arxiv:"):
        urls.append(f"https://arxiv.org/abs/{it.key[6:]}")
    return urls


def normalized_title(title: str) -> str:
    t = TITLE_NOISE.sub("", title.strip())
    return " ".join(re.findall(r"\w+", t.lower()))


def _link_by_title(items: Sequence[Item], uf: _UnionFind) -> None:
    by_title: dict[str, list[Item]] = {}
    for it in items:
        t = normalized_title(it.title)
        if len(t.split()) >= MIN_TITLE_WORDS:
            by_title.setdefault(t, []).append(it)
    for group in by_title.values():
        group.sort(key=lambda i: i.published_at or "")
        for a, b in zip(group, group[1:], strict=False):
            if _within_window(a.published_at, b.published_at):
                uf.union(a.key, b.key)


def _within_window(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return a == b  # both undated: same title is all we have
    da = datetime.fromisoformat(a.replace("Z", "+00:00"))
    db = datetime.fromisoformat(b.replace("Z", "+00:00"))
    return abs((da - db).total_seconds()) <= WINDOW_DAYS * 86400


def shingles(text: str) -> np.ndarray:
    """Sorted unique hashes of the word 3-grams of ``text``: each word hashed once (crc32, stable
    across runs), the three combined in numpy rather than by joining strings."""
    words = re.findall(r"\w+", text.lower())
    if len(words) < 3:
        return np.empty(0, dtype=np.uint64)
    h = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))
    grams = (h[:-2] * np.uint64(0x9E3779B1) ^ h[1:-1] * np.uint64(0x85EBCA77) ^ h[2:]) & np.uint64(
        0xFFFFFFFF
    )
    return np.unique(grams)


def _link_by_text(items: Sequence[Item], uf: _UnionFind) -> None:
    sets, keys = [], []
    for it in items:
        if not it.text:
            continue
        s = shingles(f"{it.title} {it.text[:3000]}")
        if s.size >= MIN_SHINGLES:
            sets.append(s)
            keys.append(it.key)
    if len(sets) < 2:
        return
    sigs = _minhash(sets)
    rows = NUM_PERM // BANDS
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = {}
        for i, sig in enumerate(sigs[:, band * rows : (band + 1) * rows]):
            buckets.setdefault(sig.tobytes(), []).append(i)
        for idx in buckets.values():
            for j in idx[1:]:
                if (
                    uf.find(keys[idx[0]]) != uf.find(keys[j])
                    and _jaccard(sets[idx[0]], sets[j]) >= TEXT_JACCARD
                ):
                    uf.union(keys[idx[0]], keys[j])


def index_keys(it: Item) -> set[int]:
    """The hashes under which the persistent index (store.dedupe) files an item: one per canonical
    URL, one for its normalized title (when specific enough) in its week-long time bucket, one per
    MinHash band of its text."""
    return item_keys(it)[0]


def probe_keys(it: Item) -> set[int]:
    """The hashes to look an item's possible duplicates up by: index_keys, with the title in the
    buckets either side of its own (items published within WINDOW_DAYS share one of the three).
    Every item find_duplicates could link with ``it`` is filed under one of them; the window and
    the exact Jaccard are checked afterwards, on the few items that are."""
    return item_keys(it)[1]


def item_keys(it: Item) -> tuple[set[int], set[int]]:
    """(index_keys, probe_keys) of an item, its text hashed once."""
    keys = {_h32(b"u" + u.encode()) for u in _urls(it)}
    if it.text:
        sh = shingles(f"{it.title} {it.text[:3000]}")
        if sh.size >= MIN_SHINGLES:
            sig = _minhash([sh])[0]
            rows = NUM_PERM // BANDS
            for band in range(BANDS):
                part = sig[band * rows : (band + 1) * rows].tobytes()
                keys.add(_h32(b"b%d" % band + part))
    filed, probe = set(keys), keys
    title = normalized_title(it.title)
    if len(title.split()) >= MIN_TITLE_WORDS:
        bucket = _bucket(it.published_at)
        filed.add(_h32(f"t{bucket}|{title}".encode()))
        near = (bucket,) if bucket is None else (bucket - 1, bucket, bucket + 1)
        probe |= {_h32(f"t{b}|{title}".encode()) for b in near}
    return filed, probe


def _bucket(published_at: str | None) -> int | None:
    """WINDOW_DAYS-long time bucket of a date (None when undated: undated items with one title
    are the same thing, see _within_window)."""
    if not published_at:
        return None
    try:
        t = datetime.fromisoformat(published_at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
    return int(t // (WINDOW_DAYS * 86400))


def _h32(data: bytes) -> int:
    # Signed 32 bits: SQLite stores it in 4 bytes. A collision only adds a candidate to check.
    return zlib.crc32(data) - (1 << 31)


def _perm() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20241222)
    a = rng.integers(1, 1 << 31, NUM_PERM, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, NUM_PERM, dtype=np.uint64)
    return a, b


_A, _B = _perm()


def _minhash(sets: list[np.ndarray]) -> np.ndarray:
    """Deterministic MinHash signatures (fixed seed), one row per set."""
    a, b = _A, _B
    out = np.empty((len(sets), NUM_PERM), dtype=np.uint64)
    for i, x in enumerate(sets):
        # a < 2^31 and x < 2^32 keep a*x + b below 2^64: no wrap-around before the modulus.
        out[i] = ((np.outer(x, a) + b) % np.uint64(_PRIME)).min(axis=0)
    return out


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


class _UnionFind:
    def __init__(self, keys: list[str]):
        self.parent = {k: k for k in keys}

    def find(self, k: str) -> str:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = {}
        for k in self.parent:
            out.setdefault(self.find(k), []).append(k)
        return list(out.values())

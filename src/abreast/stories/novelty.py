"""New vs. known: link a week's stories to related stories of earlier weeks.

A story is represented by the normalised mean of its members' embeddings (its centroid) and its
entities. An earlier story is related when the centroids are very close, or when they share a
versioned model entity ("model:llama-3.3-70b", not the bare family "model:llama" or a product name
like "model:chatgpt") and are close (a follow-up about "o3" a week later reads differently from the
launch but is about the same thing). Two stories made only of arXiv papers are different
publications, never a follow-up of each other: topically close papers embed very close. A story with
no related earlier story is new. Checked by eye on the demo weeks (see
bench/data/STORIES_LABELLING.md); not measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NoveltyParams:
    related: float = 0.88  # centroid cosine that alone makes two stories related
    related_with_model: float = 0.70  # ... when they also share a versioned model entity
    max_related: int = 3


@dataclass
class StoryProfile:
    id: str
    week: str
    centroid: np.ndarray  # L2-normalised; zeros when no member had an embedding
    entities: frozenset[str]
    only_papers: bool = False  # every member is an arXiv paper


def centroid(vectors: np.ndarray) -> np.ndarray:
    if len(vectors) == 0:
        return np.zeros(0, dtype=np.float32)
    c = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    n = np.linalg.norm(c)
    unit: np.ndarray = c / n if n > 0 else c
    return unit


def link_to_earlier(
    current: Sequence[StoryProfile],
    earlier: Sequence[StoryProfile],
    params: NoveltyParams | None = None,
) -> list[list[str]]:
    """For each current story, ids of related earlier stories, most similar first."""
    p = params or NoveltyParams()
    dims = [e.centroid.size for e in earlier if e.centroid.size]
    if not current or not dims:
        return [[] for _ in current]
    dim = dims[0]
    older = [e for e in earlier if e.centroid.size == dim]
    mat = np.stack([e.centroid for e in older])
    usable = [i for i, s in enumerate(current) if s.centroid.size == dim]
    out: list[list[str]] = [[] for _ in current]
    if not usable:
        return out
    sims = np.stack([current[i].centroid for i in usable]) @ mat.T  # one product, not one per story
    for row, i in enumerate(usable):
        models = {
            e for e in current[i].entities if e.startswith("model:") and any(c.isdigit() for c in e)
        }
        cand = np.flatnonzero(sims[row] >= p.related_with_model)
        cand = cand[np.argsort(-sims[row, cand], kind="stable")]
        hits = [
            older[j].id
            for j in cand.tolist()
            if not (current[i].only_papers and older[j].only_papers)
            and (sims[row, j] >= p.related or models & older[j].entities)
        ]
        out[i] = hits[: p.max_related]
    return out

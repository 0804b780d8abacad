"""New vs. known: link a week's stories to related stories of earlier weeks.

A story is represented by the normalised mean of its members' embeddings (its centroid) and its
entities. An earlier story is related when the centroids are close, or when they share a specific
model entity and are at least somewhat close (a follow-up about "o3" a week later reads differently
from the launch but is about the same thing). A story with no related earlier story is new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NoveltyParams:
    related: float = 0.80           # centroid cosine that alone makes two stories related
    related_with_model: float = 0.60  # ... when they also share a model entity
    max_related: int = 3


@dataclass
class StoryProfile:
    id: str
    week: str
    centroid: np.ndarray            # L2-normalised; zeros when no member had an embedding
    entities: frozenset[str]


def centroid(vectors: np.ndarray) -> np.ndarray:
    if len(vectors) == 0:
        return np.zeros(0, dtype=np.float32)
    c = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    n = np.linalg.norm(c)
    return c / n if n > 0 else c


def link_to_earlier(current: Sequence[StoryProfile], earlier: Sequence[StoryProfile],
                    params: NoveltyParams | None = None) -> list[list[str]]:
    """For each current story, ids of related earlier stories, most similar first."""
    p = params or NoveltyParams()
    older = [e for e in earlier if e.centroid.size]
    if not current or not older:
        return [[] for _ in current]
    dim = older[0].centroid.size
    mat = np.stack([e.centroid for e in older if e.centroid.size == dim])
    older = [e for e in older if e.centroid.size == dim]
    out = []
    for s in current:
        if s.centroid.size != dim:
            out.append([])
            continue
        sims = mat @ s.centroid
        models = {e for e in s.entities if e.startswith("model:")}
        hits = []
        for j in np.argsort(-sims, kind="stable"):
            sim = float(sims[j])
            if sim < p.related_with_model:
                break
            shares_model = bool(models & older[j].entities)
            if sim >= p.related or shares_model:
                hits.append(older[j].id)
            if len(hits) == p.max_related:
                break
        out.append(hits)
    return out

"""The search window's vectors as the store keeps them (int8 codes and one scale per row), and the
rows nearest a query's vector, exactly.

Why not a float32 matrix and one matrix-vector product: at 1M items the window holds ~82k vectors,
84 MB as float32, and that product read all of them on every query (13-19 ms at best on this
machine, and 2-3 times that with BLAS's two threads waiting on each other under load). The codes are
a quarter of those bytes. One pass over them, cast to float32 a block at a time in a buffer that
stays in the CPU cache, on one BLAS thread, finds every row that can be among the best; only those
few rows are then scored exactly (float64 over the decoded float32 values) and ranked; of identical
vectors (the same text collected twice) the most recently collected comes first. So the order no
longer depends on how BLAS splits and sums a product (it differed between one and two threads in
the last bits), nor which of two equal vectors wins on how a selection algorithm happened to run.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from threading import Lock
from typing import Any

import numpy as np

BLOCK = 4096  # rows cast per step: 4 MB of float32 for 256 dimensions, stays in the L3 cache
_blas_lock = Lock()
_controller: Any = None


class StoredVectors:
    """Row ``i`` decodes to ``codes[i] * scales[i]`` in float32, exactly as the store's reader
    (store.compact.decode_vectors) decodes it; ``scales`` is None for vectors stored as float32."""

    def __init__(self, stored: np.ndarray, scales: np.ndarray | None):
        self.codes = stored
        self.scales = scales
        self._norm = _largest_norm(self)  # bounds every row's |v| in _error

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.codes.shape[0]), int(self.codes.shape[1]))

    def __getitem__(self, rows: Any) -> np.ndarray:
        """Decoded float32 rows (one row, a list, an array of rows or a slice)."""
        if self.scales is None:
            return np.asarray(self.codes[rows])
        out: np.ndarray = self.codes[rows].astype(np.float32) * (
            self.scales[rows][..., None] if np.ndim(self.scales[rows]) else self.scales[rows]
        )
        return out

    def nearest(self, qvec: np.ndarray, mask: np.ndarray, n: int) -> list[int]:
        """The ``n`` rows within ``mask`` whose vectors have the highest dot product with ``qvec``,
        best first, of equal ones the later row (the more recently collected item) first; [] for
        a zero query or an empty mask."""
        if not qvec.any() or not mask.any() or n <= 0:
            return []
        q = np.asarray(qvec, dtype=np.float32)
        approx = self._approx(q)
        if not mask.all():
            approx[~mask] = -np.inf
        n = min(n, int(mask.sum()))
        kth = float(np.partition(approx, len(approx) - n)[len(approx) - n])
        slack = 2 * self._error(q)
        near = np.flatnonzero(approx >= kth - slack)
        exact = self.exact(near, q)
        order = np.lexsort((-near, -exact))[:n]
        return [int(near[k]) for k in order]

    def exact(self, rows: np.ndarray, qvec: np.ndarray) -> np.ndarray:
        """Dot products of ``rows`` with ``qvec`` in float64: a product of two float32 values is
        exact there, and a row's sum does not depend on the rows beside it."""
        vecs = self[rows].astype(np.float64)
        out: np.ndarray = (vecs * np.asarray(qvec, dtype=np.float64)).sum(axis=1)
        return out

    def _error(self, q: np.ndarray) -> float:
        """A bound on |fast dot product - exact| for every row: a float32 sum of d products in any
        order is off by at most d unit roundoffs times sum |v_k q_k| <= |v| |q|, and the scale
        and the decoding add one each; (2d + 4) machine epsilons (two unit roundoffs each) is four
        times that."""
        d = int(self.codes.shape[1])
        eps = float(np.finfo(np.float32).eps)
        return (2 * d + 4) * eps * self._norm * float(np.linalg.norm(q.astype(np.float64)))

    def _approx(self, q: np.ndarray) -> np.ndarray:
        """Every row's dot product with ``q`` to within _error(q), in one pass over the codes."""
        total = len(self)
        out = np.empty(total, dtype=np.float32)
        buf = np.empty((min(BLOCK, total), self.codes.shape[1]), dtype=np.float32)
        with _one_blas_thread():
            for start in range(0, total, BLOCK):
                end = min(total, start + BLOCK)
                block = buf[: end - start]
                np.copyto(block, self.codes[start:end], casting="unsafe")
                np.dot(block, q, out=out[start:end])
        if self.scales is not None:
            np.multiply(out, self.scales, out=out)
        return out


class _Limit(AbstractContextManager[None]):
    """BLAS on one thread for the product, one product at a time (the thread count is global to
    the process: two searches in two threads of the web server must not undo each other's)."""

    def __enter__(self) -> None:
        global _controller
        _blas_lock.acquire()
        try:
            if _controller is None:
                from threadpoolctl import ThreadpoolController

                _controller = ThreadpoolController()
            self._limit = _controller.limit(limits=1, user_api="blas")
        except BaseException:
            _blas_lock.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            self._limit.restore_original_limits()
        finally:
            _blas_lock.release()


def _one_blas_thread() -> _Limit:
    return _Limit()


def _largest_norm(vectors: StoredVectors) -> float:
    """The largest row norm, a block at a time (never the whole float32 matrix at once)."""
    top = 0.0
    for start in range(0, len(vectors), BLOCK):
        block = vectors[start : start + BLOCK].astype(np.float64)
        top = max(top, float(np.sqrt(np.einsum("ij,ij->i", block, block).max())))
    return top

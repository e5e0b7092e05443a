"""A network's loss on the plane of its own path (Li et al. 2018, "Visualizing the Loss Landscape of
Neural Nets"): the two directions along which its weight snapshots varied most (principal
components of the snapshots less the final weights), the path projected on them, and the loss on
a grid of that plane around the final weights.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

Array = np.ndarray


class Plane(NamedTuple):
    origin: Array  # (P,) the final weights: the plane's (0, 0)
    directions: Array  # (2, P) orthonormal
    explained: Array  # (2,) share of the path's variance about the origin along each direction
    path: Array  # (m, 2) each snapshot's coordinates on the plane


def pca_plane(snapshots: Array, final: Array) -> Plane:
    """The plane through ``final`` (P,) spanned by the two leading principal directions of
    ``snapshots`` (m, P) less ``final``, found from the m × m Gram matrix (m is a few dozen, P up to
    a million). Each direction's sign makes the path's start lie at positive coordinates."""
    centred = np.asarray(snapshots, np.float64) - np.asarray(final, np.float64)
    gram = centred @ centred.T
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(values)[::-1][:2]
    lead = np.clip(values[order], 0, None)
    directions = (vectors[:, order].T @ centred) / np.sqrt(np.where(lead > 0, lead, 1.0))[:, None]
    path = centred @ directions.T
    flip = np.where(path[0] < 0, -1.0, 1.0)
    total = float(np.trace(gram))
    return Plane(np.asarray(final, np.float64), directions * flip[:, None], lead / total if total > 0 else lead,
                 path * flip)


def grid(plane: Plane, loss: Callable[[Array], float], n: int = 21, margin: float = 0.25) -> tuple[Array, Array, Array]:
    """``loss`` of the weights at each point of an n × n grid covering the projected path with a
    ``margin`` share on every side: (xs (n,), ys (n,), losses (n, n), row = y)."""
    lo, hi = plane.path.min(axis=0), plane.path.max(axis=0)
    pad = np.maximum(hi - lo, 1e-12) * margin
    xs, ys = (np.linspace(lo[k] - pad[k], hi[k] + pad[k], n) for k in range(2))
    z = np.array([[loss(plane.origin + a * plane.directions[0] + b * plane.directions[1]) for a in xs] for b in ys])
    return xs, ys, z

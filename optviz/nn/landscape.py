"""A network's loss on the plane of its own path (Li et al. 2018, "Visualizing the Loss Landscape of
Neural Nets"): the two directions along which its weight snapshots varied most (principal
components of the snapshots less the final weights), the path projected on them, and the loss on
a grid of that plane around the final weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from optviz.nn import layers
from optviz.nn.mlp import MLP

Array = np.ndarray

IMAGES = 1000  # training images the loss on a plane is measured on, at most
FLOPS = 4e10  # a drawing's budget of multiply-adds over its grid: about 2 s on two cores in float32


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


def loss_of(mlp: MLP, x: Array, labels: Array) -> Callable[[Array], float]:
    """The mean cross-entropy of (x, labels) as a function of ``mlp``'s flat weights: training mode
    (batch norm on the images' own statistics) without dropout, in x's precision."""
    probe = replace(mlp, dropout=0.0)

    def loss(w: Array) -> float:
        with np.errstate(all="ignore"):
            return float(layers.softmax_cross_entropy(probe.forward(w.astype(x.dtype), x, True).out, labels)[0])
    return loss


def images_for(size: int, n: int, most: int = IMAGES, least: int = 100) -> int:
    """How many images a grid of n × n on a network of ``size`` weights can afford within ``FLOPS``."""
    return int(np.clip(FLOPS / (2 * n * n * size), least, most))


KEEP = 20  # weight snapshots a path keeps at most (then every other one is dropped and the stride doubles)


class Path:
    """A training run's weights along the way, in bounded memory: the start in float32 and, at every
    ``stride``-th call of ``offer``, the displacement from it in float16 (at most ``KEEP``: when
    full, every other one goes and the stride doubles, so they stay evenly spaced). float16 keeps
    three significant digits of each weight's displacement, which is what the plane's directions
    are made of."""

    def __init__(self, start: Array) -> None:
        self.start = np.array(start, np.float32)
        self.t: list[int] = []  # iteration of each kept snapshot
        self.moved: list[Array] = []  # (P,) float16 weights less ``start``
        self.stride, self._offers = 1, 0

    def offer(self, t: int, params: Array) -> None:
        """Keep the weights of iteration ``t`` if it is this offer's turn."""
        with np.errstate(over="ignore", invalid="ignore"):
            moved = (np.asarray(params, np.float32) - self.start).astype(np.float16)
        if self._offers % self.stride == 0 and np.isfinite(moved).all():  # beyond float16's 65,504: diverging
            self.t.append(t)
            self.moved.append(moved)
            if len(self.moved) > KEEP:
                self.t, self.moved, self.stride = self.t[::2], self.moved[::2], self.stride * 2
        self._offers += 1

    def copy(self) -> Path:
        """An independent path with the same snapshots (arrays shared: never written)."""
        new = Path.__new__(Path)
        new.start, new.t, new.moved, new.stride, new._offers = self.start, list(self.t), list(self.moved), \
            self.stride, self._offers
        return new

    def weights(self) -> Array:
        """(m, P) float64 weights of the kept snapshots."""
        return self.start.astype(np.float64) + np.array(self.moved, np.float64).reshape(len(self.moved), -1)

    def plane(self, final: Array) -> Plane:
        """The plane of this path ending at ``final`` (P,), the present weights."""
        return pca_plane(np.vstack([self.weights(), np.asarray(final, np.float64)]), final)

    def fold(self, final: Array) -> Folded:
        """This path reduced to its plane through ``final`` (P,): all a finished run needs of it."""
        flat = self.plane(final)
        return Folded(flat.directions.astype(np.float32), flat.explained, flat.path, list(self.t))

    @property
    def nbytes(self) -> int:
        return self.start.nbytes + sum(m.nbytes for m in self.moved)


class Folded(NamedTuple):
    """A finished run's path as its plane: 8 bytes a weight, where the path holds 4 and 2 more for
    each of its (up to ``KEEP``) snapshots. The directions are float32, the precision the loss is
    measured in on the plane."""
    directions: Array  # (2, P) float32
    explained: Array  # (2,)
    coords: Array  # (m + 1, 2) the snapshots' and the final weights' coordinates
    t: list[int]  # iteration of each snapshot

    def plane(self, final: Array) -> Plane:
        """The plane, around ``final`` (P,): the weights it was folded at."""
        return Plane(np.asarray(final, np.float64), self.directions.astype(np.float64), self.explained, self.coords)

    def fold(self, final: Array) -> Folded:
        return self  # folded already

    def copy(self) -> Folded:
        return self  # never written

    @property
    def nbytes(self) -> int:
        return self.directions.nbytes + self.explained.nbytes + self.coords.nbytes

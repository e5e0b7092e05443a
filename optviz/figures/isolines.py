"""Contour lines of a sampled function as straight segments (marching squares), for charts that
draw no contours themselves.

Each grid cell whose corners lie on both sides of the level holds one segment between the edge
points where linear interpolation meets the level, or two at a saddle cell, paired by the value at
the cell's centre.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def segments(x: Array, y: Array, z: Array, level: float) -> Array:
    """The line z = ``level`` of ``z`` (ny, nx) sampled at columns ``x`` (nx,) and rows ``y``
    (ny,), as segments (k, 4): x0, y0, x1, y1, none of length 0. Non-finite z counts as below the
    level."""
    z = np.asarray(z, float)
    above = np.isfinite(z) & (z > level)
    za, zb, zc, zd = z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]  # corners: a b at the cell's bottom, d c on top
    aa, ab, ac, ad = above[:-1, :-1], above[:-1, 1:], above[1:, 1:], above[1:, :-1]
    x0, x1 = np.broadcast_to(x[:-1], za.shape), np.broadcast_to(x[1:], za.shape)
    y0, y1 = np.broadcast_to(y[:-1, None], za.shape), np.broadcast_to(y[1:, None], za.shape)

    def cut(lo: Array, hi: Array) -> Array:  # where along an edge the level lies, 0..1 where it crosses
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.clip((level - lo) / (hi - lo), 0.0, 1.0)

    points = np.stack([np.stack([x0 + cut(za, zb) * (x1 - x0), y0], -1),  # bottom edge
                       np.stack([x1, y0 + cut(zb, zc) * (y1 - y0)], -1),  # right
                       np.stack([x0 + cut(zd, zc) * (x1 - x0), y1], -1),  # top
                       np.stack([x0, y0 + cut(za, zd) * (y1 - y0)], -1)])  # left: (4, ny - 1, nx - 1, 2)
    crossed = np.stack([aa != ab, ab != ac, ad != ac, aa != ad])
    count = crossed.sum(0)
    one = count == 2
    edges = np.argsort(~crossed, axis=0, kind="stable")[:2]  # the two crossed edges first
    ends = np.take_along_axis(points, edges[..., None], 0)[:, one]  # (2, m, 2)
    saddle = count == 4
    p = points[:, saddle]  # (4, s, 2)
    centre = (za + zb + zc + zd)[saddle] / 4 > level
    joined = (centre == aa[saddle])[:, None]  # a's side runs through the centre to c: b and d are cut off
    around_b_or_a = np.where(joined, np.concatenate([p[0], p[1]], -1), np.concatenate([p[0], p[3]], -1))
    around_d_or_c = np.where(joined, np.concatenate([p[2], p[3]], -1), np.concatenate([p[2], p[1]], -1))
    seg = np.concatenate([np.concatenate([ends[0], ends[1]], -1), around_b_or_a, around_d_or_c])
    return seg[(seg[:, 0] != seg[:, 2]) | (seg[:, 1] != seg[:, 3])]  # the level through a corner: no length


def lines(x: Array, y: Array, z: Array, level: float, tolerance: float = 0.0) -> list[Array]:
    """The same contour as polylines (k, 2), each as long as the segments join (a closed one ends
    where it starts), with every point dropped that lies within ``tolerance`` of the line its
    neighbours kept would draw (Ramer–Douglas–Peucker)."""
    seg = segments(x, y, z, level)
    ends: dict[tuple[float, float], list[int]] = {}
    for i, (a, b, c, d) in enumerate(seg.tolist()):  # neighbouring cells compute a shared point alike
        ends.setdefault((a, b), []).append(i)
        ends.setdefault((c, d), []).append(i)
    used = np.zeros(len(seg), bool)

    def walk(i: int, point: tuple[float, float]) -> list[tuple[float, float]]:  # from segment i's end ``point`` on
        out = []
        while True:
            nxt = next((j for j in ends[point] if not used[j]), None)
            if nxt is None:
                return out
            used[nxt] = True
            a, b, c, d = seg[nxt].tolist()
            point = (c, d) if (a, b) == point else (a, b)
            out.append(point)

    found = []
    for i in range(len(seg)):
        if used[i]:
            continue
        used[i] = True
        a, b, c, d = seg[i].tolist()
        back = walk(i, (a, b))
        line = np.array(back[::-1] + [(a, b), (c, d)] + walk(i, (c, d)))
        found.append(simplify(line, tolerance) if tolerance > 0 else line)
    return found


def simplify(line: Array, tolerance: float) -> Array:
    """``line`` (k, 2) with the points Ramer–Douglas–Peucker drops at ``tolerance``: each kept
    stretch lies within it of the straight line between its kept ends."""
    keep = np.zeros(len(line), bool)
    keep[[0, -1]] = True
    stack = [(0, len(line) - 1)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        a, b = line[i], line[j]
        d = b - a
        inner = line[i + 1:j] - a
        norm = np.hypot(*d)
        far = np.abs(d[0] * inner[:, 1] - d[1] * inner[:, 0]) / norm if norm > 0 else np.hypot(inner[:, 0], inner[:, 1])
        k = int(np.argmax(far))
        if far[k] > tolerance:
            m = i + 1 + k
            keep[m] = True
            stack += [(i, m), (m, j)]
    return line[keep]

"""A surface's contour map as a PNG picture, the background of the trajectories chart.

Vega-Lite draws no contours, and a picture costs the browser one image however fine the surface:
bands of colour with a darker line wherever the level changes, computed here and encoded as PNG
with the standard library.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

Array = np.ndarray


def png(rgb: Array) -> bytes:
    """PNG encoding of an (h, w, 3) uint8 image, top row first."""
    h, w, _ = rgb.shape
    rows = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1)  # filter 0 per row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) \
        + chunk(b"IEND", b"")


def _rgb(hex_colour: str) -> Array:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], float)


def contour_rgb(z: Array, scale: list[list], levels: int = 25, line: str = "#8a96a3") -> Array:
    """An (h, w, 3) uint8 picture of ``z`` (h, w; row 0 at the bottom, as a plot's y axis): the
    colour scale ``[[position, "#rrggbb"], ...]`` over z's range, in ``levels`` bands, with a line
    of colour ``line`` where neighbouring pixels lie in different bands. Non-finite z counts as the
    top of the range."""
    finite = np.isfinite(z)
    lo, hi = (float(z[finite].min()), float(z[finite].max())) if finite.any() else (0.0, 1.0)
    u = np.where(finite, (z - lo) / ((hi - lo) or 1.0), 1.0)
    band = np.minimum((u * levels).astype(int), levels - 1)
    shade = (band + 0.5) / levels  # each band one colour: the look of plotly's filled contours
    pos = np.array([p for p, _ in scale])
    colours = np.array([_rgb(c) for _, c in scale])
    rgb = np.stack([np.interp(shade, pos, colours[:, i]) for i in range(3)], -1)
    edge = np.zeros(z.shape, bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    rgb[edge] = 0.4 * rgb[edge] + 0.6 * _rgb(line)
    return np.flipud(rgb).round().astype(np.uint8)  # image rows run top-down


def finer(z: Array, factor: int) -> Array:
    """``z`` (h, w) linearly interpolated onto a grid ``factor`` times finer along each axis, with
    the same corners: (factor·(h − 1) + 1, factor·(w − 1) + 1). Bands drawn from a coarse grid
    scaled up show its cells as steps; drawn from this they are smooth."""
    h, w = z.shape
    rows, cols = np.linspace(0, h - 1, factor * (h - 1) + 1), np.linspace(0, w - 1, factor * (w - 1) + 1)
    across = np.array([np.interp(cols, np.arange(w), row) for row in z])
    return np.array([np.interp(rows, np.arange(h), col) for col in across.T]).T


def data_uri(rgb: Array) -> str:
    return "data:image/png;base64," + base64.b64encode(png(rgb)).decode("ascii")

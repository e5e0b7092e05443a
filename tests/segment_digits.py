"""Handwriting-like digits the tests draw themselves, so a fresh clone needs no data folder.

Each digit is the seven-segment shape of a pocket calculator, drawn with a random stroke width,
size, slant and position on a 28×28 canvas, with noise on the ink: ten classes a network has to
learn (the shapes share segments), nearly as dark as MNIST (mean pixel 0.105; MNIST's is 0.13). The four files
are gzipped IDX, as the official ones, so every loader path of the app runs on them.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from optviz.serve.data import FILES

# Segment end points in a unit box (x right, y down): a top, b upper right, c lower right,
# d bottom, e lower left, f upper left, g middle.
_SEGMENTS = {
    "a": ((0, 0), (1, 0)), "b": ((1, 0), (1, 1)), "c": ((1, 1), (1, 2)), "d": ((0, 2), (1, 2)),
    "e": ((0, 1), (0, 2)), "f": ((0, 0), (0, 1)), "g": ((0, 1), (1, 1)),
}
_DIGITS = ("abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgedc", "abc", "abcdefg", "abcdfg")


def draw(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(n, 28, 28) uint8 images of ``labels`` (n,), each with its own width, size, slant and shift."""
    n = len(labels)
    size = rng.uniform(5.0, 7.5, n)[:, None, None]  # pixels per unit: the glyph is size × 2·size
    slant = rng.uniform(-0.35, 0.35, n)[:, None, None]
    width = rng.uniform(0.9, 1.8, n)[:, None, None]  # half the stroke width, pixels
    left = 14 - size / 2 + rng.uniform(-2.5, 2.5, (n, 1, 1))
    top = 14 - size + rng.uniform(-2.5, 2.5, (n, 1, 1))
    row, col = np.mgrid[0:28, 0:28] + 0.5
    v = (row - top) / size  # each pixel in glyph units, the slant undone
    u = (col - left) / size + slant * (v - 1)
    ink = np.zeros((n, 28, 28))
    for name, ((x0, y0), (x1, y1)) in _SEGMENTS.items():
        on = np.array([name in _DIGITS[d] for d in labels])[:, None, None]
        t = np.clip((u - x0) * (x1 - x0) + (v - y0) * (y1 - y0), 0, 1)  # segments have unit length
        dist = np.hypot(u - x0 - t * (x1 - x0), v - y0 - t * (y1 - y0)) * size
        ink = np.maximum(ink, on * np.clip(width + 0.5 - dist, 0, 1))
    ink = np.clip(ink + rng.normal(0, 0.08, ink.shape) * (ink > 0), 0, 1)
    return np.round(255 * ink).astype(np.uint8)


def idx_bytes(a: np.ndarray) -> bytes:
    """IDX encoding written from the format's description, independently of the app's parser."""
    codes = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D}
    a = np.asarray(a)
    return bytes([0, 0, codes[a.dtype], a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape) + a.tobytes()


def write(folder: Path, n_train: int = 8000, n_test: int = 2000, seed: int = 0) -> Path:
    """Writes the four gzipped IDX files into ``folder`` (made if missing) and returns it."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for part, n in (("train", n_train), ("test", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        (folder / FILES[f"{part}_images"][0]).write_bytes(gzip.compress(idx_bytes(draw(labels, rng)), 1))
        (folder / FILES[f"{part}_labels"][0]).write_bytes(gzip.compress(idx_bytes(labels), 1))
    return folder

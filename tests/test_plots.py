"""The figures' pictures and layout: the contour picture and the click lattice."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from optviz.figures import plots, raster
from optviz.toy import surfaces


def test_png_decodes_to_the_same_pixels(rng):
    rgb = rng.integers(0, 256, (7, 11, 3), dtype=np.uint8)
    decoded = np.asarray(Image.open(io.BytesIO(raster.png(rgb))).convert("RGB"))  # an independent decoder
    assert np.array_equal(decoded, rgb)


def test_contour_picture_is_light_at_the_minimum_and_lined_between_bands():
    s = surfaces.bowl()
    z = plots.grid(s, 101).z
    rgb = raster.contour_rgb(z, plots.CONTOUR_SCALE, levels=5).astype(int)
    centre, corner = rgb[50, 50], rgb[0, 0]  # the minimum, and the far corner of the window
    # band 0 of 5 has shade 0.1: a fifth of the way from #f7f7f7 to #c9d3dd, (247 − 9.2, 247 − 7.2, 247 − 5.2)
    assert centre.sum() > corner.sum() and tuple(centre) == (238, 240, 242)
    row = rgb[::-1, 50]  # up the middle column (image rows run top-down): a line at every change of band
    band = np.minimum((((z[:, 50] - z.min()) / (z.max() - z.min())) * 5).astype(int), 4)
    changes = np.flatnonzero(np.diff(band)) + 1
    assert len(changes) >= 4
    assert all((row[c] != row[c - 2]).any() for c in changes)
    assert rgb.shape == (101, 101, 3)


def test_contour_picture_puts_the_top_of_the_window_in_the_first_row():
    z = np.tile(np.arange(10.0)[:, None], (1, 4))  # rises with y (row index)
    rgb = raster.contour_rgb(z, plots.CONTOUR_SCALE, levels=10).astype(int)
    assert rgb[0].sum() < rgb[-1].sum()  # first image row: high z, dark


@pytest.mark.parametrize("key", surfaces.SURFACE_KEYS)
def test_the_click_lattice_is_round_and_covers_the_window(key):
    """Every window gets a lattice of round numbers (a click on the bowl can pick the book's start
    (−7, 2)), no point outside it, no gap wider than one step at an edge, and a few hundred points
    at most: each is an element the browser redraws."""
    s = surfaces.get(key)
    x, y = plots.click_lattice(s)
    step = np.diff(np.unique(x.round(9)))
    assert np.allclose(step, step[0])
    mantissa = step[0] / 10 ** np.floor(np.log10(step[0]))
    assert any(np.isclose(mantissa, m) for m in (1, 2, 2.5, 5))
    for values, (lo, hi) in ((x, s.xlim), (y, s.ylim)):
        assert lo - 1e-9 <= values.min() and values.max() <= hi + 1e-9
        assert values.min() - lo < step[0] and hi - values.max() < step[0]
    assert np.allclose(np.unique(y.round(9))[1:] - np.unique(y.round(9))[:-1], step[0])
    assert max(s.xlim[1] - s.xlim[0], s.ylim[1] - s.ylim[0]) / step[0] <= plots.CLICK_CELLS
    assert 100 <= len(x) <= 700
    if key == "bowl":
        assert np.any(np.isclose(x, -7) & np.isclose(y, 2))


def test_a_finer_grid_holds_a_plane_exactly_and_keeps_the_corners():
    rows, cols = np.meshgrid(np.arange(4.0), np.arange(6.0), indexing="ij")
    plane = 2.0 * rows - 0.5 * cols + 1.0  # linear interpolation is exact on a plane
    fine = raster.finer(plane, 3)
    assert fine.shape == (10, 16)
    fr, fc = np.meshgrid(np.linspace(0, 3, 10), np.linspace(0, 5, 16), indexing="ij")
    np.testing.assert_allclose(fine, 2.0 * fr - 0.5 * fc + 1.0)
    bumpy = np.random.default_rng(0).normal(size=(4, 6))
    np.testing.assert_array_equal(raster.finer(bumpy, 3)[::3, ::3], bumpy)  # the old samples stay

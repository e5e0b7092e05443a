"""The figures' pictures and layout: the contour picture, the click lattice, the histograms."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from optviz import plots, raster, surfaces


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


def test_histogram_tick_labels_stay_apart_on_narrow_panels():
    """Up to six panels across the page each has its x tick labels, values inside its own range;
    past that only the first panel of each row does, where they would otherwise run into each other."""
    from optviz import initialisation

    def labelled(n_layers: int, sides: int) -> list[list[bool]]:
        e = initialisation.run(initialisation.InitConfig("xavier", "tanh", n_layers, 20, False, 100, 0))
        hists = initialisation.histograms(e.act), initialisation.histograms(e.grads)
        fig = plots.layer_histograms(*hists, "en", sides=sides).to_dict()
        rows = []
        for axis, h in zip(("xaxis", "xaxis2"), hists, strict=True):
            lo, hi = h.edges[0], h.edges[-1]
            pitch = (hi - lo) * (1 + plots.PANEL_GAP)
            vals, text = fig["layout"][axis]["tickvals"], fig["layout"][axis]["ticktext"]
            panels = [round((v - lo) // pitch) for v in vals]
            for v, label, k in zip(vals, text, panels, strict=True):  # each label is the value inside its panel
                assert float(label) == pytest.approx(v - k * pitch, abs=1e-9 + 1e-3 * (hi - lo))
                assert lo - 1e-9 <= float(label) <= hi + 1e-9
            rows.append([k in panels for k in range(n_layers)])
        return rows

    assert labelled(5, 1) == [[True] * 5] * 2
    for n, sides in ((10, 1), (5, 2), (4, 2)):
        assert labelled(n, sides) == [[True] + [False] * (n - 1)] * 2, (n, sides)
    assert labelled(3, 2) == [[True] * 3] * 2


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


def test_each_histogram_is_drawn_as_its_bins_from_edge_to_edge():
    """Each layer's histogram is a closed step line (Plotly's "hvh": the step halfway between
    points) in its row's one trace: up its first edge, each bin's height everywhere inside that
    bin, down its last edge, then a gap before the next layer's, one panel along."""
    from optviz import initialisation

    e = initialisation.run(initialisation.InitConfig(1.0, "sigmoid", 3, 50, False, 200, 0))
    act = initialisation.histograms(e.act)
    row = plots.layer_histograms(act, initialisation.histograms(e.grads), "en").to_dict()["data"][0]
    assert row["line"]["shape"] == "hvh" and row["fill"] == "toself"  # toself: each outline closed on its own
    xs, ys = (np.frombuffer(base64.b64decode(row[k]["bdata"]), np.float32).astype(float) for k in ("x", "y"))
    inside = np.frombuffer(base64.b64decode(row["customdata"]["bdata"]), np.float32).astype(float).reshape(-1, 2)
    assert row["customdata"]["shape"] == f"{len(xs)},2"
    gaps = np.flatnonzero(np.isnan(ys))
    assert len(gaps) == 3 and gaps[-1] == len(ys) - 1  # three layers, each outline ended by a gap
    start = gaps[0] + 1  # layer 2
    x, y, (value, layer) = xs[start:gaps[1]], ys[start:gaps[1]], inside[start:gaps[1]].T
    assert np.all(layer == 2)
    assert np.allclose(x - value, (act.edges[-1] - act.edges[0]) * (1 + plots.PANEL_GAP), rtol=1e-5)  # one panel along
    edges, shares = act.edges, act.shares[1]
    assert np.allclose(value[[0, 1, -2, -1]], edges[[0, 0, -1, -1]], rtol=1e-6)
    assert y[0] == 0 and y[-1] == 0  # up the first edge and down the last, from the axis

    def drawn(p: float) -> float:
        i = min(np.searchsorted(value, p, side="right") - 1, len(value) - 2)
        return y[i] if p < (value[i] + value[i + 1]) / 2 else y[i + 1]

    w = edges[1] - edges[0]
    for j, share in enumerate(shares):
        for p in (edges[j] + 0.02 * w, (edges[j] + edges[j + 1]) / 2, edges[j + 1] - 0.02 * w):
            assert np.isclose(drawn(p), share, atol=1e-6), (j, p)


def test_the_layers_are_named_above_their_histograms():
    from optviz import initialisation

    for n, names in ((3, ["layer 1", "layer 2", "layer 3"]), (7, ["layer 1", "2", "3", "4", "5", "6", "7"])):
        e = initialisation.run(initialisation.InitConfig(1.0, "sigmoid", n, 20, False, 100, 0))
        act = initialisation.histograms(e.act)
        top = plots.layer_histograms(act, initialisation.histograms(e.grads), "en").to_dict()["layout"]["xaxis3"]
        pitch = (act.edges[-1] - act.edges[0]) * (1 + plots.PANEL_GAP)
        assert top["ticktext"] == names and top["side"] == "top"
        assert np.allclose(top["tickvals"], (act.edges[0] + act.edges[-1]) / 2 + pitch * np.arange(n))  # centred

"""Properties of the core over inputs drawn by hypothesis, with a fixed example budget and
derandomised draws so CI runs the same examples every time."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optviz.i18n.text import BOOKS
from optviz.nn import train
from optviz.optim.registry import LR_VALUES, OPTIMIZERS, SCHEDULES, make_optimizer, make_schedule
from optviz.serve import data
from optviz.toy import curvature, descent, surfaces

BUDGET = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
finite = st.floats(-1e3, 1e3, allow_nan=False)


@st.composite
def optimizers(draw):
    """Any optimizer a page can build: a name, a learning rate and knobs from the sliders' grids."""
    name = draw(st.sampled_from(list(OPTIMIZERS)))
    knobs = {k: draw(st.sampled_from(spec.values)) for k, spec in OPTIMIZERS[name].knobs.items()}
    return name, make_optimizer(name, draw(st.sampled_from(LR_VALUES)), **knobs)


@BUDGET
@given(optimizers(), st.lists(st.tuples(finite, finite), min_size=1, max_size=5), st.integers(1, 5))
def test_zero_gradient_moves_nothing_but_decay(opt, points, steps):
    """Without a gradient nothing moves but weight decay, and decay is what its definition says:
    AdamW's decoupled p ← p·(1 − ηλ) each step (which moves away from 0 once ηλ > 2: lr 10, λ 0.5
    maps (1, −2) to (−4, 8)), and every other optimizer's coupled decay the same optimizer without
    decay given the gradient λ·p."""
    name, o = opt
    p = np.array(points)
    state = o.init(p)
    q = p
    for _ in range(steps):
        q, state = o.step(q, np.zeros_like(q), state)
    wd = getattr(o, "weight_decay", 0)
    if wd == 0:
        np.testing.assert_array_equal(q, p)
    elif name == "AdamW":
        np.testing.assert_allclose(q, p * (1 - o.lr * wd) ** steps, rtol=1e-9, atol=1e-12)
    else:
        bare = dataclasses.replace(o, weight_decay=0.0)
        r, bare_state = p, bare.init(p)
        for _ in range(steps):
            r, bare_state = bare.step(r, wd * r, bare_state)
        np.testing.assert_allclose(q, r, rtol=1e-12, atol=1e-12)


@BUDGET
@given(optimizers(), st.tuples(finite, finite), st.tuples(finite, finite))
def test_one_step_is_finite_and_downhill_for_a_small_step(opt, point, grad):
    """On any point with any finite gradient the first step is finite; moving with lr 1e-6 it
    does not go against the gradient (every optimizer's first step is a positive multiple of a
    preconditioned −g, componentwise)."""
    name, o = opt
    small = make_optimizer(name, 1e-6, **{k: getattr(o, k, spec.default) for k, spec in OPTIMIZERS[name].knobs.items()
                                          if k not in ("beta1", "beta2")} | (
        {"beta1": o.betas[0], "beta2": o.betas[1]} if hasattr(o, "betas") else {}))
    p, g = np.array(point), np.array(grad)
    new, _ = small.step(p, g, small.init(p))
    assert np.isfinite(new).all()
    if getattr(small, "weight_decay", 0) == 0:
        assert ((new - p) * g <= 0).all()


@BUDGET
@given(st.sampled_from(surfaces.SURFACE_KEYS), st.floats(0, 1), st.floats(0, 1))
def test_surface_gradients_and_hessians_match_central_differences(key, u, v):
    s = surfaces.get(key)
    p = np.array([s.xlim[0] + u * (s.xlim[1] - s.xlim[0]), s.ylim[0] + v * (s.ylim[1] - s.ylim[0])])
    h = 1e-5 * max(1.0, np.abs(p).max())
    e = np.eye(2) * h
    fd = np.array([(s.value(p + e[i]) - s.value(p - e[i])) / (2 * h) for i in range(2)])
    scale = max(1.0, np.abs(s.grad(p)).max())
    np.testing.assert_allclose(s.grad(p), fd, atol=1e-5 * scale, rtol=1e-5)
    hd = np.array([(s.grad(p + e[i]) - s.grad(p - e[i])) / (2 * h) for i in range(2)])
    np.testing.assert_allclose(s.hessian(p), hd, atol=1e-4 * max(1.0, np.abs(hd).max()), rtol=1e-4)


@BUDGET
@given(st.sampled_from(surfaces.SURFACE_KEYS), optimizers(), st.sampled_from(list(SCHEDULES)),
       st.floats(0, 1), st.floats(0, 1), st.integers(1, 60))
def test_any_run_is_finite_and_the_curvature_at_its_end_is_defined(key, opt, schedule, u, v, n):
    """A path holds only finite points; a diverged one says where; the curvature view of its last
    point never fails (the page's Curvature tab)."""
    s = surfaces.get(key)
    start = np.array([s.xlim[0] + u * (s.xlim[1] - s.xlim[0]), s.ylim[0] + v * (s.ylim[1] - s.ylim[0])])
    path = descent.walk(s, opt[1], start, n, make_schedule(schedule, n))
    assert np.isfinite(path.points).all() and np.isfinite(path.values).all()
    assert len(path.points) == (n + 1 if path.diverged_at is None else path.diverged_at)
    a = curvature.analyse(s, path.points[-1])
    assert f"traj.kind.{a.label}" in BOOKS["en"] and np.isfinite(a.eigenvalues).all()


@BUDGET
@given(st.lists(st.integers(1, train.MAX_UNITS), min_size=1, max_size=train.MAX_LAYERS), st.sampled_from([",", ", ", " , "]))
def test_hidden_sizes_round_trip(sizes, sep):
    assert train.parse_hidden(sep.join(map(str, sizes))) == tuple(sizes)


@BUDGET
@given(st.text(max_size=40))
def test_hidden_text_is_either_refused_or_within_bounds(text):
    sizes = train.parse_hidden(text)
    if sizes is not None:
        assert 1 <= len(sizes) <= train.MAX_LAYERS and all(1 <= s <= train.MAX_UNITS for s in sizes)
        assert text.replace(" ", "").replace(",", "").isascii()


@BUDGET
@given(st.binary(max_size=64))
def test_idx_parsing_of_any_bytes_returns_an_array_or_a_value_error(raw):
    try:
        a = data.parse_idx(raw)
    except ValueError:
        return
    assert isinstance(a, np.ndarray)


@pytest.mark.parametrize("key", surfaces.SURFACE_KEYS)
def test_every_surface_has_its_critical_points_where_it_says(key):
    s = surfaces.get(key)
    for c in s.critical:
        assert np.abs(s.grad(np.array(c.xy))).max() < 1e-6

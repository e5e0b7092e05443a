"""The lesson of the initialisation page, measured on seeded runs of the book's set-up."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.nn.initialisation import InitConfig, histograms, measure


def test_sigmoid_with_std_1_saturates_layer_5():
    e = measure(InitConfig(init=1.0, activation="sigmoid"))
    assert e.stats[4].saturated > 0.5
    # Saturated units pass little gradient: at layer 5, ∂L/∂z is under half of Xavier's.
    xavier = measure(InitConfig(init="xavier", activation="sigmoid"))
    assert e.stats[4].grad_std < 0.5 * xavier.stats[4].grad_std


def test_sigmoid_with_std_001_collapses_to_one_half():
    e = measure(InitConfig(init=0.01, activation="sigmoid"))
    a5 = e.act[4]
    assert np.abs(a5 - 0.5).max() < 0.1
    assert e.stats[4].std < 0.02  # next to no diversity between units


def test_relu_he_keeps_the_spread_and_xavier_shrinks_it_by_sqrt2_per_layer():
    def per_layer_factor(init):
        e = measure(InitConfig(init=init, activation="relu", n_layers=8, units=300))
        sd = np.log([s.std for s in e.stats])
        return np.exp(np.polyfit(np.arange(8), sd, 1)[0])  # geometric change of the std per layer

    assert per_layer_factor("he") == pytest.approx(1, abs=0.06)
    assert per_layer_factor("xavier") == pytest.approx(1 / np.sqrt(2), abs=0.06)


def test_relu_dead_share_is_about_half():
    e = measure(InitConfig(init="he", activation="relu"))
    assert all(0.4 < s.dead < 0.6 for s in e.stats)


def test_batchnorm_restores_unit_variance_before_the_activation():
    e = measure(InitConfig(init=0.01, activation="sigmoid", batchnorm=True))
    for z in e.pre:  # ε = 1e-5 in √(var + ε) shaves a little off when var is tiny
        assert z.std() == pytest.approx(1, abs=0.03) and abs(z.mean()) < 1e-3


def test_overflow_is_reported_not_returned_as_numbers():
    e = measure(InitConfig(init=1000.0, activation="linear", n_layers=10, units=100))
    assert not e.finite and e.stats == ()


def test_results_are_read_only_and_seeded():
    a, b = measure(InitConfig(seed=3)), measure(InitConfig(seed=3))
    assert np.array_equal(a.act[2], b.act[2]) and not a.act[2].flags.writeable


def test_histograms_share_bins_that_cover_every_value():
    e = measure(InitConfig(init="xavier", activation="tanh"))
    h = histograms(e.act, 30)
    assert h.edges[0] <= min(a.min() for a in e.act) and h.edges[-1] >= max(a.max() for a in e.act)
    np.testing.assert_allclose(h.shares.sum(1), 1)
    assert h.edges[0] < -0.5  # tanh's negative half is shown, not clipped away


def test_huge_but_finite_activations_get_finite_statistics():
    """std 1000 over 4 ReLU layers of 500: activations near 1e17 are finite in float32, their
    squares are not; the table must still show the spread, not inf."""
    e = measure(InitConfig(init=1000.0, activation="relu", n_layers=4, units=500))
    assert e.finite
    for s, a in zip(e.stats, e.act, strict=True):
        assert np.isfinite(s.std) and s.std == pytest.approx(np.asarray(a, np.float64).std(), rel=1e-6)
    assert e.stats[-1].std > 1e15

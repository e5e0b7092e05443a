"""When a path is cut, called diverging or called an escape: worked by hand on x²/20 + y², where
SGD's steps are closed forms, and on paths built point by point."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.optim.registry import make_optimizer
from optviz.toy import descent, surfaces

BOWL = surfaces.bowl()  # window x ∈ [−10, 10], y ∈ [−5, 5]; one minimum
START = np.array(BOWL.start)  # (−7, 2)


def built(points, values=None, diverged_at=None) -> descent.Path:
    p = np.array(points, float)
    return descent.Path(p, np.zeros(len(p)) if values is None else np.array(values, float), diverged_at)


def test_a_run_is_cut_at_the_step_where_a_coordinate_passes_a_million():
    """SGD at η = 1.5: x_k = −7·0.85^k, y_k = 2·(−2)^k. |y_19| = 2^20 > 1e6 (and f > 1e12) first, so
    the path keeps steps 0..18; the other rates of the same sweep go on to the end."""
    blown, calm = descent.sweep(BOWL, make_optimizer("SGD", 0.1), START, 30, (1.5, 0.5))
    k = np.arange(19)
    assert blown.diverged_at == 19 and len(blown.points) == 19
    np.testing.assert_allclose(blown.points, np.c_[-7 * 0.85**k, 2 * (-2.0) ** k])
    assert calm.diverged_at is None and len(calm.points) == 31
    np.testing.assert_allclose(calm.points[-1], [-7 * 0.95**30, 0.0], atol=1e-12)
    assert descent.walk(BOWL, make_optimizer("SGD", 1.5), START, 19).diverged_at == 19  # cut at its last step
    assert descent.walk(BOWL, make_optimizer("SGD", 1.5), START, 18).diverged_at is None


def test_no_noise_unless_asked_and_its_draws_from_seed_zero():
    quiet = descent.sweep(BOWL, make_optimizer("SGD", 0.1), START, 5, (0.1,))[0]
    np.testing.assert_allclose(quiet.points[:, 0], -7 * 0.99 ** np.arange(6))
    noisy = descent.walk(BOWL, make_optimizer("SGD", 0.1), START, 5, noise=0.3)
    assert np.array_equal(noisy.points, descent.walk(BOWL, make_optimizer("SGD", 0.1), START, 5, noise=0.3, seed=0).points)
    assert np.array_equal(descent.sweep(BOWL, make_optimizer("SGD", 0.1), START, 5, (0.1,), noise=0.3)[0].points,
                          noisy.points)
    assert not np.allclose(noisy.points, quiet.points)


@pytest.mark.parametrize("near, far", [((209, 0), (211, 0)), ((-209, 0), (-211, 0)), ((0, 104), (0, 106)),
                                       ((0, -104), (0, -106))])
def test_a_point_ten_window_widths_outside_is_diverging(near, far):
    """The window is 20 wide and 10 high: beyond x = ±210 or y = ±105 a path is lost from sight."""
    assert descent.diverging_at(BOWL, built([(0, 0), near])) is None
    assert descent.diverging_at(BOWL, built([(0, 0), near, far])) == 2


def test_a_loss_risen_a_million_times_its_start_is_diverging():
    """Above the start by 1e6 × max(|f(start)|, 1): 1.5e6 from 1.5, 1e6 from 0.2, 3e6 from −3."""
    assert descent.diverging_at(BOWL, built([(0, 0)] * 3, [1.5, 1.5 + 1.4e6, 1.5 + 1.6e6])) == 2
    assert descent.diverging_at(BOWL, built([(0, 0)] * 3, [0.2, 0.2 + 0.9e6, 0.2 + 1.1e6])) == 2
    assert descent.diverging_at(BOWL, built([(0, 0)] * 2, [-3.0, -3.0 + 2.9e6])) is None
    assert descent.diverging_at(BOWL, built([(0, 0)] * 2, [0.0, 1.0], diverged_at=2)) == 2  # cut by the run


def test_an_outcome_is_the_path_cut_where_it_began_to_diverge():
    """At η = 1.5, y_6 = 128 is past 105 first: the path drawn ends at step 6, not 19."""
    o = descent.outcome(BOWL, descent.walk(BOWL, make_optimizer("SGD", 1.5), START, 30))
    assert o.diverging == 6 and o.path.diverged_at == 6 and len(o.path.points) == len(o.path.values) == 7
    assert not o.escaped  # the bowl has a minimum: leaving it is diverging
    fine = descent.walk(BOWL, make_optimizer("SGD", 0.5), START, 30)
    assert descent.outcome(BOWL, fine) == (fine, None, False)


def test_leaving_downhill_where_there_is_no_minimum_is_an_escape():
    """x² − y² falls without bound: a path flagged while its loss is below the start escaped (the
    loss at the flagged step, or the last one a cut path has); on a bowl the same path diverged."""
    saddle = surfaces.SADDLE  # window ±2: out of sight beyond ±42
    out = built([(0, 0.1), (0, 1), (0, 50)], [1.0, 0.5, 0.8])
    assert descent.escaped(saddle, out, 2)  # 0.8 below the start's 1.0 (not below step 1's 0.5)
    assert not descent.escaped(saddle, built([(0, 0.1), (0, 1), (0, 50)], [1.0, 0.5, 1.2]), 2)
    assert not descent.escaped(BOWL, out, 2)
    cut = built([(0, 0.1), (0, 1)], [-0.01, -1.0], diverged_at=2)  # blew up after its last point
    assert descent.escaped(saddle, cut, 2) and descent.outcome(saddle, cut).escaped

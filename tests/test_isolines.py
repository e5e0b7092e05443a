"""Contour lines against closed forms: circles of x² + y², the hyperbolas of a saddle."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.figures import isolines


def grid(f, n=81):
    x, y = np.linspace(-2, 2, n), np.linspace(-1.5, 2.5, n + 6)  # not square, not symmetric
    xx, yy = np.meshgrid(x, y)
    return x, y, f(xx, yy)


@pytest.mark.parametrize("radius", [0.5, 1.0, 1.37])
def test_a_circles_segments_lie_on_it_and_add_up_to_its_length(radius):
    x, y, z = grid(lambda a, b: a * a + b * b)
    seg = isolines.segments(x, y, z, radius ** 2)
    for ends in (seg[:, :2], seg[:, 2:]):
        np.testing.assert_allclose(np.hypot(*ends.T), radius, atol=1e-3)  # linear interpolation of a quadratic
    length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]).sum()
    assert length == pytest.approx(2 * np.pi * radius, rel=2e-3)


def test_a_level_outside_the_values_has_no_line_and_one_through_grid_points_no_empty_segment():
    x, y, z = grid(lambda a, b: a * a + b * b)
    assert isolines.segments(x, y, z, 50.0).shape == (0, 4)
    seg = isolines.segments(x, y, z, 1.0)  # passes exactly through (±1, 0) and (0, 1), grid points here
    assert (np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]) > 0).all()


def test_a_circle_joins_into_one_closed_line_and_simplifying_keeps_it_close():
    x, y, z = grid(lambda a, b: a * a + b * b, 161)
    (line,) = isolines.lines(x, y, z, 1.0)
    np.testing.assert_array_equal(line[0], line[-1])
    assert len(line) > 300
    (coarse,) = isolines.lines(x, y, z, 1.0, tolerance=0.005)
    assert len(coarse) < len(line) / 4
    # every dropped point lies within the tolerance of the kept polygon
    a, b = coarse[:-1], coarse[1:]
    d = b - a
    t = np.clip(np.einsum("pij,ij->pi", line[:, None] - a, d) / np.einsum("ij,ij->i", d, d), 0, 1)
    gap = np.hypot(*(line[:, None] - (a + t[..., None] * d)).transpose(2, 0, 1)).min(1)
    assert gap.max() <= 0.005 + 1e-12


def test_a_saddles_level_lines_are_its_two_hyperbola_branches():
    x, y, z = grid(lambda a, b: a * b)
    branches = isolines.lines(x, y, z, 0.3)
    assert len(branches) == 2
    for branch in branches:
        np.testing.assert_allclose(branch[:, 0] * branch[:, 1], 0.3, atol=2e-3)
        assert len(set(np.sign(branch[:, 0]))) == 1  # each branch keeps to one quadrant


def test_a_saddle_cell_is_cut_by_its_centre():
    """One cell with two high corners opposite: the centre decides which corners the lines cut off."""
    x, y = np.array([0.0, 1.0]), np.array([0.0, 1.0])
    # corners (0, 0) and (1, 1) at 0, the other two at ``high``: the centre's mean is high / 2
    for high, cut_off in ((1.2, {(0.0, 0.0), (1.0, 1.0)}), (0.6, {(1.0, 0.0), (0.0, 1.0)})):
        z = np.array([[0.0, high], [high, 0.0]])
        seg = isolines.segments(x, y, z, 0.5)
        assert len(seg) == 2
        mids = seg.reshape(2, 2, 2).mean(1)
        nearest = {min(((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)), key=lambda c: np.hypot(*(m - c)))
                   for m in mids}
        assert nearest == cut_off, high

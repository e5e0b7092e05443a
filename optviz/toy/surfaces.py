"""Two-dimensional test surfaces: value, analytic gradient and Hessian, window and critical points.

Points are arrays of shape ``(..., 2)``; ``value`` returns shape ``(...)``, ``grad`` ``(..., 2)``
and ``hessian`` ``(..., 2, 2)``. Every surface knows its plotting window, its known critical
points with their kind, a default start, and how far a point is from its nearest minimum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class CriticalPoint:
    xy: tuple[float, float]
    kind: str  # "minimum", "maximum", "saddle" or "degenerate"


@dataclass(frozen=True)
class Surface:
    key: str
    formula: str  # LaTeX
    value: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    hessian: Callable[[Array], Array]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: tuple[float, float]
    critical: tuple[CriticalPoint, ...] = ()
    log_contour: bool = False  # colour by log(1 + f − f_min): for huge dynamic ranges
    min_curve: Callable[[Array], Array] | None = None  # distance to a curve of minima
    min_curve_xy: Callable[[], Array] | None = field(default=None, repr=False)

    @property
    def minima(self) -> Array:
        """Isolated minima, shape (k, 2) (k may be 0)."""
        pts = [c.xy for c in self.critical if c.kind == "minimum"]
        return np.array(pts, dtype=float).reshape(-1, 2)

    @property
    def has_minimum(self) -> bool:
        return len(self.minima) > 0 or self.min_curve is not None

    def distance_to_minimum(self, points: Array) -> Array:
        """Euclidean distance from each point (..., 2) to the nearest minimum, shape (...)."""
        if self.min_curve is not None:
            return self.min_curve(points)
        if not len(self.minima):
            return np.full(points.shape[:-1], np.nan)
        diff = points[..., None, :] - self.minima
        return np.sqrt((diff**2).sum(-1)).min(-1)


def _stack(x: Array, y: Array) -> Array:
    """(..., 2) from two same-shape components (np.stack costs 5x more on one point)."""
    out = np.empty(np.shape(x) + (2,))
    out[..., 0] = x
    out[..., 1] = y
    return out


def _hess(hxx: Array, hxy: Array, hyy: Array) -> Array:
    hxx, hxy, hyy = np.broadcast_arrays(hxx, hxy, hyy)
    return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)


def bowl(kappa: float = 20.0) -> Surface:
    """f = x²/κ + y²: Hessian diag(2/κ, 2), condition number κ. κ = 20 is the book's surface."""
    if not kappa >= 1:
        raise ValueError(f"kappa must be >= 1, got {kappa!r}")
    a = 1.0 / kappa
    default = kappa == 20.0
    return Surface(
        key="bowl" if default else "conditioned",
        formula=r"f(x, y) = \frac{x^2}{20} + y^2" if default else rf"f(x, y) = \frac{{x^2}}{{{kappa:g}}} + y^2",
        value=lambda p: a * p[..., 0] ** 2 + p[..., 1] ** 2,
        grad=lambda p: _stack(2 * a * p[..., 0], 2 * p[..., 1]),
        hessian=lambda p: _hess(np.full(p.shape[:-1], 2 * a), 0.0, 2.0),
        xlim=(-10.0, 10.0),
        ylim=(-5.0, 5.0),
        start=(-7.0, 2.0),
        critical=(CriticalPoint((0.0, 0.0), "minimum"),),
    )


SADDLE = Surface(
    key="saddle",
    formula=r"f(x, y) = x^2 - y^2",
    value=lambda p: p[..., 0] ** 2 - p[..., 1] ** 2,
    grad=lambda p: _stack(2 * p[..., 0], -2 * p[..., 1]),
    hessian=lambda p: _hess(np.full(p.shape[:-1], 2.0), 0.0, -2.0),
    xlim=(-2.0, 2.0),
    ylim=(-2.0, 2.0),
    start=(-1.8, 0.001),
    critical=(CriticalPoint((0.0, 0.0), "saddle"),),
)

MONKEY = Surface(
    key="monkey",
    formula=r"f(x, y) = x^3 - 3xy^2",
    value=lambda p: p[..., 0] ** 3 - 3 * p[..., 0] * p[..., 1] ** 2,
    grad=lambda p: _stack(3 * p[..., 0] ** 2 - 3 * p[..., 1] ** 2, -6 * p[..., 0] * p[..., 1]),
    hessian=lambda p: _hess(6 * p[..., 0], -6 * p[..., 1], -6 * p[..., 0]),
    xlim=(-1.5, 1.5),
    ylim=(-1.5, 1.5),
    start=(1.2, 0.05),
    critical=(CriticalPoint((0.0, 0.0), "degenerate"),),
)


def _hyperbola_distance(points: Array) -> Array:
    """Distance from (a, b) to the curve xy = 1: the nearest foot (t, 1/t) solves
    t⁴ − a·t³ + b·t − 1 = 0; all roots at once from batched companion matrices."""
    a = points[..., 0].reshape(-1)
    b = points[..., 1].reshape(-1)
    comp = np.zeros((a.size, 4, 4))
    comp[:, 0, :] = np.stack([a, np.zeros_like(a), -b, np.ones_like(a)], -1)
    comp[:, 1, 0] = comp[:, 2, 1] = comp[:, 3, 2] = 1.0
    roots = np.linalg.eigvals(comp)
    t = roots.real
    usable = (np.abs(roots.imag) < 1e-7 * (1 + np.abs(t))) & (np.abs(t) > 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        d2 = (t - a[:, None]) ** 2 + (1 / t - b[:, None]) ** 2
    d2 = np.where(usable, d2, np.inf)
    return np.sqrt(d2.min(-1)).reshape(points.shape[:-1])


def _hyperbola_xy() -> Array:
    t = np.geomspace(0.25, 4.0, 200)
    branch = np.stack([t, 1 / t], -1)
    gap = np.full((1, 2), np.nan)
    return np.concatenate([branch, gap, -branch])


LI_SADDLE = Surface(
    key="li",
    formula=r"L(w_1, w_2) = (1 - w_1 w_2)^2",
    value=lambda p: (1 - p[..., 0] * p[..., 1]) ** 2,
    grad=lambda p: _stack(
        -2 * p[..., 1] * (1 - p[..., 0] * p[..., 1]), -2 * p[..., 0] * (1 - p[..., 0] * p[..., 1])
    ),
    hessian=lambda p: _hess(
        2 * p[..., 1] ** 2, 4 * p[..., 0] * p[..., 1] - 2, 2 * p[..., 0] ** 2
    ),
    xlim=(-2.0, 2.0),
    ylim=(-2.0, 2.0),
    start=(-1.5, 1.5),
    critical=(CriticalPoint((0.0, 0.0), "saddle"),),
    min_curve=_hyperbola_distance,
    min_curve_xy=_hyperbola_xy,
)

ROSENBROCK = Surface(
    key="rosenbrock",
    formula=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
    value=lambda p: (1 - p[..., 0]) ** 2 + 100 * (p[..., 1] - p[..., 0] ** 2) ** 2,
    grad=lambda p: _stack(
        -2 * (1 - p[..., 0]) - 400 * p[..., 0] * (p[..., 1] - p[..., 0] ** 2),
        200 * (p[..., 1] - p[..., 0] ** 2),
    ),
    hessian=lambda p: _hess(
        2 - 400 * p[..., 1] + 1200 * p[..., 0] ** 2, -400 * p[..., 0], np.full(p.shape[:-1], 200.0)
    ),
    xlim=(-2.0, 2.0),
    ylim=(-1.0, 3.0),
    start=(-1.5, 2.0),
    critical=(CriticalPoint((1.0, 1.0), "minimum"),),
    log_contour=True,
)


def _beale_terms(p: Array) -> tuple[Array, ...]:
    x, y = p[..., 0], p[..., 1]
    return x, y, 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


def _beale_value(p: Array) -> Array:
    _, _, a, b, c = _beale_terms(p)
    return a**2 + b**2 + c**2


def _beale_grad(p: Array) -> Array:
    x, y, a, b, c = _beale_terms(p)
    gx = 2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1)
    gy = 2 * a * x + 4 * b * x * y + 6 * c * x * y**2
    return _stack(gx, gy)


def _beale_hessian(p: Array) -> Array:
    x, y, a, b, c = _beale_terms(p)
    hxx = 2 * (y - 1) ** 2 + 2 * (y**2 - 1) ** 2 + 2 * (y**3 - 1) ** 2
    hxy = (
        2 * (y - 1) * x + 2 * a
        + 4 * y * (y**2 - 1) * x + 4 * b * y
        + 6 * y**2 * (y**3 - 1) * x + 6 * c * y**2
    )
    hyy = 2 * x**2 + 8 * x**2 * y**2 + 4 * b * x + 18 * x**2 * y**4 + 12 * c * x * y
    return _hess(hxx, hxy, hyy)


BEALE = Surface(
    key="beale",
    formula=r"f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    value=_beale_value,
    grad=_beale_grad,
    hessian=_beale_hessian,
    xlim=(-4.5, 4.5),
    ylim=(-4.5, 4.5),
    start=(1.0, 1.4),
    critical=(CriticalPoint((3.0, 0.5), "minimum"), CriticalPoint((0.0, 1.0), "saddle"),
              CriticalPoint((0.100537937324, -2.644513585023), "saddle")),
    log_contour=True,
)


def _himmelblau_value(p: Array) -> Array:
    x, y = p[..., 0], p[..., 1]
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(p: Array) -> Array:
    x, y = p[..., 0], p[..., 1]
    u, v = x**2 + y - 11, x + y**2 - 7
    return _stack(4 * x * u + 2 * v, 2 * u + 4 * y * v)


def _himmelblau_hessian(p: Array) -> Array:
    x, y = p[..., 0], p[..., 1]
    return _hess(12 * x**2 + 4 * y - 42, 4 * (x + y), 12 * y**2 + 4 * x - 26)


HIMMELBLAU = Surface(
    key="himmelblau",
    formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    value=_himmelblau_value,
    grad=_himmelblau_grad,
    hessian=_himmelblau_hessian,
    xlim=(-5.0, 5.0),
    ylim=(-5.0, 5.0),
    start=(0.0, -0.5),
    critical=(
        CriticalPoint((3.0, 2.0), "minimum"),
        CriticalPoint((-2.805118086952745, 3.131312518250573), "minimum"),
        CriticalPoint((-3.779310253377747, -3.283185991286170), "minimum"),
        CriticalPoint((3.584428340330492, -1.848126526964404), "minimum"),
        CriticalPoint((-0.270844590667, -0.923038556480), "maximum"),
        CriticalPoint((0.086677504555, 2.884254701175), "saddle"),
        CriticalPoint((-3.073025750764, -0.081353044288), "saddle"),
        CriticalPoint((3.385154183607, 0.073851879838), "saddle"),
        CriticalPoint((-0.127961346731, -1.953714980244), "saddle"),
    ),
    log_contour=True,
)

# Egg crate: a gentle bowl with ripples, f = (x² + y²)/4 + A·(2 − cos πx − cos πy).
# Separable, so each critical point is a pair of roots of h'(s) = s/2 + πA·sin πs.
_RIPPLE = 0.5


def _ripple_roots() -> list[tuple[float, str]]:
    """Roots of h'(s) on the window with their kind (h'' > 0: 1-D minimum), by Newton from
    every half-integer guess."""
    roots: list[tuple[float, str]] = []
    for guess in np.arange(-3.0, 3.01, 0.5):
        s = guess
        for _ in range(50):
            d1 = s / 2 + np.pi * _RIPPLE * np.sin(np.pi * s)
            d2 = 0.5 + np.pi**2 * _RIPPLE * np.cos(np.pi * s)
            s -= d1 / d2
        if abs(s) <= 3.0 and not any(abs(s - r) < 1e-6 for r, _ in roots):
            d2 = 0.5 + np.pi**2 * _RIPPLE * np.cos(np.pi * s)
            roots.append((float(s), "min" if d2 > 0 else "max"))
    return sorted(roots)


def _ripple_critical() -> tuple[CriticalPoint, ...]:
    roots = _ripple_roots()
    kinds = {("min", "min"): "minimum", ("max", "max"): "maximum"}
    return tuple(
        CriticalPoint((x, y), kinds.get((kx, ky), "saddle")) for x, kx in roots for y, ky in roots
    )


EGG_CRATE = Surface(
    key="eggcrate",
    formula=r"f(x, y) = \frac{x^2 + y^2}{4} + \tfrac{1}{2}\,(2 - \cos \pi x - \cos \pi y)",
    value=lambda p: (p[..., 0] ** 2 + p[..., 1] ** 2) / 4
    + _RIPPLE * (2 - np.cos(np.pi * p[..., 0]) - np.cos(np.pi * p[..., 1])),
    grad=lambda p: _stack(
        p[..., 0] / 2 + np.pi * _RIPPLE * np.sin(np.pi * p[..., 0]),
        p[..., 1] / 2 + np.pi * _RIPPLE * np.sin(np.pi * p[..., 1]),
    ),
    hessian=lambda p: _hess(
        0.5 + np.pi**2 * _RIPPLE * np.cos(np.pi * p[..., 0]),
        0.0,
        0.5 + np.pi**2 * _RIPPLE * np.cos(np.pi * p[..., 1]),
    ),
    xlim=(-3.0, 3.0),
    ylim=(-3.0, 3.0),
    start=(-2.6, 2.3),
    critical=_ripple_critical(),
)

FIXED = (SADDLE, MONKEY, LI_SADDLE, ROSENBROCK, BEALE, HIMMELBLAU, EGG_CRATE)
SURFACE_KEYS = ("bowl", "conditioned") + tuple(s.key for s in FIXED)


def get(key: str, kappa: float = 20.0) -> Surface:
    """The surface named ``key``; ``kappa`` sets the conditioning of "conditioned"."""
    if key == "bowl":
        return bowl(20.0)
    if key == "conditioned":
        return bowl(kappa)
    for s in FIXED:
        if s.key == key:
            return s
    raise KeyError(key)

"""A teacher's own function: the parser's allow-list, derivatives by finite differences against the
built-in surfaces' analytic ones, critical points against their known lists, and clear refusals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optviz.toy import surfaces
from optviz.toy.expressions import ExpressionError, latex, parse
from optviz.toy.own_surface import own_surface

BUILT_IN = {
    "bowl": "x**2/20 + y**2", "saddle": "x**2 - y**2", "monkey": "x**3 - 3*x*y**2", "li": "(1 - x*y)**2",
    "rosenbrock": "(1 - x)**2 + 100*(y - x**2)**2", "himmelblau": "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "beale": "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
    "eggcrate": "x^2/4 + y^2/4 + 0.5*(1 - cos(pi*x)) + 0.5*(1 - cos(pi*y))",
}


@pytest.mark.parametrize("text, reason", [
    ("__import__('os')", "name"), ("x.real", "construct"), ("lambda: 1", "construct"), ("[x for x in y]", "construct"),
    ("{x: 1 for x in y}", "construct"), ("'a' * 3", "construct"), ("10**400", "exponent"), ("x**1e9", "exponent"),
    ("x**-100", "exponent"), ("open('f')", "name"), ("z + 1", "name"), ("x +", "syntax"), ("", "empty"), ("   ", "empty"),
    ("x if y else 1", "construct"), ("x < y", "construct"), ("sin(x, y)", "arguments"), ("sin(x=1)", "arguments"),
    ("1j * x", "construct"), ("True + x", "construct"), ("x" * 201, "length"), ("(x).__class__", "construct"),
    ("getattr(x, 'a')", "name"), ("x[0]", "construct"), ("(x := 1)", "construct"), ("f'{x}'", "construct"),
])
def test_the_parser_refuses_anything_outside_its_allow_list_and_says_what(text, reason):
    with pytest.raises(ExpressionError) as err:
        parse(text)
    assert err.value.reason == reason


def test_the_parser_reads_arithmetic_and_functions_as_numpy_does():
    x, y = np.array([0.5, 2.0, -1.0]), np.array([1.0, -0.5, 3.0])
    f = parse("x**4 - x^2 + y**2 + sin(x)*exp(-y) - sqrt(abs(x*y)) / (1 + pi) + e")
    want = x**4 - x**2 + y**2 + np.sin(x) * np.exp(-y) - np.sqrt(np.abs(x * y)) / (1 + np.pi) + np.e
    assert np.allclose(f(x, y), want, rtol=1e-15)
    assert parse("2")(x, y).shape == (3,) and parse("-x")(x, y).tolist() == (-x).tolist()


EXPRESSIONS = st.recursive(
    st.sampled_from(["x", "y", "1", "2.5", "pi", "e", "0", "1e308", "q", "'s'", "None", "[]", "x.y"]),
    lambda inner: st.one_of(
        st.builds("({} {} {})".format, inner, st.sampled_from(["+", "-", "*", "/", "**", "^", "%", "//", "<", "and"]), inner),
        st.builds("{}({})".format, st.sampled_from(["sin", "exp", "log", "sqrt", "abs", "eval", "print", "tanh"]), inner),
        st.builds("-{}".format, inner)),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(EXPRESSIONS)
def test_random_expressions_give_a_function_or_the_pages_own_error(text):
    try:
        f = parse(text)
    except ExpressionError:
        return
    out = f(np.linspace(-2, 2, 5), np.linspace(-1, 3, 5))
    assert out.shape == (5,) and out.dtype == float


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_a_function_or_the_pages_own_error(text):
    try:
        parse(text)
    except ExpressionError:
        pass


@pytest.mark.parametrize("key", sorted(BUILT_IN))
def test_finite_differences_match_the_built_in_surfaces_derivatives(key):
    s = surfaces.get(key)
    own = own_surface(BUILT_IN[key], s.xlim, s.ylim)
    rng = np.random.default_rng(0)
    p = np.stack([rng.uniform(*s.xlim, 40), rng.uniform(*s.ylim, 40)], -1)
    assert np.allclose(own.value(p), s.value(p), rtol=1e-12, atol=1e-12)
    g, h = own.grad(p), own.hessian(p)
    assert (np.abs(g - s.grad(p)).max(1) <= 1e-6 * np.abs(s.grad(p)).max(1) + 1e-9).all()
    ref = s.hessian(p).reshape(-1, 4)
    assert (np.abs(h.reshape(-1, 4) - ref).max(1) <= 1e-6 * np.abs(ref).max(1) + 1e-9).all()


@pytest.mark.parametrize("key", ["bowl", "saddle", "monkey", "rosenbrock", "himmelblau", "beale", "eggcrate"])
def test_the_critical_points_found_are_the_built_in_surfaces_known_ones(key):
    s = surfaces.get(key)
    own = own_surface(BUILT_IN[key], s.xlim, s.ylim)
    found = sorted((c.kind, *np.round(c.xy, 4)) for c in own.critical)
    known = sorted((c.kind, *np.round(c.xy, 4)) for c in s.critical)
    assert found == known


@pytest.mark.parametrize("text, window, reason", [
    ("log(x)", (-3.0, 3.0), "finite"), ("1/x", (-3.0, 3.0), "finite"), ("exp(x**3)", (-10.0, 10.0), "finite"),
    ("x**2", (1.0, 1.0), "window"), ("sqrt(x)", (-1.0, 1.0), "finite"),
])
def test_a_function_that_cannot_be_drawn_in_the_window_is_refused(text, window, reason):
    with pytest.raises(ExpressionError) as err:
        own_surface(text, window, window)
    assert err.value.reason == reason
    assert own_surface("log(x)", (0.5, 3.0), (-1.0, 1.0)).critical == ()


def test_the_formula_is_shown_as_latex():
    assert latex("x**4 - x**2 + y**2") == "f(x, y) = x^{4} - x^{2} + y^{2}"
    assert latex("(1 - x)**2 + 100*(y - x^2)**2") == r"f(x, y) = \left(1 - x\right)^{2} + 100 \cdot \left(y - x^{2}\right)^{2}"
    assert latex("sqrt(abs(x))/2 - (x - y)") == r"f(x, y) = \frac{\sqrt{\left|x\right|}}{2} - \left(x - y\right)"
    assert latex("(x**2)**2 + (x/2)^3") == r"f(x, y) = \left(x^{2}\right)^{2} + \left(\frac{x}{2}\right)^{3}"
    assert latex("x**y**2") == "f(x, y) = x^{y^{2}}"  # right-associative: no brackets needed


def test_brackets_in_latex_follow_precedence_and_the_minus_sign():
    assert latex("x - (y - 1)") == r"f(x, y) = x - \left(y - 1\right)"  # what a minus takes away is bracketed
    assert latex("(x - y) - 1") == "f(x, y) = x - y - 1"
    assert latex("x*(y*2) + (x + y)*2") == r"f(x, y) = x \cdot y \cdot 2 + \left(x + y\right) \cdot 2"
    assert latex("-(x + y) + 2*-x") == r"f(x, y) = -\left(x + y\right) + 2 \cdot \left(-x\right)"
    assert latex("(-x)**2 - x**2 + (x*y)**2") == r"f(x, y) = \left(-x\right)^{2} - x^{2} + \left(x \cdot y\right)^{2}"


def test_only_an_exponent_is_bounded_and_a_refusal_quotes_a_short_piece():
    """A large constant is fine anywhere but in an exponent (x*100 is a scale, x**100 a risk); the
    page quotes the parser's words and at most 30 characters of a name, 20 of a literal."""
    x, y = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    np.testing.assert_allclose(parse("x*100 + y/1000 - 70")(x, y), x * 100 + y / 1000 - 70)
    for text, reason, detail in (("x +", "syntax", "invalid syntax"), ("z" * 40, "name", "z" * 30),
                                 ("abcdefghij" * 4 + "(x)", "name", "abcdefghij" * 3),
                                 ("'" + "s" * 40 + "'", "construct", "'" + "s" * 19)):
        with pytest.raises(ExpressionError) as err:
            parse(text)
        assert (err.value.reason, err.value.detail) == (reason, detail)


def test_the_limits_are_inclusive():
    """200 characters, 120 syntax nodes and an exponent of 64 are allowed; one more is not."""
    parse("x" + " " * 199)
    with pytest.raises(ExpressionError, match="length"):
        parse("x" + " " * 200)
    terms = " + x" * 29  # ast.walk counts each name, its load context, each + and its operator, the root
    parse("-1" + terms)  # 120 nodes
    with pytest.raises(ExpressionError, match="length"):
        parse("-x" + terms)  # 121
    parse("x**64 + x**-64")
    for text in ("x**65", "x**-65"):
        with pytest.raises(ExpressionError, match="exponent"):
            parse(text)


def test_the_page_draws_a_linked_formula_and_explains_a_refused_one():
    from apptest import open_page

    at = open_page("trajectories", traj_surface="own", traj_f="(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
                   traj_xmin="-5", traj_xmax="5", traj_ymin="-5", traj_ymax="5")
    assert not at.error or all("diverged" in e.value for e in at.error)
    assert at.latex[0].value.strip("$\n ").startswith("f(x, y) = \\left(x^{2} + y - 11\\right)^{2}")
    assert len(at.get("vega_lite_chart")) == 3  # trajectories; loss, distance
    refused = (("x**", "not complete"), ("os.system('ls')", "Unknown name"), ("x.real", "Only numbers"),
               ("1/(x*y)", "not finite"))
    for text, says in refused:
        at.text_input(key="traj_f").input(text).run()
        assert not at.exception and any(says in e.value for e in at.error), text
        assert not at.get("vega_lite_chart")

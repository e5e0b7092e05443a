"""A teacher's own f(x, y), read safely: parsed with ``ast`` and evaluated by walking the tree over
an allow-list of operators and NumPy functions; the text is never passed to ``eval``.

``parse(text)`` returns a vectorised f(x, y) or raises ExpressionError, whose ``reason`` names
the problem for the page's message ("empty", "syntax", "name", "arguments", "construct",
"exponent", "length"; a surface adds "window" and "finite").
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import numpy as np

Array = np.ndarray

MAX_LENGTH = 200  # characters
MAX_NODES = 120
MAX_EXPONENT = 64  # a constant exponent beyond this is refused: 10**400 overflows, x**1e9 too

FUNCTIONS: dict[str, Callable[[Array], Array]] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
    "abs": np.abs, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "arctan": np.arctan,
    "atan": np.arctan, "log1p": np.log1p,
}
CONSTANTS = {"pi": np.pi, "e": np.e}
VARIABLES = ("x", "y")
OPERATORS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide, ast.Pow: np.power}
UNARY = {ast.USub: np.negative, ast.UAdd: np.positive}


class ExpressionError(ValueError):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


def _check(node: ast.AST) -> None:
    """Refuse anything outside the allow-list, naming what it was."""
    if isinstance(node, ast.Expression):
        return _check(node.body)
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        _check(node.left)
        _check(node.right)
        if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant | ast.UnaryOp):
            exponent = _constant(node.right)
            if exponent is not None and abs(exponent) > MAX_EXPONENT:
                raise ExpressionError("exponent", f"{exponent:g}")
        return None
    if isinstance(node, ast.UnaryOp) and type(node.op) in UNARY:
        return _check(node.operand)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise ExpressionError("name", (node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func))[:30])
        if node.keywords or len(node.args) != 1:
            raise ExpressionError("arguments", node.func.id)
        return _check(node.args[0])
    if isinstance(node, ast.Name):
        if node.id not in VARIABLES and node.id not in CONSTANTS:
            raise ExpressionError("name", node.id[:30])
        return None
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise ExpressionError("construct", repr(node.value)[:20])
        return None
    raise ExpressionError("construct", type(node).__name__)


def _constant(node: ast.AST) -> float | None:
    """The value of a plain number, possibly signed; None for anything else."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and type(node.op) in UNARY:
        inner = _constant(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    return None


def _evaluate(node: ast.AST, x: Array, y: Array) -> Array:
    if isinstance(node, ast.BinOp):
        return OPERATORS[type(node.op)](_evaluate(node.left, x, y), _evaluate(node.right, x, y))
    if isinstance(node, ast.UnaryOp):
        return UNARY[type(node.op)](_evaluate(node.operand, x, y))
    if isinstance(node, ast.Call):
        return FUNCTIONS[node.func.id](_evaluate(node.args[0], x, y))
    if isinstance(node, ast.Name):
        return {"x": x, "y": y}.get(node.id, CONSTANTS.get(node.id))
    return np.float64(node.value)


def parse(text: str) -> Callable[[Array, Array], Array]:
    """f(x, y) from ``text`` like ``x**4 - x**2 + y**2`` (``^`` is read as a power). The function
    takes arrays of any matching shape and returns float64 of that shape (nan or inf where it is
    not defined: the caller checks)."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError("length", str(len(text)))
    if not text.strip():
        raise ExpressionError("empty")
    try:
        tree = ast.parse(text.replace("^", "**").strip(), mode="eval")
    except SyntaxError as err:
        raise ExpressionError("syntax", (err.msg or "")[:60]) from err
    except (RecursionError, MemoryError) as err:  # nesting deeper than the parser takes
        raise ExpressionError("length", "nesting") from err
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ExpressionError("length", "nodes")
    _check(tree)
    body = tree.body

    def f(x: Array, y: Array) -> Array:
        x, y = np.asarray(x, float), np.asarray(y, float)
        with np.errstate(all="ignore"):
            return np.broadcast_to(_evaluate(body, x, y), np.broadcast(x, y).shape).astype(float)

    return f


def latex(text: str) -> str:
    """The parsed expression as LaTeX, for the page's formula (``text`` must parse)."""
    def go(node: ast.AST, parent: int = 0) -> str:
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            if op is ast.Div:
                return rf"\frac{{{go(node.left)}}}{{{go(node.right)}}}"
            if op is ast.Pow:  # a base that is itself a power or a fraction is bracketed: x^{2}^{2} is no LaTeX
                base = go(node.left, 3)
                if isinstance(node.left, ast.BinOp) and isinstance(node.left.op, ast.Pow | ast.Div):
                    base = rf"\left({base}\right)"
                return rf"{base}^{{{go(node.right)}}}"
            rank = 1 if op in (ast.Add, ast.Sub) else 2
            symbol = {ast.Add: "+", ast.Sub: "-"}.get(op, r"\cdot")
            s = f"{go(node.left, rank)} {symbol} {go(node.right, rank + (op is ast.Sub))}"
            return rf"\left({s}\right)" if rank < parent else s
        if isinstance(node, ast.UnaryOp):
            s = ("-" if isinstance(node.op, ast.USub) else "") + go(node.operand, 3)
            return rf"\left({s}\right)" if parent >= 2 else s
        if isinstance(node, ast.Call):
            name = node.func.id
            if name == "sqrt":
                return rf"\sqrt{{{go(node.args[0])}}}"
            if name == "abs":
                return rf"\left|{go(node.args[0])}\right|"
            op = {"atan": r"\arctan", "arctan": r"\arctan", "log1p": r"\operatorname{log1p}"}.get(name, "\\" + name)
            return rf"{op}\left({go(node.args[0])}\right)"
        if isinstance(node, ast.Name):
            return {"pi": r"\pi"}.get(node.id, node.id)
        return f"{node.value:g}"

    tree = ast.parse(text.replace("^", "**"), mode="eval")
    return "f(x, y) = " + " ".join(go(tree.body).split())

"""Mutation testing of the core's mathematics: how many deliberately broken versions the tests catch.

Run: python bench/mutation.py [optviz/optim/optimizers.py ...]. Each mutant changes one thing in one
module: an arithmetic operator (+ and −, × and ÷, ** to ×), a comparison (< and <=, == and !=,
is and is not, in and not in), and/or, a dropped minus or not, a number (an integer + 1, a non-zero
float doubled, 0.0 to 1.0) or a boolean flipped. Each runs the module's unit tests in a copy of the
repository (two at a time, one per core; the slow tests only after the quick ones pass); a mutant is
killed when a test fails or the run hangs.
Prints the share killed per module against the target (at least 90 %) and every survivor with its
line, so a person can tell a missing test from a mutant that changes nothing.

Our own ~100 lines over ``ast`` rather than a mutation-testing package: no new dependency, the
operators above are the ones that matter for formulas, and each mutant runs in a plain copy of the
repository with the tests exactly as CI runs them.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Queue

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.90
TIMEOUT_S = 120
TESTS = {
    "optviz/optim/optimizers.py": ["tests/test_optimizers.py", "tests/test_optimizer_reference.py"],
    "optviz/optim/schedules.py": ["tests/test_optimizers.py"],
    "optviz/nn/layers.py": ["tests/test_layers.py"],
    "optviz/nn/mlp.py": ["tests/test_layers.py"],
    "optviz/toy/rates.py": ["tests/test_rates.py"],
    "optviz/toy/expressions.py": ["tests/test_own_surface.py"],
    "optviz/toy/descent.py": ["tests/test_descent.py", "tests/test_optimizers.py", "tests/test_path_chart.py",
                          "tests/test_surfaces.py", "tests/test_basins.py"],
    "optviz/toy/curvature.py": ["tests/test_curvature.py", "tests/test_surfaces.py", "tests/test_properties.py"],
    "optviz/nn/train.py": ["tests/test_train.py", "tests/test_changes.py", "tests/test_race_landscape.py",
                           *(f"tests/test_replicas.py::test_a_{name}" for name in (
                               "restored_checkpoint_goes_on_exactly_as_the_run_would_have",
                               "view_is_what_a_page_draws_and_never_trains", "checkpoint_is_refused_on_other_data"))],
}
# Tests that take seconds each: run only for a mutant the quick tests did not kill.
SLOW = {
    "optviz/nn/train.py": ["tests/test_train.py::test_book_optimizer_race_sgd_ends_highest",
                        "tests/test_train.py::test_book_init_race_small_std_stays_at_chance_while_he_learns"],
}
SWAPS = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn,
    ast.NotIn: ast.In, ast.And: ast.Or, ast.Or: ast.And, ast.USub: ast.UAdd, ast.Not: ast.UAdd,
}


def _changed_number(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 2 if value else 1.0
    return None


def _sites(tree: ast.Module) -> list[tuple[int, ast.AST]]:
    """(index in ast.walk order, node) of every node a mutant may change; docstrings, f-strings and
    annotations are left alone."""
    skip = set()
    for node in ast.walk(tree):
        for part in (node if isinstance(node, ast.JoinedStr) else None, getattr(node, "annotation", None),
                     getattr(node, "returns", None)):
            if part is not None:
                skip.update(id(n) for n in ast.walk(part))
    out = []
    for i, node in enumerate(ast.walk(tree)):
        if id(node) in skip:
            continue
        if isinstance(node, (ast.BinOp, ast.AugAssign, ast.UnaryOp, ast.BoolOp)) and type(node.op) in SWAPS:
            out.append((i, node))
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in SWAPS:
            out.append((i, node))
        elif isinstance(node, ast.Constant) and _changed_number(node.value) is not None:
            out.append((i, node))
    return out


def mutants(source: str) -> list[tuple[int, str, str]]:
    """Every mutant of ``source``: (line, what changed, the mutated module's source)."""
    found = []
    for index, node in _sites(ast.parse(source)):
        tree = ast.parse(source)
        target = next(n for i, n in enumerate(ast.walk(tree)) if i == index)
        if isinstance(target, ast.Compare):
            before, target.ops[0] = type(target.ops[0]).__name__, SWAPS[type(target.ops[0])]()
            what = f"{before} → {type(target.ops[0]).__name__}"
        elif isinstance(target, ast.Constant):
            before, target.value = target.value, _changed_number(target.value)
            what = f"{before!r} → {target.value!r}"
        else:
            before, target.op = type(target.op).__name__, SWAPS[type(target.op)]()
            what = f"{before} → {type(target.op).__name__}"
        found.append((node.lineno, what, ast.unparse(tree)))
    return found


def passes(copy: Path, module: str, source: str, digits: Path) -> bool:
    """Whether the module's tests pass in ``copy`` with ``source`` in place of the module, on the
    drawn test digits in ``digits`` (never a real MNIST folder)."""
    path = copy / module
    original = path.read_text()
    path.write_text(source)
    env = dict(os.environ, OPTVIZ_MNIST_DIR=str(digits), PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    slow = SLOW.get(module, [])
    stages = [[*TESTS[module], *(f"--deselect={test}" for test in slow)], slow]
    try:
        for tests in filter(None, stages):
            done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                                  cwd=copy, env=env, capture_output=True, timeout=TIMEOUT_S)
            if done.returncode != 0:
                return False
        return True
    except subprocess.TimeoutExpired:
        return False
    finally:
        path.write_text(original)


def main(modules: list[str]) -> None:
    workers = 2
    copies: Queue[Path] = Queue()
    tmp = Path(tempfile.mkdtemp(prefix="optviz-mutants-"))
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    import segment_digits  # the tests' own drawn digits, made once for every mutant

    digits = segment_digits.write(tmp / "digits")
    for k in range(workers):
        shutil.copytree(ROOT, tmp / str(k), ignore=shutil.ignore_patterns(".git", "artifacts", "__pycache__", "docs"))
        copies.put(tmp / str(k))

    def survives(module: str, source: str) -> bool:
        copy = copies.get()
        try:
            return passes(copy, module, source, digits)
        finally:
            copies.put(copy)

    total = killed_total = 0
    t0 = time.perf_counter()
    try:
        for module in modules:
            source = (ROOT / module).read_text()
            if not survives(module, ast.unparse(ast.parse(source))):
                sys.exit(f"{module}: its tests fail before any mutation")
            found = mutants(source)
            with ThreadPoolExecutor(workers) as pool:
                alive = list(pool.map(lambda m, mod=module: survives(mod, m[2]), found))
            killed = len(found) - sum(alive)
            total, killed_total = total + len(found), killed_total + killed
            print(f"{module}: {killed} of {len(found)} mutants killed ({killed / len(found):.0%})", flush=True)
            for (line, what, _), lived in zip(found, alive, strict=True):
                if lived:
                    print(f"    survived: line {line}: {what}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    share = killed_total / total
    print(f"all: {killed_total} of {total} killed = {share:.1%} (target >= {TARGET:.0%}, ratio {share / TARGET:.2f}); "
          f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:] or list(TESTS))

"""The house's rooms: the mathematics (optim, toy, nn, lessons, and the jobs it yields) imports
nothing from figures, serve or i18n, and nothing in optviz imports Streamlit; ``ui/`` and the pages
are the only Streamlit glue."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MATHEMATICS = ("optim", "toy", "nn", "lessons")
OUTSIDE = ("optviz.figures", "optviz.serve", "optviz.i18n", "streamlit")


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports (``from optviz import x`` as optviz.x), wherever in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return names


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / "optviz" / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules(*MATHEMATICS) + [ROOT / "optviz" / "jobs.py"], ids=lambda p: p.stem)
def test_the_mathematics_uses_no_figure_server_word_or_streamlit(path):
    wrong = {m for m in imported(path) if any(m == o or m.startswith(o + ".") for o in OUTSIDE)}
    assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_nothing_in_optviz_imports_streamlit():
    assert not [p.relative_to(ROOT) for p in modules(".") if any(m.split(".")[0] == "streamlit" for m in imported(p))]


def test_every_module_is_in_a_room():
    loose = sorted(p.name for p in (ROOT / "optviz").glob("*.py") if p.name not in ("__init__.py", "jobs.py"))
    assert loose == [] and all((ROOT / "optviz" / room / "__init__.py").exists() for room in
                               (*MATHEMATICS, "figures", "serve", "i18n"))


def test_the_rule_would_catch_a_breach(tmp_path):
    """The check reads imports anywhere in a file, aliased or nested in a function."""
    breach = tmp_path / "m.py"
    breach.write_text("def f():\n    from optviz.i18n import text as words\n    import streamlit as st\n")
    assert {"optviz.i18n", "optviz.i18n.text", "streamlit"} <= imported(breach)

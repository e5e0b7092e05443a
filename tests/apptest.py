"""Opening a page under AppTest the way a student does: through app.py, optionally with a link's
query parameters."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def compile_once() -> None:
    """Compile each script once, as the server does: its runtime keeps one script cache for every
    session, while AppTest starts an empty one on every run (Streamlit rewrites each script's
    syntax tree before compiling it: 35 ms of a trajectories rerun)."""
    compiled: dict[str, object] = {}
    fresh = ScriptCache.get_bytecode

    def get_bytecode(cache: ScriptCache, script_path: str) -> object:
        if script_path not in compiled:
            compiled[script_path] = fresh(cache, script_path)
        return compiled[script_path]

    ScriptCache.get_bytecode = get_bytecode


def open_page(page: str, **query: str) -> AppTest:
    """AppTest of ``pages/<page>.py`` after app.py has run; fails on any exception."""
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    return at


def markdown_tables(at: AppTest) -> list[list[list[str]]]:
    """Every table the page wrote as Markdown (``ui.common.table``): rows of unescaped cells, the
    header first and the separator row left out."""
    tables = []
    for md in at.markdown:
        lines = md.value.splitlines()
        if len(lines) < 2 or not re.fullmatch(r"\|( --- \|)+", lines[1]):
            continue
        split = lambda line: [re.sub(r"\\(.)", r"\1", c).strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        tables.append([split(line) for line in lines[:1] + lines[2:]])
    return tables

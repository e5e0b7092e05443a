"""Opening a page under AppTest the way a student does: through app.py, optionally with a link's
query parameters."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str, **query: str) -> AppTest:
    """AppTest of ``pages/<page>.py`` after app.py has run; fails on any exception."""
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    return at

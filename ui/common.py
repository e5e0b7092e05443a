"""Language choice and the small conventions every page follows."""

from __future__ import annotations

import contextvars
import ctypes
import ctypes.util
import functools
import re
import threading
import time
from collections.abc import Sequence

# pandas and plotly are imported here once, under this module's import lock, before any page runs:
# Streamlit imports them lazily, and on a fresh server the first sessions did so at the same moment
# (the first round of bench/soak.py showed 40 "partially initialized module 'pandas'" exceptions).
import pandas  # noqa: F401
import plotly.graph_objects  # noqa: F401
import plotly.io  # noqa: F401
import pyarrow as pa
import streamlit as st

from optviz.i18n.text import LANG_NAMES, LANGS, t
from optviz.nn.train import CHANCE_LEVEL

# The lessons in their suggested order: (file, name key, url_path, icon). url_path equals the file's
# name: on a freshly started server Streamlit first resolves a deep link by file name (see
# require_navigation), and a mismatch shows "Page not found".
PAGES = [
    ("pages/trajectories.py", "nav.trajectories", "trajectories", "📈"),
    ("pages/initialisation.py", "nav.initialisation", "initialisation", "📊"),
    ("pages/batch_size.py", "nav.batch", "batch_size", "🧮"),
    ("pages/mnist.py", "nav.mnist", "mnist", "✍️"),
]

LANG_KEY = "lang"


def language_picker() -> None:
    """The sidebar language switch, remembered in the URL (``?lang=中文``: the language's own name,
    the same whichever language the link was made in). Streamlit binds it, so it survives a change
    of page."""
    st.sidebar.segmented_control(
        " / ".join(dict.fromkeys(t("app.language", code) for code in LANGS)), LANGS, format_func=LANG_NAMES.get,
        key=LANG_KEY, default="en", bind="query-params", required=True,
    )


def lang() -> str:
    value = st.session_state.get(LANG_KEY)
    return value if value in LANGS else "en"


def tr(key: str, **values: object) -> str:
    """``key`` from the locale files, in the student's language."""
    return t(key, lang(), **values)


OVERRIDDEN = "_links_overridden"  # keys a preset set in this run: the link's old values gave way, none was refused


def apply_preset(values: dict[str, object], prefix: str) -> None:
    """Button callback: copy a preset into the page's widget state (over the link's values)."""
    for key, value in values.items():
        st.session_state[prefix + key] = value
    st.session_state.setdefault(OVERRIDDEN, set()).update(prefix + key for key in values)


def clamp_state(key: str, lo: float, hi: float) -> None:
    """Keep a number widget's remembered value inside its current bounds."""
    value = st.session_state.get(key)
    if isinstance(value, (int, float)) and not lo <= value <= hi:
        st.session_state[key] = min(max(value, lo), hi)


def snap_state(key: str, options: Sequence[object], default: object) -> None:
    """Keep a select widget's remembered value among its options."""
    if key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = default


_VIA_APP: contextvars.ContextVar[bool] = contextvars.ContextVar("optviz_via_app", default=False)


def navigating() -> None:
    """Called by app.py just before it runs the chosen page."""
    _VIA_APP.set(True)


def require_navigation() -> None:
    """Call first in every page. Until some session of a fresh server process has run app.py,
    Streamlit treats the ``pages/`` folder the old (v1) way and runs a deep-linked page on its
    own: no navigation, no language switch. Every session that opened the server in that moment
    runs its page that way, so the test is whether app.py ran in this run (its script thread),
    not the process-wide flag another session may already have switched: if not, switch that
    mode off and rerun through app.py."""
    from streamlit.runtime.pages_manager import PagesManager

    if not _VIA_APP.get():
        PagesManager.uses_pages_directory = False
        st.rerun()


PRESENT_KEY = "present"
# Presentation mode: no Streamlit header, less space above the page, larger type for the back row.
_PRESENT_CSS = """<style>
[data-testid='stHeader'] {display: none}
.block-container {padding-top: 1rem !important; padding-bottom: 1rem !important}
.block-container h1 {font-size: 2rem; padding: 0 0 0.25rem 0}
.block-container p, .block-container li, .block-container label, .block-container button {font-size: 1.1rem}
</style>"""


_PRESENT = "_present"  # plain session state (not a widget's): it stays on across pages


def present_in_link() -> bool:
    """Whether the link asks for presentation mode (``?present=1``)."""
    return st.query_params.get(PRESENT_KEY) in ("1", "true", "True")


def presenting() -> bool:
    """Whether the teacher switched presentation mode on (sidebar switch, ``?present=1``)."""
    return bool(st.session_state.get(_PRESENT))


def presentation_switch() -> None:
    """The sidebar switch for presentation mode; the link carries ``present=1`` while it is on."""
    ss = st.session_state
    if _PRESENT not in ss:
        ss[_PRESENT] = present_in_link()
    st.sidebar.toggle(tr("common.present"), value=ss[_PRESENT], key=_PRESENT + "_switch", help=tr("common.present.help"),
                      on_change=lambda: ss.update({_PRESENT: ss[_PRESENT + "_switch"]}))
    if ss[_PRESENT]:
        if st.query_params.get(PRESENT_KEY) != "1":
            st.query_params[PRESENT_KEY] = "1"
    elif PRESENT_KEY in st.query_params:
        del st.query_params[PRESENT_KEY]


def lesson_bar(widths: list[float], align: str = "bottom") -> list:
    """Places for the controls a lesson needs, one per entry of ``widths``: side by side in one row
    above the figure in presentation mode (where the sidebar is folded away; ``align`` as
    ``st.columns``' vertical_alignment), in the sidebar, one under the other, otherwise."""
    if presenting():
        return st.columns(widths, vertical_alignment=align)
    return [st.sidebar] * len(widths)


def page_header(prefix: str) -> None:
    """Call first in every page: ``require_navigation``, then the title and caption stored under
    ``<prefix>.title`` and ``<prefix>.caption`` (the caption not in presentation mode, where the
    page's style is made for a projector)."""
    require_navigation()
    if presenting():
        st.html(_PRESENT_CSS)
    st.title(tr(f"{prefix}.title"))
    if not presenting():
        st.caption(tr(f"{prefix}.caption"))


def lesson_script(prefix: str) -> None:
    """The page's lesson script for the teacher (``lesson.<prefix>``): in the sidebar, folded
    away until opened, so it never pushes the figure down."""
    with st.sidebar.expander(tr("lesson.title"), icon="🧑‍🏫"):
        st.markdown(tr(f"lesson.{prefix}"))


def accuracy_text(run, split: int) -> str:
    """A finished ``train.Run``'s accuracy (split 0: train, 1: test) as every table shows it:
    "diverged at step N", "chance level (9.8 %)" or "97.1 %"."""
    if run.diverged_at is not None:
        return tr("mnist.diverged", at=run.diverged_at)
    acc = run.final[split]
    if acc != acc:  # nan: not measured
        return "–"
    return tr("mnist.chance", acc=f"{acc:.1%}") if acc <= CHANCE_LEVEL else f"{acc:.1%}"


def table(columns: dict[str, list]) -> None:
    """A small table of text, drawn as Markdown: ``st.dataframe``'s grid took about 0.1 s of the
    browser's redraw after every control change, ``st.table`` half of that."""
    cell = lambda v: re.sub(r"([\\`*_$|~<>\[\]])", r"\\\1", str(v))  # shown as typed, never as markup
    rows = zip(*columns.values(), strict=True)
    st.markdown("\n".join(["| " + " | ".join(map(cell, columns)) + " |", "|" + " --- |" * len(columns)]
                          + ["| " + " | ".join(map(cell, row)) + " |" for row in rows]))


def arrow(columns: dict) -> pa.Table:
    """Chart columns as an Arrow table: Streamlit sends it as it is, where a dict of arrays first
    goes through pandas (about 10 ms for a live chart, on every update of every watching page)."""
    return pa.table(columns)


@functools.cache
def keep_memory_flat() -> None:
    """Make glibc's malloc give blocks of 1 MB and more their own mappings, returned to the
    system when freed. By default glibc raises that threshold as the program frees large blocks and
    then serves them from per-thread arenas that keep the freed memory: with a thread per Streamlit
    session, four rounds of thirty students training a race grew the server from 420 to 527 MB;
    with the threshold fixed it stayed at 252-261 MB. Lower thresholds cost training speed (128 KB:
    half, as every batch got a fresh mapping); 1 MB cost about 3 %. Does nothing where the C library
    is not glibc. Once per process: finding the C library runs ``ldconfig``, a process of its own."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD, fixed: no dynamic raise
        libc.mallopt(-1, 1 << 20)  # M_TRIM_THRESHOLD: give back a free heap top of 1 MB and more
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return
    global _trimmer
    if _trimmer is None:
        _trimmer = threading.Thread(target=_trim_every, args=(trim, TRIM_EVERY), name="optviz-malloc-trim",
                                    daemon=True)
        _trimmer.start()


TRIM_EVERY = 30.0  # s between returns of freed memory to the system
_trimmer: threading.Thread | None = None


def _trim_every(trim, seconds: float) -> None:
    """Hand the free pages of every malloc arena back to the system, every ``seconds``. The
    thresholds above act only on a heap's top; thirty sessions' threads leave free pages inside
    their arenas that glibc keeps otherwise. One call takes a few milliseconds."""
    while True:
        time.sleep(seconds)
        trim(0)

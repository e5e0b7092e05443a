"""Shared links that ask for something a control cannot show: refused with a visible note.

Streamlit seeds URL-bound widgets from the link and silently drops a value it cannot use (an
unknown option, a number out of range). Added here: whole-number inputs are checked before
Streamlit reads them (its own parsing raises OverflowError on ``inf`` or ``1e400``); selects with
translated names are bound to the link by code (``coded``/``keep``), so a link opens the same state
in either language; and every refused value is named in a note above the page, so a teacher whose
link was mistyped sees which controls fell back to their defaults.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import streamlit as st

from ui.common import LANG_KEY, OVERRIDDEN, tr

PENDING = "_links_pending"  # link keys refused in this run, not yet shown
REFUSED = "_links_refused"  # (page, keys): the refused keys the page shows until dismissed or left
HELD = "_links_held"  # keys of the values picked in figures (``chosen``, ``position``) this session


def snapshot() -> dict[str, list[str]]:
    """The link's values at the start of a run, before any widget has read them."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _refuse(key: str) -> None:
    st.session_state.setdefault(PENDING, set()).add(key)


def _page() -> str:
    ctx = st.runtime.scriptrunner.get_script_run_ctx()
    return ctx.page_script_hash if ctx else ""


def whole_number(key: str, lo: int, hi: int) -> None:
    """Call before a URL-bound integer ``st.number_input``: a link value that is not a whole
    number in [lo, hi] is removed from the link (the control shows its default) and noted."""
    raw = st.query_params.get_all(key)
    if not raw:
        return
    try:
        value = float(raw[-1])
        ok = math.isfinite(value) and value.is_integer() and lo <= value <= hi and len(raw) == 1
    except ValueError:
        ok = False
    if not ok:
        del st.query_params[key]
        _refuse(key)
        st.rerun()


def coded(key: str, names: Mapping[str, Sequence[str]]) -> None:
    """Call before a select whose options are the codes of ``names`` (code -> its name in each
    language), not bound to the URL by Streamlit (which would store the shown, translated name).
    On a page's first load, the link's value, a code or any language's name of one, becomes the
    control's value; anything else is removed and noted. ``keep`` writes the code back."""
    raw = st.query_params.get_all(key)
    if not raw or key in st.session_state:
        return
    code = next((c for c, labels in names.items() if len(raw) == 1 and raw[0] in (c, *labels)), None)
    if code is None:
        del st.query_params[key]
        _refuse(key)
    else:
        st.session_state[key] = code


def keep(key: str, code: str, default: str) -> None:
    """Call after a ``coded`` select: the link carries its code, or nothing for the default."""
    if code == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != code:
        st.query_params[key] = code


def chosen(key: str, options: Sequence, default: object) -> object:
    """A value picked in a figure and held by no widget: the session state keeps it and the link
    carries it (nothing for the default). On a page's first load, the link's value becomes it if
    it is one of ``options``; anything else is removed from the link and noted."""
    ss = st.session_state
    ss.setdefault(HELD, set()).add(key)
    if key not in ss:
        raw = st.query_params.get_all(key)
        value = next((o for o in options if _same(raw, o)), None) if raw else default
        if value is None:
            del st.query_params[key]
            _refuse(key)
            value = default
        ss[key] = value
    value = ss[key]
    shown = f"{value:g}" if isinstance(value, (int, float)) else str(value)
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != shown:
        st.query_params[key] = shown
    return value


def position(key: str, last: int) -> int:
    """A position 0..``last`` picked in a figure and held by no widget (a path's step): the session
    state keeps it with the ``last`` it was picked under, and the link carries it unless it is
    ``last``. A new ``last`` (another step count) starts at its end. On a page's first load, the
    link's value becomes it if it is a whole number in 0..last; anything else is removed and noted."""
    ss = st.session_state
    ss.setdefault(HELD, set()).add(key)
    if key not in ss:
        raw, value = st.query_params.get_all(key), last
        if raw:
            try:
                number = float(raw[-1])
                ok = len(raw) == 1 and math.isfinite(number) and number.is_integer() and 0 <= number <= last
            except ValueError:
                ok = False
            if ok:
                value = int(number)
            else:
                del st.query_params[key]
                _refuse(key)
        ss[key] = (value, last)
    value, under = ss[key]
    if under != last:
        value = last
        ss[key] = (value, last)
    if value == last:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)
    return value


def tab(key: str, param: str, codes: Sequence[str], labels: Sequence[str]) -> None:
    """Call before ``st.tabs(labels, key=key)``: on a page's first load (or after ``forget``) the
    link's ``param``, a tab's code, opens that tab, whatever the language of the link."""
    ss = st.session_state
    ss.setdefault(HELD, set()).add(key)
    raw = st.query_params.get(param)
    if key not in ss and raw in codes:
        ss[key] = labels[list(codes).index(raw)]


def keep_tab(key: str, param: str, codes: Sequence[str], labels: Sequence[str]) -> None:
    """Call after ``st.tabs``: the link carries the open tab's code (nothing for the first tab)."""
    shown = st.session_state.get(key)
    code = codes[list(labels).index(shown)] if shown in labels else codes[0]
    if code == codes[0]:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != code:
        st.query_params[param] = code


def forget(keys: Iterable[str]) -> None:
    """Forget this session's values of the controls named in ``keys``, of those in the present link
    and of the values picked in figures, so that the next page's link seeds them all afresh (a
    control the next link leaves out starts at its default). The language and the app's own keys
    (starting with "_") stay."""
    ss = st.session_state
    forgotten = {k for k in {*keys, *st.query_params, *ss.get(HELD, ())} - {LANG_KEY} if not k.startswith("_")}
    for key in forgotten & set(ss):
        del ss[key]
    ctx = st.runtime.scriptrunner.get_script_run_ctx()
    if ctx is not None:  # unbound from this page's controls, so that the next link may set them
        with ctx.session_state.query_params() as params:
            for key in forgotten:
                if (binding := params.get_binding_for_param(key)) is not None:
                    params.unbind_widget(binding.widget_id)


def _same(raw: list[str], value: object) -> bool:
    """Whether a link value already shows ``value`` (Streamlit also drops a value equal to the
    control's default, which is no refusal)."""
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if len(raw) != len(values):
        return False
    for r, v in zip(raw, values, strict=True):
        if isinstance(v, bool):
            if r.lower() != str(v).lower():
                return False
        elif isinstance(v, (int, float)):
            try:
                if float(r) != float(v):
                    return False
            except ValueError:
                return False
        elif r != str(v):
            return False
    return True


def report(box, before: dict[str, list[str]]) -> None:
    """After the page ran: note every link value Streamlit dropped, and show the notes of this
    page in ``box`` (a container above the page) with a button that dismisses them."""
    overridden = st.session_state.pop(OVERRIDDEN, set())
    for key, raw in before.items():
        if (key not in st.query_params and key in st.session_state and key not in overridden
                and not _same(raw, st.session_state[key])):
            _refuse(key)
    page, keys = st.session_state.get(REFUSED, ("", set()))
    if page != _page():  # another page's notes are not this page's business
        page, keys = _page(), set()
    keys = keys | st.session_state.pop(PENDING, set())
    st.session_state[REFUSED] = (page, keys)
    if keys:
        with box:
            st.warning(tr("link.refused", keys=", ".join(f"`{k}`" for k in sorted(keys))), icon="🔗")
            st.button(tr("link.dismiss"), key="_links_dismiss", on_click=_dismiss)


def _dismiss() -> None:
    st.session_state[REFUSED] = (_page(), set())

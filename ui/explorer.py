"""A Vega-Lite figure explored in the browser, with the page's state following behind.

The figure's bound inputs (a learning rate, the step) redraw it without the server. A changed
selection comes back as an event: the page's callback writes it into the session state, and so into
the link. The spec sent afterwards is the one already mounted, byte for byte, so Streamlit keeps
the figure as the student left it. Only a change made on the server's side (a preset, a sidebar
control, a new start) mounts the figure anew, under a new key, with the server's values.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

_PLAY_JS = """
export default function ({ parentElement, data, setStateValue }) {
  let root = parentElement.querySelector('.optviz-player');
  if (!root) {
    root = document.createElement('div');
    root.className = 'optviz-player';
    root.innerHTML = '<button type="button"></button>';
    parentElement.appendChild(root);
  }
  const button = root.querySelector('button');
  const input = () => document.querySelector(`input[name="${data.input}"]`);
  const set = (el, v) => { el.value = v; el.dispatchEvent(new Event('input', { bubbles: true })); };
  const report = () => { const el = input(); if (el) setStateValue('step', +el.value); };
  let timer = null;
  const stop = () => { clearInterval(timer); timer = null; button.textContent = data.play; report(); };
  button.textContent = data.play;
  button.onclick = () => {
    const el = input();
    if (!el) return;
    if (timer) return stop();
    if (+el.value >= +el.max) set(el, 0);
    button.textContent = data.pause;
    timer = setInterval(() => {
      const el = input();
      if (!el) return stop();
      const v = Math.min(+el.value + data.stride, +el.max);
      set(el, v);
      if (v >= +el.max) stop();
    }, data.ms);
  };
  const grab = (e) => { if (timer && e.target.name === data.input) stop(); };
  const moved = (e) => { if (e.target.name === data.input) report(); };  // a drag released, a key pressed
  document.addEventListener('pointerdown', grab);
  document.addEventListener('change', moved);
  return () => {
    if (timer) clearInterval(timer);
    document.removeEventListener('pointerdown', grab);
    document.removeEventListener('change', moved);
  };
}
"""

# Bound inputs laid out in a grid under the figure, looking like the page's own controls. The rates'
# sliders show the rate in the legend; the index Vega writes beside them means nothing.
_BINDINGS_CSS = """<style>
input[name^="traj_lr_"] + span { display: none !important; }
.vega-bindings { display: grid !important; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
  column-gap: 1.5rem; row-gap: 0.35rem; margin-top: 0.4rem; }
.vega-bindings:has(select[name^="init_pick2_"]) { grid-template-columns: 1fr 1fr; grid-template-rows: repeat(3, auto);
  grid-auto-flow: column; }
.vega-bind label { display: flex !important; flex-wrap: nowrap !important; align-items: center; gap: 0.5rem; width: 100%; }
.vega-bind-name { flex: 0 0 11rem; }
.vega-bind input[type="range"] { flex: 1 1 auto; min-width: 0; }
.vega-bind label > span:last-child:not(.vega-bind-name) { flex: 0 0 2.5rem; }
.vega-bind select { flex: 1 1 auto; min-width: 0; font: inherit !important; padding: 0.35rem 0.5rem !important;
  border: none !important; border-radius: 0.5rem !important; background: #f0f2f6 !important; color: inherit; cursor: pointer; }
.vega-bindings:has(input[name^="surf_"]) { grid-template-columns: 1fr; }
.vega-bind:has(.vega-bind-radio) { display: flex; align-items: center; gap: 0.5rem; }
.vega-bind-radio { display: flex; flex-wrap: wrap; gap: 0.25rem 1.2rem; }
.vega-bind .vega-bind-radio label { display: inline-flex !important; width: auto; gap: 0.35rem; cursor: pointer; }
.vega-bind input[type="radio"] { width: 1rem; height: 1rem; margin: 0; accent-color: #ff4b4b; cursor: pointer; }
.vega-bind input[type="checkbox"] { width: 1.1rem; height: 1.1rem; accent-color: #ff4b4b; cursor: pointer; }
</style>"""

_PLAY_CSS = """
.optviz-player button { font: inherit; padding: 0.25rem 1rem; border-radius: 0.5rem; border: 1px solid #bbb;
  background: white; cursor: pointer; }
"""

_player = st.components.v2.component("optviz_player", js=_PLAY_JS, css=_PLAY_CSS, isolate_styles=False)


def _params(spec: dict) -> list[dict]:
    """The parameters of ``spec`` and of its layered and concatenated views."""
    found = list(spec.get("params", []))
    for part in ("layer", "hconcat", "vconcat", "concat"):
        for view in spec.get(part, []):
            found += _params(view)
    return found


def _with_values(spec: dict, values: dict) -> dict:
    """``spec`` with the parameters (selections or bound values) named in ``values`` starting at
    those values."""
    spec = json.loads(json.dumps(spec))
    for param in _params(spec):
        if param["name"] in values:
            param["value"] = values[param["name"]]
    return spec


def explore(key: str, columns, spec: dict, values: dict[str, list], apply: Callable[[dict[str, dict]], None],
            datasets: dict | None = None) -> None:
    """Draw ``spec`` over ``columns`` (and the named ``datasets`` its layers read) with its
    selections and bound values at ``values`` (name -> the parameter's value, as the page's state
    holds it).
    ``apply(changed)`` runs before the rerun a browser-side change causes, with each changed
    selection's first point (name -> {field: value})."""
    ss = st.session_state
    view = ss.get(key)
    shape = json.dumps(_with_values(spec, {name: None for name in values}), sort_keys=True, default=str)
    if view is None or view["shape"] != shape or view["shown"] != values:
        view = {"mount": (view or {}).get("mount", 0) + 1, "shape": shape, "first": values, "shown": dict(values),
                "seen": {}}
        ss[key] = view
    widget = f"{key}_{view['mount']}"

    def changed() -> None:
        selection = ss[widget].selection
        news = {name: points[0] for name, points in selection.items()
                if points and isinstance(points, list) and isinstance(points[0], dict)
                and view["seen"].get(name) != points[0]}
        view["seen"].update(news)
        for name, point in news.items():
            if name in view["shown"]:
                view["shown"][name] = [point]
        apply(news)

    st.html(_BINDINGS_CSS)
    shown = _with_values(spec, view["first"]) | ({"datasets": datasets} if datasets else {})
    st.vega_lite_chart(columns, shown, key=widget, on_select=changed, width="content",
                       selection_mode=[p["name"] for p in _params(spec) if "select" in p])


def play_button(key: str, input_name: str, play: str, pause: str, apply: Callable[[int], None], stride: int = 1,
                ms: int = 80) -> None:
    """A Play/Pause button that moves the range input ``input_name`` of the figure ``explore``
    draws under ``key`` forward by ``stride`` every ``ms`` milliseconds, in the browser; grabbing
    the slider pauses it. Where the input comes to rest (Pause, the end, a drag released) comes back
    to the page: ``apply(value)`` runs before that rerun, and the figure stays as it is."""
    ss = st.session_state
    view = ss[key]
    player = f"play_{key}_{view['mount']}"  # a new figure, a new player: its first report is news

    def moved() -> None:
        value = ss[player].get("step")
        top = json.loads(view["shape"])  # the input's own bounds: a browser's report is checked against them
        bound = next(p["bind"] for p in _params(top) if p["name"] == input_name)
        if isinstance(value, (int, float)) and float(value).is_integer() and bound["min"] <= value <= bound["max"]:
            view["shown"][input_name] = int(value)
            apply(int(value))

    _player(key=player, data={"input": input_name, "play": play, "pause": pause, "stride": stride, "ms": ms},
            on_step_change=moved)

"""The catalogue: every string in both languages, every key a page asks for exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from optviz.text import CATALOGUE, LANG_NAMES, LANGS, t

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "app.py"] + [p for d in ("pages", "optviz", "ui") for p in (ROOT / d).glob("*.py")]


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_entry_has_both_languages_with_the_same_placeholders(key):
    texts = CATALOGUE[key]
    assert len(texts) == len(LANGS) and all(s.strip() for s in texts)
    fields = [{f for _, f, _, _ in string.Formatter().parse(s) if f} for s in texts]
    assert fields[0] == fields[1], key


def test_every_key_used_in_code_exists():
    used = set()
    for path in SOURCES:
        used |= set(re.findall(r"""\btr?\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""", path.read_text()))
    missing = sorted(k for k in used if k not in CATALOGUE)
    assert not missing, missing


def test_unknown_language_falls_back_to_english():
    assert t("traj.title", "xx") == "Optimizer trajectories"
    assert t("traj.diverged", "zh", k=3) == "在第 3 步发散"


def test_keys_built_at_run_time_exist():
    from optviz.presets import MNIST_PRESETS, TRAJECTORY_PRESETS
    from optviz.registry import KNOB_VALUES, SCHEDULES
    from optviz.surfaces import SURFACE_KEYS
    from optviz.text import TRADE_OFFS

    kinds = ["minimum", "maximum", "saddle", "degenerate", "convex", "concave", "saddle-shaped", "flat direction"]
    keys = ([f"traj.kind.{k}" for k in kinds] + [f"surface.{k}" for k in SURFACE_KEYS]
            + [f"schedule.{k}" for k in SCHEDULES] + [f"traj.preset.{k}" for k in TRAJECTORY_PRESETS]
            + [f"traj.look.{k}" for k in TRAJECTORY_PRESETS] + [f"opt.{k}" for k in KNOB_VALUES]
            + ["fig.minimum", "fig.saddle", "fig.maximum"]
            + [f"mnist.{part}.{k}" for k in MNIST_PRESETS for part in ("exp", "about", "explain")]
            + [f"bs.trade.{k}{side}" for k in TRADE_OFFS for side in ("", ".small", ".large")]
            + ["bs.noise.init", "bs.noise.trained", "bs.fig.train", "bs.fig.test"])
    assert not [k for k in keys if k not in CATALOGUE]


@pytest.mark.parametrize("page, prefix", [("trajectories", "traj"), ("initialisation", "init"),
                                          ("batch_size", "bs"), ("mnist", "mnist")])
def test_every_page_has_a_lesson_script_naming_its_own_presets_in_both_languages(page, prefix, tmp_path, monkeypatch):
    """The script's bold names are buttons, tabs or experiments the page really shows, so a teacher
    following it never looks for a control that is not there."""
    from apptest import open_page
    from test_data import write_mnist

    from optviz import data
    from ui import datasets

    write_mnist(tmp_path, n_train=300, n_test=50)
    monkeypatch.setenv(data.ENV_DIR, str(tmp_path))
    datasets._load.clear()
    try:
        for lang in LANGS:
            at = open_page(page, lang=LANG_NAMES[lang])
            script = t(f"lesson.{prefix}", lang)
            assert any(e.label == t("lesson.title", lang) for e in at.expander)
            shown = " ".join([b.label for b in at.button] + [str(o) for s in at.get("segmented_control")
                                                            for o in s.options] + [str(m.value) for m in at.markdown])
            tabs = " ".join(t(f"bs.tab.{k}", lang) for k in ("time", "noise", "surface", "sweep", "flat"))
            for name in re.findall(r"\*\*(.+?)\*\*", script):
                assert name in shown or name in tabs or name in t("traj.tab.curvature", lang), (lang, name)
    finally:
        datasets._load.clear()

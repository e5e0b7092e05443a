"""The locale files: the same keys in every language, every key used, counts in the right form,
and a language added as one file."""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from optviz.i18n.text import BOOKS, LANG_NAMES, LANGS, t
from optviz.nn import sharpness
from optviz.toy import curvature

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "app.py"] + [p for d in ("pages", "optviz", "ui") for p in (ROOT / d).rglob("*.py")]
PAGES = {"trajectories": "traj", "initialisation": "init", "batch_size": "bs", "mnist": "mnist"}


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def forms(entry: str | dict) -> dict[str, str]:
    return entry if isinstance(entry, dict) else {"other": entry}


def keys_built_at_run_time() -> set[str]:
    """Keys the code puts together from a code or a registry, which a search for literals misses."""
    from optviz.i18n.text import TRADE_OFFS
    from optviz.lessons.batching import LANDSCAPE_PHASES, NOISE_PHASES
    from optviz.lessons.presets import INIT_PRESETS, MNIST_PRESETS, TRAJECTORY_PRESETS
    from optviz.lessons.questions import QUESTIONS
    from optviz.nn.search import PHASES as SEARCH_PHASES
    from optviz.optim.registry import SCHEDULES, knob_names
    from optviz.toy.surfaces import SURFACE_KEYS

    # every label ``classify`` gives, from one Hessian of each sign pattern, at and off critical points
    kinds = {curvature.classify(np.array(e), critical) for e in ((1.0, 2.0), (-2.0, -1.0), (-1.0, 1.0), (0.0, 1.0))
             for critical in (True, False)}
    return ({f"traj.kind.{k}" for k in kinds} | {f"surface.{k}" for k in (*SURFACE_KEYS, "own")}
            | {f"schedule.{k}" for k in SCHEDULES} | {f"traj.preset.{k}" for k in TRAJECTORY_PRESETS}
            | {f"traj.look.{k}" for k in TRAJECTORY_PRESETS} | {f"opt.{k}" for k in knob_names()}
            | {"fig.minimum", "fig.saddle", "fig.maximum"}
            | {f"mnist.{part}.{k}" for k in MNIST_PRESETS for part in ("exp", "about", "explain")}
            | {f"bs.trade.{k}{side}" for k in TRADE_OFFS for side in ("", ".small", ".large")}
            | {"bs.noise.init", "bs.noise.trained", "bs.fig.train", "bs.fig.test", "init.side1", "init.side2"}
            | {f"bs.phase.{k}" for k in ("sizes", *NOISE_PHASES, *LANDSCAPE_PHASES)}
            | {f"mnist.search.phase.{k}" for k in SEARCH_PHASES}
            | {f"bs.{k}.about" for k in ("time", "noise", "surface", "sweep", "flat")}
            | {f"init.preset.{k}" for k in INIT_PRESETS} | {f"mnist.sharp.{k}" for k in sharpness.VERDICTS}
            | {f"{p}.{part}" for p in (*PAGES.values(), "room") for part in ("title", "caption")}
            | {f"q.{q.key}{part}" for q in QUESTIONS for part in ("", ".why", *(f".{o}" for o in q.options))}
            | {f"room.{part}.{q.kind}" for q in QUESTIONS if q.kind != "choice" for part in ("kind", "median")}
            | {f"room.vote{k}" for k in (1, 2)}
            | {f"room.err.{k}" for k in ("unknown", "secret", "revealed", "busy", "full", "storage", "long")}
            | {f"own.err.{k}" for k in ("empty", "syntax", "name", "arguments", "construct", "exponent", "length", "window",
                                        "finite")}
            | {f"lesson.{p}" for p in PAGES.values()}
            | {f"nav.{k}.what" for k in ("trajectories", "initialisation", "batch", "mnist")}
            | {"language.name", "language.one"} | {k for k in BOOKS["en"] if k.startswith("name.")})


def literal_keys() -> set[str]:
    found = set()
    for path in SOURCES:
        found |= set(re.findall(r"""["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""", path.read_text()))
    return found & set(BOOKS["en"])


@pytest.mark.parametrize("lang", LANGS[1:])
def test_every_language_has_the_same_keys_as_english(lang):
    assert sorted(set(BOOKS["en"]) ^ set(BOOKS[lang])) == []


@pytest.mark.parametrize("key", sorted(k for k in BOOKS["en"] if k != "language.one"))
def test_every_entry_is_filled_with_the_same_placeholders_in_every_language(key):
    for lang in LANGS:
        entry = forms(BOOKS[lang][key])
        assert set(entry) <= {"one", "other"} and "other" in entry and all(s.strip() for s in entry.values())
        assert fields(entry.get("one", "")) <= fields(entry["other"]) == fields(forms(BOOKS["en"][key])["other"]), (lang, key)


def test_every_key_the_code_asks_for_exists():
    asked = set()
    for path in SOURCES:
        asked |= set(re.findall(r"""\btr?\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""", path.read_text()))
    assert sorted((asked | keys_built_at_run_time()) - set(BOOKS["en"])) == []


def test_no_key_is_left_unused():
    assert sorted(set(BOOKS["en"]) - literal_keys() - keys_built_at_run_time()) == []


def test_a_count_picks_the_singular_only_where_the_language_has_one():
    assert t("mnist.contestants", "en", n=1) == "The network in the race"
    assert t("mnist.contestants", "en", n=2) == "The 2 networks in the race"
    assert t("mnist.contestants", "en", n=0) == "The 0 networks in the race"
    assert t("bs.surface.path", "en", b=1000, n=1) == "batch 1000 (1 update per epoch)"
    assert t("mnist.contestants", "zh", n=1) == "参赛的 1 个网络"


def test_unknown_language_falls_back_to_english():
    assert t("traj.title", "xx") == "Optimizer trajectories"
    assert t("traj.diverged", "zh", k=3) == "在第 3 步发散"


def test_a_new_language_is_one_file_and_every_page_speaks_it(tmp_path):
    """A made-up language, English with every word in brackets, dropped into $OPTVIZ_LOCALES: the
    switch offers it and every page opens in it with its own words and no exception."""
    english = (ROOT / "optviz" / "i18n" / "locales" / "en.toml").read_text()
    made_up = re.sub(r'^("[^"]+"(?:\.\w+)?) = ("""\\\n|")', r"\1 = \2⟦", english, flags=re.M)
    made_up = re.sub(r'^"language.name" = .*$', '"language.name" = "Bracketish"', made_up, flags=re.M)
    (tmp_path / "xb.toml").write_text(made_up)
    script = textwrap.dedent(f"""
        import sys; sys.path[:0] = [{str(ROOT / "tests")!r}, {str(ROOT)!r}]
        from apptest import open_page
        from optviz.i18n.text import LANGS
        assert LANGS == ("en", "xb", "zh"), LANGS
        for page in {[*PAGES, "classroom"]!r}:
            at = open_page(page, lang="Bracketish")
            assert at.title[0].value.startswith("⟦"), at.title[0].value
            assert all(b.label.startswith("⟦") for b in at.button), [b.label for b in at.button]
        print("ok")
    """)
    env = os.environ | {"OPTVIZ_LOCALES": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.stdout.strip().endswith("ok"), done.stderr[-3000:]


@pytest.mark.parametrize("page, prefix", [("trajectories", "traj"), ("initialisation", "init"),
                                          ("batch_size", "bs"), ("mnist", "mnist")])
def test_every_page_has_a_lesson_script_naming_its_own_presets_in_both_languages(page, prefix, tmp_path, monkeypatch):
    """The script's bold names are buttons, tabs or experiments the page really shows, so a teacher
    following it never looks for a control that is not there."""
    from apptest import open_page
    from test_data import write_mnist

    from optviz.serve import data
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

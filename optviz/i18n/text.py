"""Every user-facing word of the app, read from one file per language in ``optviz/i18n/locales``.

``t(key, lang, **values)`` looks a string up and fills its ``{placeholders}``; an entry with
``one``/``other`` forms is picked by its count ``n``. Pages and figure builders take all their words
from here, so a new language is one more file with the same keys.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from optviz.optim.registry import OPTIMIZERS

LOCALES = Path(__file__).with_name("locales")
ENV_LOCALES = "OPTVIZ_LOCALES"  # a folder of more languages, one <code>.toml each, read at start


def _read(path: Path) -> dict[str, str | list | dict[str, str]]:
    with path.open("rb") as f:
        return tomllib.load(f)


# Language code -> key -> a string, or {"one": ..., "other": ...} for a message with a count.
BOOKS = {p.stem: _read(p) for folder in (LOCALES, Path(os.environ.get(ENV_LOCALES, LOCALES)))
         for p in sorted(folder.glob("*.toml"))}
LANGS = ("en", *sorted(set(BOOKS) - {"en"}))
# Shown on the language switch and written into links (?lang=中文), so never translated.
LANG_NAMES = {lang: BOOKS[lang]["language.name"] for lang in LANGS}


def t(key: str, lang: str = "en", **values: object) -> str:
    """The string ``key`` in ``lang`` (English when the language or the key is unknown to it),
    with ``values`` filled in; the count ``n`` picks the form of a message that has several."""
    book = BOOKS.get(lang, BOOKS["en"])
    text = book.get(key, BOOKS["en"][key])
    if isinstance(text, dict):
        text = text["one"] if "one" in text and values.get("n") in book["language.one"] else text["other"]
    return text.format(**values) if values else text


def _names(kind: str) -> dict[str, tuple[str, ...]]:
    """Option code -> its name in each language of LANGS, for the options of ``kind`` in the
    order of the English file (keys ``name.<kind>.<code>``)."""
    prefix = f"name.{kind}."
    return {key[len(prefix):]: tuple(t(key, lang) for lang in LANGS)
            for key in BOOKS["en"] if key.startswith(prefix)}


# Names of options, by code. Links carry the codes, so a link made in one language opens the same
# state in the other.
SURFACE_NAMES = _names("surface")
SCHEDULE_NAMES = _names("schedule")
INIT_NAMES = _names("init")
ACTIVATION_NAMES = _names("activation")
SCHEDULE_FORMULAS = {
    "constant": "η₀", "step": "η₀ · 0.2^⌊t/⌈T/3⌉⌋", "exponential": "η₀ · 0.01^(t/T)",
    "cosine": "η₀ · (1 + cos πt/T)/2", "warmup": "η₀ · min(1, (t+1)/⌈T/10⌉)",
}

LEGACY_NAMES = {  # what links made before the names were translated carry
    "eggcrate": ("Egg crate / 蛋托",), "custom": ("custom / 自定义",), "linear": ("linear / 线性",),
}


def named(names: dict[str, tuple[str, ...]], code: str, lang: str = "en") -> str:
    """The name of option ``code`` of ``names`` in ``lang``."""
    return names[code][LANGS.index(lang) if lang in LANGS else 0]


def link_names(names: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Every name a link may carry for each code: its names in each language and older spellings."""
    return {code: (*labels, *LEGACY_NAMES.get(code, ())) for code, labels in names.items()}


# Update rules as LaTeX (the same in every language), PyTorch's conventions.
# The formulas shown under each MNIST experiment.
EXPERIMENT_FORMULAS: dict[str, tuple[str, ...]] = {
    "optimizers": tuple(OPTIMIZERS[k].formula for k in ("SGD", "Momentum", "AdaGrad", "Adam")),
    "init": (r"\mathrm{Var}(z) = n\,\mathrm{Var}(w)\,\mathrm{Var}(x),\qquad "
             r"\sigma_{\text{Xavier}} = \sqrt{1/n},\qquad \sigma_{\text{He}} = \sqrt{2/n}",
             r"L_{\text{guess}} = -\ln \tfrac{1}{10} = \ln 10 \approx 2.30"),
    "batchnorm": (r"\hat z = \frac{z - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}},\qquad y = \gamma \hat z + \beta",),
    "overfit": (r"L = L_{\text{CE}} + \frac{\lambda}{2} \sum_l \lVert W_l \rVert^2,\qquad "
                r"W \leftarrow W - \eta\,(\nabla_W L_{\text{CE}} + \lambda W)",
                r"h \leftarrow \frac{m \odot h}{1 - p},\quad m_i \sim \mathrm{Bernoulli}(1 - p)"),
    "schedules": (r"\eta_t = \eta_0 \cdot 0.2^{\lfloor t/\lceil T/3 \rceil \rfloor},\qquad "
                  r"\eta_t = \eta_0 \cdot \tfrac{1}{2}\bigl(1 + \cos \tfrac{\pi t}{T}\bigr),\qquad "
                  r"\eta_t = \eta_0 \cdot \min\bigl(1, \tfrac{t + 1}{\lceil T/10 \rceil}\bigr)",),
    "custom": (r"L_{\text{CE}} = -\frac{1}{B} \sum_{i=1}^{B} \log \operatorname{softmax}(z_i)_{y_i}",
               r"\text{L2: } W \leftarrow W - \eta\,\mathrm{step}(\nabla_W L_{\text{CE}} + \lambda W),\qquad "
               r"\text{AdamW: } W \leftarrow W (1 - \eta \lambda) - \eta\,\mathrm{step}_{\text{Adam}}(\nabla_W L_{\text{CE}})"),
}

# Rows of the small-vs-large-batch table (Li Hongyi's table 3.1): keys "bs.trade.<row>[.small|.large]".
TRADE_OFFS = ("update", "update_par", "epoch", "gradient", "optim", "general")

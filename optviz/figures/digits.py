"""Showing test digits next to what each network predicted for them."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

Array = np.ndarray


def png_data_uri(image: Array, scale: int = 2) -> str:
    """A grayscale PNG (as a data: URI) of ``image`` (h, w) with values in [0, 1], drawn dark on
    light and enlarged ``scale`` times without smoothing. Pillow (a dependency of Streamlit) encodes it."""
    pixels = np.round(255 * (1 - np.clip(image, 0, 1))).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels.repeat(scale, 0).repeat(scale, 1), mode="L").save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def telling_examples(predictions: Array, labels: Array, k: int = 12) -> Array:
    """Indices of ``k`` test images worth showing: those most networks got wrong first (up to two
    thirds of them), then correctly classified ones in test-set order.
    predictions: (nets, n) predicted digits; labels: (n,)."""
    wrong = (predictions != labels).sum(0)
    hard = np.flatnonzero(wrong)
    hard = hard[np.argsort(-wrong[hard], kind="stable")][: 2 * k // 3]
    easy = np.flatnonzero(wrong == 0)[: k - len(hard)]
    return np.concatenate([hard, easy]).astype(int)


def prediction_rows(images: Array, truth: Array, predictions: Array, names: list[str], alive: list[bool],
                    truth_label: str, k: int = 12) -> list[dict[str, object]]:
    """A table of ``k`` telling test digits: under "digit" the image (a PNG data URI), under
    ``truth_label`` the true digit, and under each network's name its answer: "7", "✗ 3" when
    wrong, "–" for a network that diverged (and does not count when choosing the digits).
    images: (n, 784) in [0, 1]; truth: (n,); predictions: (nets, n)."""
    live = predictions[np.asarray(alive, bool)]
    picks = telling_examples(live, truth, k) if len(live) else np.arange(min(k, len(truth)))
    rows = []
    for i in picks:
        row: dict[str, object] = {"digit": png_data_uri(images[i].reshape(28, 28)), truth_label: int(truth[i])}
        for name, ok, pred in zip(names, alive, predictions[:, i], strict=True):
            row[name] = "–" if not ok else (f"{pred}" if pred == truth[i] else f"✗ {pred}")
        rows.append(row)
    return rows

"""Test digits shown beside each network's answer."""

import base64
import io

import numpy as np
from PIL import Image

from optviz.figures import digits


def decode_png(uri: str) -> np.ndarray:
    """The grayscale pixels of a PNG data URI, as any browser would read them."""
    head, body = uri.split(",", 1)
    assert head == "data:image/png;base64"
    image = Image.open(io.BytesIO(base64.b64decode(body)))
    assert image.format == "PNG" and image.mode == "L"
    return np.asarray(image)


def test_png_shows_the_digit_dark_on_light_and_enlarged():
    img = np.zeros((28, 28), np.float32)
    img[3:10, 5] = 1.0
    pixels = decode_png(digits.png_data_uri(img, scale=2))
    assert pixels.shape == (56, 56)
    assert pixels[6, 10] == 0 and pixels[0, 0] == 255  # ink is black, paper white
    assert (pixels[6:20, 10:12] == 0).all() and pixels[6:20, 12].min() == 255


def test_telling_examples_put_the_most_missed_first_then_fill_with_correct_ones():
    labels = np.array([0, 1, 2, 3, 4, 5])
    preds = np.array([[0, 7, 2, 9, 4, 8],
                      [0, 1, 2, 9, 4, 8],
                      [0, 1, 2, 9, 4, 5]])
    picks = digits.telling_examples(preds, labels, k=5)
    assert list(picks[:3]) == [3, 5, 1]  # missed by 3, 2, then 1 network
    assert list(picks[3:]) == [0, 2]


def test_prediction_rows_mark_wrong_answers_and_ignore_diverged_networks():
    truth = np.array([0, 1, 2, 3])
    preds = np.array([[0, 1, 9, 3],   # wrong on the third digit
                      [0, 0, 0, 0]])  # diverged: answers nonsense
    images = np.zeros((4, 784))
    rows = digits.prediction_rows(images, truth, preds, ["a", "b"], [True, False], "truth", k=2)
    assert [r["truth"] for r in rows] == [2, 0]  # the digit "a" missed first; "b" does not count
    assert rows[0]["a"] == "✗ 9" and rows[1]["a"] == "0" and rows[0]["b"] == "–"
    assert str(rows[0]["digit"]).startswith("data:image/png;base64,")

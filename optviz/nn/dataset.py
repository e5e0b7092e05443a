"""The digits as the networks read them: MNIST's four arrays and the fingerprint that names them
(``optviz.serve.data`` finds, checks and loads the files)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Mnist(NamedTuple):
    x_train: np.ndarray  # (n, 784) float32 in [0, 1], read-only
    y_train: np.ndarray  # (n,) uint8 digit labels, read-only
    x_test: np.ndarray  # (m, 784) float32 in [0, 1], read-only
    y_test: np.ndarray  # (m,) uint8, read-only
    source: str  # the folder the files were read from
    fingerprint: str  # SHA-256 over the four files' digests: equal data, equal fingerprint

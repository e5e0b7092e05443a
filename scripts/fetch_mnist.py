"""Download MNIST into optviz's cache ahead of a class: python scripts/fetch_mnist.py"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optviz import data  # noqa: E402


def show(name: str, done: int, total: int) -> None:
    print(f"\r{name}: {done / 2**20:5.1f} of {total / 2**20:5.1f} MB", end="", flush=True)


if __name__ == "__main__":
    try:
        folder = data.download(data.cache_dir(), show)
        mnist = data.read_folder(folder)
    except data.MnistUnavailable as err:
        sys.exit(f"\n{err}")
    print(f"\nMNIST ready in {folder}: {len(mnist.x_train)} training and {len(mnist.x_test)} test images")

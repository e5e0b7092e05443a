"""Download MNIST into optviz's cache ahead of a class: python scripts/fetch_mnist.py

``python scripts/fetch_mnist.py --check FOLDER`` instead compares the files in FOLDER with the
published SHA-256 checksums (a school's own copy, or the official files) and exits 1 on a mismatch.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optviz.serve import data  # noqa: E402


def show(name: str, done: int, total: int) -> None:
    print(f"\r{name}: {done / 2**20:5.1f} of {total / 2**20:5.1f} MB", end="", flush=True)


def check(folder: Path) -> bool:
    """Prints, per official file found in ``folder``, whether its SHA-256 is the published one."""
    found = [(name, digest) for name, digest in data.FILES.values() if (folder / name).exists()]
    for name, digest in found:
        print(f"{name}: {'official' if data.sha256(folder / name) == digest else 'DIFFERENT from the published checksum'}")
    if not found:
        print(f"none of the four MNIST files is in {folder}")
    return bool(found) and all(data.sha256(folder / name) == digest for name, digest in found)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"] and len(sys.argv) == 3:
        sys.exit(0 if check(Path(sys.argv[2])) else 1)
    try:
        folder = data.download(data.cache_dir(), show)
        mnist = data.read_folder(folder)
    except data.MnistUnavailable as err:
        sys.exit(f"\n{err}")
    print(f"\nMNIST ready in {folder}: {len(mnist.x_train)} training and {len(mnist.x_test)} test images")

"""MNIST loading: IDX parsing, checksum-verified downloads from a local mirror, offline messages."""

import gzip
import hashlib
import socket
import sys
from pathlib import Path

import numpy as np
import pytest
from segment_digits import idx_bytes

from optviz.serve import data


def write_mnist(folder: Path, n_train: int = 30, n_test: int = 10, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for key, (name, _) in data.FILES.items():
        (folder / name).write_bytes(gzip.compress(idx_bytes(arrays[key])))
    return arrays


def test_parse_idx_round_trips_every_shape_and_type():
    for a in (np.arange(24, dtype=np.uint8).reshape(2, 3, 4), np.array([7, -3, 2**30], ">i4"),
              np.linspace(-1, 1, 6).astype(">f4").reshape(3, 2)):
        out = data.parse_idx(idx_bytes(a))
        assert out.shape == a.shape and np.array_equal(out, a)
        assert out.dtype.isnative


def test_parse_idx_rejects_truncated_and_foreign_files():
    raw = idx_bytes(np.zeros((5, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="promises"):
        data.parse_idx(raw[:-1])
    with pytest.raises(ValueError, match="promises"):
        data.parse_idx(raw + b"\0")
    with pytest.raises(ValueError, match="magic"):
        data.parse_idx(b"PK\x03\x04" + raw[4:])


def test_read_folder_gives_read_only_scaled_float32(tmp_path):
    arrays = write_mnist(tmp_path)
    m = data.read_folder(tmp_path)
    assert m.x_train.shape == (30, 784) and m.x_train.dtype == np.float32
    np.testing.assert_allclose(m.x_train * 255, arrays["train_images"].reshape(30, 784), atol=1e-3)
    assert np.array_equal(m.y_test, arrays["test_labels"])
    with pytest.raises(ValueError):
        m.x_train[0, 0] = 1  # shared between sessions: in-place edits must fail


def test_missing_or_damaged_folder_says_how_to_fix(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(data.MnistUnavailable, match="OPTVIZ_MNIST_DIR") as err:
        data.read_folder(tmp_path)
    assert "t10k-labels-idx1-ubyte.gz is missing" in str(err.value)
    good = (tmp_path / "train-images-idx3-ubyte.gz").read_bytes()
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(good[: len(good) // 2])
    write_labels = gzip.compress(idx_bytes(np.zeros(10, np.uint8)))
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(write_labels)
    with pytest.raises(data.MnistUnavailable, match="damaged"):
        data.read_folder(tmp_path)


def checksums(folder: Path) -> dict[str, tuple[str, str]]:
    return {key: (name, hashlib.sha256((folder / name).read_bytes()).hexdigest()) for key, (name, _) in data.FILES.items()}


def test_download_verifies_and_reports_progress(tmp_path, mirror):
    served, url = mirror
    arrays = write_mnist(served)
    seen = []
    cache = tmp_path / "cache"
    data.download(cache, lambda name, done, total: seen.append((name, done, total)),
                  mirrors=(url,), files=checksums(served))
    m = data.read_folder(cache)
    assert np.array_equal(m.y_train, arrays["train_labels"])
    assert {name for name, _, _ in seen} == {name for name, _ in data.FILES.values()}
    assert all(done == total for name, done, total in seen if (name, done, total) == seen[-1])


def test_corrupted_download_is_rejected_and_deleted(tmp_path, mirror):
    served, url = mirror
    write_mnist(served)
    files = checksums(served)
    name = files["test_images"][0]
    raw = bytearray((served / name).read_bytes())
    raw[100] ^= 0xFF  # one flipped byte on the mirror
    (served / name).write_bytes(bytes(raw))
    cache = tmp_path / "cache"
    with pytest.raises(data.MnistUnavailable, match="checksum"):
        data.download(cache, mirrors=(url,), files=files)
    assert not (cache / name).exists()
    assert not [p for p in cache.iterdir() if p.name not in {n for n, _ in files.values()}]  # no temp files


def test_second_mirror_is_used_when_the_first_fails(tmp_path, mirror):
    served, url = mirror
    write_mnist(served)
    cache = tmp_path / "cache"
    data.download(cache, mirrors=(url + "missing/", url), files=checksums(served))
    assert len(list(cache.iterdir())) == 4


def test_no_network_and_no_files_gives_the_fix(tmp_path, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/"
    with pytest.raises(data.MnistUnavailable) as err:
        data.download(tmp_path, mirrors=(dead,))
    message = str(err.value)
    assert "cannot be reached" in message and "scripts/fetch_mnist.py" in message and "OPTVIZ_MNIST_DIR" in message
    assert not list(tmp_path.iterdir())


def test_load_prefers_the_folder_in_the_environment(tmp_path, monkeypatch):
    write_mnist(tmp_path, n_train=12)
    monkeypatch.setenv(data.ENV_DIR, str(tmp_path))
    assert data.load().x_train.shape == (12, 784)


def test_the_class_data_folder_holds_ten_classes_of_read_only_images():
    """The folder the app is pointed at (real digits, or the ones the tests draw) loads whole."""
    m = data.load()
    assert m.x_train.shape[1:] == m.x_test.shape[1:] == (784,) and len(m.x_train) >= 8000
    assert set(np.unique(m.y_train)) == set(np.unique(m.y_test)) == set(range(10))
    assert 0 <= m.x_train.min() and m.x_train.max() <= 1 and 0.05 < m.x_train.mean() < 0.2
    assert not m.x_train.flags.writeable and not m.y_test.flags.writeable


def test_the_checksum_check_names_every_file_that_is_not_the_published_one(tmp_path, monkeypatch, capsys):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import fetch_mnist

    write_mnist(tmp_path)
    assert not fetch_mnist.check(tmp_path)
    assert capsys.readouterr().out.count("DIFFERENT") == 4
    published = {k: (name, data.sha256(tmp_path / name)) for k, (name, _) in data.FILES.items()}
    monkeypatch.setattr(data, "FILES", published)
    assert fetch_mnist.check(tmp_path)
    (tmp_path / published["test_labels"][0]).write_bytes(b"x")
    assert not fetch_mnist.check(tmp_path)
    assert not fetch_mnist.check(tmp_path / "empty")


def test_a_schools_own_mirror_is_tried_first(monkeypatch):
    monkeypatch.setenv(data.ENV_MIRROR, "http://school.example/mnist")
    assert data.download_sources() == ("http://school.example/mnist/",) + data.MIRRORS
    monkeypatch.delenv(data.ENV_MIRROR)
    assert data.download_sources() == data.MIRRORS

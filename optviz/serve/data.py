"""MNIST: download from public mirrors, verify by SHA-256, cache, and parse the IDX files.

The four files come from ``$OPTVIZ_MNIST_DIR`` when it is set (offline use), otherwise from a
cache folder that is filled on first use. Downloads go through pooch, which streams each file to a
temporary name, checks its hash and only then moves it into place: a corrupted or truncated file
is deleted, never used. Each file has an overall deadline as well as a stall timeout, so a mirror that
drips bytes cannot hold a class. Parsing is our own (IDX is a tiny format; no pickle anywhere).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from optviz.nn.dataset import Mnist  # noqa: F401 - the set it loads, where the mathematics reads it

ENV_DIR = "OPTVIZ_MNIST_DIR"
ENV_CACHE = "OPTVIZ_CACHE"
ENV_MIRROR = "OPTVIZ_MNIST_MIRROR"  # a school's own copy (a URL ending in /), tried before the public ones

# The official files and their published SHA-256 checksums.
FILES: dict[str, tuple[str, str]] = {
    "train_images": ("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    "train_labels": ("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    "test_images": ("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "test_labels": ("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
}
# Tried in order. yann.lecun.com refuses automated downloads, so it is not listed.
MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",  # the copy TensorFlow uses
    "https://ossci-datasets.s3.amazonaws.com/mnist/",  # the copy torchvision uses
)

# IDX type codes (third byte of the magic number) -> big-endian dtype.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class MnistUnavailable(Exception):
    """MNIST could be neither found nor downloaded; the message says how to fix it."""


def parse_idx(raw: bytes) -> np.ndarray:
    """The array stored in an (uncompressed) IDX file. Raises ValueError on a malformed or
    truncated file."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError("not an IDX file (bad magic number)")
    dtype, ndim = np.dtype(_IDX_TYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError("IDX header is truncated")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", ndim, offset=4))
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != size:
        raise ValueError(f"IDX data holds {len(raw) - header} bytes, its header promises {size}")
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path: Path) -> np.ndarray:
    """Parse an IDX file, gunzipping it first when it is gzip-compressed."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise ValueError(f"{Path(path).name}: broken gzip stream ({err})") from err
    return parse_idx(raw)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_dir() -> Path:
    """Where downloads are kept: ``$OPTVIZ_CACHE/mnist`` or the OS's user cache folder."""
    import pooch

    root = os.environ.get(ENV_CACHE)
    return (Path(root) if root else Path(pooch.os_cache("optviz"))) / "mnist"


Progress = Callable[[str, int, int], None]  # (file name, bytes done, bytes total; 0 when unknown)

FILE_DEADLINE = 120.0  # s: a file not complete by then is given up on that mirror (MNIST's largest is 9.9 MB)
STALL = 15.0  # s without a single byte: the mirror is stalled


class _Slow(OSError):
    """A mirror that sends too little, too late."""


def _fetcher(name: str, deadline: float, stall: float, progress: Progress | None):
    """A pooch downloader: streams ``url`` into pooch's temporary file, giving up when no byte
    arrives for ``stall`` seconds or the file is not complete within ``deadline`` seconds
    (a mirror that drips one byte at a time never trips a per-read timeout)."""
    import urllib.request

    def fetch(url: str, output: str, _pooch=None) -> None:
        end = time.monotonic() + deadline
        request = urllib.request.Request(url, headers={"User-Agent": "optviz"})
        with urllib.request.urlopen(request, timeout=stall) as response, open(output, "wb") as out:
            total, done = int(response.headers.get("Content-Length") or 0), 0
            while block := response.read1(1 << 16):
                out.write(block)
                done += len(block)
                if progress:
                    progress(name, done, total)
                if time.monotonic() > end:
                    raise _Slow(f"not complete after {deadline:.0f} s ({done / 2**20:.1f} MB arrived)")
            if total and done != total:
                raise _Slow(f"the connection closed after {done} of {total} bytes")

    return fetch


def download_sources() -> tuple[str, ...]:
    """The download sources in the order tried: ``$OPTVIZ_MNIST_MIRROR`` first when set."""
    own = os.environ.get(ENV_MIRROR, "").strip()
    return ((own.rstrip("/") + "/",) if own else ()) + MIRRORS


def writable(folder: Path) -> None:
    """Create ``folder`` and check a file can be written there; MnistUnavailable says how to
    move the cache (``$OPTVIZ_CACHE``) when not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise MnistUnavailable(
            f"MNIST cannot be saved in the cache folder `{folder}` ({err.strerror or err}). "
            f"Fix: set `{ENV_CACHE}` to a folder the server can write to, or set `{ENV_DIR}` to a "
            "folder that already holds the four MNIST files.") from err


def download(folder: Path, progress: Progress | None = None, mirrors: tuple[str, ...] | None = None,
             files: dict[str, tuple[str, str]] | None = None, deadline: float = FILE_DEADLINE,
             stall: float = STALL, dead: Callable[[str], bool] = lambda mirror: False,
             failed: Callable[[str], None] = lambda mirror: None) -> Path:
    """Fetch whichever of ``files`` (by default the official FILES) are missing from ``folder``,
    each verified by SHA-256, trying every mirror in turn (by default ``download_sources()``).
    ``dead(mirror)`` skips a mirror known to be down; ``failed(mirror)`` is told of each mirror
    that could not deliver. Raises MnistUnavailable when a file cannot be had."""
    import pooch

    sources = download_sources() if mirrors is None else mirrors
    writable(folder)
    for name, digest in (FILES if files is None else files).values():
        if (folder / name).exists() and sha256(folder / name) == digest:
            continue
        errors = []
        for mirror in sources:
            if dead(mirror):
                errors.append(f"{_host(mirror)} failed a moment ago")
                continue
            try:
                pooch.retrieve(mirror + name, f"sha256:{digest}", fname=name, path=folder,
                               downloader=_fetcher(name, deadline, stall, progress))
                break
            except (ValueError, OSError, http.client.HTTPException) as err:
                (folder / name).unlink(missing_ok=True)
                errors.append(_why(mirror, err))
                failed(mirror)
        else:
            raise MnistUnavailable(offline_message("; ".join(errors)))
    return folder


def _host(mirror: str) -> str:
    return mirror.split("/")[2] if "//" in mirror else mirror


def _why(mirror: str, err: Exception) -> str:
    import urllib.error

    host = _host(mirror)
    if isinstance(err, ValueError):
        return f"{host} sent a file whose checksum is wrong"
    if isinstance(err, urllib.error.HTTPError):
        return f"{host} answered {err.code} {err.reason}"
    if isinstance(err, _Slow):
        return f"{host} is too slow: {err}"
    if isinstance(err, TimeoutError):
        return f"{host} sent nothing for {STALL:.0f} s"
    if isinstance(err, urllib.error.URLError | ConnectionError):
        return f"{host} cannot be reached"
    return f"{host}: {str(err).splitlines()[0][:120]}"


def missing(folder: Path) -> list[str]:
    """Names of the four files not yet in ``folder`` (a file there was verified when written)."""
    return [name for name, _ in FILES.values() if not (folder / name).exists()]


def offline_message(reason: str) -> str:
    return (
        f"MNIST is not on this server and could not be downloaded ({reason}). "
        "Fix: run `python scripts/fetch_mnist.py` on the server once it can reach the internet, "
        f"or set `{ENV_DIR}` to a folder holding the four files "
        + ", ".join(f"`{name}`" for name, _ in FILES.values()) + "."
    )


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def read_folder(folder: Path) -> Mnist:
    """Parse the four files in ``folder`` into read-only arrays; pixels scaled to [0, 1] float32."""
    arrays, digests = {}, []
    for key, (name, _) in FILES.items():
        path = folder / name
        if not path.exists() and (folder / name.removesuffix(".gz")).exists():
            path = folder / name.removesuffix(".gz")
        if not path.exists():
            raise MnistUnavailable(offline_message(f"{path} is missing"))
        try:
            arrays[key] = read_idx(path)
            digests.append(sha256(path))
        except ValueError as err:
            raise MnistUnavailable(offline_message(f"{path.name} is damaged: {err}")) from err
    for part in ("train", "test"):
        x, y = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != (len(x),) or y.max(initial=0) > 9:
            raise MnistUnavailable(offline_message(f"the {part} files are not MNIST-shaped"))
    scale = np.float32(1 / 255)
    pixels = {part: arrays[f"{part}_images"].reshape(-1, 784).astype(np.float32) * scale for part in ("train", "test")}
    return Mnist(_readonly(pixels["train"]), _readonly(arrays["train_labels"]),
                 _readonly(pixels["test"]), _readonly(arrays["test_labels"]), str(folder),
                 hashlib.sha256(" ".join(digests).encode()).hexdigest())


def load(progress: Progress | None = None) -> Mnist:
    """MNIST from ``$OPTVIZ_MNIST_DIR`` if set, else from the cache (downloading what is missing)."""
    folder = os.environ.get(ENV_DIR)
    if folder:
        return read_folder(Path(folder))
    return read_folder(download(cache_dir(), progress))

"""Downloads against a local misbehaving mirror: every fault ends in time with a message that
names the fix, and a class shares one download."""

from __future__ import annotations

import collections
import hashlib
import http.server
import threading
import time

import pytest
from test_data import write_mnist

from optviz.serve import data, fetch


class Mirror(http.server.BaseHTTPRequestHandler):
    """Serves ``files`` under /<fault>/<name>; the fault decides how badly."""

    files: dict[str, bytes] = {}
    hits: collections.Counter = collections.Counter()

    def log_message(self, *args):
        pass

    def do_GET(self):
        _, fault, name = self.path.split("/", 2)
        self.hits[(fault, name)] += 1
        body = self.files.get(name)
        if body is None or fault == "403":
            self.send_error(403 if fault == "403" else 404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if fault == "ok":
                self.wfile.write(body)
            elif fault == "stall":
                time.sleep(3)
            elif fault == "drip":  # one byte every 50 ms: no read ever times out
                for i in range(len(body)):
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.05)
            elif fault == "short":
                self.wfile.write(body[: len(body) // 2])
            elif fault == "bad":
                self.wfile.write(bytes([body[0] ^ 0xFF]) + body[1:])
        except OSError:  # the client gave up: that is the point
            pass


@pytest.fixture
def server(tmp_path):
    served = tmp_path / "served"
    write_mnist(served, n_train=20, n_test=5)
    Mirror.files = {p.name: p.read_bytes() for p in served.iterdir()}
    Mirror.hits = collections.Counter()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    files = {key: (name, hashlib.sha256(Mirror.files[name]).hexdigest()) for key, (name, _) in data.FILES.items()}
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", files
    httpd.shutdown()
    httpd.server_close()


def fails_with(folder, url, files, fault, **kw) -> str:
    with pytest.raises(data.MnistUnavailable) as err:
        data.download(folder, mirrors=(url + fault + "/",), files=files, **kw)
    assert not list(folder.iterdir()), "a failed download left a file behind"
    return str(err.value)


@pytest.mark.parametrize("fault, says", [
    ("403", "answered 403"), ("short", "closed after"), ("bad", "checksum is wrong"),
])
def test_a_faulty_mirror_is_refused_and_named(tmp_path, server, fault, says):
    url, files = server
    message = fails_with(tmp_path / "cache", url, files, fault)
    assert says in message and "OPTVIZ_MNIST_DIR" in message and "scripts/fetch_mnist.py" in message


def test_a_stalled_mirror_is_given_up_after_the_stall_timeout(tmp_path, server):
    url, files = server
    message = fails_with(tmp_path / "cache", url, files, "stall", stall=0.3)
    # Only the stall timeout says this: waiting the mirror out (3 s) ends in "closed after 0 of N bytes".
    assert "sent nothing" in message
    assert sum(Mirror.hits.values()) == 1  # the first file ended the download: no other file was tried


def test_a_dripping_mirror_meets_the_overall_deadline(tmp_path, server):
    url, files = server
    size = max(len(b) for b in Mirror.files.values())  # about 16 KB: 13 minutes at 20 bytes/s
    message = fails_with(tmp_path / "cache", url, files, "drip", deadline=0.5, stall=5.0)
    # Only the overall deadline says this: no single read ever waits as long as the stall timeout.
    assert "too slow" in message and "MB arrived" in message and size > 10_000
    assert sum(Mirror.hits.values()) == 1


def test_an_unwritable_cache_says_to_move_it(tmp_path, server):
    url, files = server
    (tmp_path / "a_file").write_text("not a folder")
    with pytest.raises(data.MnistUnavailable) as err:
        data.download(tmp_path / "a_file" / "cache", mirrors=(url + "ok/",), files=files)
    assert "OPTVIZ_CACHE" in str(err.value) and "a_file" in str(err.value)
    assert not Mirror.hits  # nothing was fetched only to be thrown away


def test_a_failed_mirror_is_skipped_for_the_remaining_files(tmp_path, server):
    url, files = server
    dead: set[str] = set()
    data.download(tmp_path / "cache", mirrors=(url + "403/", url + "ok/"), files=files,
                  dead=dead.__contains__, failed=dead.add)
    assert sum(n for (fault, _), n in Mirror.hits.items() if fault == "403") == 1
    assert sum(n for (fault, _), n in Mirror.hits.items() if fault == "ok") == 4
    assert len(data.read_folder(tmp_path / "cache").y_test) == 5


def wait(download: fetch.Download, seconds: float = 20.0) -> fetch.Status:
    end = time.monotonic() + seconds
    while (status := download.status()).state == "running" and time.monotonic() < end:
        time.sleep(0.02)
    return status


def test_thirty_students_at_once_share_one_download(tmp_path, server):
    url, files = server
    download = fetch.Download(lambda: tmp_path / "cache", mirrors=(url + "ok/",), files=files)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append((download.start(), wait(download)))) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(final.state == "done" for _, final in seen)
    assert all(n == 1 for n in Mirror.hits.values()) and len(Mirror.hits) == 4  # each file fetched once
    assert download.start().state == "done" and len(Mirror.hits) == 4  # later visitors fetch nothing


def test_a_failure_is_remembered_then_retried_on_request(tmp_path, server):
    url, files = server
    download = fetch.Download(lambda: tmp_path / "cache", retry_after=3600, mirrors=(url + "403/",), files=files)
    download.start()
    first = wait(download)
    assert first.state == "failed" and "answered 403" in first.error
    assert download.start().state == "failed"  # the class gets the answer at once, the mirror no new request
    assert sum(Mirror.hits.values()) == 1
    download.retry()
    assert download.start().state == "running"
    assert wait(download).state == "failed" and sum(Mirror.hits.values()) == 2


def test_progress_reports_the_file_and_its_bytes(tmp_path, server):
    url, files = server
    download = fetch.Download(lambda: tmp_path / "cache", mirrors=(url + "drip/",), files=files, deadline=60)
    download.start()
    deadline = time.monotonic() + 30  # a bound on the wait, not a time asserted: the first bytes arrive
    while (status := download.status()).done == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert status.state == "running" and status.name in Mirror.files
    assert 0 < status.done < status.total == len(Mirror.files[status.name])


@pytest.mark.parametrize("page", ["mnist", "batch_size"])
def test_an_unwritable_cache_gives_the_pages_a_message_not_a_traceback(tmp_path, monkeypatch, page):
    from apptest import open_page

    from ui import datasets

    (tmp_path / "a_file").write_text("not a folder")
    monkeypatch.delenv(data.ENV_DIR, raising=False)
    monkeypatch.setenv(data.ENV_CACHE, str(tmp_path / "a_file"))
    monkeypatch.setattr(datasets, "DOWNLOAD", fetch.Download())
    datasets._load.clear()
    try:
        at = open_page(page)  # fails on any exception
        assert "not available" in at.error[0].value
        assert any("OPTVIZ_CACHE" in m.value for m in at.markdown)
        assert at.button[-1].label == "Try again"
    finally:
        datasets._load.clear()


def test_without_mnist_the_synthetic_batch_size_tab_still_works(tmp_path, monkeypatch):
    from apptest import open_page

    from ui import datasets

    monkeypatch.setenv(data.ENV_DIR, str(tmp_path / "nowhere"))
    datasets._load.clear()
    try:
        at = open_page("batch_size")  # first tab: needs MNIST, says so
        assert "not available" in at.error[0].value and not at.get("plotly_chart")
        at.session_state["bs_tab"] = "🗺 Surfaces"
        at.run()
        assert not at.exception and not at.error  # synthetic data: drawn
        assert any("surf_chart" in c.proto.id for c in at.get("vega_lite_chart"))
        assert not at.get("progress")  # no stale download bar
    finally:
        datasets._load.clear()

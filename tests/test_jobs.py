"""Jobs: a computation in short pieces, with progress, partial results and errors kept."""

import numpy as np

from optviz.jobs import Job, Step, nbytes, run_to_end


def counting(n: int, fail_at: int | None = None):
    for i in range(n):
        if i == fail_at:
            raise ValueError("bad input")
        yield Step(i // 2, i % 2 + 1, 2, np.zeros(i + 1))
    return "finished"


def test_a_job_runs_piece_by_piece_keeping_progress_and_the_latest_partial():
    job = Job(counting(4), ("first", "second"), working_bytes=1000)
    job.advance(0.0)  # at least one piece
    assert job.progress == (0, 1, 2) and len(job.partial) == 1 and not job.done
    assert job.nbytes == 1000 + 8
    while not job.done:
        job.advance(0.0)
    assert job.result == "finished" and job.error is None and job.progress == (1, 2, 2)
    job.compact()
    assert job.partial is None and job.nbytes == 0


def test_an_error_ends_the_job_with_a_message_instead_of_raising():
    job = Job(counting(4, fail_at=2), ("only",))
    job.advance(10.0)
    assert job.done and job.result is None and job.error == "ValueError: bad input"
    assert len(job.partial) == 2  # what came before the error is still there


def test_run_to_end_and_nbytes():
    assert run_to_end(counting(3)) == "finished"
    assert nbytes({"a": np.zeros(3), "b": [np.zeros(2, np.float32), (np.zeros(1),)], "c": "text"}) == 24 + 8 + 8

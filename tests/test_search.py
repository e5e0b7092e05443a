"""Random search over learning rate and weight decay (the book's §6.5): reproducible draws in
their ranges, validation held out of the training images, and a search that beats the defaults."""

import numpy as np
import pytest

from optviz import jobs
from optviz.nn import search
from optviz.nn.search import SearchConfig
from optviz.serve import data


def test_draws_are_log_uniform_in_their_ranges_and_reproducible():
    cfg = SearchConfig(lr_exponents=(-6, -2), wd_exponents=(-8, -4), seed=3)
    draws = np.array([search.draw(cfg, k) for k in range(2000)])
    logs = np.log10(draws)
    assert logs[:, 0].min() >= -6 and logs[:, 0].max() <= -2 and logs[:, 1].min() >= -8 and logs[:, 1].max() <= -4
    # uniform in the exponent: each of the four decades holds about a quarter of the draws
    assert np.allclose(np.histogram(logs[:, 0], [-6, -5, -4, -3, -2])[0] / 2000, 0.25, atol=0.04)
    assert search.draw(cfg, 5) == search.draw(SearchConfig(lr_exponents=(-6, -2), wd_exponents=(-8, -4), seed=3), 5)
    assert search.draw(cfg, 5) != search.draw(SearchConfig(seed=4, lr_exponents=(-6, -2), wd_exponents=(-8, -4)), 5)
    fixed = SearchConfig(lr_exponents=(-2, -2), wd_exponents=(-5, -5))
    assert search.draw(fixed, 0) == pytest.approx((0.01, 1e-5))


def test_validation_images_are_held_out_of_the_training_subset():
    train_idx, val_idx = search.split(SearchConfig(n_images=500), 60000)
    assert len(train_idx) == 400 and len(val_idx) == 100 and not set(train_idx) & set(val_idx)
    assert len(set(train_idx)) == 400 and max(train_idx) < 60000


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        SearchConfig(lr_exponents=(0, -3))
    with pytest.raises(ValueError):
        SearchConfig(trials=0)


SMALL = dict(n_images=200, epochs=5, batch=20, hidden=(30, 30))


def test_a_search_repeats_and_a_longer_one_starts_with_the_same_trials(toy_digits):
    x, y = toy_digits.x_train, toy_digits.y_train
    short = jobs.run_to_end(search.steps(SearchConfig(trials=3, seed=1, **SMALL), x, y))
    long = jobs.run_to_end(search.steps(SearchConfig(trials=5, seed=1, **SMALL), x, y))
    for a, b in zip(short.trials, long.trials[:3], strict=True):
        assert (a.lr, a.weight_decay, a.train_acc) == (b.lr, b.weight_decay, b.train_acc)
        assert np.array_equal(a.validation, b.validation)
    assert short.default.lr == 0.01 and short.default.weight_decay == 0


def test_a_diverging_trial_is_marked_and_never_best(toy_digits):
    cfg = SearchConfig(trials=2, lr_exponents=(2, 2), wd_exponents=(-8, -8), **SMALL)
    result = jobs.run_to_end(search.steps(cfg, toy_digits.x_train, toy_digits.y_train))
    assert all(np.isnan(t.accuracy) and np.isnan(t.train_acc) for t in result.trials)  # lr 100 blows up
    assert search.best(result) == []


def test_a_strong_weight_decay_costs_accuracy(toy_digits):
    """λ = 1 pulls every weight to 0 far harder than the data pulls back: the network learns less."""
    x, y = toy_digits.x_train, toy_digits.y_train
    free = jobs.run_to_end(search.trial(SearchConfig(**SMALL), x, y, 0.05, 0.0))
    heavy = jobs.run_to_end(search.trial(SearchConfig(**SMALL), x, y, 0.05, 1.0))
    assert free.accuracy > heavy.accuracy + 0.2


def test_the_job_shows_each_finished_trial_as_it_comes(toy_digits):
    job = jobs.Job(search.steps(SearchConfig(trials=3, **SMALL), toy_digits.x_train, toy_digits.y_train),
                   search.PHASES)
    seen = []
    while not job.done:
        job.advance(0.0)
        if job.partial is not None and len(job.partial.trials) not in seen:
            seen.append(len(job.partial.trials))
    assert seen == [1, 2, 3] and len(job.result.trials) == 3 and job.error is None


def test_the_best_trial_beats_the_books_defaults_on_the_same_subset():
    """The page's default search (30 trials, the book's 6×100 ReLU network, 500 images, 50 epochs)."""
    mnist = data.load()
    result = jobs.run_to_end(search.steps(SearchConfig(), mnist.x_train, mnist.y_train))
    top = search.best(result)
    assert len(top) == 5 and top[0].accuracy >= result.default.accuracy
    assert [t.accuracy for t in top] == sorted((t.accuracy for t in top), reverse=True)

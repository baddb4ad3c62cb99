import numpy as np
import pytest

from textgen_course.analysis.first_race import mean_loss_standard_error, perplexity_with_error


def test_independent_losses_give_the_textbook_standard_error():
    losses = np.random.default_rng(0).normal(5.0, 2.0, size=10_000)
    assert mean_loss_standard_error(losses) == pytest.approx(losses.std(ddof=1) / 100, rel=1e-9)
    assert mean_loss_standard_error(losses) == pytest.approx(0.02, rel=0.05)


def test_blocks_widen_the_error_when_neighbouring_losses_move_together():
    rng = np.random.default_rng(1)
    slow = np.repeat(rng.normal(0, 1, size=200), 50)  # runs of 50 equal values: strongly correlated
    losses = 5 + slow + 0.1 * rng.normal(size=slow.size)
    assert mean_loss_standard_error(losses, block=100) > 3 * mean_loss_standard_error(losses)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="block must be a whole number"):
        mean_loss_standard_error(np.ones(10), block=0)
    with pytest.raises(ValueError, match="need at least 20 losses"):
        mean_loss_standard_error(np.ones(10), block=10)


def test_the_perplexitys_error_is_the_mean_losss_times_the_perplexity():
    assert perplexity_with_error(362.0, 0.04) == "362 ± 14"
    assert perplexity_with_error(127.7, 0.02, digits=1) == "127.7 ± 2.6"

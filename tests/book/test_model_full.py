"""The slow tests of the module tests/library/test_model.py mirrors (training, notebooks, subprocesses): the full run."""

import os
import subprocess
import sys
import numpy as np
import pytest
import torch
import textgen_course as tc
from conftest import SMALL, random_ids, train_a_few_steps


def _backend_in_fresh_python(env_backend):
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    if env_backend:
        env["KERAS_BACKEND"] = env_backend
    code = "import textgen_course, keras; print(keras.backend.backend())"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)



@pytest.mark.heavy  # a fresh Python process importing Keras
def test_importing_the_course_picks_the_torch_backend():
    assert _backend_in_fresh_python(None).stdout.strip() == "torch"


@pytest.mark.heavy  # a fresh Python process importing Keras
def test_a_backend_the_user_set_wins():
    result = _backend_in_fresh_python("jax")
    assert result.stdout.strip() == "jax", result.stderr


@pytest.mark.heavy
def test_a_model_trained_longer_still_agrees():
    model = train_a_few_steps(tc.build_model(SMALL, seed=9), steps=20, learning_rate=0.02)
    assert tc.cross_check(model).passed

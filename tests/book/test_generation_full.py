"""The slow tests of the module tests/library/test_generation.py mirrors (training, notebooks, subprocesses): the full run."""

import numpy as np
import pytest
import textgen_course as tc
from textgen_course.generation import (
    apply_temperature,
    generate,
    sampling_distribution,
    top_k_filter,
    top_p_filter,
)
from textgen_course.vocabulary import Vocabulary


def _openblas_threads_in_fresh_python(setting):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if setting:
        env["OPENBLAS_NUM_THREADS"] = setting
    code = "import os, textgen_course; print(os.environ['OPENBLAS_NUM_THREADS'])"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)



@pytest.mark.heavy  # three fresh Python processes, each importing Keras
def test_importing_the_course_asks_openblas_for_one_thread_unless_the_user_chose():
    assert _openblas_threads_in_fresh_python(None).stdout.strip() == "1"
    assert _openblas_threads_in_fresh_python("2").stdout.strip() == "2"

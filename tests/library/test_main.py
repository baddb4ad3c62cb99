"""The command line, python -m textgen_course (textgen_course/__main__.py). Training through it
is tested end to end in tests/book/test_training.py (heavy); here the parser and generation."""

import pytest

from textgen_course.__main__ import build_parser, main
from textgen_course.config import ARCHITECTURES
from textgen_course.generation import ENGINES, STRATEGIES


def test_the_parser_offers_every_architecture_strategy_and_engine():
    parser = build_parser()
    args = parser.parse_args(["train", "--out", "runs/x", "--architecture", "one_lstm"])
    assert args.architecture == "one_lstm" and args.out == "runs/x"
    args = parser.parse_args(["generate", "to be", "--engine", "keras", "--strategy", "top_k", "--top-k", "5"])
    assert (args.engine, args.strategy, args.top_k) == ("keras", "top_k", 5)
    assert parser.parse_args(["generate", "to be"]).engine == "numpy"
    choices = {action.dest: action.choices for action in parser._subparsers._group_actions[0].choices["generate"]
               ._actions if action.choices}
    assert tuple(choices["strategy"]) == STRATEGIES and tuple(choices["engine"]) == ENGINES
    train_choices = {action.dest: action.choices for action in parser._subparsers._group_actions[0]
                     .choices["train"]._actions if action.choices}
    assert tuple(train_choices["architecture"]) == ARCHITECTURES


def test_generate_with_the_shipped_model_prints_the_text(capsys):
    assert main(["generate", "to be or not to be", "--words", "5"]) == 0
    assert capsys.readouterr().out.lower().startswith("to be or not to be")


def test_errors_in_the_input_are_one_line_and_exit_code_2(capsys, tmp_path):
    assert main(["generate", "to be", "--model", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith("error: No artifact folder")
    with pytest.raises(SystemExit):
        main(["generate", "to be", "--engine", "torch"])

"""Command line: python -m textgen_course train|generate ...

    python -m textgen_course train --out runs/shakespeare --epochs 3
    python -m textgen_course train --out runs/one_lstm --architecture one_lstm --lstm-2-units 128
    python -m textgen_course export runs/shakespeare textgen_course/pretrained
    python -m textgen_course generate "to be or not to be" --words 20 --strategy top_p --top-p 0.9 --seed 0
"""

from __future__ import annotations

import argparse
import sys

from .artifacts import export_artifact, load_artifact, load_pretrained
from .config import ARCHITECTURES, ModelConfig
from .generation import ENGINES, STRATEGIES, generate
from .training import TrainingConfig, train


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for both commands."""
    parser = argparse.ArgumentParser(prog="python -m textgen_course", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    defaults = TrainingConfig()
    train = commands.add_parser("train", help="train the model and save an artifact folder")
    train.add_argument("--out", required=True, help="artifact folder to create (or resume)")
    train.add_argument("--corpus", help="a UTF-8 text file (default: the Shakespeare corpus)")
    train.add_argument("--epochs", type=int, default=defaults.epochs)
    train.add_argument("--batch-size", type=int, default=defaults.batch_size)
    train.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    train.add_argument("--final-learning-rate", type=float, default=defaults.final_learning_rate)
    train.add_argument("--patience", type=int, default=defaults.patience)
    train.add_argument("--short-window-fraction", type=float, default=defaults.short_window_fraction)
    train.add_argument("--seed", type=int, default=defaults.seed)
    train.add_argument("--jit-compile", action="store_true",
                       help="torch.compile the training step: faster epochs after a long compile")
    train.add_argument("--summary-input-gain", type=float, default=defaults.summary_input_gain,
                       help="LSTM-2's initial input weights times this (the shipped recipe: 4)")
    sizes = ModelConfig()
    train.add_argument("--vocab-size", type=int, default=sizes.vocab_size)
    train.add_argument("--sequence-length", type=int, default=sizes.sequence_length)
    train.add_argument("--embedding-dim", type=int, default=sizes.embedding_dim)
    train.add_argument("--lstm-1-units", type=int, default=sizes.lstm_1_units)
    train.add_argument("--lstm-2-units", type=int, default=sizes.lstm_2_units)
    train.add_argument("--architecture", default="two_lstms", choices=ARCHITECTURES,
                       help="two_lstms: the notes' model; one_lstm: the ablation without LSTM-1, "
                            "one LSTM of --lstm-2-units units (book/why_two_lstms.ipynb)")
    train.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    train.add_argument("--quiet", action="store_true", help="one line per epoch, no progress bar")

    generate = commands.add_parser("generate", help="continue a seed text with a trained model")
    generate.add_argument("seed_text", help='the text to continue, e.g. "to be or not to be"')
    generate.add_argument("--words", type=int, default=20, help="how many words to add")
    generate.add_argument("--strategy", default="greedy", choices=STRATEGIES)
    generate.add_argument("--temperature", type=float, default=1.0)
    generate.add_argument("--top-k", type=int)
    generate.add_argument("--top-p", type=float)
    generate.add_argument("--seed", type=int, default=None, help="makes sampling reproducible")
    generate.add_argument("--model", help="artifact folder (default: the shipped model)")
    generate.add_argument("--engine", choices=ENGINES, default="numpy",
                          help="numpy (fast, the default) or keras; both run every architecture")
    export = commands.add_parser("export", help="copy a trained artifact's best weights (no resume state) to a folder")
    export.add_argument("source", help="artifact folder made by train")
    export.add_argument("destination", help="folder to write, e.g. textgen_course/pretrained")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; errors in the input are printed as one line, exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            return _train(args)
        if args.command == "export":
            print(f"exported {export_artifact(args.source, args.destination)}")
            return 0
        return _generate(args)
    except (ValueError, FileNotFoundError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _train(args) -> int:
    model_config = ModelConfig(args.vocab_size, args.sequence_length, args.embedding_dim,
                               args.lstm_1_units, args.lstm_2_units)
    training = TrainingConfig(
        epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
        final_learning_rate=args.final_learning_rate, patience=args.patience,
        short_window_fraction=args.short_window_fraction, seed=args.seed, jit_compile=args.jit_compile,
        summary_input_gain=args.summary_input_gain,
    )
    result = train(args.out, args.corpus, model_config, training, resume=args.resume,
                   verbose=2 if args.quiet else 1, architecture=args.architecture)
    metrics = result.manifest["metrics"]
    print(f"saved {result.folder}: best epoch {metrics['best_epoch']}, validation perplexity "
          f"{metrics['validation_perplexity']:.1f}, top-5 accuracy {metrics['validation_top5_accuracy']:.1%}")
    return 0


def _generate(args) -> int:
    if args.model:
        model, vocabulary, _ = load_artifact(args.model)
    else:
        model, vocabulary = load_pretrained()
    result = generate(model, vocabulary, args.seed_text, num_words=args.words, strategy=args.strategy,
                      temperature=args.temperature, top_k=args.top_k, top_p=args.top_p, seed=args.seed,
                      engine=args.engine)
    print(result.text)
    if result.unknown_words:
        print(f"(not in the vocabulary, read as <unk>: {', '.join(result.unknown_words)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Train and score the experiments of book/why_two_lstms.ipynb: .venv/bin/python scripts/train_ablations.py --help

The code lives in authoring/train_ablations.py (`python -m authoring.train_ablations --help`);
this file only keeps the command that the README, CONTRIBUTING.md and the chapters name.
"""

import sys

from authoring.train_ablations import main

if __name__ == "__main__":
    sys.exit(main())

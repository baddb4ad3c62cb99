"""Train the LSTM model and its plain-RNN twin and measure their memory (book/lstm_context.ipynb):
.venv/bin/python scripts/why_gates.py --help

The code lives in authoring/why_gates.py (`python -m authoring.why_gates --help`);
this file only keeps the command that the chapter and CONTRIBUTING.md name.
"""

import sys

from authoring.why_gates import main

if __name__ == "__main__":
    sys.exit(main())

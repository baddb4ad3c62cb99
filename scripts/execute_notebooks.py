"""Execute chapters in place and store their outputs: .venv/bin/python scripts/execute_notebooks.py book/<chapter>.ipynb

The code lives in authoring/execute_notebooks.py (`python -m authoring.execute_notebooks --help`);
this file only keeps the command that the README, CONTRIBUTING.md and the chapters name.
"""

import sys

from authoring.execute_notebooks import main

if __name__ == "__main__":
    sys.exit(main())

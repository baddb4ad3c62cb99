"""The student edition: .venv/bin/python scripts/editions.py student-notebooks|student-book

The code lives in authoring/editions.py (`python -m authoring.editions --help`);
this file only keeps the command that the README, CONTRIBUTING.md and the chapters name.
"""

import sys

from authoring.editions import main

if __name__ == "__main__":
    sys.exit(main())

"""Bake the chapters' prose: .venv/bin/python scripts/bake_prose.py book/<chapter>.ipynb (or --all)

Converts MyST roles that plain Markdown renderers show raw ({glue:text}, {doc}, {ref}, (label)=,
literalinclude, backtick-fenced directives) into the committed form, and refreshes every quoted
number and library listing. The code lives in authoring/prose.py; scripts/execute_notebooks.py
runs it after executing a chapter.
"""

import sys

from authoring.prose import main

if __name__ == "__main__":
    sys.exit(main())

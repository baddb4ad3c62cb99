"""Bake the chapters' prose: .venv/bin/python scripts/bake_prose.py book/<chapter>.ipynb (or --all)

Run it after scripts/execute_notebooks.py (which only executes and verifies). It writes each
quoted number from the glue output stored in the chapter and each library listing from the
library's current source, converts MyST roles that plain Markdown renderers show raw ({glue:text},
{doc}, {ref}, (label)=, literalinclude, backtick-fenced directives) into the committed form, and
refreshes the Colab install cell. It refuses (exit status 1, nothing written) to overwrite a span
or listing edited by hand; --force overwrites. The same command: python -m authoring.prose.
The code lives in authoring/prose.py.
"""

import sys

from authoring.prose import main

if __name__ == "__main__":
    sys.exit(main())

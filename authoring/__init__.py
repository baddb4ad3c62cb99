"""The course's tools for authors and instructors: not part of the model, and not installed with it.

This folder is not packaged (`pip install .` installs only textgen_course); `python3 tasks.py setup`
puts the repository on the venv's path so that scripts/, the book build and the tests import it.

    execute_notebooks   run chapters and store their outputs (scripts/execute_notebooks.py)
    chapter_exercises   read a chapter's exercises: solutions, checks, stubs
    editions            the student edition: notebooks without solutions, and its book
    student_edition     the Sphinx extension the student book uses
    assign              a chapter's exercises as an otter-grader assignment
    grade               grade submitted notebooks into a CSV
    train_ablations     train and score the experiments behind book/why_two_lstms.ipynb
    why_gates           train the why-gates experiment of book/lstm_context.ipynb
    prose               bake numbers and library listings into the chapters' Markdown
    web_export          the shipped model for the page (book/_ext/textgen_web.py calls it at build time)

Each runs as `python -m authoring.<name> --help`; `scripts/<name>.py` and
`python3 tasks.py ...` call the same code.
"""

import os

# The tools import Keras; like `import textgen_course`, pick its torch backend first unless one was chosen.
os.environ.setdefault("KERAS_BACKEND", "torch")

"""Assign a chapter's exercises or grade submissions, with otter-grader:

    .venv/bin/python scripts/assignments.py assign lstm_context [--points lstm-context-step=2]
    .venv/bin/python scripts/assignments.py grade lstm_context submissions/ [--out grades.csv]

The code lives in authoring/assign.py and authoring/grade.py
(`python -m authoring.assign --help`, `... .grade --help`); this file keeps the old command.
"""

import sys

from authoring import assign, grade

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("assign", "grade"):
        sys.exit(__doc__)
    command = assign if sys.argv[1] == "assign" else grade
    sys.exit(command.main(sys.argv[2:]))

"""The course's tools for authors and instructors: not part of the model, and not imported by it.

    execute_notebooks   run chapters and store their outputs (scripts/execute_notebooks.py)
    chapter_exercises   read a chapter's exercises: solutions, checks, stubs
    editions            the student edition: notebooks without solutions, and its book
    student_edition     the Sphinx extension the student book uses
    assign              a chapter's exercises as an otter-grader assignment
    grade               grade submitted notebooks into a CSV
    train_ablations     train and score the experiments behind book/why_two_lstms.ipynb

Each runs as `python -m textgen_course.tools.<name> --help`; `scripts/<name>.py` and
`python3 tasks.py ...` call the same code.
"""

"""The Sphinx extension of the student edition (authoring/student_edition.py). The
built student book is tested in tests/book/test_editions.py (it builds a book: notebook marker)."""

from authoring import student_edition
from authoring.editions import student_config


class FakeApp:
    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        def record(*args, **kwargs):
            self.calls.append(name)
        return record


def test_the_extension_registers_itself_and_is_safe_in_parallel():
    app = FakeApp()
    metadata = student_edition.setup(app)
    assert metadata.get("parallel_read_safe") is True
    assert app.calls  # it connects at least one transform or event


def test_the_student_config_loads_the_extension_from_the_package():
    config = student_config()
    assert "authoring.student_edition" in config["sphinx"]["extra_extensions"]

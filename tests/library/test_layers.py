"""The library's layers run one way (CONTRIBUTING.md draws them): no module imports from a layer
above its own, and no import cycle exists, not even inside one layer or hidden in a function.

The import graph is read from the source with ast (nothing is imported), so the test is fast
and sees imports inside functions too.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "textgen_course"

# Lowest first. A module may import from its own layer or any layer below it.
LAYERS = (
    ("config", ["config"]),
    ("stages", ["input_checks", "stage_check", "text", "vocabulary", "windows", "embedding", "lstm_gates",
                "lstm_context", "lstm_summary", "softmax_head", "flops", "fused_lstm", "diagrams"]),
    ("model", ["numpy_model", "model", "architectures", "crosscheck", "generation", "plain_rnn"]),
    ("artifacts", ["artifacts"]),
    ("evaluation", ["evaluation", "baselines"]),
    ("training", ["training", "learning", "fine_tuning"]),
    ("experiments", ["ablation"]),
    ("analyses", ["analysis.*"]),  # what the chapters measure on a stage: analysis/<chapter>.py
    ("explorers and exercises", ["explorers.*", "exercises.*"]),
    ("command line and notebooks", ["__main__", "__init__", "notebook"]),
)


def module_name(path: Path) -> str:
    """textgen_course/explorers/embedding.py -> "explorers.embedding"; a package's __init__ keeps its name."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def layer_of(module: str) -> int:
    """The index in LAYERS of a module name; a KeyError names a module no layer holds."""
    for index, (_, members) in enumerate(LAYERS):
        for member in members:
            if module == member or (member.endswith(".*") and module.split(".")[0] == member[:-2]):
                return index
    raise KeyError(f"textgen_course/{module.replace('.', '/')}.py is in no layer: add it to LAYERS here "
                   "and to the picture in CONTRIBUTING.md")


def imported_modules(path: Path, modules: set[str], name: str | None = None) -> set[str]:
    """The package's modules that one file imports, anywhere in the file (functions included).

    name: the file's module name inside the package (default: from its path).
    """
    name = name or module_name(path)
    is_package = path.name == "__init__.py"
    package_parts = name.split(".") if is_package and name != "__init__" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - (node.level - 1)]
                stem = ".".join(["textgen_course", *base, *(node.module.split(".") if node.module else [])])
            else:
                stem = node.module or ""
            targets = [stem] + [f"{stem}.{alias.name}" for alias in node.names]
        if isinstance(node, ast.Import) and "textgen_course" in targets and name != "__init__":
            found.add("__init__")  # `import textgen_course` runs the package's __init__ (and its imports)
        if (isinstance(node, ast.ImportFrom) and not node.level and node.module == "textgen_course"
                and name != "__init__" and any(alias.name not in modules for alias in node.names)):
            found.add("__init__")  # `from textgen_course import build_model`: a name of the __init__
        for target in targets:
            if not target.startswith("textgen_course."):
                continue
            inner = target[len("textgen_course."):]
            while inner and inner not in modules:  # "explorers.embedding.explore" -> "explorers.embedding"
                inner = inner.rpartition(".")[0]
            if inner and inner != name:
                found.add(inner)
    return found


def import_graph() -> dict[str, set[str]]:
    """{module: the package modules it imports} for every .py file of textgen_course."""
    paths = [path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts]
    modules = {module_name(path) for path in paths}
    return {module_name(path): imported_modules(path, modules) for path in paths}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import from a layer above the importing module's, as readable lines."""
    problems = []
    for module, imports in sorted(graph.items()):
        for imported in sorted(imports):
            if layer_of(imported) > layer_of(module):
                problems.append(f"{module} ({LAYERS[layer_of(module)][0]}) imports {imported} "
                                f"({LAYERS[layer_of(imported)][0]}), a layer above it")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of a graph, each as a path that returns to its start (depth-first search)."""
    found, state = [], {}  # state: 1 while on the current path, 2 when finished

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == 1:
                found.append(path[path.index(imported):] + [imported] if imported in path else [module, imported])
            elif imported not in state:
                visit(imported, path + [imported])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def test_every_module_has_a_layer():
    for module in import_graph():
        layer_of(module)  # raises, naming the module, if it has none


def test_no_module_imports_from_a_layer_above_its_own():
    problems = upward_imports(import_graph())
    assert not problems, "\n".join(problems)


def test_the_import_graph_has_no_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles: " + "; ".join(" -> ".join(cycle) for cycle in found)


def test_the_checks_catch_an_upward_import_and_a_cycle():
    # A made-up graph with the old mistakes: training and artifacts importing the experiments module,
    # which imports training again.
    graph = {"config": set(), "model": {"config"}, "artifacts": {"ablation", "model"},
             "training": {"artifacts", "ablation"}, "ablation": {"training", "model"}}
    problems = upward_imports(graph)
    assert any(line.startswith("artifacts (artifacts) imports ablation (experiments)") for line in problems)
    assert any(line.startswith("training (training) imports ablation") for line in problems)
    found = cycles(graph)
    assert ["ablation", "training", "ablation"] in found or ["training", "ablation", "training"] in found
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    with pytest.raises(KeyError, match="in no layer"):
        layer_of("somewhere_new")


def test_import_textgen_course_counts_as_importing_the_package_init(tmp_path):
    path = tmp_path / "config.py"
    modules = {"config", "model", "__init__"}
    path.write_text("import textgen_course\n")
    assert imported_modules(path, modules, "config") == {"__init__"}
    path.write_text("from textgen_course import build_model\n")
    assert imported_modules(path, modules, "config") == {"__init__"}
    path.write_text("from textgen_course import model\nfrom . import model as m\n")
    assert imported_modules(path, modules, "config") == {"model"}


def test_imports_are_read_from_the_source_including_functions(tmp_path):
    source = tmp_path / "probe.py"
    source.write_text("from . import artifacts\n"
                      "def late():\n    from .training import train\n    import textgen_course.ablation\n")
    modules = {"artifacts", "training", "ablation", "config", "explorers.probe"}
    assert imported_modules(source, modules, name="probe") == {"artifacts", "training", "ablation"}
    nested = tmp_path / "nested.py"
    nested.write_text("from ..config import ModelConfig\nfrom .checking import check\n")
    modules |= {"explorers.checking"}
    assert imported_modules(nested, modules, name="explorers.nested") == {"config", "explorers.checking"}
    graph = import_graph()
    assert "architectures" in graph["artifacts"] and "ablation" not in graph["artifacts"]


def expected_test_file(module: str) -> str:
    """The test file that mirrors a module: explorers.x -> test_explorers_x.py (so too analysis, exercises)."""
    package, _, name = module.rpartition(".")
    name = name.strip("_")  # __main__ -> main
    return f"test_{package}_{name}.py" if package in ("explorers", "exercises", "analysis") else f"test_{name}.py"


def test_every_module_has_its_own_test_file():
    tests = {path.name for path in Path(__file__).resolve().parents[1].glob("*/test_*.py")}
    modules = [module_name(path) for path in PACKAGE.rglob("*.py") if path.name != "__init__.py"]
    missing = sorted(f"{module} -> tests/{expected_test_file(module)}" for module in modules
                     if expected_test_file(module) not in tests)
    assert not missing, "modules without a test file of their own:\n" + "\n".join(missing)


def test_the_mirror_rule_names_the_file_it_expects():
    assert expected_test_file("explorers.embedding") == "test_explorers_embedding.py"
    assert expected_test_file("analysis.lstm_context") == "test_analysis_lstm_context.py"
    assert expected_test_file("analysis.embedding") == "test_analysis_embedding.py"
    assert expected_test_file("__main__") == "test_main.py"


MODEL_FILES = ("embedding", "lstm_gates", "lstm_context", "lstm_summary", "softmax_head", "model", "numpy_model",
               "generation", "training")  # CONTRIBUTING.md, "The model in a few files"


def test_the_whole_model_reads_in_under_1500_lines():
    lines = {name: len((PACKAGE / f"{name}.py").read_text(encoding="utf-8").splitlines()) for name in MODEL_FILES}
    assert sum(lines.values()) < 1500, f"the model's files hold {sum(lines.values())} lines: {lines}"
    contributing = (PACKAGE.parent / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = contributing.split("## The model in a few files", 1)[1].split("\n## ", 1)[0]
    assert all(f"`{name}.py`" in section for name in MODEL_FILES)

"""The layout is the architecture (docs/architecture.md): layers that import only downwards, no
import cycle, modules a reader can take in whole, no click below the CLI, a lazy `--help`, and a
package list that installs every folder."""

from __future__ import annotations

import ast
import configparser
import re
import subprocess
import sys
from pathlib import Path

from helpers.workspaces import ROOT


PACKAGE = ROOT / "salesctl"
MAX_LINES = 500

# Bottom to top: a module may import its own unit and the units of the layers below it. Features
# share a layer and do not import each other, except as listed in CROSSING.
LAYERS = [
    ("salesctl", "salesctl.errors"),
    ("salesctl.model",),
    ("salesctl.storage",),
    ("salesctl.derive",),
    ("salesctl.rules",),
    ("salesctl.load",),
    ("salesctl.render",),
    ("salesctl.reports", "salesctl.query", "salesctl.remind", "salesctl.draft", "salesctl.write",
     "salesctl.history", "salesctl.scaffold"),
    ("salesctl.dashboard",),
    ("salesctl.doctor",),
    ("salesctl.api",),
    ("salesctl.cli",),
    ("salesctl.__main__",),
]
CROSSING = {  # (importer, imported) units of one layer allowed to meet, and why
    ("salesctl.query", "salesctl.reports"): "the sql/export table `activity` is report activity by day",
    ("salesctl.write", "salesctl.query"): "an import reads back the tables export writes, as query shows records",
    ("salesctl.history", "salesctl.reports"): "diff shows how a change moves attainment and review grades, as the "
                                              "reports define them",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> set[str]:
    """The salesctl modules `name` imports, at the top or inside a function."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t in MODULES}
    return found - {name}


def unit(name: str) -> str:
    """The layer member a module belongs to: its first-level package or module under salesctl."""
    return ".".join(name.split(".")[:2])


def layer_of(name: str) -> int:
    for number, units in enumerate(LAYERS):
        if unit(name) in units:
            return number
    raise AssertionError(f"{name} is in no layer of LAYERS (and docs/architecture.md)")


def test_every_module_sits_in_a_layer():
    assert {name: layer_of(name) for name in MODULES}


def test_each_layer_imports_only_the_layers_below_it():
    wrong, crossings = [], set()
    for name in MODULES:
        for target in imports(name):
            if unit(target) == unit(name):
                continue
            if layer_of(target) < layer_of(name):
                continue
            pair = (unit(name), unit(target))
            if pair in CROSSING:
                crossings.add(pair)
                continue
            wrong.append(f"{name} imports {target}")
    assert wrong == []
    assert crossings == set(CROSSING)  # an exception no longer needed is struck off the list


def test_no_import_cycle():
    graph = {name: imports(name) for name in MODULES}
    done: set = set()
    cycles = []

    def visit(name, path):
        if name in path:
            cycles.append(path[path.index(name):] + [name])
            return
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, path + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []


def test_no_module_is_longer_than_a_reader_takes_in_whole():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_only_the_command_line_imports_click():
    users = {name for name in MODULES if "click" in {n.split(".")[0] for n in external_imports(name)}}
    assert users and all(unit(name) == "salesctl.cli" for name in users)


def external_imports(name: str) -> set[str]:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add(node.module)
    return found


JINJA_ERRORS = {"salesctl.draft.sandbox.UndefinedVariable"}  # jinja's own, turned into a DraftError by draft


def test_every_error_a_command_can_stop_with_is_in_the_errors_module():
    """One family of exceptions, each with its exit code; a private one never leaves its module."""
    elsewhere = [f"{name}.{node.name}" for name, path in MODULES.items() if name != "salesctl.errors"
                 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
                 and any(getattr(base, "id", getattr(base, "attr", "")).endswith(("Error", "Exception"))
                         for base in node.bases)]
    assert sorted(elsewhere) == sorted(JINJA_ERRORS)


def test_every_rule_names_the_codes_it_emits():
    """`Codes: a, b.` at the end of each rule's docstring: the codes of its `_p(...)` calls, and of
    the `problem(...)` calls of the helpers of rules.py it calls (a problem charged to no record)."""
    from salesctl.model.problems import CODES
    from salesctl.rules import RULES

    tree = ast.parse(MODULES["salesctl.rules"].read_text(encoding="utf-8"))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    wrong = {}
    for rule in RULES:
        node = functions[rule.__name__]
        calls = [call for call in ast.walk(node) if isinstance(call, ast.Call)]
        helpers = {getattr(call.func, "id", "") for call in calls} & (set(functions) - {"_p"})
        calls += [call for name in helpers for call in ast.walk(functions[name]) if isinstance(call, ast.Call)
                  and getattr(call.func, "id", "") == "problem"]
        emitted = {call.args[0].value for call in calls if getattr(call.func, "id", "") in ("_p", "problem")}
        named = (ast.get_docstring(node) or "").rpartition("Codes: ")[2].rstrip(".").split(", ")
        if not emitted or set(named) != emitted or not emitted <= set(CODES):
            wrong[rule.__name__] = (sorted(emitted), named)
    assert wrong == {}


def test_the_code_cites_only_what_travels_with_it():
    """Comments and docstrings point at docs/, never at documents a clone of the project lacks."""
    patterns = (r"\bSPEC\b", r"(?i)\bspecification\b", r"(?i)shared folder", r"\.\./shared", r"(?i)\bissues?\s*#\d+",
                r"(?i)\bsection \d+\b")
    files = [*MODULES.values(), *sorted((ROOT / "bench").iterdir())]
    cited = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in files if path.is_file()
             for pattern in patterns for match in re.finditer(pattern, path.read_text(encoding="utf-8"))]
    assert cited == []


def test_every_package_has_a_docstring_saying_what_it_holds():
    bare = [name for name, path in MODULES.items()
            if path.name == "__init__.py" and not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))]
    assert bare == []


def imported_by(*args) -> str:
    """The salesctl modules `salesctl ARGS` imports."""
    code = (f"import sys\nfrom salesctl.cli import cli\ntry:\n    cli.main({list(args)!r}, prog_name='salesctl')\n"
            "except SystemExit:\n    pass\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('salesctl'))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout.splitlines()[-1]


def test_help_imports_no_command():
    assert imported_by("--help") == "salesctl salesctl.cli"


def test_report_help_imports_no_report():
    """`report --help` lists the reports; declaring their options needs their choices, not the library."""
    assert imported_by("report", "--help") == ("salesctl salesctl.cli salesctl.cli.completion salesctl.cli.options "
                                               "salesctl.cli.report "
                                               "salesctl.errors salesctl.model salesctl.model.periods salesctl.render "
                                               "salesctl.reports")


def test_setup_cfg_installs_every_package():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(config["options"]["packages"].split())
    packages = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    assert packages <= listed
    assert listed - packages == {"salesctl.templates", "salesctl.sample_workspace"}

"""`make hub` installs only the hub's declared dependencies (pyproject [project].dependencies),
so every module the hub imports must be the standard library, the hub itself, or one of them.
An import of anything else (a test or dev tool, redis) must sit in a try/except ImportError,
and the hub must still start without it."""

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORT_NAMES = {"segno": "segno", "websockets": "websockets", "uvloop": "uvloop"}


def declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = set()
    for dep in project["dependencies"]:
        name = dep.split(";")[0]
        for sep in "<>=!~[ ":
            name = name.split(sep)[0]
        names.add(name.strip().lower())
    return names


def guarded(node, parents):
    """True if an import sits in a `try:` whose handlers catch ImportError."""
    for parent in parents.get(node, []):
        if isinstance(parent, ast.Try):
            for h in parent.handlers:
                caught = ast.unparse(h.type) if h.type else "BaseException"
                if "ImportError" in caught or "ModuleNotFoundError" in caught:
                    return True
    return False


def unguarded_imports(path):
    tree = ast.parse(path.read_text())
    parents = {}

    def walk(node, chain):
        for child in ast.iter_child_nodes(node):
            parents[child] = chain
            walk(child, chain + [node] if isinstance(node, ast.Try) else chain)

    walk(tree, [])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if not guarded(node, parents):
            yield from (n.split(".")[0] for n in names)


def test_the_hub_imports_only_the_stdlib_and_its_declared_dependencies():
    deps = declared()
    assert {"websockets", "segno", "uvloop"} <= deps
    allowed = set(sys.stdlib_module_names) | {"hub"} | {IMPORT_NAMES.get(d, d) for d in deps}
    found = {}
    for path in sorted((ROOT / "hub").rglob("*.py")):
        for name in unguarded_imports(path):
            if name not in allowed:
                found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert found == {}, f"the hub imports what make hub does not install: {found}"


def test_make_hub_installs_the_hub_layer_only():
    make = (ROOT / "Makefile").read_text()
    hub = make.split("\n$(HUB_STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "pip install" in hub and "-e ." in hub and "[" not in hub.split("-e .", 1)[1][:3]
    assert "\nhub: $(HUB_STAMP)" in make
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not {"pytest", "ruff", "playwright"} & declared()
    assert "dev" in dev["optional-dependencies"]

"""The package boundaries of house-style.md, checked by parsing every module with ast."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package -> top-level modules it must never import
FORBIDDEN = {
    "instruments": {"flask", "flask_sqlalchemy", "flask_wtf", "flask_babel", "flask_migrate",
                    "sqlalchemy", "numpy", "scipy", "survey_app", "analysis", "reports"},
    "analysis": {"flask", "flask_sqlalchemy", "flask_wtf", "flask_babel", "flask_migrate",
                 "sqlalchemy", "survey_app", "instruments", "reports"},
    "reports": {"flask", "flask_sqlalchemy", "flask_wtf", "flask_babel", "flask_migrate",
                "sqlalchemy", "survey_app"},
}


def imported_roots(path: Path) -> set[str]:
    """Top-level module names imported anywhere in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_stay_inside_boundary(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    breaches = {
        str(f.relative_to(ROOT)): sorted(imported_roots(f) & FORBIDDEN[package]) for f in files
    }
    assert {f: b for f, b in breaches.items() if b} == {}


def test_imported_roots_sees_nested_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from flask import g\n    import numpy.linalg\n")
    assert imported_roots(module) == {"flask", "numpy"}

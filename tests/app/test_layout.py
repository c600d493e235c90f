"""survey_app's layout by audience (house-style.md): which sub-package may import which, every
POST behind CSRF, every `flask` command in cli/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "survey_app"
AUDIENCES = {"respond", "hr", "ops", "cli"}

# sub-package -> sub-packages of survey_app it must never import. The core (the modules at the
# top, services/) imports no audience; the audiences do not import each other, except that
# cli/ drives ops/ (audit, backup) and everything in the core.
FORBIDDEN = {
    "factory": set(),  # survey_app/__init__.py wires them all
    "core": AUDIENCES,
    "services": AUDIENCES,
    "respond": {"hr", "cli"},
    "hr": {"respond", "cli"},
    "ops": {"respond", "hr", "cli"},
    "cli": {"respond", "hr"},
}


def _part(path: Path) -> str:
    """The sub-package a module belongs to ("core" for the top-level modules)."""
    if path == APP / "__init__.py":
        return "factory"
    first = path.relative_to(APP).parts[0]
    return first if (APP / first).is_dir() and first in FORBIDDEN else "core"


def imported_parts(path: Path) -> set[str]:
    """The first-level names under survey_app that `path` imports (relative or absolute)."""
    package = list(path.relative_to(ROOT).with_suffix("").parts)
    package = package if path.name == "__init__.py" else package[:-1]
    if path.name == "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
                names = [[*target, a.name] for a in node.names] if not node.module else [target]
            else:
                names = [(node.module or "").split(".")]
        elif isinstance(node, ast.Import):
            names = [a.name.split(".") for a in node.names]
        else:
            continue
        found.update(n[1] for n in names if len(n) > 1 and n[0] == "survey_app")
    return found


def _modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "migrations" not in p.parts)


def test_each_audience_imports_only_what_it_may():
    breaches = {}
    for path in _modules():
        bad = imported_parts(path) & FORBIDDEN[_part(path)]
        if bad:
            breaches[str(path.relative_to(ROOT))] = sorted(bad)
    assert breaches == {}


def test_imported_parts_resolves_relative_imports():
    probe = APP / "hr" / "admin.py"
    assert {"services", "ops", "hr"} <= imported_parts(probe)
    assert "respond" in imported_parts(APP / "__init__.py")


def test_no_module_exempts_a_view_from_csrf():
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        assert "csrf.exempt" not in text and "WTF_CSRF_CHECK_DEFAULT" not in text, path


def test_every_route_that_takes_a_post_refuses_one_without_a_csrf_token(app):
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()):
            continue
        args = {name: 1 for name in rule.arguments}
        url = rule.build(args, append_unknown=False)[1] if args else rule.rule
        r = client.post(url, data={"x": "1"})
        assert r.status_code == 400 and "Pemeriksaan keamanan formulir gagal" in r.text, (
            rule.endpoint, r.status_code)
        checked += 1
    assert checked >= 10


def test_every_flask_command_is_defined_in_cli(app):
    def callbacks(command):  # type: ignore[no-untyped-def]
        if command.callback is not None:
            yield command.name, command.callback.__module__
        for sub in getattr(command, "commands", {}).values():
            yield from callbacks(sub)

    found = [c for name, command in app.cli.commands.items() if name != "db"  # Flask-Migrate's
             for c in callbacks(command)]
    assert len(found) >= 15
    assert [c for c in found if not c[1].startswith("survey_app.cli.")] == []
    for path in _modules():
        if _part(path) == "cli":
            continue
        text = path.read_text(encoding="utf-8")
        for marker in ("click.command", "click.group", "AppGroup", "add_command", ".cli.command"):
            assert marker not in text, (str(path.relative_to(ROOT)), marker)


@pytest.mark.parametrize("marker", ["click.command", "AppGroup"])
def test_the_command_check_sees_a_command(marker):
    assert any(marker in p.read_text(encoding="utf-8") for p in (APP / "cli").glob("*.py"))

"""The import rules of the architecture, checked so they cannot rot.

views | cli | jobs -> services -> models -> database, and services -> domain.
``app.domain`` is pure: no Flask, no SQLAlchemy, nothing of the app outside
itself. Services never touch the request.
Nothing imports the factory module but ``wsgi.py`` and the tests (the ``rehearse`` command lets
Flask find the factory by name).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"


def imports_of(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def modules_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py"))


def test_domain_imports_no_framework_and_nothing_of_the_app():
    assert modules_under(APP / "domain"), "the domain package is missing"
    for path in modules_under(APP / "domain"):
        for module, _ in imports_of(path):
            top = module.split(".")[0]
            assert top not in {
                "flask",
                "flask_sqlalchemy",
                "sqlalchemy",
                "werkzeug",
                "flask_login",
            }, f"{path.relative_to(ROOT)} imports {module}"
            if top == "app":
                assert module.startswith("app.domain"), f"{path.relative_to(ROOT)} imports {module}"


def test_services_never_touch_the_request_or_the_views():
    forbidden_names = {"request", "session", "flash", "render_template", "redirect", "g"}
    for path in modules_under(APP / "services"):
        for module, names in imports_of(path):
            if module == "flask":
                assert not forbidden_names & set(names), f"{path.relative_to(ROOT)} imports {names}"
            assert not module.endswith((".views", ".forms")), (
                f"{path.relative_to(ROOT)} imports {module}"
            )
            assert not module.startswith(("app.cli", "app.jobs")), (
                f"{path.relative_to(ROOT)} imports {module}"
            )


def test_models_import_neither_services_nor_views():
    for path in modules_under(APP / "models"):
        for module, _ in imports_of(path):
            assert not module.startswith("app.services"), (
                f"{path.relative_to(ROOT)} imports {module}"
            )
            assert not module.endswith(".views"), f"{path.relative_to(ROOT)} imports {module}"


def test_nothing_in_the_app_imports_the_factory():
    for path in modules_under(APP):
        if path == APP / "__init__.py":
            continue
        for module, names in imports_of(path):
            assert not (module == "app" and "create_app" in names), f"{path.relative_to(ROOT)}"
            assert module != "app", f"{path.relative_to(ROOT)} imports the app package itself"


def test_only_the_plans_module_writes_the_study_days():
    """One owner per table: study_days rows are written only by app/services/plans.py."""
    writes = ("update(DAYS", "insert(DAYS", "insert_for(", "delete(DAYS", "(StudyDay)")
    for path in modules_under(APP):
        if path == APP / "services" / "plans.py":
            continue
        text = path.read_text()
        assert not [w for w in writes if w in text], f"{path.relative_to(ROOT)} writes study_days"


def test_every_api_model_has_its_own_name() -> None:
    """The OpenAPI document names schemas by class name: two models of one name would share
    one schema, and one of them would be documented wrongly."""
    import importlib
    import pkgutil

    from pydantic import BaseModel

    import app.api.schemas as schemas

    seen: dict[str, str] = {}
    for module_info in pkgutil.iter_modules(schemas.__path__):
        module = importlib.import_module(f"app.api.schemas.{module_info.name}")
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
            ):
                assert name not in seen, f"{name} is declared in {seen[name]} and {module.__name__}"
                seen[name] = module.__name__

"""Dependencies between our apps point one way (docs/architecture.md, "Layers"): an app imports only apps
below it, apart from the few edges listed with their reason. Read from the source, tests and migrations
aside, so a new upward import fails here instead of growing into a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

# Lowest first. Apps on one line are peers and do not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("workspaces",),
    ("webhooks",),
    ("backlog",),
    ("roadmap",),
    ("decisions",),
    ("activity", "jira_sync"),
    ("portfolio", "home"),
    ("demo",),
    ("tpm_workspace", "bench", "tools"),
)
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}

# (importing module prefix, imported module prefix): why this edge points upwards.
ALLOWED_UPWARD = {
    ("core.ui", "workspaces"): "the doors' shared plumbing checks membership and roles for every app's views",
    ("core.api", "workspaces"): "the API's shared plumbing authenticates tokens and checks roles for every app",
    ("core.templatetags", "workspaces"): "a product's navigation links are built for its pages",
    ("workspaces.admin", "backlog.services"): "a product added in the admin gets the backlog's workflow",
    ("workspaces.api", "backlog.services"): "a product created through the API gets the backlog's workflow",
    ("decisions.services", "activity.models"): "sign-off and review requests notify people",
    ("decisions.services", "activity.services"): "sign-off and review requests notify people",
    ("core.testing", "tpm_workspace.test_settings"): "the fault drills serve the app on the test settings",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(settings.BASE_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)  # the name may be a module
    return found


def source_files(app: str) -> list[Path]:
    return [
        path
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(settings.BASE_DIR).parts)
    ]


def imports_between_apps() -> list[tuple[str, str]]:
    """(importing module, imported module) for every import of one of our apps by another."""
    return [
        (module_name(path), imported)
        for app in LEVEL
        for path in source_files(app)
        for imported in imported_modules(path)
        if imported.split(".")[0] in LEVEL and imported.split(".")[0] != app
    ]


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def exception_for(importer: str, imported: str) -> tuple[str, str] | None:
    return next((edge for edge in ALLOWED_UPWARD if within(importer, edge[0]) and within(imported, edge[1])), None)


def test_every_app_of_the_project_has_its_layer():
    ours = {path.parent.name for path in Path(settings.BASE_DIR).glob("*/__init__.py")}
    assert ours == set(LEVEL)


def test_no_app_imports_an_app_above_it_or_beside_it():
    upward = [
        f"{importer} imports {imported}"
        for importer, imported in imports_between_apps()
        if LEVEL[imported.split(".")[0]] >= LEVEL[importer.split(".")[0]] and not exception_for(importer, imported)
    ]
    assert sorted(upward) == []


def test_each_allowed_upward_edge_is_still_used():
    """An exception nobody needs any more is removed, so the list says what is true."""
    used = {exception_for(importer, imported) for importer, imported in imports_between_apps()}
    assert set(ALLOWED_UPWARD) - used == set()

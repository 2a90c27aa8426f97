"""The layers of docs/architecture.md hold in the code: which component imports which, where
the libraries are used, and who writes a session's status."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "architecture.md"
PACKAGE = "speaking_pipeline"

# Library (top-level import name) -> the components that may import it.
LIBRARIES = {
    "sqlalchemy": {"db"},
    "psycopg": {"db"},
    "psycopg2": {"db"},
    "alembic": {"db"},
    "dagster": {"defs", "definitions", "orchestration", "cli"},
    "dagster_dbt": {"defs", "definitions", "orchestration", "cli"},
    "dagster_graphql": {"defs", "definitions", "orchestration", "cli"},
    "starlette": {"webhook"},
    "celery": {"orchestration"},
    "kombu": {"orchestration"},
    "dagster_celery": {"orchestration"},
}
# What `domain` may import at all, besides itself.
DOMAIN_LIBRARIES = {"pydantic"}


def _layers() -> dict[str, set[str] | None]:
    """component -> the components it may import (None: any), from the doc's table."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    layers: dict[str, set[str] | None] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        name = cells[0].strip("`")
        allowed = cells[2]
        layers[name] = None if allowed == "any" else set(re.findall(r"`(\w+)`", allowed))
    return layers


def _modules() -> Iterator[tuple[str, Path]]:
    for root in (REPO / PACKAGE, REPO / "webhook"):
        for path in sorted(root.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield ".".join(path.relative_to(REPO).with_suffix("").parts), path


def _component(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "webhook":
        return "webhook"
    return parts[1] if len(parts) > 1 else parts[0]


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) of every import, inside functions and TYPE_CHECKING too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                # `from speaking_pipeline.db import repository` imports a module too.
                if node.module.startswith((PACKAGE, "webhook")):
                    yield node.lineno, f"{node.module}.{alias.name}"


def test_the_doc_names_every_component() -> None:
    layers = _layers()
    components = {_component(module) for module, _ in _modules()} - {"__init__", "__main__"}
    assert components - {PACKAGE} <= set(layers), components - set(layers)
    assert "domain" in layers and layers["domain"] == set()


def test_components_import_only_what_their_layer_allows() -> None:
    layers = _layers()
    broken = []
    for module, path in _modules():
        source = _component(module)
        allowed = layers.get(source)
        if allowed is None:
            continue
        for line, name in _imports(path):
            if name.startswith("webhook") and source != "webhook":
                broken.append(f"{module}:{line} imports {name} (the package never imports webhook)")
            if not name.startswith(PACKAGE + "."):
                continue
            target = _component(name)
            if target in (source, PACKAGE) or target not in layers:
                continue
            if target not in allowed:
                broken.append(f"{module}:{line} imports {name} ({source} may not use {target})")
    assert not broken, "\n".join(broken)


def test_libraries_stay_in_their_components() -> None:
    broken = []
    for module, path in _modules():
        source = _component(module)
        for line, name in _imports(path):
            top = name.split(".")[0]
            if top in LIBRARIES and source not in LIBRARIES[top]:
                broken.append(f"{module}:{line} imports {name}")
            known = {PACKAGE, "__future__", *DOMAIN_LIBRARIES, *sys.stdlib_module_names}
            if source == "domain" and top not in known:
                broken.append(f"{module}:{line}: domain imports {name}")
            if (
                source == "domain"
                and name.startswith(PACKAGE + ".")
                and (_component(name) != "domain")
            ):
                broken.append(f"{module}:{line}: domain imports {name}")
    assert not broken, "\n".join(broken)


def _nodes_outside_db() -> Iterator[tuple[str, ast.AST]]:
    for module, path in _modules():
        if _component(module) != "db":
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                yield module, node


def test_only_the_repository_opens_transactions() -> None:
    broken = []
    for module, node in _nodes_outside_db():
        if isinstance(node, ast.ImportFrom) and node.module == f"{PACKAGE}.db.engine":
            names = {alias.name for alias in node.names}
            if names - {"resolve_database_urls"}:
                broken.append(f"{module}:{node.lineno} imports {sorted(names)} from db.engine")
    assert not broken, "\n".join(broken)


def test_only_the_lifecycle_moves_a_session_status() -> None:
    """Outside db/, no code assigns a status or passes one to a row: the repository's
    move_status, driven by domain/lifecycle.py, is the only writer."""
    broken = []
    for module, node in _nodes_outside_db():
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "status"
                # An object's own status field (an HTTP error's) is another matter.
                and not (isinstance(target.value, ast.Name) and target.value.id == "self")
            ):
                broken.append(f"{module}:{node.lineno} assigns .status")
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg == "status"
                    and isinstance(value, ast.Attribute)
                    and isinstance(value.value, ast.Name)
                    and value.value.id == "SessionStatus"
                ):
                    broken.append(f"{module}:{node.lineno} passes status=SessionStatus")
    assert not broken, "\n".join(broken)


def test_routes_only_translate_http() -> None:
    broken = []
    for module, path in _modules():
        if not module.startswith("webhook.routes"):
            continue
        for line, name in _imports(path):
            top = name.split(".")[0]
            if top in ("dagster", "sqlalchemy") or name.startswith(
                (f"{PACKAGE}.storage", f"{PACKAGE}.orchestration", f"{PACKAGE}.db.engine")
            ):
                broken.append(f"{module}:{line} imports {name}")
        text = path.read_text(encoding="utf-8")
        for call in (
            *(f".store.{verb}(" for verb in ("put", "delete", "exists", "local_copy")),
            ".instance.",
            ".partitions.",
            "session_scope(",
        ):
            if call in text:
                broken.append(f"{module} calls {call}")
    assert not broken, "\n".join(broken)

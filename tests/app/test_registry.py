"""The page registry (explorer.menu.pages()) is the one list of pages: every theme of themes.csv has a page in it, the
AppTest sweep covers every page in it, and the pages stay small and use only public names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import test_app

from explorer.menu import DEFAULT, OTHER_PAGES, pages, theme_pages
from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.paths import ROOT

PAGE_FILES = sorted((ROOT / "app_pages").glob("*.py"))
EXPLORER_FILES = sorted((ROOT / "explorer").glob("*.py"))
MAX_PAGE_LINES = 80  # lines of top-level statements, imports and docstring aside


def test_every_theme_in_themes_csv_has_a_page() -> None:
    registered = {p.theme: p for p in pages() if p.theme}
    for theme in load_catalogue().themes.values():
        assert theme.page in registered, f"theme {theme.id} (page {theme.page}) has no page in the registry"
        assert registered[theme.page].url_path == theme.page.replace("-", "_"), "the page's URL (bookmarks) kept"


def test_the_registry_names_each_page_once_and_every_page_file_is_in_it() -> None:
    registered = pages()
    assert registered[0] == DEFAULT
    assert len({p.url_path for p in registered}) == len({p.title for p in registered}) == len(registered)
    assert all(p.icon.startswith(":material/") for p in registered)
    files = {p.file for p in registered if p.file}
    assert files == {f"app_pages/{f.name}" for f in PAGE_FILES}, "a file in app_pages/ that no menu entry opens"
    assert [p.title for p in theme_pages()][:3] == ["Statutory duty", "Early years", "Provision and placements"]
    assert "Accessibility" in [p.title for p in OTHER_PAGES]


def _parametrized(test) -> list:  # type: ignore[no-untyped-def]
    """The values a @pytest.mark.parametrize gives the test's first argument."""
    (mark,) = [m for m in test.pytestmark if m.name == "parametrize"]
    return [v[0] if isinstance(v, tuple) else v for v in mark.args[1]]


def test_the_apptest_sweep_covers_every_registered_page() -> None:
    swept = set(_parametrized(test_app.test_every_registered_page_runs_and_has_a_title))
    missing = [p.url_path for p in pages() if p.url_path not in swept]
    assert not missing, f"registered pages the AppTest sweep does not open: {missing}"
    figures = set(test_app.THEME_FIGURES)
    assert not [p.url_path for p in theme_pages() if p.url_path not in figures], "a theme page without figures to check"


def _top_level_lines(path: Path) -> int:
    body = ast.parse(path.read_text(encoding="utf-8")).body
    statements = [s for s in body if not isinstance(s, ast.Import | ast.ImportFrom)
                  and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return sum(s.end_lineno - s.lineno + 1 for s in statements)  # type: ignore[operator]


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_pages_are_small(path: Path) -> None:
    lines = _top_level_lines(path)
    assert lines <= MAX_PAGE_LINES, f"{path.name}: {lines} lines of statements; move a section into explorer/pages_*.py"


def _first_party(module: str) -> bool:
    return module.split(".")[0] in ("sendlib", "explorer")


def _import_from(node: ast.ImportFrom, package: str | None, modules: set[str]) -> list[str]:
    source = node.module or ""
    if node.level:
        source = f"{package}.{source}".rstrip(".") if package else source
    if not _first_party(source):
        return []
    found = [f"line {node.lineno}: from {source} import …"] if any(p.startswith("_") for p in source.split(".")) else []
    for alias in node.names:
        if alias.name.startswith("_"):
            found.append(f"line {node.lineno}: from {source} import {alias.name}")
        modules.add(alias.asname or alias.name)  # a module or a class: its _names are private either way
    return found


def private_uses(path: Path) -> list[str]:
    """Imports of `_private` names or modules from sendlib or explorer, and `module._private` through a name bound
    to a sendlib or explorer module. A module's own private names are its business."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = "explorer" if path.parent.name == "explorer" else None
    modules: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found += _import_from(node, package, modules)
        elif isinstance(node, ast.Import):
            for alias in (a for a in node.names if _first_party(a.name)):
                if any(part.startswith("_") for part in alias.name.split(".")):
                    found.append(f"line {node.lineno}: import {alias.name}")
                modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in modules):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("path", [*PAGE_FILES, *EXPLORER_FILES], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pages_and_explorer_use_only_public_names_of_other_modules(path: Path) -> None:
    assert private_uses(path) == []


def test_the_private_name_check_finds_what_it_should(tmp_path: Path) -> None:
    (tmp_path / "explorer").mkdir()
    bad = tmp_path / "explorer" / "x.py"
    bad.write_text("from . import data\nfrom sendlib.domain.catalogue import _read_csv\nimport sendlib.cli as c\n"
                   "data._catalogue('p', 's')\nc._x\nclass A:\n    def f(self):\n        return self._y\n")
    assert sorted(private_uses(bad)) == ["line 2: from sendlib.domain.catalogue import _read_csv", "line 4: data._catalogue",
                                 "line 5: c._x"]

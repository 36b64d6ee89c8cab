"""The docs name what is in the tree: every module path and dotted name they give exists.

README.md and docs/*.md (the measured reports `docs/performance*.md` aside, which
record what was measured when) may name `queries/…py`, `dashboard/…py`, `exports/…py`,
`rollups/…py`, `demo/…py` (and `tests/`, `bench/`) files and folders, and dotted names
such as `queries.sales.kpis.compare`: each must exist, a dotted name's module as a file
or package and the rest as a name defined in it (read from its source, nothing is
imported). docs/architecture.md's page table has a row for every page of
`dashboard.shell.navigation.PAGES`, and docs/decisions.md is short decision records.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from dashboard.shell.navigation import PAGES

ROOT = Path(__file__).resolve().parent.parent
ROOTS = ("queries", "dashboard", "exports", "rollups", "demo")
FOLDERS = (*ROOTS, "tests", "bench")
DOCS = [ROOT / "README.md"] + sorted(
    p for p in (ROOT / "docs").glob("*.md") if not p.name.startswith("performance")
)

_LEFT = r"(?<![\w./-])"
PATH = re.compile(_LEFT + r"((?:" + "|".join(FOLDERS) + r")/(?:[\w]+/)*(?:\w+\.py)?)")
DOTTED = re.compile(_LEFT + r"((?:" + "|".join(ROOTS) + r")(?:\.\w+)+)(\*?)")


def _doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _names(text: str, pattern: re.Pattern) -> list[str]:
    return sorted({m.group(0) for m in pattern.finditer(text)})


@cache
def _defined(path: Path) -> dict[str, ast.AST]:
    """The top-level names a module defines (functions, classes, assignments, imports)."""
    found: dict[str, ast.AST] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        _collect(node, found)
    return found


def _collect(node: ast.AST, found: dict[str, ast.AST]) -> None:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        found[node.name] = node
    elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    found[name.id] = node
    elif isinstance(node, ast.Import | ast.ImportFrom):
        for alias in node.names:
            found[(alias.asname or alias.name).split(".")[0]] = node
    elif isinstance(node, ast.If | ast.Try):
        for child in ast.iter_child_nodes(node):
            _collect(child, found)


def _module_file(parts: list[str]) -> Path | None:
    """The file of the dotted module `parts` (a module or a package), or None."""
    base = ROOT.joinpath(*parts)
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _resolves(dotted: str, prefix_only: bool) -> bool:
    """Whether `a.b.c.name[.attr]` names a module, or a name defined in one."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module = _module_file(parts[:cut])
        if module is None:
            continue
        rest = parts[cut:]
        if not rest:
            return not prefix_only or module.name == "__init__.py"
        names = _defined(module)
        first = rest[0]
        if prefix_only and len(rest) == 1:
            return any(n.startswith(first) for n in names)
        if first not in names:
            return False
        node = names[first]
        if len(rest) > 1 and isinstance(node, ast.ClassDef):
            inner: dict[str, ast.AST] = {}
            for child in node.body:
                _collect(child, inner)
            return rest[1] in inner or any(  # dataclass fields are annotations
                isinstance(c, ast.AnnAssign) and getattr(c.target, "id", None) == rest[1]
                for c in node.body
            )
        return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_every_module_path_in_the_docs_exists(doc):
    """`queries/sales/kpis.py`, `dashboard/data/` …: files and folders of the tree."""
    missing = [p for p in _names(doc.read_text(encoding="utf-8"), PATH) if not (ROOT / p).exists()]
    assert not missing, f"{_doc_id(doc)} names paths that are not in the tree: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_every_dotted_name_in_the_docs_exists(doc):
    """`queries.sales.kpis.compare`, `dashboard.data.sales.home_view` …: modules and their names."""
    text = doc.read_text(encoding="utf-8")
    found = {(m.group(1), bool(m.group(2))) for m in DOTTED.finditer(text)}
    missing = sorted(name for name, star in found if not _resolves(name, star))
    assert not missing, f"{_doc_id(doc)} names modules or names that do not exist: {missing}"


def _page_table() -> list[list[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## From a page to its SQL", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def test_every_page_has_its_row_in_the_architecture_page_table():
    """A newcomer follows any page's figures to their SQL from docs/architecture.md."""
    rows = _page_table()
    listed = {m for row in rows for m in re.findall(r"`(\w+)\.py`", row[0])}
    assert set(PAGES) <= listed, f"pages without a row: {sorted(set(PAGES) - listed)}"
    assert listed <= set(PAGES), f"rows of no page: {sorted(listed - set(PAGES))}"
    for row in rows:
        assert len(row) == 4, row
        data, query = row[1], row[2]
        assert "dashboard.data." in data, f"a row without its cached read: {row}"
        assert "queries." in query, f"a row without its queries/ function: {row}"


def test_decisions_are_short_records_without_run_diaries():
    """Each "## Title" has its context, decision and consequence; measurements live elsewhere."""
    text = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    records = text.split("\n## ")[1:]
    assert len(records) >= 30
    for record in records:
        title = record.splitlines()[0]
        for part in ("**Context**", "**Decision**", "**Consequence**"):
            assert part in record, f"{title!r} lacks {part}"
    diary = re.compile(r"run's machine|\bsince 20\d\d-|\bmembers/1 was\b|\bP5\b")
    assert not diary.findall(text)

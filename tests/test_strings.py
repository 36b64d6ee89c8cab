"""Every user-facing Chinese text lives in a keyed table, not in the code that shows it.

The tables: `dashboard/strings/*` (pages), `queries/core/messages.py` (errors and
words of the queries), `exports/strings.py` (workbooks). A string constant with
Chinese characters anywhere else in queries/, exports/, dashboard/ or
streamlit_app.py fails this test (docstrings and comments aside); demo/ holds
generated Chinese demo data (names of products, shops, notes) and is not scanned.
Pages choose words by key, never by `lang() == …`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
TABLES = {"queries/core/messages.py", "exports/strings.py"}
TABLE_DIRS = ("dashboard/strings/",)


def _scanned() -> list[Path]:
    paths = [ROOT / "streamlit_app.py"]
    for top in ("queries", "exports", "dashboard"):
        paths += sorted((ROOT / top).rglob("*.py"))
    return paths


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _chinese_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:40]!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and CJK.search(node.value)
    ]


def test_chinese_texts_live_in_the_keyed_tables():
    found = []
    for path in _scanned():
        name = path.relative_to(ROOT).as_posix()
        if name in TABLES or name.startswith(TABLE_DIRS):
            continue
        found += _chinese_literals(path)
    assert found == []


def test_pages_do_not_switch_on_the_language():
    switch = re.compile(r"\blang\(\)\s*==|\blang\s*==")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "dashboard" / "pages").glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if switch.search(line)
    ]
    assert found == []

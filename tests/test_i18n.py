"""One translation table: every key the code uses exists in both languages, once."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.i18n import all_strings
from queries.core import schema

ROOT = Path(__file__).resolve().parent.parent
# t("page.home") / t('x.y', …) with a literal key
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")


def _used_keys() -> dict[str, str]:
    used: dict[str, str] = {}
    for path in [ROOT / "streamlit_app.py", *(ROOT / "dashboard").rglob("*.py")]:
        for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, str(path.relative_to(ROOT)))
    return used


def test_every_used_key_is_defined():
    table = all_strings()
    missing = {key: where for key, where in _used_keys().items() if key not in table}
    assert missing == {}


def test_every_string_has_both_languages():
    for key, (zh, en) in all_strings().items():
        assert zh.strip() and en.strip(), key


def test_every_status_code_has_words():
    table = all_strings()
    groups = {
        "application": schema.APPLICATION_STATUSES,
        "vendor": schema.VENDOR_STATUSES,
        "product": schema.PRODUCT_STATUSES,
        "order": schema.ORDER_STATUSES,
        "refund": schema.REFUND_STATUSES,
        "promotion": schema.PROMOTION_STATUSES,
        "settlement": schema.SETTLEMENT_STATUSES,
        "channel": schema.ORDER_CHANNELS,
        "kind": schema.PROMOTION_KINDS,
        "payment": schema.PAYMENT_METHODS,
        "level": schema.MEMBER_LEVELS,
    }
    for kind, codes in groups.items():
        for code in codes:
            assert f"status.{kind}.{code}" in table, (kind, code)


def _calls(attr: str):
    """(file, call) of every `….attr(…)` call in the app's code."""
    import ast

    for path in [ROOT / "streamlit_app.py", *(ROOT / "dashboard").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == attr:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def test_every_chart_is_drawn_in_the_chosen_language():
    """Plotly figures go through `dashboard.ui.charts.show` (dates, hovers, locale)."""
    direct = [where for where, _ in _calls("plotly_chart") if "dashboard/ui/charts.py" not in where]
    assert direct == []


def test_every_select_box_says_its_placeholder_in_the_chosen_language():
    """Streamlit's placeholders are English ("Choose options"), and a select box shows a
    chosen None option as its placeholder: such widgets pass `placeholder=`."""
    import ast

    missing = []
    for where, call in [*_calls("multiselect"), *_calls("selectbox")]:
        keywords = {k.arg: k.value for k in call.keywords}
        if "placeholder" in keywords:
            continue
        options = call.args[1] if len(call.args) > 1 else keywords.get("options")
        first = options.elts[0] if isinstance(options, ast.List) and options.elts else None
        none_option = isinstance(first, ast.Constant) and first.value is None
        no_index = isinstance(keywords.get("index"), ast.Constant) and (
            keywords["index"].value is None
        )
        if call.func.attr == "multiselect" or none_option or no_index:
            missing.append(where)
    assert missing == []


def test_no_page_switches_on_the_language():
    """Pages and their views pick words by key (`t`) or with `i18n.pick` / `i18n.localized`,
    never by comparing `lang()` to a language: such a switch is a string table the i18n
    tests cannot see."""
    import ast

    switches = []
    for folder in ("pages", "views"):
        for path in sorted((ROOT / "dashboard" / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Compare):
                    continue
                sides = [node.left, *node.comparators]
                calls_lang = any(
                    isinstance(side, ast.Call) and getattr(side.func, "id", None) == "lang"
                    for side in sides
                )
                if calls_lang and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                    switches.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert switches == []

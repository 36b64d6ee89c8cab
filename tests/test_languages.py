"""Both languages complete: every page of every role, in Chinese and in English, shows no
word of the other language outside a short allow-list and the names that come from data.

Each page is rendered in AppTest on the tiny demo mall (SQLite: the words do not depend
on the database), and every user-facing string is collected: titles, headers, markdown,
captions, alerts, metrics, buttons, every widget's label, options, placeholder and help,
dataframe headers and cells, and each Plotly figure's titles, trace names, hover
templates, category labels and date formats (and its `config` locale).

- Chinese screens: no ASCII word of three letters or more outside ALLOWED_ASCII.
- English screens: no CJK character outside ALLOWED_CJK.
Names from data (shops, products, categories, promotions, notes, tags, cities, …) are
read from the database and taken out of the text before it is checked.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from dashboard.shell.navigation import ACCESS
from dashboard.ui.charts import DATE_FORMATS
from queries.core import schema as s
from tests.apptest import AppSession

# Codes and units every language writes the same way, and the names of the languages.
ALLOWED_ASCII = {
    "GMV",  # 成交额 is also shown; the code is what merchants use
    "ROI",
    "AOV",
    "RFM",
    "App",  # the order channel's name in Chinese too
    "Excel",
    "WPS",  # WPS Office, the other spreadsheet program
    "Mallboard",
    "English",  # the language switch
    "CNY",
    "Asia",  # the platform timezone's name (Asia/Shanghai)
    "Shanghai",
}
ALLOWED_CJK = {"中文"}  # the language switch
SETTING = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")

# Proto fields that are not words for people (ids, icons, kinds, formats, values).
SKIPPED_FIELDS = {
    "autocomplete",  # the browser's hint for password managers (new-password), not text
    "id",
    "form_id",
    "type",
    "icon",
    "tag",
    "format",
    "min",
    "max",
    "default",
    "value",
    "deferred_file_id",
    "columns",  # dataframe column config (JSON); headers are checked from the frame
    "spec",  # Plotly: checked from the figure
    "config",
    "url",
    "page",
    "page_script_hash",
    "selection_mode",
    "width",
    "height",
    "styler",  # a dataframe's cell styles (CSS)
}
SKIPPED_ELEMENTS = {"html"}  # the page's own <style>

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
ASCII_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{3,}(?![A-Za-z])")
ICON = re.compile(r":material/[a-z_]+:")
PLACEHOLDER = re.compile(r"%\{[^}]*\}|<extra>.*?</extra>|</?(?:br|b|i|extra)>")
ENGLISH_DATE = re.compile(r"%[aAbB]")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")

DATA_COLUMNS = [
    (s.categories, "name"),
    (s.categories, "name_en"),
    (s.vendors, "name"),
    (s.vendors, "region"),
    (s.products, "name"),
    (s.members, "city"),
    (s.live_sessions, "title"),
    (s.promotions, "name"),
    (s.promotions, "campaign"),
    (s.refunds, "reason"),
    (s.notes, "title"),
    (s.note_tags, "tag"),
    (s.supplier_applications, "company_name"),
    (s.supplier_applications, "contact_name"),
    (s.supplier_applications, "region"),
    (s.supplier_applications, "business_license_no"),
    (s.supplier_applications, "contact_email"),
    (s.supplier_applications, "review_note"),
    (s.settlements, "adjustment_note"),
    (s.settlements, "payment_reference"),
    (s.audit_log, "reason"),
    (s.audit_log, "actor"),  # people's user names
]


def _data_names(engine: sa.Engine) -> list[str]:
    """Every name the data holds, longest first (so that no shorter name splits one)."""
    names: set[str] = set()
    with engine.connect() as conn:
        for table, column in DATA_COLUMNS:
            col = table.c[column]
            for (value,) in conn.execute(sa.select(col).where(col.is_not(None)).distinct()):
                if value and value.strip():
                    names.add(value.strip())
    return sorted(names, key=len, reverse=True)


def _proto_strings(message, where: str, out: list[tuple[str, str]]) -> None:
    for field, value in message.ListFields():
        if field.name == "columns" and isinstance(value, str) and value.startswith("{"):
            for name, config in json.loads(value).items():  # a table's column config
                for part in ("label", "help"):
                    if isinstance(config, dict) and config.get(part):
                        out.append((f"{where}.columns.{name}.{part}", config[part]))
            continue
        if field.name in SKIPPED_FIELDS:
            continue
        scalar = isinstance(value, str | bytes | int | float) or hasattr(value, "ListFields")
        items = [value] if scalar else value
        for item in items:
            if hasattr(item, "ListFields"):
                _proto_strings(item, f"{where}.{field.name}", out)
            elif isinstance(item, str) and field.type == field.TYPE_STRING:
                out.append((f"{where}.{field.name}", item))


def _figure_strings(proto, where: str, out: list[tuple[str, str]], problems: list[str], lang):
    """A Plotly figure's words, and its date formats and locale checked for `lang`."""
    figure = json.loads(proto.spec)
    config = json.loads(proto.config or "{}")
    locale = "zh-CN" if lang == "zh" else "en-US"
    if config.get("locale") != locale:
        problems.append(f"{where}: Plotly locale {config.get('locale')!r}, not {locale}")
    if lang == "zh" and "zh-CN" not in config.get("locales", {}):
        problems.append(f"{where}: the zh-CN locale is not given to Plotly")
    layout = figure.get("layout", {})

    def title(node) -> str | None:
        text = node.get("title")
        return text.get("text") if isinstance(text, dict) else text

    if title(layout):
        out.append((f"{where}.title", title(layout)))
    for name, axis in layout.items():
        if not (name.startswith("xaxis") or name.startswith("yaxis")) or not isinstance(axis, dict):
            continue
        if title(axis):
            out.append((f"{where}.{name}.title", title(axis)))
        formats = [axis.get("tickformat"), axis.get("hoverformat")]
        formats += [stop.get("value") for stop in axis.get("tickformatstops", [])]
        for fmt in filter(None, formats):
            if lang == "zh" and ENGLISH_DATE.search(fmt):
                problems.append(f"{where}.{name}: English month/day names in {fmt!r}")
    for index, trace in enumerate(figure.get("data", [])):
        at = f"{where}.trace{index}"
        if trace.get("name"):
            out.append((f"{at}.name", trace["name"]))
        colorbar = trace.get("colorbar", {})
        if title(colorbar):
            out.append((f"{at}.colorbar", title(colorbar)))
        template = trace.get("hovertemplate")
        if trace.get("type") in ("bar", "scatter") and not template:
            problems.append(f"{at}: no hover template (Plotly's default hover is English)")
        if template:
            out.append((f"{at}.hovertemplate", PLACEHOLDER.sub(" ", template)))
        for letter in ("x", "y"):
            values = trace.get(letter)
            if not isinstance(values, list) or not values:
                continue
            words = [v for v in values if isinstance(v, str)]
            if words and all(ISO_DAY.match(v) for v in words):  # a date axis
                axis = layout.get(f"{letter}axis{(trace.get(f'{letter}axis') or letter)[1:]}", {})
                if (
                    axis.get("hoverformat") != DATE_FORMATS[lang]["hover_day"]
                    and axis.get("hoverformat") != DATE_FORMATS[lang]["hover_month"]
                ):
                    problems.append(f"{at}: date axis without the language's hover format")
                if not axis.get("tickformatstops"):
                    problems.append(f"{at}: date axis without the language's tick formats")
                continue
            out.extend((f"{at}.{letter}", v) for v in words)


def _placeholder_problems(proto) -> list[str]:
    """Select boxes whose placeholder Streamlit's frontend would write in English.

    With no placeholder of ours, a multiselect says "Choose options" (or "No options to
    select"), and a select box with nothing chosen "Choose an option".
    """
    name = proto.DESCRIPTOR.name
    if name not in ("MultiSelect", "Selectbox") or proto.placeholder:
        return []
    if name == "MultiSelect":
        return [f"multiselect {proto.label!r}: Streamlit's English placeholder"]
    if not proto.options or not proto.HasField("default"):
        return [f"selectbox {proto.label!r}: Streamlit's English placeholder"]
    return []


def page_strings(at, lang: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(where, text) of every user-facing string on the page, and format problems."""
    out: list[tuple[str, str]] = []
    problems: list[str] = []

    def walk(node) -> None:
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if kind == "exception" or (proto is not None and proto.DESCRIPTOR.name == "Exception"):
            problems.append(f"exception on the page: {getattr(proto, 'message', '')}")
        elif proto is not None and proto.DESCRIPTOR.name == "PlotlyChart":
            _figure_strings(proto, "plotly", out, problems, lang)
        elif proto is not None and kind not in SKIPPED_ELEMENTS:
            _proto_strings(proto, kind or proto.DESCRIPTOR.name, out)
            problems.extend(_placeholder_problems(proto))
            if proto.DESCRIPTOR.name == "DownloadButton" and not proto.help:
                problems.append(f"download {proto.label!r}: no word on its being prepared")
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")  # labels shown instead of names
        for column in frame.value.columns:
            label = (config.get(str(column)) or {}).get("label")
            if not label:
                out.append(("dataframe.header", str(column)))
            if frame.value[column].dtype == bool:  # drawn as check boxes
                continue
            values = frame.value[column].dropna().unique()
            out.extend(("dataframe.cell", str(v)) for v in values)
    return out, problems


def foreign_words(strings, lang: str, data_names: list[str]) -> list[str]:
    """The words of the other language in `strings`, with where they were."""
    found = []
    for where, text in strings:
        if where.split(": ", 1)[-1].startswith("code."):
            continue  # a command to type (python -m …) reads the same in every language
        text = ICON.sub(" ", text)
        text = SETTING.sub(" ", text)  # a setting's name (ROLLUP_MAX_AGE_DAYS) is typed as is
        pattern = ASCII_WORD if lang == "zh" else CJK
        if not pattern.search(text):
            continue
        for name in data_names:  # names from data are shown as they are
            if name in text:
                text = text.replace(name, " ")
        allowed = ALLOWED_ASCII if lang == "zh" else ALLOWED_CJK
        words = [w for w in pattern.findall(text) if w not in allowed]
        if words:
            found.append(f"{where}: {words} in {text[:120]!r}")
    return found


def _shop(engine: sa.Engine, *, biggest: bool) -> int:
    """The active shop with the most (or the fewest, maybe no) orders."""
    orders = sa.func.count(s.orders.c.order_id)
    with engine.connect() as conn:
        return conn.execute(
            sa.select(s.vendors.c.vendor_id)
            .outerjoin(s.orders, s.orders.c.vendor_id == s.vendors.c.vendor_id)
            .where(s.vendors.c.status == "active")
            .group_by(s.vendors.c.vendor_id)
            .order_by(orders.desc() if biggest else orders, s.vendors.c.vendor_id)
            .limit(1)
        ).scalar_one()


USER = "someone"
APPLY = ("应用", "Apply")


def _apply(at) -> None:
    next(b for b in at.button if b.label in APPLY).click().run()


def _open_first_order(at) -> bool:
    pickers = [sb for sb in at.selectbox if sb.label in ("查看订单详情", "Open an order")]
    if pickers:
        pickers[0].select_index(0).run()
    return bool(pickers)


def _sales_view(view: str):
    return lambda at: at.segmented_control(key="sales_view").set_value(view).run()


def _sales_category(at) -> bool:
    at.segmented_control(key="sales_view").set_value("category").run()
    picker = _widget(at, "selectbox", "sales_category")
    if picker is not None:
        picker.select_index(1).run()
    return picker is not None


def _grain(key: str, grain: str, widget: str):
    def act(at) -> None:
        getattr(at, widget)(key=key).set_value(grain)
        _apply(at)

    return act


def _widget(at, kind: str, key: str):
    """The widget of `kind` with `key`, or None when this role's page has none."""
    found = [w for w in getattr(at, kind) if getattr(w, "key", None) == key]
    return found[0] if found else None


def _choose(kind: str, key: str, value):
    def act(at) -> bool:
        widget = _widget(at, kind, key)
        if widget is not None:
            widget.set_value(value).run()
        return widget is not None

    return act


def _open_first(kind: str, key: str):
    def act(at) -> bool:
        widget = _widget(at, kind, key)
        if widget is not None and widget.options:
            widget.select_index(0).run()
            return True
        return False

    return act


# The states of a page beyond its first view: other breakdowns, granularities, details.
MORE_STATES = {
    "products": [
        _choose("segmented_control", "products_mode", "table"),
        _choose("segmented_control", "products_mode", "workbook"),
    ],
    "promotions": [_choose("segmented_control", "promotions_mode", "create")],
    "onboarding": [
        _open_first("selectbox", "onboarding_pick_pending"),
        _choose("segmented_control", "onboarding_status", "approved"),
        _choose("segmented_control", "onboarding_status", "rejected"),
    ],
    "orders": [_open_first_order],
    "sales": [
        _sales_view("channel"),
        _sales_view("city_tier"),
        _sales_view("hour"),
        _sales_category,
        _grain("sales_grain", "month", "radio"),
        _grain("sales_grain", "week", "radio"),
    ],
    "members": [_grain("m_grain", "month", "selectbox")],
}
CHART_PAGES = {"home", "sales", "members", "campaigns", "content"}
NO_MORE_STATES = {("operator", "products")}  # an operator's Products has no modes
# Pages an operator also sees for one shop (`?vendor=ID`).
SHOP_PAGES = {"sales", "orders", "members", "campaigns", "content", "products", "promotions"}


@pytest.fixture(scope="module")
def names_cache() -> dict:
    return {}


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ["vendor", "quiet_vendor", "operator", "finance"])
def test_every_page_speaks_one_language(tiny_demo, tmp_path, names_cache, role, lang, monkeypatch):
    """`quiet_vendor` is the shop with the fewest orders: its pages' empty states."""
    # Widgets' format_func runs again in the test's thread, which has no session: give
    # it the page's language too (the app's own runs read it from the session).
    monkeypatch.setattr("dashboard.i18n._browser_lang", lambda: lang)
    if "names" not in names_cache:
        names_cache["names"] = _data_names(tiny_demo)
        names_cache["shop"] = _shop(tiny_demo, biggest=True)
        names_cache["quiet_shop"] = _shop(tiny_demo, biggest=False)
    quiet = role == "quiet_vendor"
    role = "vendor" if quiet else role
    shop = names_cache["quiet_shop" if quiet else "shop"] if role == "vendor" else None
    app = AppSession(tiny_demo.url, tmp_path, lang=lang)
    app.add(USER, role=role, vendor_id=shop)
    report = []
    for page in (name for name, roles in ACCESS.items() if role in roles):
        at = app.open(page, as_user=USER)
        strings, problems = page_strings(at, lang)
        assert any(where == "title.body" for where, _ in strings), page  # the page rendered
        if page in CHART_PAGES and not quiet:  # with its charts (the demo mall has data for them)
            assert any(where.startswith("plotly") for where, _ in strings), page
        done = []
        for act in MORE_STATES.get(page, ()):  # and the page's other states
            done.append(act(at) is not False)
            assert not at.exception, (page, at.exception)
        if page in MORE_STATES and (role, page) not in NO_MORE_STATES and not quiet:
            assert any(done), (role, page, "none of its other states could be opened")
            more, more_problems = page_strings(at, lang)
            strings += more
            problems += more_problems
        if role == "operator" and page in SHOP_PAGES:  # and as one shop
            at = app.open(page, as_user=USER, query={"vendor": str(names_cache["shop"])})
            more, more_problems = page_strings(at, lang)
            strings += more
            problems += more_problems
        report += [f"{page}: {p}" for p in problems]
        names = [USER, *names_cache["names"]]  # the user's own name is data too
        report += [f"{page}: {w}" for w in foreign_words(strings, lang, names)]
    assert not report, "\n".join(report)


def test_the_checker_finds_the_other_language():
    """The checks can fail: English on a Chinese screen, Chinese on an English one."""
    zh = foreign_words([("caption", "已选 3 items")], "zh", [])
    assert zh and "items" in zh[0]
    assert foreign_words([("caption", "GMV 成交额 ¥12.00")], "zh", []) == []
    assert foreign_words([("caption", "Shop 小店")], "en", []) != []
    assert foreign_words([("caption", "Shop 小店")], "en", ["小店"]) == []
    assert foreign_words([("caption", "Sold by 杭州小店 today")], "en", ["杭州小店"]) == []


def test_the_chart_checker_finds_english_dates_and_default_hovers():
    """A figure left to Plotly's defaults fails the chart check on a Chinese screen."""
    from types import SimpleNamespace

    import plotly.graph_objects as go

    figure = go.Figure(go.Bar(x=["2026-11-08", "2026-11-09"], y=[1, 2], name="Sales"))
    figure.update_xaxes(hoverformat="%b %-d")
    proto = SimpleNamespace(spec=figure.to_json(), config="{}")
    out: list[tuple[str, str]] = []
    problems: list[str] = []
    _figure_strings(proto, "plotly", out, problems, "zh")
    assert any("locale" in p for p in problems)
    assert any("English month" in p for p in problems)
    assert any("hover template" in p for p in problems)
    assert any("tick formats" in p for p in problems)
    assert foreign_words(out, "zh", []) != []  # the English trace name


@pytest.mark.parametrize(
    ("lang", "day", "hover", "value_format"),
    [("zh", "%-m月%-d日", "%Y年%-m月%-d日", ","), ("en", "%b %-d", "%b %-d, %Y", None)],
)
def test_localize_gives_dates_and_hovers_of_the_language(
    lang, day, hover, value_format, monkeypatch
):
    from datetime import date

    import plotly.graph_objects as go

    from dashboard.ui.charts import localize, plot_config

    monkeypatch.setattr("dashboard.i18n._browser_lang", lambda: lang)
    figure = go.Figure(
        go.Bar(
            x=[date(2026, 11, 8), date(2026, 11, 9)],
            y=[100.0, 20.5],
            hovertext=["¥100.00", "¥20.50"],
            name="成交额",
        )
    )
    figure.add_scatter(x=[date(2026, 11, 8)], y=[3], name="订单", yaxis="y2")
    figure.update_layout(yaxis2={"overlaying": "y", "tickformat": ",d"})
    localize(figure)
    stops = {tuple(s.dtickrange): s.value for s in figure.layout.xaxis.tickformatstops}
    assert stops[(86_400_000, "M1")] == day
    assert figure.layout.xaxis.hoverformat == hover
    assert figure.data[0].hovertemplate == "%{x}<br>成交额: %{hovertext}<extra></extra>"
    assert figure.data[1].hovertemplate == "%{x}<br>订单: %{y:,d}<extra></extra>"
    assert figure.layout.yaxis.tickformat == value_format  # zh: 10,000 rather than 10k
    assert plot_config()["locale"] == ("zh-CN" if lang == "zh" else "en-US")
    localize(figure, grain="month")
    assert figure.layout.xaxis.hoverformat == DATE_FORMATS[lang]["hover_month"]

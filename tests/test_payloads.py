"""Hostile text on every page for every role, in AppTest, on SQLite and PostgreSQL.

The issue's payload set — Markdown bold, a remote image, LaTeX, raw HTML with an
`onerror`, a `javascript:` link, two spreadsheet formulas, a 5,000-character name, a NUL
and a right-to-left override — is written into the text fields of a small mall that
pages show: category, shop, product, promotion and campaign names, order numbers,
payment references, refund reasons, live session titles, note titles and tags, every
field of a supplier application, statements' adjustment notes and payment references,
audit reasons and changed values, and a shop login's name. (PostgreSQL text cannot hold
a NUL: there that payload is left out; SQLite stores it.)

Then every page a role may open (`dashboard.shell.navigation.ACCESS`) is run, and the
views that show one item in headings (an order, an application, a promotion, a
statement, a banned product, a shop's logins) are opened. On every run:

- no exception and no "Something unexpected";
- the page's Markdown (and the widget labels and options Streamlit reads as Markdown)
  holds no payload unescaped — no `**b**`, `![`, `](`, `$x^2$` or `<img` from the data —
  and nothing escaped twice;
- what is not Markdown (table cells and headers, select-box options, `st.text`,
  `st.code`) holds no escape at all, and the charts hold no raw `<`, `>` or `$`;
- the texts each page is expected to show appear as typed (`texts()` reads what a
  person reads; a long name by its first 200 characters).

The mall is built once per backend; pages only read it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from dashboard.shell.navigation import ACCESS
from queries.console.tables import accounts
from queries.core import schema as s
from queries.core.db import connect_engine
from tests.apptest import AppSession, as_seen, markdown_source, texts
from tests.builders import Item, MallBuilder
from tests.conftest import BACKENDS

BOLD = "**b**"
IMAGE = "![x](http://127.0.0.1:9/x.png)"
LATEX = "$x^2$"
HTML = "<img src=x onerror=alert(1)>"
LINK = "[l](javascript:alert(1))"
FORMULA = "=cmd|' /C calc'!A0"
AT_FORMULA = "@SUM(1+1)"
LONG = "Long name " + "n" * 4990  # 5,000 characters
NUL = "nul\x00name"
RTL = "\u202eevil.exe"
MARKDOWN = (BOLD, IMAGE, LATEX, HTML, LINK)
# Every Markdown / HTML / LaTeX trap in one value (as in the reproduction).
COMBINED = " ".join(MARKDOWN)
TZ = ZoneInfo("Asia/Shanghai")
USER = {"vendor": "p_shop", "operator": "p_ops", "finance": "p_money"}


def payloads(backend: str) -> list[str]:
    """The payload set; PostgreSQL's text cannot hold a NUL, so it is left out there."""
    found = [*MARKDOWN, FORMULA, AT_FORMULA, LONG, RTL]
    if backend == "sqlite":
        found.append(NUL)
    return found


def shown(text: str) -> str:
    """What must appear on the page for a payload: a long one by its start."""
    return text[:200]


@dataclass
class Mall:
    """The built mall: its session and the ids the views are opened on."""

    session: AppSession
    backend: str
    values: list[str]
    shop: int = 0
    combined_order: str = COMBINED
    application: int = 0
    promotion: int = 0
    banned_product: int = 0
    statement: int = 0
    ids: dict = field(default_factory=dict)


def _months_back(n: int) -> tuple:
    """[first day, first day of the next month) of the month `n` months before this one."""
    first = datetime.now(TZ).date().replace(day=1)
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def _statement(conn, vendor_id: int, n: int, status: str, note, reference) -> int:
    start, end = _months_back(n)
    now = datetime.now(UTC)
    return conn.execute(
        s.settlements.insert().values(
            vendor_id=vendor_id,
            period_start=start,
            period_end=end,
            gross_cents=10000,
            platform_subsidy_cents=0,
            commission_cents=500,
            payment_fee_cents=0,
            refund_cents=0,
            commission_refund_cents=0,
            adjustment_cents=0,
            net_cents=9500,
            status=status,
            created_at=now - timedelta(days=2),
            confirmed_at=None if status == "draft" else now - timedelta(days=1),
            paid_at=now if status == "paid" else None,
            adjustment_note=note,
            payment_reference=reference,
            version=1,
        )
    ).inserted_primary_key[0]


def _build(engine: sa.Engine, backend: str) -> dict:
    """Write every payload into the mall's text fields; the ids the views open."""
    values = payloads(backend)
    now = datetime.now(UTC)
    paid = now - timedelta(days=3)
    ids: dict = {}
    with engine.begin() as conn:
        b = MallBuilder(conn)
        category = b.category(COMBINED, COMBINED)
        other_category = b.category(RTL, FORMULA)
        shop = b.vendor(COMBINED, region=HTML)
        others = [b.vendor(v, region=v) for v in values]
        ids["shop"], ids["others"] = shop, others
        buyer = b.member(city=LATEX)
        products = [b.product(shop, category, v) for v in values]
        products.append(b.product(shop, other_category, COMBINED))
        banned = b.product(shop, category, "Banned " + BOLD, status="banned")
        ids["banned"] = banned
        live = b.live_session(
            shop,
            started_at=paid - timedelta(hours=1),
            ended_at=paid + timedelta(hours=1),
            title=COMBINED,
        )
        start, end = now - timedelta(days=10), now + timedelta(days=10)
        promotions = [
            b.promotion(vendor_id=shop, name=v, starts_at=start, ends_at=end) for v in values
        ]
        combined_promotion = b.promotion(
            vendor_id=shop, name=COMBINED, starts_at=start, ends_at=end, status="draft"
        )
        platform = b.promotion(
            vendor_id=None, name=LINK, campaign=COMBINED, starts_at=start, ends_at=end
        )
        coupon = b.promotion(
            vendor_id=shop,
            name=IMAGE,
            kind="coupon",
            threshold_cents=5000,
            amount_off_cents=500,
            starts_at=start,
            ends_at=end,
        )
        ids["promotion"] = combined_promotion
        for n, (value, product) in enumerate(zip(values, products, strict=False)):
            order = b.order(
                shop,
                buyer,
                [Item(product)],
                paid_at=paid + timedelta(minutes=n),
                order_no=value,
                promotion_id=promotions[n],
            )
            b.refund(order, 0, 1000, completed_at=paid + timedelta(hours=2), reason=value)
        combined = b.order(
            shop,
            buyer,
            [Item(products[-1])],
            paid_at=paid,
            order_no="NO-" + COMBINED,
            promotion_id=platform,
            live_session_id=live,
            channel="live",
        )
        b.refund(combined, 0, 500, completed_at=paid + timedelta(hours=3), reason=COMBINED)
        ids["order"] = combined.order_no
        for other in others[:3]:
            b.order(other, buyer, [Item(b.product(other, other_category, RTL))], paid_at=paid)
        conn.execute(
            s.coupons.insert().values(
                promotion_id=coupon, member_id=buyer, issued_at=paid, used_at=None
            )
        )
        for value in (*values, COMBINED):
            note = conn.execute(
                s.notes.insert().values(author_member_id=buyer, posted_at=paid, title=value)
            ).inserted_primary_key[0]
            conn.execute(s.note_tags.insert().values(note_id=note, tag=value))
            conn.execute(s.note_products.insert().values(note_id=note, product_id=products[0]))
            conn.execute(
                s.note_views.insert().values(
                    member_id=buyer, note_id=note, viewed_at=paid - timedelta(hours=1)
                )
            )
        applications = [
            b.application(
                v,
                category_id=category,
                submitted_at=now - timedelta(days=1),
                region=v,
                contact_email=f"{v}@example.com",
            )
            for v in values
        ]
        combined_app = b.application(
            COMBINED,
            category_id=category,
            submitted_at=now - timedelta(days=2),
            region=COMBINED,
            contact_email=COMBINED,
        )
        conn.execute(
            s.supplier_applications.update().where(
                s.supplier_applications.c.application_id.in_([*applications, combined_app])
            ),
            {"contact_name": COMBINED, "contact_phone": FORMULA},
        )
        ids["application"] = combined_app
        # Statements: the shop's last two months paid; every other
        # shop a draft of last month, each with a payload as its note and reference.
        ids["statement"] = _statement(conn, shop, 1, "paid", COMBINED, COMBINED)
        _statement(conn, shop, 2, "paid", FORMULA, FORMULA)
        for other, value in zip(others, values, strict=True):
            _statement(conn, other, 1, "draft", value, None)
        audit = [
            (
                "product.ban",
                "product",
                banned,
                COMBINED,
                {"status": "on_sale"},
                {"status": "banned"},
            ),
            ("promotion.create", "promotion", combined_promotion, None, None, {"name": COMBINED}),
            ("settlement.adjust", "settlement", ids["statement"], COMBINED, None, None),
        ]
        for action, entity, entity_id, reason, before, after in audit:
            conn.execute(
                s.audit_log.insert().values(
                    at=now - timedelta(hours=1),
                    actor="p_shop",
                    role="vendor",
                    action=action,
                    entity=entity,
                    entity_id=str(entity_id),
                    vendor_id=shop,
                    reason=reason,
                    before=None if before is None else json.dumps(before),
                    after=None if after is None else json.dumps(after),
                )
            )
    return ids


@pytest.fixture(scope="module", params=BACKENDS)
def mall(request, db_factory, tmp_path_factory) -> Mall:
    """The payload mall and an account per role (the vendor's shop named by every trap)."""
    backend = request.param
    engine = db_factory.engine(backend)
    ids = _build(engine, backend)
    session = AppSession(engine.url, tmp_path_factory.mktemp("payloads"))
    session.add(USER["vendor"], role="vendor", vendor_id=ids["shop"])
    session.add(USER["operator"], role="operator")
    session.add(USER["finance"], role="finance")
    session.add("p_login", role="vendor", vendor_id=ids["shop"])
    admin = connect_engine(session.database_url, check=False)
    with admin.begin() as conn:  # a shop login's name, as an operator wrote it
        conn.execute(accounts.update().where(accounts.c.username == "p_login"), {"name": COMBINED})
    admin.dispose()
    yield Mall(
        session,
        backend,
        payloads(backend),
        shop=ids["shop"],
        combined_order=ids["order"],
        application=ids["application"],
        promotion=ids["promotion"],
        banned_product=ids["banned"],
        statement=ids["statement"],
        ids=ids,
    )
    from dashboard.shell.context import dispose_engines

    dispose_engines()


# --- the helpers ------------------------------------------------------------------------


def test_t_escapes_the_values_it_inserts_once():
    from dashboard.i18n import Literal, literal, t, t_plain, tn

    heading = t("sales.home.welcome_vendor", name=COMBINED)
    assert isinstance(heading, Literal)
    assert heading == f"{literal(COMBINED)} at a glance"  # Markdown that shows it as typed
    assert as_seen(heading) == heading.plain == f"{COMBINED} at a glance"
    assert t_plain("sales.home.welcome_vendor", name=COMBINED) == f"{COMBINED} at a glance"
    # Already safe text (a Literal: from literal() or t()) is never escaped again.
    assert t("sales.home.welcome_vendor", name=literal(BOLD)) == "\\*\\*b\\*\\* at a glance"
    assert literal(heading) is heading
    # Numbers keep their formats; a count picks its form.
    assert t("orders.total", total=1234) == "Orders found: 1234"
    assert tn("products.n_rows", 1, count="1") == "1 row"


def test_chart_text_keeps_markup_and_formulas_as_typed():
    from dashboard.i18n import literal
    from dashboard.ui.charts import chart_text

    assert chart_text(HTML) == "&lt;img src=x onerror=alert(1)&gt;"
    assert chart_text(LATEX) == "&#36;x^2&#36;"
    assert chart_text("a & b") == "a &amp; b"
    assert chart_text(literal(BOLD)) == BOLD  # a Literal's plain text: charts are not Markdown


# --- what a run shows, by kind of place -----------------------------------------------

_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
# Markdown made from the data: any of these not preceded by a backslash.
MARKDOWN_CONSTRUCTS = re.compile(r"(?<!\\)(\*\*b\*\*|!\[|\]\(|\$x\^2\$|<img)")


def _markdown_widget_texts(at: AppTest) -> list[str]:
    """Labels and options Streamlit reads as Markdown (radio, segmented control, buttons,
    metrics, expanders, tabs)."""
    out: list[str] = []
    for radio in at.radio:
        out += [str(o) for o in radio.options]
    for group in at.get("button_group"):
        out += [str(o.content) for o in group.proto.options]
    for button in (*at.button, *at.get("download_button")):
        out.append(str(getattr(button, "label", "") or button.proto.label))
    for metric in at.metric:
        out += [str(metric.label), str(metric.value), str(metric.proto.delta or "")]
    for expander in at.expander:
        out.append(str(expander.label))
    for tab in at.tabs:
        out.append(str(tab.label))
    for toast in at.toast:
        out.append(str(toast.value))
    return out


# The staff's shop picker in the sidebar (`dashboard.shell.context`).
SHELL_PICKER = "scope_vendor"


def _plain_texts(at: AppTest) -> list[str]:
    """Text Streamlit shows as it is: table cells and headers, select-box options, text."""
    out: list[str] = []
    for frame in (*at.dataframe, *at.table):
        value = frame.value
        out += [str(c) for c in value.columns]
        out += [str(v) for v in value.to_numpy().ravel().tolist()]
    for box in (*at.selectbox, *at.multiselect):
        out += [str(o) for o in box.options]
    out += [str(e.value) for e in at.text]
    out += [str(e.value) for e in at.code]
    return out


def _chart_strings(at: AppTest) -> list[str]:
    """Every string in every Plotly figure the run drew."""
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return found


def _visible(at: AppTest) -> str:
    """Everything a person can read on the run: texts, options, labels, table cells."""
    options = [as_seen(t) for t in _markdown_widget_texts(at)]
    return "\n".join([texts(at), *options, *_plain_texts(at)])


def check(at: AppTest, where: tuple, expected: tuple[str, ...] = ()) -> None:
    """The run's invariants (see the module's docstring), and `expected` shown as typed."""
    assert not at.exception, (where, at.exception)
    assert "Something unexpected" not in texts(at), where
    source = "\n".join([markdown_source(at), *(e.value for e in at.title)])
    source += "\n" + "\n".join(str(e.value) for e in at.header)
    source += "\n" + "\n".join(_markdown_widget_texts(at))
    made = MARKDOWN_CONSTRUCTS.search(source)
    assert made is None, (where, source[max(made.start() - 60, 0) :][:160])
    for payload in MARKDOWN:
        assert payload not in source, (where, payload)
    # Escaped once, never twice: read as a person reads it, no escape is left.
    doubled = _ESCAPE.search(as_seen(source))
    assert doubled is None, (where, as_seen(source)[max(doubled.start() - 60, 0) :][:160])
    for text in _plain_texts(at):
        escaped = _ESCAPE.search(text)
        assert escaped is None, (where, "escaped in a plain place", text[:160])
    for text in _chart_strings(at):
        for raw in (HTML, LATEX, "<b>", "<img", "$x"):
            assert raw not in text, (where, "raw in a chart", text[:160])
    visible = _visible(at)
    for text in expected:
        assert shown(text) in visible, (where, "not shown as typed", shown(text)[:80])


# --- the pages --------------------------------------------------------------------------

# What each page shows of the data in its first drawing, by role (a subset: enough to
# prove the text arrives as typed where it should; the checks above hold everywhere).
EVERY = "every"  # each payload of the backend


def _expected(mall: Mall, role: str, page: str) -> tuple[str, ...]:
    every = tuple(mall.values)
    table = {
        ("vendor", "home"): (COMBINED,),
        ("vendor", "sales"): (*every, COMBINED),  # products, refund reasons, categories
        ("operator", "sales"): (*every, COMBINED),
        ("finance", "sales"): (*every, COMBINED),
        ("vendor", "orders"): (*every, COMBINED),  # order numbers, promotion names
        ("operator", "orders"): (*every, COMBINED),  # and the shop's name
        ("finance", "orders"): (*every, COMBINED),
        ("vendor", "campaigns"): (*every, COMBINED, IMAGE),  # promotions, live, coupons
        ("operator", "campaigns"): (*every, COMBINED),
        ("vendor", "content"): (*every, COMBINED),  # note titles and tags
        ("operator", "content"): (*every, COMBINED),
        ("operator", "leaderboard"): (*every, COMBINED),
        ("vendor", "products"): (*every, COMBINED),
        ("operator", "products"): (*every, COMBINED),
        ("vendor", "promotions"): (*every, COMBINED),
        ("operator", "promotions"): (*every, COMBINED, LINK),
        ("vendor", "statements"): (COMBINED, FORMULA),
        ("operator", "statements"): (COMBINED,),
        ("finance", "settlements"): (*every, COMBINED),
        ("operator", "onboarding"): (*every, COMBINED),
        ("operator", "merchants"): (*every, COMBINED, HTML),
        ("vendor", "audit"): (COMBINED,),
        ("operator", "audit"): (COMBINED,),
        ("finance", "audit"): (COMBINED,),
    }
    return table.get((role, page), ())


def _drill(mall: Mall, role: str, page: str, at: AppTest):
    """The views that show one item in headings: (what, the run, expected) for each."""
    if (role, page) in (("vendor", "orders"), ("operator", "orders"), ("finance", "orders")):
        (picker,) = [b for b in at.selectbox if mall.combined_order in b.options]
        picker.set_value(mall.combined_order).run()
        yield "order", at, (mall.combined_order, COMBINED)
    elif (role, page) == ("operator", "onboarding"):
        at.selectbox(key="onboarding_pick_pending").set_value(mall.application).run()
        yield "application", at, (COMBINED, FORMULA)
    elif page == "promotions":
        at.selectbox(key="promotions_pick").set_value(mall.promotion).run()
        yield "promotion", at, (COMBINED,)
    elif (role, page) == ("vendor", "products"):
        at.selectbox(key="products_one_pick").set_value(mall.banned_product).run()
        yield "banned product", at, ("Banned " + BOLD, COMBINED)
    elif (role, page) == ("operator", "products"):
        at.selectbox(key="products_ban_pick").set_value(mall.banned_product).run()
        yield "ban", at, ("Banned " + BOLD, COMBINED)
    elif page == "statements":
        at.selectbox(key="statements_pick").set_value(mall.statement).run()
        yield "statement", at, (COMBINED,)
    elif (role, page) == ("finance", "settlements"):
        at.selectbox(key="settlements_pick").set_value(mall.statement).run()
        yield "statement", at, (COMBINED,)
    elif (role, page) == ("operator", "merchants"):
        at.selectbox(key="merchants_pick").set_value(mall.shop).run()
        yield "shop logins", at, (COMBINED,)


PAGES = [(role, page) for page, roles in ACCESS.items() for role in roles]


@pytest.mark.parametrize(("role", "page"), PAGES, ids=[f"{r}-{p}" for r, p in PAGES])
def test_every_page_shows_data_as_text(mall, role, page):
    at = mall.session.open(page, as_user=USER[role])
    check(at, (mall.backend, role, page), _expected(mall, role, page))
    for what, drilled, expected in _drill(mall, role, page, at):
        check(drilled, (mall.backend, role, page, what), expected)


def test_the_shop_picker_shows_names_as_written(mall):
    """The staff's shop picker (a select box: plain text, not Markdown) lists each shop's
    name as typed, never with Markdown escapes."""
    at = mall.session.open("sales", as_user=USER["operator"])
    options = at.selectbox(key=SHELL_PICKER).options
    for value in (*mall.values, COMBINED):
        assert any(o.startswith(shown(value)) for o in options), shown(value)[:80]
    assert [o for o in options if _ESCAPE.search(o)] == []
